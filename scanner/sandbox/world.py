"""The sandbox's world: which accounts exist on which platform, what they say, when they posted,
and which faults to inject. Loaded from YAML with locations; every problem is reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from scanner.errors import Problem, ValidationError, did_you_mean
from scanner.model import AccountState, Platform
from scanner.sandbox.faults import Fault, FaultSpecError, parse_fault
from scanner.yamlsource import YList, YMap, load_yaml

__all__ = [
    "ACCOUNT_KEYS",
    "HOST_KEYS",
    "POST_KEYS",
    "TOP_KEYS",
    "GithubKind",
    "Post",
    "World",
    "WorldAccount",
    "example_world_path",
    "handle_key",
    "load_world",
    "parse_world",
]

YOUTUBE_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
BLUESKY_DID = re.compile(r"^did:plc:[a-z2-7]{24}\Z")

WORLD_STATES = (
    AccountState.ACTIVE,
    AccountState.SUSPENDED,
    AccountState.DEACTIVATED,
    AccountState.PRIVATE,
)

GithubKind = str  # "user" | "organization"
_GITHUB_KINDS = ("user", "organization")

# Every key a world file may hold, with what it means: the loader accepts exactly these keys and
# `rollcall sandbox example-world` documents them from here, so the two cannot drift apart.
TOP_KEYS: Mapping[str, str] = {
    "name": "what the world is called (shown by `rollcall sandbox serve`)",
    "as_of": "the day the world is observed, YYYY-MM-DD: audit it with --as-of this date",
    "description": "free text for people; ignored by the sandbox",
    "hosts": "faults on every request to a platform: PLATFORM: {faults: [...]}",
    "accounts": "the accounts that exist; every other handle is absent (the platform's 404)",
}
HOST_KEYS: Mapping[str, str] = {
    "faults": "faults injected into every request to this platform",
}
ACCOUNT_KEYS: Mapping[str, str] = {
    "platform": f"one of {', '.join(p.value for p in Platform)}",
    "handle": "in the platform's own form, as in an inventory (name@instance, u/name, "
    "company/slug, @handle or UC… channel id); matched ignoring case, except a channel id",
    "state": f"{' | '.join(s.value for s in WORLD_STATES)} (default {AccountState.ACTIVE.value})",
    "display_name": "the profile's name",
    "bio": "the profile's description",
    "links": "URLs the profile links to (official domains tie a page to the organization)",
    "followers": "a whole number ≥ 0",
    "following": "a whole number ≥ 0",
    "verified": "true or false: the platform's verification badge",
    "created_at": "when the account was created: an ISO date or datetime (UTC by default)",
    "channel_id": "youtube only: the UC… channel id behind an @handle",
    "did": "bluesky only: the account's did:plc: identifier (default: one derived from the "
    "handle), so an inventory can name the account by its DID",
    "kind": f"github only: {' | '.join(_GITHUB_KINDS)} (default user)",
    "posts": "the account's activity, any order; each post: at, text, pinned, repost_of",
    "faults": "faults injected into every request for this account",
}
POST_KEYS: Mapping[str, str] = {
    "at": "when it was posted (a repost: when it was reposted), ISO datetime",
    "text": "what it says",
    "pinned": "true when pinned to the top of the profile (default false)",
    "repost_of": "the original author's handle: a repost, which is not the account's own post",
}
_TOP_KEYS = tuple(TOP_KEYS)
_HOST_KEYS = tuple(HOST_KEYS)
_ACCOUNT_KEYS = tuple(ACCOUNT_KEYS)
_POST_KEYS = tuple(POST_KEYS)


def example_world_path() -> Path:
    """The example organization's world, shipped inside the package."""
    return Path(__file__).resolve().parent / "worlds" / "copper-kettle.yaml"


def handle_key(platform: Platform, handle: str) -> str:
    """The form a handle is looked up by: what the platform treats as the same account.

    Every platform here matches names case-insensitively; YouTube channel ids (``UC…``) are
    case-sensitive. Reddit keys carry their kind (``u/name``, ``r/name``); a bare name is a user.
    LinkedIn's ``company/slug`` is keyed by the slug.
    """
    h = handle.strip()
    if platform is Platform.YOUTUBE and YOUTUBE_CHANNEL_ID.match(h):
        return h
    h = h.lstrip("@").casefold()
    if platform is Platform.LINKEDIN:
        # Inventories write LinkedIn company pages as "company/slug"; the slug is the key.
        h = h.strip("/").removeprefix("company/")
    if platform is Platform.REDDIT:
        h = h.lstrip("/")
        for prefix, kind in (("user/", "u/"), ("u/", "u/"), ("r/", "r/")):
            if h.startswith(prefix):
                return kind + h[len(prefix) :].strip("/")
        return "u/" + h.strip("/")
    return h.strip("/")


