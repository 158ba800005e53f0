"""The sandbox's world: which accounts exist on which platform, what they say, when they posted,
and which faults to inject. Loaded from YAML with locations; every problem is reported at once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from scanner.errors import Problem, ValidationError, did_you_mean
from scanner.model import AccountState, HolderKind, Platform
from scanner.sandbox.faults import API_INAPPLICABLE, Fault, FaultSpecError, parse_fault
from scanner.yamlsource import YList, YMap, load_yaml

__all__ = [
    "ACCOUNT_KEYS",
    "BUSINESS_KEYS",
    "CREDENTIAL_KEYS",
    "DEMO_CREDENTIALS",
    "GITHUB_HOLDER_KEYS",
    "GITHUB_ROLES",
    "HOLDER_KEYS",
    "HOST_KEYS",
    "POST_KEYS",
    "TOKEN_APIS",
    "TOP_KEYS",
    "ApiName",
    "CredentialState",
    "GithubKind",
    "Post",
    "Target",
    "World",
    "WorldAccount",
    "WorldBusiness",
    "WorldCredential",
    "WorldHolder",
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


class ApiName(enum.StrEnum):
    """The owner APIs the sandbox plays, by their ``--endpoint`` names (issue 12). The scanner's
    ``Api`` enum holds the same values; the sandbox may not import it (tool layer), and a test
    holds the two equal."""

    META_GRAPH = "meta-graph"
    THREADS_GRAPH = "threads-graph"
    X_API = "x-api"
    LINKEDIN_API = "linkedin-api"
    TIKTOK_API = "tiktok-api"
    YOUTUBE_API = "youtube-api"
    GITHUB_API = "github-api"


Target = Platform | ApiName
"""What faults and rate windows are filed under: a platform's public site or an owner API."""

TOKEN_APIS: Mapping[ApiName, Platform] = {
    # A TikTok Display API token and a Threads token belong to one user (research
    # owner-apis.md §2, §5): their credentials name the account they read.
    ApiName.TIKTOK_API: Platform.TIKTOK,
    ApiName.THREADS_GRAPH: Platform.THREADS,
}


class CredentialState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


_GITHUB_KINDS = ("user", "organization")

