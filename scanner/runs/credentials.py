"""Credential health (issue 12 item 5): probe each configured owner-API credential and GitHub's
token with one cheap self-call, and say which inventory accounts use each and which have none.
Names and variables only: a secret never reaches the result.
"""

from __future__ import annotations

import asyncio
import enum
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, assert_never

from scanner.fetch import Clock, Fetcher, FetcherFactory
from scanner.fetch.config import TokenSource
from scanner.fetch.interface import Fetched, FetchFailed
from scanner.model import Account, Platform, Reason
from scanner.platforms.api import github_rest, linkedin, meta, threads, tiktok, x, youtube_data
from scanner.platforms.api.interface import (
    Answer,
    Api,
    ApiRequest,
    Facts,
    Outcome,
    as_object,
    as_text,
    read_json,
    scrub_url,
    unexpected,
)
from scanner.platforms.connectors import ApiAccess, ApiRun, Credential, Session
from scanner.platforms.registry import all_specs
from scanner.runs.clock import SYSTEM_CLOCK, now

__all__ = [
    "EXPIRY_WINDOW_DAYS",
    "GITHUB_API",
    "Checked",
    "CredentialReport",
    "Health",
    "Uncovered",
    "check_credentials",
    "github_token_source",
]

EXPIRY_WINDOW_DAYS = 14
"""A credential expiring within this many days is a problem now (CRD-002's window)."""

GITHUB_API = "github"


def github_token_source() -> TokenSource:
    """GitHub's token variable and API host, from its spec (the one home of GitHub's facts);
    its own-user call ``/user`` may be read with any valid token (GitHub REST docs, "Get the
    authenticated user")."""
    return all_specs()[Platform.GITHUB].tokens[0]


X_PROBE_USERNAME = "X"
"""Looked up when an app-only X token has no inventory account to look up: X's own account.
Any answer X reads (found or "Could not find user") proves the token authenticates."""
YOUTUBE_PROBE_ID = "UCBR8-60-B28hp2BmDPdntcQ"
"""YouTube's own channel: ``channels?part=id`` costs one quota unit whatever the id, and a
key that is read at all is healthy (research §6: list calls cost 1)."""


class Health(enum.StrEnum):
    """What one probe showed about a credential."""

    HEALTHY = "healthy"
    INVALID = "invalid"
    """The API refused the token (expired, revoked, garbage): its accounts end ``error``."""
    LACKING = "lacking"
    """The token authenticates but lacks a permission Rollcall's calls need."""
    MISSING = "missing"
    """A named credential of the config file whose variable is not set."""
    UNVERIFIED = "unverified"
    """Could not tell: network, quota, throttling, an unreadable answer."""

    @property
    def problem(self) -> bool:
        """A definite fault the owner must fix (exit 1), as opposed to not knowing (exit 3)."""
        match self:
            case Health.INVALID | Health.LACKING | Health.MISSING:
                return True
            case Health.HEALTHY | Health.UNVERIFIED:
                return False
            case unreachable:
                assert_never(unreachable)


def _health_of(outcome: Outcome) -> Health:
    match outcome:
        case Outcome.PRESENT | Outcome.ABSENT:
            return Health.HEALTHY  # the API read the call: the token authenticated
        case Outcome.CREDENTIAL_INVALID:
            return Health.INVALID
        case Outcome.PERMISSION_MISSING:
            return Health.LACKING
        case Outcome.RATE_LIMITED | Outcome.QUOTA_EXCEEDED | Outcome.ERROR:
            return Health.UNVERIFIED
        case unreachable:
            assert_never(unreachable)


