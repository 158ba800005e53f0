"""The owner-API connectors' run side: which credential observes an account (names and
variables, never secrets), one run's API state (stopped APIs, dead credentials, each API's own
pacing) and the :class:`Session` through which a connector sends its calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from scanner.errors import Problem, ValidationError, did_you_mean
from scanner.fetch.config import FetchConfig
from scanner.fetch.interface import Fetched, Fetcher, FetchFailed
from scanner.fetch.politeness import Clock
from scanner.model import (
    Account,
    Observation,
    ObservationStatus,
    OwnedAccount,
    Platform,
    Reason,
)
from scanner.platforms.api.interface import (
    Activity,
    Answer,
    Api,
    ApiRequest,
    Facts,
    Method,
    Outcome,
    observation,
    scrub_url,
)
from scanner.platforms.dates import DateWindow
from scanner.platforms.facts import api_specs
from scanner.platforms.interface import ApiSpec, PlatformSpec
from scanner.platforms.registry import all_specs, spec_for

__all__ = [
    "CREDENTIAL_INVALID",
    "MAX_API_WAIT",
    "ApiAccess",
    "ApiRun",
    "Connector",
    "Credential",
    "Reply",
    "Session",
]

T = TypeVar("T")

CREDENTIAL_INVALID = "credential_invalid"
"""The reason code of every account whose credential is dead: ``error``, never ``absent``."""

MAX_API_WAIT = 60.0
"""The longest an API's own signal (reset time, ``estimated_time_to_regain_access``) holds its
next call; an API that asks for more is stopped for the rest of the run, its accounts
unverified with the reason."""

SLOW_FROM = 80.0
"""Meta usage percentage from which calls are spaced out, up to :data:`SLOW_STEP` seconds at
100 (Meta throttles at 100%, research §1.4)."""
SLOW_STEP = 2.0
FULL_WAIT = 30.0
"""Pause when Meta's usage is at 100% and it gave no regain time."""


@dataclass(frozen=True)
class Credential:
    """One credential of an owner API: the environment variable that holds it and, for a named
    credential of the config file, its name (empty for the spec's default). Never the secret."""

    api: Api
    env: str
    name: str = ""

    @property
    def label(self) -> str:
        """How findings and reports name it: the config file's name, else the variable."""
        return self.name or self.env