# Every key a world file may hold, with what it means: the loader accepts exactly these keys and
# `rollcall sandbox example-world` documents them from here, so the two cannot drift apart.
TOP_KEYS: Mapping[str, str] = {
    "name": "what the world is called (shown by `rollcall sandbox serve`)",
    "as_of": "the day the world is observed, YYYY-MM-DD: audit it with --as-of this date",
    "description": "free text for people; ignored by the sandbox",
    "hosts": "faults on every request to a platform or owner API: NAME: {faults: [...]}",
    "accounts": "the accounts that exist; every other handle is absent (the platform's 404)",
    "credentials": "the owner-API tokens the sandbox accepts: a list of {api, token, ...}; "
    "any other token is unknown to its API",
    "business": "the Meta Business Manager behind the meta-graph credentials: {name, users, "
    "system_users, agencies} (its business_users, system_users and partner businesses)",
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
    "api_access": "true or false (default true): false when the organization's API "
    "credentials do not reach the account (Meta answers code 100, LinkedIn shows nothing)",
    "hidden_followers": "true when the owner hid the follower count (YouTube's "
    "hiddenSubscriberCount); default false",
    "instagram": "facebook only: the Instagram account linked to this Page "
    "(its instagram_business_account)",
    "posts": "the account's activity, any order; each post: at, text, pinned, repost_of",
    "holders": "facebook, linkedin and github: who holds access to the Page (its assigned_users, "
    "roles and agencies): a list of {kind, id, name, email, tasks, role, two_factor}; to the "
    "LinkedIn organization (its organizationAcls): a list of {id, role, state}, none: the ACL "
    "listing is refused (holders unknown); to the GitHub organization (members, the 2FA "
    "filter, outside collaborators, invitations): a list of {kind, id, email, role, "
    "two_factor}, none: every member listing is refused (holders unknown)",
    "faults": "faults injected into every request for this account",
}
POST_KEYS: Mapping[str, str] = {
    "at": "when it was posted (a repost: when it was reposted), ISO datetime",
    "text": "what it says",
    "pinned": "true when pinned to the top of the profile (default false)",
    "repost_of": "the original author's handle: a repost, which is not the account's own post",
}
CREDENTIAL_KEYS: Mapping[str, str] = {
    "api": f"one of {', '.join(a.value for a in ApiName)}",
    "token": "the secret the client sends (Authorization: Bearer, or X-Goog-Api-Key for "
    "youtube-api)",
    "state": f"{' | '.join(s.value for s in CredentialState)} (default valid)",
    "expires_at": "when the token stops working (ISO datetime; compared with as_of); none: never",
    "scopes": "the permissions debug_token reports (a list of names)",
    "account": "the handle the token belongs to: required for "
    f"{' and '.join(a.value for a in TOKEN_APIS)}, optional for x-api (users/me); for "
    "github-api the token user's login, whose roles are the organizations' holders (none: an "
    "owner of every organization)",
    "quota": "youtube-api only: units the key may spend (1 per call) before quotaExceeded",
}
HOLDER_KEYS: Mapping[str, str] = {
    "kind": f"{' | '.join(k.value for k in HolderKind)} (default {HolderKind.PERSON.value})",
    "id": "the holder's id on the platform (a Facebook user, system user or partner business)",
    "name": "the holder's name (default: the business entry's with the same id)",
    "email": "a person's email: makes them a user of the business (business_users)",
    "tasks": "facebook: the Page tasks held, e.g. [MANAGE, CREATE_CONTENT] (MANAGE = admin)",
    "role": "the platform's role name, where it has one (a business user's ADMIN or EMPLOYEE)",
    "two_factor": "true or false: a business user's two_fac_status (absent: not reported)",
    "state": "linkedin: the ACL row's state, APPROVED | REQUESTED | REVOKED (default APPROVED; "
    "a linkedin holder is {id: urn:li:person:…, role, state})",
}
GITHUB_ROLES = ("admin", "member", "outside_collaborator")
"""A GitHub holder's role: an owner, a member, or an outside collaborator (on a repository)."""
GITHUB_HOLDER_KEYS: Mapping[str, str] = {
    "kind": f"{HolderKind.PERSON.value} (default) or {HolderKind.INVITATION.value}",
    "id": "the holder's GitHub login (an invitation may name an email instead)",
    "email": "an invitation's email address, when it names no login",
    "role": f"a person's {' | '.join(GITHUB_ROLES)} (default member); an invitation's "
    "direct_member | admin (default direct_member)",
    "two_factor": "false: listed by the 2fa_disabled filter (default true)",
}
BUSINESS_KEYS: Mapping[str, str] = {
    "name": "the Business Manager's name (default: the world's)",
    "users": "its business users: {id, name, email, role, two_factor}",
    "system_users": "its system users: {id, name, role}",
    "agencies": "partner businesses a Page may be shared with: {id, name}",
}
_TOP_KEYS = tuple(TOP_KEYS)
_CREDENTIAL_KEYS = tuple(CREDENTIAL_KEYS)
_HOST_KEYS = tuple(HOST_KEYS)
_ACCOUNT_KEYS = tuple(ACCOUNT_KEYS)
_POST_KEYS = tuple(POST_KEYS)


DEMO_CREDENTIALS: Mapping[str, str] = {
    # The example world's valid tokens by the environment variable that carries each: the
    # defaults of issue 12, and one more per extra TikTok and Threads account, whose tokens
    # each belong to one user (named credentials in rollcall.toml point at these variables).
    "ROLLCALL_META_TOKEN": "sandbox-meta-token",
    "ROLLCALL_THREADS_TOKEN": "sandbox-threads-token",
    "ROLLCALL_THREADS_TOKEN_SEATTLE": "sandbox-threads-token-seattle",
    "ROLLCALL_THREADS_TOKEN_PDX": "sandbox-threads-token-pdx",
    "ROLLCALL_X_TOKEN": "sandbox-x-token",
    "ROLLCALL_LINKEDIN_TOKEN": "sandbox-linkedin-token",
    "ROLLCALL_TIKTOK_TOKEN": "sandbox-tiktok-token",
    "ROLLCALL_TIKTOK_TOKEN_BARISTAS": "sandbox-tiktok-token-baristas",
    "ROLLCALL_TIKTOK_TOKEN_PDX": "sandbox-tiktok-token-pdx",
    "ROLLCALL_YOUTUBE_API_KEY": "sandbox-youtube-key",
    "ROLLCALL_GITHUB_TOKEN": "sandbox-github-token",
}
"""Env var → token for ``rollcall demo`` and tests; a test holds each valid in the example
world (worlds/copper-kettle.yaml, the tokens' one home, lists them under ``credentials``)."""