@dataclass(frozen=True)
class Checked:
    """One credential's health: ``name`` as reports call it, ``api`` its endpoint name, ``env``
    the variable holding it (never its value); ``reason`` says why it is not healthy (or a note,
    such as an app-only X token), ``signal`` the API's own code that decided."""

    name: str
    api: str
    env: str
    health: Health
    reason: Reason | None = None
    signal: str = ""
    url: str = ""
    identity: str | None = None
    expires_at: datetime | None = None
    days_left: int | None = None
    scopes: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()

    @property
    def expiring(self) -> bool:
        return self.days_left is not None and self.days_left <= EXPIRY_WINDOW_DAYS

    @property
    def problem(self) -> bool:
        return self.health.problem or (self.health is Health.HEALTHY and self.expiring)


@dataclass(frozen=True)
class Uncovered:
    """Inventory accounts of a platform with an owner API that no loaded credential observes."""

    platform: Platform
    accounts: tuple[str, ...]
    hint: str


@dataclass(frozen=True)
class CredentialReport:
    checked_at: datetime
    credentials: tuple[Checked, ...]
    uncovered: tuple[Uncovered, ...] = ()
    with_inventory: bool = False

    @property
    def problems(self) -> tuple[Checked, ...]:
        return tuple(c for c in self.credentials if c.problem)

    @property
    def unverified(self) -> tuple[Checked, ...]:
        return tuple(c for c in self.credentials if c.health is Health.UNVERIFIED)


@dataclass(frozen=True)
class _Probe:
    """One credential to probe and the inventory accounts it observes."""

    credential: Credential | None  # None: GitHub's token, which is a platform's, not an API's
    env: str
    accounts: tuple[Account, ...]


def check_credentials(
    access: ApiAccess,
    fetchers: FetcherFactory,
    accounts: Sequence[Account] | None = None,
    *,
    github_token: bool = False,
    clock: Clock = SYSTEM_CLOCK,
) -> CredentialReport:
    """Probe every credential of ``access`` whose variable is set or that the config file
    names, and GitHub's token when ``github_token`` (it is set); ``accounts`` (an inventory)
    adds who uses each and who has none. Network trouble never raises: it is ``unverified``."""
    probes = _plan(access, accounts or (), github_token)
    apis = ApiRun(clock, access)

    async def run() -> list[Checked]:
        names = Counter(p.credential.api.value if p.credential else GITHUB_API for p in probes)
        async with fetchers(names) as fetcher:
            return list(await asyncio.gather(*(_probe(p, fetcher, apis) for p in probes)))

    checked = asyncio.run(run()) if probes else []
    uncovered = _uncovered(access, accounts) if accounts is not None else ()
    return CredentialReport(now(clock), tuple(checked), uncovered, accounts is not None)


def _plan(access: ApiAccess, accounts: Sequence[Account], github: bool) -> list[_Probe]:
    probes = []
    for credential in access.credentials:
        if credential.name or access.usable(credential):
            users = tuple(
                a for a in accounts if access.credential(a.platform, a.credential) == credential
            )
            probes.append(_Probe(credential, credential.env, users))
    if github:
        users = tuple(a for a in accounts if a.platform is Platform.GITHUB)
        probes.append(_Probe(None, github_token_source().env, users))
    return probes


def _uncovered(access: ApiAccess, accounts: Sequence[Account]) -> tuple[Uncovered, ...]:
    by_platform: dict[Platform, list[str]] = {}
    hints: dict[Platform, str] = {}
    for account in accounts:
        hint = access.hint(account.platform, account.credential)
        if hint is not None:
            by_platform.setdefault(account.platform, []).append(account.id)
            hints.setdefault(account.platform, hint)
    return tuple(
        Uncovered(p, tuple(ids), hints[p]) for p, ids in sorted(by_platform.items(), key=str)
    )