@dataclass(frozen=True)
class ApiAccess:
    """What the connectors may use in one run: the configured credentials, the variables that
    held a token when the fetch config was built (``loaded``), and the API versions."""

    credentials: tuple[Credential, ...] = ()
    loaded: frozenset[str] = frozenset()
    versions: Mapping[Api, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: FetchConfig) -> ApiAccess:
        """The credentials of ``config`` (the specs' defaults and the config file's named ones)
        and its API versions over the specs' defaults; no token is copied."""
        declared = api_specs()
        credentials = tuple(
            Credential(api, source.env, source.name)
            for api in declared
            for source in config.token_sources.get(api.value, ())
        )
        versions = {a: config.api_versions.get(a.value, s.version) for a, s in declared.items()}
        return cls(credentials, frozenset(config.tokens), MappingProxyType(versions))

    def version(self, api: Api) -> str:
        return self.versions.get(api) or api_specs()[api].version

    def credential(self, platform: Platform, name: str | None) -> Credential | None:
        """The credential that observes an account of ``platform``: its named one, else the
        platform's default; None when the platform has no owner API or the name is unknown."""
        api = spec_for(platform).api
        if api is None:
            return None
        wanted = name or ""
        return next(
            (c for c in self.credentials if c.api is api.endpoint and c.name == wanted), None
        )

    def usable(self, credential: Credential) -> bool:
        return credential.env in self.loaded

    def capabilities(self) -> dict[Platform, frozenset[str]]:
        """What an account of each platform can show in this run: its public page's fields
        (the spec's ``extracts``), and its owner API's (``api.extracts``) where a credential
        of that API is loaded. A rule on a field nothing here can show does not apply; an
        account the API cannot reach leaves the field unknown, so the rule is unverified."""
        out = {}
        for platform, spec in all_specs().items():
            fields = spec.extracts
            if spec.api is not None and any(
                c.api is spec.api.endpoint and self.usable(c) for c in self.credentials
            ):
                fields = fields | spec.api.extracts
            out[platform] = fields
        return out

    def check(self, accounts: Iterable[Account]) -> None:
        """Every account's ``credential`` names a configured credential of its platform's API
        (raises ValidationError naming file and line, before anything is sent). With no named
        credential configured at all (no config file), the names cannot be checked: those
        accounts are observed publicly and say so (:meth:`hint`)."""
        if not self.named:
            return
        problems = []
        for account in accounts:
            if account.credential is None or self.credential(account.platform, account.credential):
                continue
            api = spec_for(account.platform).api
            names = sorted(c.name for c in self.credentials if api and c.api is api.endpoint)
            expected = (
                f"one of {', '.join(n for n in names if n)}"
                if any(names)
                else f"a [credentials.NAME] table with api = {api.endpoint.value!r}"
                if api
                else "nothing: the platform has no owner API"
            )
            problems.append(
                Problem(
                    account.location.file,
                    account.line_of("credential"),
                    None,
                    f"account {account.id}: unknown credential {account.credential!r} for "
                    f"{account.platform.value}; expected {expected} in the config file",
                    did_you_mean(account.credential, (c.name for c in self.credentials if c.name)),
                )
            )
        if problems:
            raise ValidationError(problems)

    @property
    def named(self) -> bool:
        """Whether the config file defines any named credential."""
        return any(c.name for c in self.credentials)

    def hint(self, platform: Platform, name: str | None) -> str | None:
        """What would make an account of ``platform`` verifiable through its API, when the
        credential is missing (None: the platform has no API, or the credential is loaded)."""
        api = spec_for(platform).api
        if api is None:
            return None
        credential = self.credential(platform, name)
        if credential is not None and self.usable(credential):
            return None
        if name and credential is None:
            return (
                f"credential {name!r} is not configured: a [credentials.{name}] table with "
                f"api = {api.endpoint.value!r} in the config file would verify it through its API"
            )
        declared = api_specs()[api.endpoint]
        env = credential.env if credential else declared.token.env if declared.token else None
        return f"set {env} to verify it through the {api.endpoint.value} API" if env else None


class ApiRun:
    """One run's state of the owner APIs, shared by every connector call: APIs stopped for the
    rest of the run (quota, LinkedIn's bare 429, a wait longer than :data:`MAX_API_WAIT`), dead
    credentials, when each API may be called next, and lookups cached for the run."""

    def __init__(self, clock: Clock, access: ApiAccess, max_wait: float = MAX_API_WAIT) -> None:
        self.clock = clock
        self.access = access
        self.max_wait = max_wait
        self.stopped: dict[Api, Reason] = {}
        self.dead: dict[Credential, Reason] = {}
        self.expiring: dict[Credential, datetime] = {}
        self.cache: dict[tuple[str, Credential], Any] = {}
        self.locks: dict[tuple[str, Credential], asyncio.Lock] = {}
        self._resume: dict[Api, float] = {}

    async def admit(self, credential: Credential) -> Reason | None:
        """Wait for the API's turn; the reason it will not be called, if any."""
        if credential in self.dead:
            return self.dead[credential]
        api = credential.api
        if api in self.stopped:
            return self.stopped[api]
        wait = self._resume.get(api, 0.0) - self.clock.monotonic()
        if wait > self.max_wait:
            self.stopped[api] = Reason(
                "rate_limited",
                f"the {api.value} API asked to wait {wait:.0f} s (more than {self.max_wait:g} s): "
                f"no more {api.value} calls this run",
            )
            return self.stopped[api]
        if wait > 0:
            await self.clock.sleep(wait)
        return None

    def note(self, credential: Credential, answer: Answer[Any]) -> None:
        """Obey the politeness and health signals of one answer."""
        if answer.outcome is Outcome.CREDENTIAL_INVALID and answer.reason is not None:
            self.dead.setdefault(credential, answer.reason)
        throttle = answer.throttle
        if throttle.stop:
            why = answer.reason or Reason("rate_limited", f"{credential.api.value} said stop")
            self.stopped.setdefault(credential.api, why)
        delay = throttle.wait or 0.0
        used = throttle.used_percent
        if used is not None and used >= SLOW_FROM:
            share = min(1.0, (used - SLOW_FROM) / (100.0 - SLOW_FROM))
            delay = max(delay, SLOW_STEP * share, FULL_WAIT if used >= 100 and not delay else 0)
        if delay > 0:
            until = self.clock.monotonic() + delay
            self._resume[credential.api] = max(self._resume.get(credential.api, 0.0), until)

    def lock(self, key: str, credential: Credential) -> asyncio.Lock:
        return self.locks.setdefault((key, credential), asyncio.Lock())