@dataclass(frozen=True)
class Post:
    """One post. A repost's ``at`` is when the account reposted; ``repost_of`` names the author."""

    at: datetime
    text: str = ""
    pinned: bool = False
    repost_of: str | None = None


@dataclass(frozen=True)
class WorldAccount:
    """One account that exists on a platform (in some state)."""

    platform: Platform
    handle: str
    key: str
    state: AccountState = AccountState.ACTIVE
    display_name: str = ""
    bio: str = ""
    links: tuple[str, ...] = ()
    followers: int = 0
    following: int = 0
    verified: bool | None = None
    created_at: datetime | None = None
    channel_id: str | None = None
    did: str | None = None
    kind: GithubKind = "user"
    posts: tuple[Post, ...] = ()
    """Newest first."""
    faults: tuple[Fault, ...] = ()
    line: int | None = None

    @property
    def name(self) -> str:
        """The bare name: without ``@``, ``u/``/``r/`` or ``@instance``."""
        bare = self.key.split("/", 1)[1] if self.platform is Platform.REDDIT else self.key
        if self.platform is Platform.MASTODON:
            bare = bare.split("@", 1)[0]
        return bare

    @property
    def display_handle(self) -> str:
        """The handle with its original capitalisation, without decorations."""
        h = self.handle.strip().lstrip("@")
        if self.platform is Platform.REDDIT:
            h = h.lstrip("/")
            for prefix in ("user/", "u/", "r/"):
                if h.casefold().startswith(prefix):
                    h = h[len(prefix) :]
                    break
        if self.platform is Platform.MASTODON:
            h = h.split("@", 1)[0]
        if self.platform is Platform.LINKEDIN and h.casefold().startswith("company/"):
            h = h[len("company/") :]
        return h.strip("/")

    @property
    def instance(self) -> str | None:
        """Mastodon instance host (``name@instance``)."""
        if self.platform is Platform.MASTODON and "@" in self.key:
            return self.key.split("@", 1)[1]
        return None

    def own_posts(self) -> tuple[Post, ...]:
        return tuple(p for p in self.posts if p.repost_of is None)

    @property
    def updated_at(self) -> datetime | None:
        """The newest change the platform would know of: newest post, else creation."""
        if self.posts:
            return self.posts[0].at
        return self.created_at


@dataclass(frozen=True)
class World:
    """A loaded world: accounts by platform and lookup key, host-level faults, the as-of date."""

    name: str
    as_of: date
    accounts: tuple[WorldAccount, ...]
    host_faults: Mapping[Platform, tuple[Fault, ...]] = field(default_factory=dict)
    path: str | None = None
    _index: Mapping[tuple[Platform, str], WorldAccount] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        if not self._index:
            index = {(a.platform, a.key): a for a in self.accounts}
            object.__setattr__(self, "_index", index)

    @property
    def as_of_datetime(self) -> datetime:
        """Midnight UTC at the end of ``as_of``: the world's 'now' for generated bodies."""
        return datetime.combine(self.as_of, time(23, 59, 59), tzinfo=UTC)

    def find(self, platform: Platform, handle: str) -> WorldAccount | None:
        return self._index.get((platform, handle_key(platform, handle)))

    def on(self, platform: Platform) -> tuple[WorldAccount, ...]:
        return tuple(a for a in self.accounts if a.platform is platform)

    def healthy_handles(self) -> dict[Platform, str]:
        """One active, fault-free account per platform (on a host without faults): the
        known-present handles for ``rollcall platforms check`` against this world."""
        out: dict[Platform, str] = {}
        for account in self.accounts:
            if (
                account.platform not in out
                and account.state is AccountState.ACTIVE
                and not account.faults
                and not self.host_faults.get(account.platform)
            ):
                out[account.platform] = account.handle
        return out


# --------------------------------------------------------------------------- loading


def load_world(path: str | Path) -> World:
    """Load and validate a world file; raise ValidationError listing every problem."""
    data = load_yaml(path)
    return parse_world(data, str(path))


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, where: object, key: str | int | None, message: str) -> None:
        line = column = None
        if isinstance(where, YMap):
            if isinstance(key, str):
                line, column = where.line_of(key), where.column_of(key)
            else:
                line, column = where.line, where.column
        elif isinstance(where, YList):
            if isinstance(key, int) and 0 <= key < len(where.item_lines):
                line, column = where.item_lines[key]
            else:
                line, column = where.line, where.column
        self.problems.append(Problem(self.file, line, column, message))

    def unknown_keys(self, m: Mapping[str, Any], allowed: Sequence[str], what: str) -> None:
        for key in m:
            if key not in allowed:
                close = did_you_mean(key, allowed)
                hint = f"; {close}" if close else ""
                self.add(
                    m,
                    key,
                    f"{what}: unknown key {key!r}{hint} (expected one of {', '.join(allowed)})",
                )