def example_world_path() -> Path:
    """The example organization's world, shipped inside the package."""
    return Path(__file__).resolve().parent / "worlds" / "copper-kettle.yaml"


def handle_key(platform: Platform, handle: str) -> str:
    """The form a handle is looked up by: what the platform treats as the same account.

    Every platform here matches names case-insensitively; YouTube channel ids (``UC…``) are
    case-sensitive. Reddit keys carry their kind (``u/name``, ``r/name``); a bare name is a user.
    LinkedIn's ``company/slug`` and ``showcase/slug`` are keyed by the slug (vanity names are
    one namespace).
    """
    h = handle.strip()
    if platform is Platform.YOUTUBE and YOUTUBE_CHANNEL_ID.match(h):
        return h
    h = h.lstrip("@").casefold()
    if platform is Platform.LINKEDIN:
        # Inventories write LinkedIn pages as "company/slug" or "showcase/slug"; the slug is
        # the key.
        h = h.strip("/").removeprefix("company/").removeprefix("showcase/")
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
    api_access: bool = True
    hidden_followers: bool = False
    instagram: str | None = None
    """facebook only: the linked Instagram account's handle."""
    holders: tuple[WorldHolder, ...] = ()
    """Who holds access to the account (facebook: its assigned users, roles and agencies)."""
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
        if self.platform is Platform.LINKEDIN:
            for section in ("company/", "showcase/"):
                if h.casefold().startswith(section):
                    h = h[len(section) :]
        return h.strip("/")

    @property
    def linkedin_section(self) -> str:
        """linkedin: the page's URL section, ``showcase`` or ``company``."""
        written = self.handle.strip().lstrip("/").casefold()
        return "showcase" if written.startswith("showcase/") else "company"

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
class WorldCredential:
    """One owner-API token the sandbox accepts, and what it is good for."""

    api: ApiName
    token: str
    state: CredentialState = CredentialState.VALID
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    account: str | None = None
    """The handle a one-user token belongs to (TikTok, Threads, an X user token)."""
    quota: int | None = None
    """YouTube units the key may spend; None: unlimited."""
    line: int | None = None


@dataclass(frozen=True)
class WorldHolder:
    """One party with access to an account (``holders:``), or one member of the world's
    Business Manager (``business:``)."""

    kind: HolderKind
    id: str
    name: str = ""
    email: str | None = None
    tasks: tuple[str, ...] = ()
    role: str | None = None
    two_factor: bool | None = None
    """A business user's two-factor status; None: Meta does not report it."""
    state: str = "APPROVED"
    """linkedin: the ACL row's state (REQUESTED: an invitation)."""
    line: int | None = None


@dataclass(frozen=True)
class WorldBusiness:
    """The Business Manager behind the world's Meta credentials: its people, system users and
    the partner businesses (agencies) a Page can be shared with."""

    name: str
    users: tuple[WorldHolder, ...] = ()
    system_users: tuple[WorldHolder, ...] = ()
    agencies: tuple[WorldHolder, ...] = ()

    def member(self, kind: HolderKind, holder_id: str) -> WorldHolder | None:
        """The business's entry of that kind and id (a user, a system user, an agency)."""
        group = {
            HolderKind.PERSON: self.users,
            HolderKind.SYSTEM_USER: self.system_users,
            HolderKind.PARTNER: self.agencies,
        }.get(kind, ())
        return next((m for m in group if m.id == holder_id), None)