@dataclass(frozen=True)
class Reply(Generic[T]):
    """One API call's classified answer with its evidence: the URL as requested (scrubbed),
    when, and the HTTP answer when one arrived (``fetched``)."""

    answer: Answer[T]
    url: str
    fetched_at: datetime
    fetched: Fetched | None = None
    http_status: int | None = None
    final_url: str | None = None

    @property
    def ok(self) -> bool:
        return self.answer.outcome is Outcome.PRESENT and self.answer.value is not None


@dataclass(frozen=True)
class Session:
    """What a connector needs to observe accounts of one platform with one credential."""

    platform: Platform
    spec: PlatformSpec
    api: ApiSpec
    """The API block that declares the endpoint (base URL, token header)."""
    version: str
    credential: Credential
    fetcher: Fetcher
    run: ApiRun

    @classmethod
    def open(
        cls, platform: Platform, credential: Credential, fetcher: Fetcher, run: ApiRun
    ) -> Session:
        spec = spec_for(platform)
        declared = api_specs()[credential.api]
        version = run.access.version(credential.api)
        return cls(platform, spec, declared, version, credential, fetcher, run)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.run.clock.time(), UTC)

    @property
    def reads_access(self) -> bool:
        """Whether the spec says this API lists who holds an account (``api.extracts``
        names ``access``): its connector then reads the list after the profile."""
        return self.spec.api is not None and "access" in self.spec.api.extracts

    async def ask(self, request: ApiRequest, parse: Callable[[Fetched], Answer[T]]) -> Reply[T]:
        """Send ``request`` (unless the API is stopped or the credential dead) and classify the
        answer with ``parse``; the run obeys its politeness signals."""
        url = request.url(self.api.base_url)
        refused = await self.run.admit(self.credential)
        if refused is not None:
            return Reply(_refused(refused), scrub_url(url), self.now())
        outcome = await self._send(request, url)
        if isinstance(outcome, FetchFailed):
            limited = outcome.reason.code == "rate_limited"
            failed: Answer[T] = Answer(
                Outcome.RATE_LIMITED if limited else Outcome.ERROR,
                outcome.reason,
                f"fetch:{outcome.reason.code}",
            )
            return Reply(
                failed,
                scrub_url(outcome.url),
                outcome.fetched_at,
                None,
                outcome.http_status,
                scrub_url(outcome.final_url) if outcome.final_url else None,
            )
        answer = parse(outcome)
        self.run.note(self.credential, answer)
        return Reply(
            answer,
            scrub_url(outcome.url),
            outcome.fetched_at,
            outcome,
            outcome.status,
            scrub_url(outcome.final_url),
        )

    async def _send(self, request: ApiRequest, url: str) -> Fetched | FetchFailed:
        credential = self.credential.name or None
        endpoint = self.credential.api.value
        if request.method is Method.POST:
            return await self.fetcher.post(
                url,
                (request.body or "").encode(),
                platform=endpoint,
                headers=dict(request.headers),
                credential=credential,
            )
        return await self.fetcher.get(
            url, platform=endpoint, headers=dict(request.headers), credential=credential
        )

    # ------------------------------------------------------------------ observations

    def observed(self, handle: str, reply: Reply[Facts]) -> Observation:
        """The Observation the profile call decided (dates checked against the platform's
        window; an unusable one is dropped with a reason, never kept)."""
        if reply.fetched is not None:
            obs = observation(self.platform, handle, reply.fetched, reply.answer)
            obs = replace(obs, signal=f"{self.credential.api.value}:{obs.signal}")
        else:
            answer = reply.answer
            obs = Observation(
                platform=self.platform,
                handle=handle,
                status=answer.outcome.status,
                url=reply.url,
                fetched_at=reply.fetched_at,
                reason=answer.reason,
                http_status=reply.http_status,
                final_url=reply.final_url,
                signal=f"{self.credential.api.value}:{answer.signal}",
            )
        return self._dated(obs)

    def with_activity(self, obs: Observation, reply: Reply[Activity]) -> Observation:
        """``obs`` with the newest post the activity call showed (the field it came from is
        added to the signal); an unreadable activity leaves it unknown, with a reason."""
        activity = reply.answer.value
        if activity is None:
            why = reply.answer.reason.text if reply.answer.reason else reply.answer.signal
            text = f"{self.spec.name}: the account exists but its newest post is unknown ({why})"
            return replace(obs, reason=obs.reason or Reason("activity_unavailable", text))
        signal = f"{obs.signal}+activity:{activity.field}"
        if activity.latest is not None:
            return self._dated(replace(obs, last_activity_at=activity.latest, signal=signal))
        if activity.empty and obs.created_at is not None:
            # No post at all: nothing happened since the account was made.
            return replace(obs, no_activity_since=obs.created_at, signal=signal)
        return replace(obs, signal=signal)

    def _dated(self, obs: Observation) -> Observation:
        window = DateWindow(self.spec.launched, obs.fetched_at, self.spec.name)
        name = self.spec.name
        if obs.created_at is not None and (problem := window.problem(obs.created_at)):
            reason = obs.reason or Reason("date_unusable", f"{name}: the creation date {problem}")
            obs = replace(obs, created_at=None, reason=reason)
        if obs.last_activity_at is not None and (problem := window.problem(obs.last_activity_at)):
            text = f"{name}: the newest post's date {problem}"
            reason = obs.reason or Reason("activity_unavailable", text)
            obs = replace(obs, last_activity_at=None, reason=reason)
        return obs