async def _probe(probe: _Probe, fetcher: Fetcher, apis: ApiRun) -> Checked:
    ids = tuple(a.id for a in probe.accounts)
    credential = probe.credential
    if credential is None:
        return _with_accounts(await _github(fetcher.for_account()), ids)
    base = Checked(credential.label, credential.api.value, credential.env, Health.UNVERIFIED)
    if not apis.access.usable(credential):
        why = Reason("variable_missing", f"{credential.env} is not set (or is empty)")
        return _with_accounts(_replace(base, health=Health.MISSING, reason=why), ids)
    session = Session.open(_platform_of(credential.api), credential, fetcher.for_account(), apis)
    try:
        found = await _PROBES[credential.api](session, probe.accounts, base)
    except Exception as exc:  # noqa: BLE001 - one broken answer must not sink the others
        why = Reason("probe_error", f"{type(exc).__name__}: {exc}"[:300])
        found = _replace(base, health=Health.UNVERIFIED, reason=why)
    return _with_accounts(found, ids)


def _with_accounts(checked: Checked, ids: tuple[str, ...]) -> Checked:
    return _replace(checked, accounts=ids)


def _replace(checked: Checked, **changes: Any) -> Checked:
    return replace(checked, **changes)


def _platform_of(api: Api) -> Platform:
    """The platform whose spec declares ``api`` (its base URL and token live there)."""
    return next(p for p, s in all_specs().items() if s.api is not None and s.api.endpoint is api)


def _judged(base: Checked, answer: Answer[Any], url: str, identity: str | None = None) -> Checked:
    health = _health_of(answer.outcome)
    reason = None if health is Health.HEALTHY else answer.reason
    return _replace(
        base, health=health, reason=reason, signal=answer.signal, url=url, identity=identity
    )


ProbeFn = Callable[[Session, Sequence[Account], Checked], Awaitable[Checked]]


async def _meta(session: Session, accounts: Sequence[Account], base: Checked) -> Checked:
    reply = await session.ask(meta.debug_token(session.version), meta.parse_token_info)
    checked = _judged(base, reply.answer, reply.url)
    info = reply.answer.value
    if info is None or checked.health is not Health.HEALTHY:
        return checked
    days = None
    if info.expires_at is not None:
        days = (info.expires_at - session.now()).days
    return _replace(
        checked,
        identity=info.token_type,
        expires_at=info.expires_at,
        days_left=days,
        scopes=info.scopes,
    )


async def _x(session: Session, accounts: Sequence[Account], base: Checked) -> Checked:
    me = await session.ask(x.users_me(), _x_me)
    facts = me.answer.value
    if me.answer.outcome is Outcome.PRESENT and facts is not None:
        return _judged(base, me.answer, me.url, f"@{facts.handle}" if facts.handle else None)
    if "unsupported-authentication" not in me.answer.signal:
        return _judged(base, me.answer, me.url)
    # An app-only bearer cannot call users/me (research §3 "Auth"): a cheap lookup tells.
    handles = [a.handle for a in accounts if a.platform is Platform.X]
    name = session.spec.handle.normalize(handles[0]) if handles else X_PROBE_USERNAME
    lookup = await session.ask(x.user_by_username(name), lambda f: x.parse_user(f, name))
    checked = _judged(base, lookup.answer, lookup.url)
    if checked.health is Health.HEALTHY:
        return _replace(checked, identity="app-only token")
    return checked


def _x_me(fetched: Fetched) -> Answer[Facts]:
    """``users/me``: the token's own user (``data``), or the HTTP-level refusal."""
    failure = x.classify(fetched)
    if failure is not None:
        return failure
    data = as_object((as_object(read_json(fetched)) or {}).get("data"))
    if data is None:
        return unexpected(fetched, "X")
    return Answer(Outcome.PRESENT, None, "json:data.id", x.user_facts(data), x.throttle(fetched))


async def _youtube(session: Session, accounts: Sequence[Account], base: Checked) -> Checked:
    request = ApiRequest(
        Api.YOUTUBE_API, "/youtube/v3/channels", (("part", "id"), ("id", YOUTUBE_PROBE_ID))
    )
    reply = await session.ask(request, _classified(youtube_data.classify))
    return _judged(base, reply.answer, reply.url)