@dataclass(frozen=True)
class World:
    """A loaded world: accounts by platform and lookup key, host-level faults (per platform or
    owner API), owner-API credentials, the as-of date."""

    name: str
    as_of: date
    accounts: tuple[WorldAccount, ...]
    host_faults: Mapping[Target, tuple[Fault, ...]] = field(default_factory=dict)
    path: str | None = None
    credentials: tuple[WorldCredential, ...] = ()
    business: WorldBusiness | None = None
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

    def credential(self, token: str) -> WorldCredential | None:
        return next((c for c in self.credentials if c.token == token), None)

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

    def add_line(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, None, message))

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

    host_faults: dict[Target, tuple[Fault, ...]] = {}
    hosts = data.get("hosts") or {}
    if not isinstance(hosts, Mapping):
        c.add(data, "hosts", "hosts: expected a mapping of platform → {faults: [...]}")
        hosts = {}
    for pname, spec in hosts.items():
        platform = _target(c, hosts, pname)
        if platform is None:
            continue
        if not isinstance(spec, Mapping):
            c.add(hosts, pname, f"hosts.{pname}: expected a mapping with 'faults'")
            continue
        c.unknown_keys(spec, _HOST_KEYS, f"hosts.{pname}")
        host_faults[platform] = _faults(c, spec, f"hosts.{pname}")
        for fault in host_faults[platform] if isinstance(platform, ApiName) else ():
            if fault.kind in API_INAPPLICABLE:
                c.add(hosts, pname, f"hosts.{pname}: {fault.kind.value} does not apply to an API")

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
    credentials = _credentials(c, data, accounts)
    business = _business(c, data, name.strip())
    _check_links(c, accounts)
    _check_holders(c, accounts, business)
    if c.problems:
        raise ValidationError(c.problems)
    return World(
        name=name.strip(),
        as_of=as_of,
        accounts=tuple(accounts),
        host_faults=host_faults,
        path=file,
        credentials=credentials,
        business=business,
    )


def _check_links(c: _Checker, accounts: Sequence[WorldAccount]) -> None:
    """A Page's linked Instagram account must be one of the world's."""
    instagram = {a.key for a in accounts if a.platform is Platform.INSTAGRAM}
    for account in accounts:
        linked = account.instagram
        if linked and handle_key(Platform.INSTAGRAM, linked) not in instagram:
            c.add_line(account.line, f"{account.handle}.instagram: no instagram account {linked!r}")


def _target(c: _Checker, hosts: Mapping[str, Any], name: str) -> Target | None:
    """A ``hosts:`` key: a platform or an owner API."""
    if name in {a.value for a in ApiName}:
        return ApiName(name)
    return _platform(c, hosts, name, name)


def _credentials(
    c: _Checker, data: Mapping[str, Any], accounts: Sequence[WorldAccount]
) -> tuple[WorldCredential, ...]:
    raw = data.get("credentials")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.add(data, "credentials", "credentials: expected a list of {api, token, ...}")
        return ()
    out: list[WorldCredential] = []
    tokens: set[str] = set()
    for i, item in enumerate(raw):
        where = f"credentials[{i}]"
        if not isinstance(item, Mapping):
            c.add(raw, i, f"{where}: expected a mapping with api and token")
            continue
        cred = _credential(c, item, where, accounts)
        if cred is None:
            continue
        if cred.token in tokens:
            c.add(item, "token", f"{where}.token: already used by another credential")
            continue
        tokens.add(cred.token)
        out.append(cred)
    return tuple(out)


def _credential(
    c: _Checker, raw: Mapping[str, Any], where: str, accounts: Sequence[WorldAccount]
) -> WorldCredential | None:
    c.unknown_keys(raw, _CREDENTIAL_KEYS, where)
    apis = [a.value for a in ApiName]
    api = raw.get("api")
    token = raw.get("token")
    if api not in apis:
        close = did_you_mean(str(api), apis)
        hint = f"; {close}" if close else ""
        c.add(
            raw,
            "api" if "api" in raw else None,
            f"{where}.api: unknown API {api!r}{hint} (expected one of {', '.join(apis)})",
        )
        return None
    if not isinstance(token, str) or not token.strip():
        c.add(raw, "token" if "token" in raw else None, f"{where}.token: expected a string")
        return None
    name = ApiName(str(api))
    states = [s.value for s in CredentialState]
    state = raw.get("state", CredentialState.VALID.value)
    if state not in states:
        c.add(raw, "state", f"{where}.state: expected one of {', '.join(states)}")
        state = CredentialState.VALID.value
    expires_at = None
    if raw.get("expires_at") is not None:
        expires_at = _as_datetime(raw["expires_at"])
        if expires_at is None:
            c.add(raw, "expires_at", f"{where}.expires_at: expected an ISO datetime")
    scopes = raw.get("scopes") or []
    if not isinstance(scopes, list) or not all(isinstance(x, str) for x in scopes):
        c.add(raw, "scopes", f"{where}.scopes: expected a list of names")
        scopes = []
    account = _credential_account(c, raw, where, name, accounts)
    quota = raw.get("quota")
    if quota is not None and (
        name is not ApiName.YOUTUBE_API
        or isinstance(quota, bool)
        or not isinstance(quota, int)
        or quota < 0
    ):
        c.add(raw, "quota", f"{where}.quota: expected a whole number ≥ 0, for youtube-api only")
        quota = None
    return WorldCredential(
        api=name,
        token=token,
        state=CredentialState(state),
        expires_at=expires_at,
        scopes=tuple(scopes),
        account=account,
        quota=quota,
        line=raw.line if isinstance(raw, YMap) else None,
    )