def _refused(reason: Reason) -> Answer[Any]:
    if reason.code == CREDENTIAL_INVALID:
        return Answer(Outcome.CREDENTIAL_INVALID, reason, "credential:known_dead")
    outcome = Outcome.QUOTA_EXCEEDED if reason.code == "quota_exceeded" else Outcome.RATE_LIMITED
    return Answer(outcome, reason, "api:stopped_for_run")


class Connector(Protocol):
    """Observes accounts of one platform through its owner API. ``batch`` is how many accounts
    one call can look up (0: none); :meth:`observe_many` falls back to :meth:`observe` for any
    account a batch answer did not settle. ``settles_absence``: the API can answer that an
    account does not exist (False when it sees only the token's own accounts, or hides those
    the token may not see, so its silence proves nothing)."""

    name: ClassVar[str]
    batch: ClassVar[int]
    settles_absence: ClassVar[bool]

    async def observe(self, handle: str, session: Session) -> Observation: ...

    async def observe_many(
        self, handles: Sequence[str], session: Session
    ) -> Mapping[str, Observation]: ...

    async def owned(self, session: Session) -> tuple[OwnedAccount, ...] | Reason: ...


def unverified(session: Session, handle: str, code: str, text: str, url: str) -> Observation:
    """An account the API could not show to this credential: blocked, never absent."""
    return Observation(
        platform=session.platform,
        handle=handle,
        status=ObservationStatus.BLOCKED,
        url=scrub_url(url),
        fetched_at=session.now(),
        reason=Reason(code, text),
        signal=f"{session.credential.api.value}:{code}",
    )