async def _linkedin(session: Session, accounts: Sequence[Account], base: Checked) -> Checked:
    request = linkedin.my_organizations(session.version)
    reply = await session.ask(request, _classified(linkedin.classify))
    return _judged(base, reply.answer, reply.url)


async def _tiktok(session: Session, accounts: Sequence[Account], base: Checked) -> Checked:
    reply = await session.ask(tiktok.user_info(), tiktok.parse_user)
    facts = reply.answer.value
    handle = f"@{facts.handle}" if facts is not None and facts.handle else None
    return _judged(base, reply.answer, reply.url, handle)


async def _threads(session: Session, accounts: Sequence[Account], base: Checked) -> Checked:
    reply = await session.ask(threads.me(session.version), threads.parse_me)
    facts = reply.answer.value
    handle = f"@{facts.handle}" if facts is not None and facts.handle else None
    return _judged(base, reply.answer, reply.url, handle)


async def _github_org(session: Session, accounts: Sequence[Account], base: Checked) -> Checked:
    reply = await session.ask(github_rest.viewer(session.version), _github_me)
    login = reply.answer.value
    return _judged(base, reply.answer, reply.url, f"@{login}" if login else None)


def _github_me(fetched: Fetched) -> Answer[str]:
    """``user``: the token's own login (``Bad credentials`` is a dead token, research §7)."""
    failure = github_rest.classify(fetched)
    if failure is not None:
        return failure
    login = as_text((as_object(read_json(fetched)) or {}).get("login"))
    if login is None:
        return unexpected(fetched, "GitHub")
    return Answer(Outcome.PRESENT, None, "json:login", login, github_rest.throttle(fetched))


_PROBES: Mapping[Api, ProbeFn] = {
    Api.META_GRAPH: _meta,
    Api.THREADS_GRAPH: _threads,
    Api.X_API: _x,
    Api.LINKEDIN_API: _linkedin,
    Api.TIKTOK_API: _tiktok,
    Api.YOUTUBE_API: _youtube,
    Api.GITHUB_API: _github_org,
}
"""Each owner API's probe; a test checks every :class:`Api` has one."""


def _classified(
    classify: Callable[[Fetched], Answer[Any] | None],
) -> Callable[[Fetched], Answer[None]]:
    """A parser for a self-call whose body Rollcall does not need: the API's error table, and
    anything it does not refuse is a success."""

    def parse(fetched: Fetched) -> Answer[None]:
        failure = classify(fetched)
        if failure is not None:
            return failure
        return Answer(Outcome.PRESENT, None, f"status:{fetched.status}")

    return parse


async def _github(fetcher: Fetcher) -> Checked:
    """``GET /user`` with GitHub's token (the fetcher adds it for GitHub's API host only)."""
    token = github_token_source()
    url = f"https://{token.host}/user"
    base = Checked(token.env, GITHUB_API, token.env, Health.UNVERIFIED, url=url)
    outcome = await fetcher.get(url, platform=GITHUB_API)
    if isinstance(outcome, FetchFailed):
        return _replace(base, reason=outcome.reason, signal=f"fetch:{outcome.reason.code}")
    status = outcome.status
    signal = f"status:{status}"
    url = scrub_url(outcome.url)
    if status == 200:
        scopes = outcome.headers.get("x-oauth-scopes", "")
        found = tuple(s.strip() for s in scopes.split(",") if s.strip())
        return _replace(base, health=Health.HEALTHY, signal=signal, url=url, scopes=found)
    if status == 401:  # {"message": "Bad credentials"} (GitHub REST docs, authentication)
        why = Reason("credential_invalid", "GitHub refused the token (Bad credentials)")
        return _replace(base, health=Health.INVALID, reason=why, signal=signal, url=url)
    # 403/429 with x-ratelimit-remaining 0 is throttling; 5xx is GitHub's trouble: not known.
    why = Reason("api_error", f"GitHub answered HTTP {status}")
    return _replace(base, reason=why, signal=signal, url=url)