_ACCOUNT_APIS: Mapping[ApiName, Platform] = {**TOKEN_APIS, ApiName.X_API: Platform.X}


def _credential_account(
    c: _Checker,
    raw: Mapping[str, Any],
    where: str,
    api: ApiName,
    accounts: Sequence[WorldAccount],
) -> str | None:
    account = raw.get("account")
    if account is None:
        if api in TOKEN_APIS:
            c.add(raw, None, f"{where}: a {api.value} token belongs to one user; add 'account'")
        return None
    if api is ApiName.GITHUB_API:
        # The token user's login: its roles are the organizations' holders (it may hold none).
        if isinstance(account, str) and _LOGIN.match(account):
            return account
        c.add(raw, "account", f"{where}.account: expected the token user's GitHub login")
        return None
    platform = _ACCOUNT_APIS.get(api)
    if platform is None or not isinstance(account, str):
        c.add(
            raw,
            "account",
            f"{where}.account: expected a handle, for "
            f"{', '.join(a.value for a in _ACCOUNT_APIS)} only",
        )
        return None
    if not any(a.platform is platform and a.key == handle_key(platform, account) for a in accounts):
        c.add(raw, "account", f"{where}.account: no {platform.value} account {account!r} here")
        return None
    return account


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
    flags = {k: _flag(c, raw, k, where, default) for k, default in _FLAGS.items()}
    instagram = _instagram(c, raw, where, platform)
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
        api_access=flags["api_access"],
        hidden_followers=flags["hidden_followers"],
        instagram=instagram,
        holders=_holders(c, raw, where, platform),
        posts=posts,
        faults=_faults(c, raw, where),
        line=raw.line if isinstance(raw, YMap) else None,
    )


def _instagram(c: _Checker, raw: Mapping[str, Any], where: str, platform: Platform) -> str | None:
    value = raw.get("instagram")
    if value is not None and (platform is not Platform.FACEBOOK or not isinstance(value, str)):
        c.add(raw, "instagram", f"{where}.instagram: a handle, on facebook accounts only")
        return None
    return value if isinstance(value, str) else None


HOLDER_PLATFORMS = frozenset({Platform.FACEBOOK, Platform.LINKEDIN, Platform.GITHUB})
"""Platforms whose world accounts may list ``holders`` (their owner API shows who holds them)."""
_TASK = re.compile(r"^[A-Z][A-Z0-9_]*$")
_BUSINESS_GROUPS: tuple[tuple[str, HolderKind, tuple[str, ...]], ...] = (
    ("users", HolderKind.PERSON, ("id", "name", "email", "role", "two_factor")),
    ("system_users", HolderKind.SYSTEM_USER, ("id", "name", "role")),
    ("agencies", HolderKind.PARTNER, ("id", "name")),
)


def _holders(
    c: _Checker, raw: Mapping[str, Any], where: str, platform: Platform
) -> tuple[WorldHolder, ...]:
    items = raw.get("holders")
    if items is None:
        return ()
    if platform not in HOLDER_PLATFORMS or not isinstance(items, list):
        names = ", ".join(sorted(p.value for p in HOLDER_PLATFORMS))
        c.add(raw, "holders", f"{where}.holders: a list of holders, on {names} accounts only")
        return ()
    if platform is Platform.LINKEDIN:
        return _linkedin_holders(c, items, where)
    if platform is Platform.GITHUB:
        return _github_holders(c, items, where)
    out: list[WorldHolder] = []
    for i in range(len(items)):
        holder = _holder(c, items, i, f"{where}.holders[{i}]", tuple(HOLDER_KEYS))
        if holder is None:
            continue
        if any((h.kind, h.id) == (holder.kind, holder.id) for h in out):
            c.add(
                items, i, f"{where}.holders[{i}]: {holder.kind.value} {holder.id!r} is listed twice"
            )
            continue
        out.append(holder)
    return tuple(out)