def parse_world(data: Any, file: str) -> World:
    """Validate loaded YAML (``YMap``/``YList``) into a World."""
    c = _Checker(file)
    if not isinstance(data, Mapping):
        raise ValidationError.single(file, 1, "expected a mapping with name, as_of and accounts")
    c.unknown_keys(data, _TOP_KEYS, "world")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        c.add(data, "name" if "name" in data else None, "name: expected a non-empty string")
        name = Path(file).stem
    as_of = _as_date(data.get("as_of"))
    if as_of is None:
        c.add(
            data,
            "as_of" if "as_of" in data else None,
            "as_of: expected a date (YYYY-MM-DD), the day the world is observed",
        )
        as_of = date(2000, 1, 1)

    host_faults: dict[Platform, tuple[Fault, ...]] = {}
    hosts = data.get("hosts") or {}
    if not isinstance(hosts, Mapping):
        c.add(data, "hosts", "hosts: expected a mapping of platform → {faults: [...]}")
        hosts = {}
    for pname, spec in hosts.items():
        platform = _platform(c, hosts, pname, pname)
        if platform is None:
            continue
        if not isinstance(spec, Mapping):
            c.add(hosts, pname, f"hosts.{pname}: expected a mapping with 'faults'")
            continue
        c.unknown_keys(spec, _HOST_KEYS, f"hosts.{pname}")
        host_faults[platform] = _faults(c, spec, f"hosts.{pname}")

    accounts: list[WorldAccount] = []
    raw_accounts = data.get("accounts")
    if raw_accounts is None:
        raw_accounts = []
    if not isinstance(raw_accounts, list):
        c.add(data, "accounts", "accounts: expected a list of accounts")
        raw_accounts = []
    seen: dict[tuple[Platform, str], int | None] = {}
    for i, raw in enumerate(raw_accounts):
        where = f"accounts[{i}]"
        if not isinstance(raw, Mapping):
            c.add(raw_accounts, i, f"{where}: expected a mapping with platform and handle")
            continue
        account = _account(c, raw, where)
        if account is None:
            continue
        ident = (account.platform, account.key)
        if ident in seen:
            c.add(
                raw,
                "handle",
                f"{where}.handle: {account.platform.value} account {account.handle!r} is "
                f"already defined on line {seen[ident]}; expected each account once",
            )
            continue
        seen[ident] = account.line
        accounts.append(account)
    if c.problems:
        raise ValidationError(c.problems)
    return World(
        name=name.strip(),
        as_of=as_of,
        accounts=tuple(accounts),
        host_faults=host_faults,
        path=file,
    )


def _platform(c: _Checker, m: Mapping[str, Any], key: str, value: object) -> Platform | None:
    names = [p.value for p in Platform]
    if isinstance(value, str) and value in names:
        return Platform(value)
    close = did_you_mean(str(value), names)
    hint = f"; {close}" if close else ""
    c.add(m, key, f"unknown platform {value!r}{hint} (expected one of {', '.join(names)})")
    return None


def _faults(c: _Checker, m: Mapping[str, Any], where: str) -> tuple[Fault, ...]:
    raw = m.get("faults")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.add(m, "faults", f"{where}.faults: expected a list of faults")
        return ()
    faults = []
    for i, item in enumerate(raw):
        try:
            faults.append(parse_fault(item))
        except FaultSpecError as exc:
            c.add(raw, i, f"{where}.faults[{i}]: {exc}")
    return tuple(faults)