LINKEDIN_ACL_STATES = ("APPROVED", "REQUESTED", "REVOKED")
_PERSON_URN = re.compile(r"^urn:li:person:[A-Za-z0-9_-]+$")


def _linkedin_holders(c: _Checker, items: Any, where: str) -> tuple[WorldHolder, ...]:
    """A LinkedIn organization's ACL rows: {id: urn:li:person:…, role, state} (research §4)."""
    out: list[WorldHolder] = []
    for i, item in enumerate(items):
        at = f"{where}.holders[{i}]"
        if not isinstance(item, Mapping):
            c.add(items, i, f"{at}: expected a mapping with id, role and state")
            continue
        c.unknown_keys(item, ("id", "role", "state"), at)
        ident, role = item.get("id"), item.get("role")
        state = item.get("state", LINKEDIN_ACL_STATES[0])
        if not isinstance(ident, str) or not _PERSON_URN.match(ident):
            c.add(item, "id" if "id" in item else None, f"{at}.id: expected urn:li:person:ID")
        elif not isinstance(role, str) or not _TASK.match(role):
            c.add(item, "role" if "role" in item else None, f"{at}.role: e.g. ADMINISTRATOR")
        elif state not in LINKEDIN_ACL_STATES:
            c.add(item, "state", f"{at}.state: expected one of {', '.join(LINKEDIN_ACL_STATES)}")
        elif any(h.id == ident for h in out):
            c.add(items, i, f"{at}: {ident!r} is listed twice")
        else:
            kind = HolderKind.INVITATION if state == "REQUESTED" else HolderKind.PERSON
            line = item.line if isinstance(item, YMap) else None
            out.append(WorldHolder(kind, ident, role=role, state=state, line=line))
    return tuple(out)


_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_INVITE_ROLES = ("direct_member", "admin")


def _github_holders(c: _Checker, items: Any, where: str) -> tuple[WorldHolder, ...]:
    """A GitHub organization's people: {id: login, role, two_factor}, and invitations
    {kind: invitation, id: login | email: address, role} (research owner-apis.md §7)."""
    out: list[WorldHolder] = []
    for i, item in enumerate(items):
        at = f"{where}.holders[{i}]"
        if not isinstance(item, Mapping):
            c.add(items, i, f"{at}: expected a mapping with id and role")
            continue
        c.unknown_keys(item, tuple(GITHUB_HOLDER_KEYS), at)
        holder = _github_holder(c, item, at)
        if holder is None:
            continue
        if any(
            (h.kind, (h.id or h.email)) == (holder.kind, holder.id or holder.email) for h in out
        ):
            c.add(items, i, f"{at}: {holder.id or holder.email!r} is listed twice")
            continue
        out.append(holder)
    return tuple(out)


def _github_holder(c: _Checker, item: Mapping[str, Any], at: str) -> WorldHolder | None:
    kind = item.get("kind", HolderKind.PERSON.value)
    invitation = kind == HolderKind.INVITATION.value
    ident, email = item.get("id"), item.get("email")
    roles = _INVITE_ROLES if invitation else GITHUB_ROLES
    role = item.get("role", roles[0] if invitation else "member")
    two_factor = item.get("two_factor", True)
    line = item.line if isinstance(item, YMap) else None
    if kind not in (HolderKind.PERSON.value, HolderKind.INVITATION.value):
        c.add(item, "kind", f"{at}.kind: expected person or invitation")
    elif ident is not None and not (isinstance(ident, str) and _LOGIN.match(ident)):
        c.add(item, "id", f"{at}.id: expected a GitHub login")
    elif ident is None and not (invitation and isinstance(email, str) and "@" in email):
        where = "id" if not invitation else None
        c.add(item, where, f"{at}: expected id (a login){' or email' if invitation else ''}")
    elif email is not None and not invitation:
        c.add(item, "email", f"{at}.email: an invitation's only")
    elif role not in roles:
        c.add(item, "role", f"{at}.role: expected one of {', '.join(roles)}")
    elif not isinstance(two_factor, bool) or (invitation and "two_factor" in item):
        c.add(item, "two_factor", f"{at}.two_factor: true or false, on a person only")
    else:
        ident = str(ident) if ident is not None else ""
        return WorldHolder(
            HolderKind(kind),
            ident,
            email=email,
            role=role,
            two_factor=None if invitation else two_factor,
            line=line,
        )
    return None


def _holder(
    c: _Checker,
    items: Any,
    i: int,
    where: str,
    allowed: Sequence[str],
    kind: HolderKind = HolderKind.PERSON,
) -> WorldHolder | None:
    item = items[i]
    if not isinstance(item, Mapping):
        c.add(items, i, f"{where}: expected a mapping with id and name")
        return None
    c.unknown_keys(item, allowed, where)
    kinds = [k.value for k in HolderKind]
    raw_kind = item.get("kind", kind.value) if "kind" in allowed else kind.value
    ident = item.get("id")
    if raw_kind not in kinds:
        c.add(item, "kind", f"{where}.kind: expected one of {', '.join(kinds)}")
        return None
    if isinstance(ident, bool) or not isinstance(ident, str | int) or not str(ident).strip():
        c.add(item, "id" if "id" in item else None, f"{where}.id: expected the platform's id")
        return None
    email = item.get("email")
    if email is not None and not (isinstance(email, str) and "@" in email):
        c.add(item, "email", f"{where}.email: expected an email address")
        email = None
    tasks = item.get("tasks") or []
    if not isinstance(tasks, list) or not all(isinstance(t, str) and _TASK.match(t) for t in tasks):
        c.add(item, "tasks", f"{where}.tasks: expected task names in capitals, e.g. [MANAGE]")
        tasks = []
    role = item.get("role")
    if role is not None and not isinstance(role, str):
        c.add(item, "role", f"{where}.role: expected a role name")
        role = None
    two_factor = item.get("two_factor")
    if two_factor is not None and not isinstance(two_factor, bool):
        c.add(item, "two_factor", f"{where}.two_factor: expected true or false")
        two_factor = None
    return WorldHolder(
        kind=HolderKind(raw_kind),
        id=str(ident).strip(),
        name=_text(c, item, "name", where),
        email=email,
        tasks=tuple(tasks),
        role=role,
        two_factor=two_factor,
        line=item.line if isinstance(item, YMap) else None,
    )


def _business(c: _Checker, data: Mapping[str, Any], world_name: str) -> WorldBusiness | None:
    raw = data.get("business")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        c.add(data, "business", "business: expected a mapping with users, system_users, agencies")
        return None
    c.unknown_keys(raw, tuple(BUSINESS_KEYS), "business")
    groups: dict[str, tuple[WorldHolder, ...]] = {}
    for key, kind, allowed in _BUSINESS_GROUPS:
        items = raw.get(key) or []
        if not isinstance(items, list):
            c.add(raw, key, f"business.{key}: expected a list")
            items = []
        found = (
            _holder(c, items, i, f"business.{key}[{i}]", allowed, kind) for i in range(len(items))
        )
        groups[key] = tuple(h for h in found if h is not None)
    name = raw.get("name")
    return WorldBusiness(
        name=name.strip() if isinstance(name, str) and name.strip() else world_name,
        users=groups["users"],
        system_users=groups["system_users"],
        agencies=groups["agencies"],
    )


def _check_holders(
    c: _Checker, accounts: Sequence[WorldAccount], business: WorldBusiness | None
) -> None:
    """Every holder has a name (its own or its business entry's); a Page's pending invitations
    are not played (Meta's pending_users); a two-factor status belongs to a business user."""
    for account in (a for a in accounts if a.platform is Platform.FACEBOOK):
        for h in account.holders:
            where = f"{account.handle}.holders[{h.id}]"
            entry = business.member(h.kind, h.id) if business else None
            if h.kind is HolderKind.INVITATION:
                c.add_line(h.line, f"{where}: a Page's pending invitations are not played")
            elif not h.name and (entry is None or not entry.name):
                group = next(k for k, kind, _ in _BUSINESS_GROUPS if kind is h.kind)
                c.add_line(
                    h.line, f"{where}: no name; give one, or list the id in business.{group}"
                )
            elif h.two_factor is not None and h.email is None and entry is None:
                c.add_line(h.line, f"{where}.two_factor: a business user's; give their email")


_FLAGS: Mapping[str, bool] = {"api_access": True, "hidden_followers": False}


def _flag(c: _Checker, raw: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        c.add(raw, key, f"{where}.{key}: expected true or false")
        return default
    return value


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