def _account(c: _Checker, raw: Mapping[str, Any], where: str) -> WorldAccount | None:
    c.unknown_keys(raw, _ACCOUNT_KEYS, where)
    platform = None
    if "platform" not in raw:
        c.add(raw, None, f"{where}: missing 'platform'")
    else:
        platform = _platform(c, raw, "platform", raw["platform"])
    handle = raw.get("handle")
    if not isinstance(handle, str) or not handle.strip():
        c.add(raw, "handle" if "handle" in raw else None, f"{where}.handle: expected a string")
        return None
    if platform is None:
        return None
    state = AccountState.ACTIVE
    if "state" in raw:
        values = [s.value for s in WORLD_STATES]
        if raw["state"] in values:
            state = AccountState(raw["state"])
        else:
            c.add(
                raw,
                "state",
                f"{where}.state: unknown state {raw['state']!r} (expected one of {', '.join(values)})",
            )
    display_name = _text(c, raw, "display_name", where)
    bio = _text(c, raw, "bio", where)
    links: tuple[str, ...] = ()
    if raw.get("links") is not None:
        if isinstance(raw["links"], list) and all(isinstance(x, str) for x in raw["links"]):
            links = tuple(raw["links"])
        else:
            c.add(raw, "links", f"{where}.links: expected a list of URLs")
    followers = _count(c, raw, "followers", where)
    following = _count(c, raw, "following", where)
    verified = raw.get("verified")
    if verified is not None and not isinstance(verified, bool):
        c.add(raw, "verified", f"{where}.verified: expected true or false")
        verified = None
    created_at = None
    if raw.get("created_at") is not None:
        created_at = _as_datetime(raw["created_at"])
        if created_at is None:
            c.add(raw, "created_at", f"{where}.created_at: expected an ISO date or datetime")
    channel_id = raw.get("channel_id")
    if channel_id is not None:
        if platform is not Platform.YOUTUBE:
            c.add(raw, "channel_id", f"{where}.channel_id: only youtube accounts have one")
            channel_id = None
        elif not isinstance(channel_id, str) or not YOUTUBE_CHANNEL_ID.match(channel_id):
            c.add(
                raw,
                "channel_id",
                f"{where}.channel_id: expected 'UC' followed by 22 letters, digits, '-' or '_'",
            )
            channel_id = None
    if channel_id is None and platform is Platform.YOUTUBE and YOUTUBE_CHANNEL_ID.match(handle):
        channel_id = handle
    did = raw.get("did")
    if did is not None and platform is not Platform.BLUESKY:
        c.add(raw, "did", f"{where}.did: only bluesky accounts have one")
        did = None
    elif did is not None and not (isinstance(did, str) and BLUESKY_DID.match(did)):
        c.add(raw, "did", f"{where}.did: expected did:plc: and 24 letters a-z or digits 2-7")
        did = None
    kind = raw.get("kind", "user")
    if kind not in _GITHUB_KINDS:
        c.add(raw, "kind", f"{where}.kind: expected one of {', '.join(_GITHUB_KINDS)}")
        kind = "user"
    elif "kind" in raw and platform is not Platform.GITHUB:
        c.add(raw, "kind", f"{where}.kind: only github accounts have a kind (user|organization)")
    if platform is Platform.MASTODON and "@" not in handle.strip().lstrip("@"):
        c.add(raw, "handle", f"{where}.handle: expected name@instance for a mastodon account")
    posts = _posts(c, raw, where)
    return WorldAccount(
        platform=platform,
        handle=handle.strip(),
        key=handle_key(platform, handle),
        state=state,
        display_name=display_name,
        bio=bio,
        links=links,
        followers=followers,
        following=following,
        verified=verified,
        created_at=created_at,
        channel_id=channel_id,
        did=did,
        kind=str(kind),
        posts=posts,
        faults=_faults(c, raw, where),
        line=raw.line if isinstance(raw, YMap) else None,
    )


def _text(c: _Checker, raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    c.add(raw, key, f"{where}.{key}: expected text")
    return ""


def _count(c: _Checker, raw: Mapping[str, Any], key: str, where: str) -> int:
    value = raw.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        c.add(raw, key, f"{where}.{key}: expected a whole number ≥ 0")
        return 0
    return value


def _posts(c: _Checker, raw: Mapping[str, Any], where: str) -> tuple[Post, ...]:
    items = raw.get("posts")
    if items is None:
        return ()
    if not isinstance(items, list):
        c.add(raw, "posts", f"{where}.posts: expected a list of posts")
        return ()
    posts: list[Post] = []
    for i, item in enumerate(items):
        pw = f"{where}.posts[{i}]"
        if not isinstance(item, Mapping):
            c.add(items, i, f"{pw}: expected a mapping with 'at'")
            continue
        c.unknown_keys(item, _POST_KEYS, pw)
        at = _as_datetime(item.get("at"))
        if at is None:
            c.add(item, "at" if "at" in item else None, f"{pw}.at: expected an ISO datetime")
            continue
        pinned = item.get("pinned", False)
        if not isinstance(pinned, bool):
            c.add(item, "pinned", f"{pw}.pinned: expected true or false")
            pinned = False
        repost_of = item.get("repost_of")
        if repost_of is not None and not isinstance(repost_of, str):
            c.add(item, "repost_of", f"{pw}.repost_of: expected a handle")
            repost_of = None
        posts.append(
            Post(at=at, text=_text(c, item, "text", pw), pinned=pinned, repost_of=repost_of)
        )
    posts.sort(key=lambda p: p.at, reverse=True)
    return tuple(posts)


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        try:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:  # year 1 or 9999 with an offset: reported as unreadable
            return None
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return _as_datetime(parsed)
    return None
