"""Observe accounts: through the platform's owner API when a credential for the account is
loaded (issue 12), else with the platform's public adapter, over one polite fetcher.

Network trouble never raises: each target yields exactly one Observation, in target order,
whose status says what could be seen (present/absent) or why not (blocked/error/invalid).
Each account's requests (or one batch's) share one time budget, and the run has a deadline.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from scanner.fetch import Clock, Fetcher, FetcherFactory
from scanner.model import Observation, ObservationStatus, Platform, Reason
from scanner.platforms import adapter_for, capabilities
from scanner.platforms.connectors import ApiRun, Connector, Credential, Session, connector_for
from scanner.runs.clock import SYSTEM_CLOCK, now

__all__ = [
    "Progress",
    "Target",
    "capabilities",
    "observe",
    "observe_async",
]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each target's observation is complete."""


@dataclass(frozen=True)
class Target:
    """One account to look at. ``url`` is the inventory's profile URL, if any (page-based
    platforms fetch it when it is not just the canonical URL of ``handle``); ``previous`` is
    the last observation, which makes the main request conditional (ETag / Last-Modified)."""

    platform: Platform
    handle: str
    url: str | None = None
    previous: Observation | None = None
    credential: str | None = None
    """The account's named credential (None: its platform's default one, if loaded)."""
    candidate: bool = False
    """A page discovery guesses at: it may be asked in a public batched probe. An inventoried
    account is asked alone, so its answer keeps the validators of the next conditional run."""


def observe(
    targets: Sequence[Target],
    fetchers: FetcherFactory,
    progress: Progress | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    apis: ApiRun | None = None,
    batch: bool = True,
) -> list[Observation]:
    """Observe every target (same order) over one fetcher from ``fetchers``, which sets the
    run's deadline for them: targets not observed by then end ``error`` with reason
    ``run_deadline``. ``apis`` holds the run's owner-API credentials and state (None: public
    observation only); ``batch`` False asks every account alone, each by the route an
    inventoried account takes (the benchmarks' baseline).
    Runs its own event loop: from async code call :func:`observe_async`."""
    accounts = Counter(Platform(t.platform).value for t in targets)

    async def run() -> list[Observation]:
        async with fetchers(accounts) as fetcher:
            return await observe_async(
                targets, fetcher, progress, clock=clock, apis=apis, batch=batch
            )

    return asyncio.run(run())


async def observe_async(
    targets: Sequence[Target],
    fetcher: Fetcher,
    progress: Progress | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    apis: ApiRun | None = None,
    batch: bool = True,
) -> list[Observation]:
    """Observe every target concurrently over ``fetcher`` (which enforces politeness): the
    accounts with a loaded credential through their API, grouped for batched lookups, the
    others with their public adapter (the observation then says what credential is missing),
    plain handles of one platform in the adapter's batched probe when it has one; anything a
    batch did not settle is asked alone. ``batch`` False: every account alone."""
    total = len(targets)
    done = 0
    results: list[Observation | None] = [None] * total

    def finished(indices: Sequence[int], seen: Sequence[Observation]) -> None:
        nonlocal done
        for i, obs in zip(indices, seen, strict=True):
            results[i] = obs
        done += len(indices)
        if progress is not None:
            progress(done, total)

    async def public(i: int) -> None:
        obs = await _observe_one(targets[i], fetcher, clock)
        finished([i], [_hinted(obs, targets[i], apis)])

    async def through_api(group: _Group) -> None:
        assert apis is not None
        seen = await _observe_group(group, targets, fetcher, apis, clock)
        seen = await asyncio.gather(
            *(
                _out_of_reach(obs, targets[i], fetcher, clock)
                for i, obs in zip(group.indices, seen, strict=True)
            )
        )
        finished(group.indices, seen)

    async def public_batch(indices: Sequence[int]) -> None:
        handles = [targets[i].handle for i in indices]
        seen = await _observe_batch(targets[indices[0]].platform, handles, fetcher, tokens)
        settled = [i for i in indices if targets[i].handle in seen]
        if settled:
            finished(settled, [_hinted(seen[targets[i].handle], targets[i], apis) for i in settled])
        # What the batch left out (or could not answer) proves nothing: each is asked alone.
        await asyncio.gather(*(public(i) for i in indices if i not in settled))

    tokens = apis.access.loaded if apis is not None else frozenset()
    groups, rest = _plan(targets, apis, batch, tokens)
    bundles, rest = _bundles(targets, rest, tokens) if batch else ([], rest)
    await asyncio.gather(
        *(public(i) for i in rest),
        *(through_api(g) for g in groups),
        *(public_batch(b) for b in bundles),
    )
    return [obs for obs in results if obs is not None]


def _bundles(
    targets: Sequence[Target], rest: Sequence[int], tokens: frozenset[str]
) -> tuple[list[tuple[int, ...]], list[int]]:
    """The public targets a batched probe can ask together (discovery's candidates: no
    inventory URL, no previous observation to make the request conditional), by platform in
    chunks of the adapter's batch size; and the indices left to single probes."""
    keyed: dict[Platform, list[int]] = {}
    alone: list[int] = []
    for i in rest:
        target = targets[i]
        size = adapter_for(Platform(target.platform)).batch_size(tokens)
        plain = target.candidate and target.url is None and target.previous is None
        if size > 1 and plain:
            keyed.setdefault(Platform(target.platform), []).append(i)
        else:
            alone.append(i)
    bundles: list[tuple[int, ...]] = []
    for platform, indices in keyed.items():
        size = adapter_for(platform).batch_size(tokens)
        chunks = [tuple(indices[s : s + size]) for s in range(0, len(indices), size)]
        alone.extend(i for chunk in chunks if len(chunk) == 1 for i in chunk)
        bundles.extend(chunk for chunk in chunks if len(chunk) > 1)
    return bundles, alone


async def _observe_batch(
    platform: Platform, handles: Sequence[str], fetcher: Fetcher, tokens: frozenset[str]
) -> Mapping[str, Observation]:
    # The batch call has one account's budget (the adapter takes another for each account's
    # follow-ups). Only a verdict settles a handle; a batch that breaks settles nothing (its
    # handles are then asked alone), never absent.
    try:
        seen = await adapter_for(platform).observe_many(handles, fetcher.for_account(), tokens)
    except Exception:  # noqa: BLE001 - one broken answer must not sink the whole run
        return {}
    return {h: obs for h, obs in seen.items() if obs.status.verified}


@dataclass(frozen=True)
class _Group:
    """Targets one connector observes together with one credential (one batch at most)."""

    platform: Platform
    connector: Connector
    credential: Credential
    indices: tuple[int, ...]


def _plan(
    targets: Sequence[Target],
    apis: ApiRun | None,
    batch: bool = True,
    tokens: frozenset[str] = frozenset(),
) -> tuple[list[_Group], list[int]]:
    """The API groups (by platform and credential, split to the connector's batch size, one
    account each when it has none or ``batch`` is off) and the indices left to the public
    adapters."""
    if apis is None:
        return [], list(range(len(targets)))
    keyed: dict[tuple[Platform, Credential], list[int]] = {}
    rest: list[int] = []
    for i, target in enumerate(targets):
        platform = Platform(target.platform)
        credential = apis.access.credential(platform, target.credential)
        connector = connector_for(platform)
        if (
            credential is None
            or not apis.access.usable(credential)
            or connector is None
            or (batch and target.candidate and not _worth_asking(platform, connector, tokens))
        ):
            rest.append(i)
        else:
            keyed.setdefault((platform, credential), []).append(i)
    groups = []
    for (platform, credential), indices in keyed.items():
        connector = connector_for(platform)
        assert connector is not None
        size = max(connector.batch, 1) if batch else 1
        for start in range(0, len(indices), size):
            chunk = tuple(indices[start : start + size])
            groups.append(_Group(platform, connector, credential, chunk))
    return groups, rest


def _worth_asking(platform: Platform, connector: Connector, tokens: frozenset[str]) -> bool:
    """Whether a page discovery guesses at is best asked through the owner API: only when the
    API can say that no such account exists (one that sees only the token's own accounts, or
    hides what the token may not see, would send every absent guess on to the public page, a
    second request) and no public probe asks more of them at once (GitHub's GraphQL takes
    25 logins a query, the owner's REST API one). The token's own unlisted accounts are listed by
    ``Connector.owned`` in the audit, not found by guessing."""
    if not connector.settles_absence:
        return False
    return adapter_for(platform).batch_size(tokens) <= max(connector.batch, 1)


async def _observe_group(
    group: _Group,
    targets: Sequence[Target],
    fetcher: Fetcher,
    apis: ApiRun,
    clock: Clock,
) -> list[Observation]:
    # One budget for the group's requests: one account's, or one batch's.
    session = Session.open(group.platform, group.credential, fetcher.for_account(), apis)
    handles = list(dict.fromkeys(targets[i].handle for i in group.indices))
    try:
        seen = await group.connector.observe_many(handles, session)
        return [seen[targets[i].handle] for i in group.indices]
    except Exception as exc:  # noqa: BLE001 - one broken answer must not sink the whole run
        return [_crashed(targets[i], exc, clock) for i in group.indices]


OUT_OF_REACH = frozenset({"not_visible", "other_account"})
"""Reasons an API gives when the credential cannot reach the account at all (it belongs to
another Business Manager, or the token is another account's), as opposed to a throttled API
or a dead credential."""


async def _out_of_reach(
    obs: Observation, target: Target, fetcher: Fetcher, clock: Clock
) -> Observation:
    """An account the credential cannot reach is looked at through its public page instead,
    as a run without the credential would; the public verdict stands when it is a verdict
    (present or absent) and says why the API was not used, else the API's unverified one."""
    if obs.status.verified or obs.reason is None or obs.reason.code not in OUT_OF_REACH:
        return obs
    public = await _observe_one(target, fetcher, clock)
    if not public.status.verified:
        return obs
    why = f"{obs.reason.text}; observed through its public page instead"
    return replace(public, reason=Reason("api_out_of_reach", why[:500]))


def _hinted(obs: Observation, target: Target, apis: ApiRun | None) -> Observation:
    """An unverified public observation of an API platform's account says which credential
    would make it verifiable, when the run has none for it; so does any observation of an
    account naming a credential the run does not configure. Anything else stays as it was."""
    unconfigured = bool(
        target.credential
        and apis
        and apis.access.credential(Platform(target.platform), target.credential) is None
    )
    if obs.status not in (ObservationStatus.BLOCKED, ObservationStatus.ERROR) and not unconfigured:
        return obs
    hint = apis.access.hint(Platform(target.platform), target.credential) if apis else None
    if hint is None:
        return obs
    if obs.reason is None:
        return replace(obs, reason=Reason("credential_missing", hint[0].upper() + hint[1:]))
    if hint.casefold() in obs.reason.text.casefold():
        return obs  # a revalidated observation keeps its earlier reason, hint included
    return replace(obs, reason=Reason(obs.reason.code, f"{obs.reason.text}; {hint}"))


async def _observe_one(target: Target, fetcher: Fetcher, clock: Clock) -> Observation:
    platform = Platform(target.platform)
    adapter = adapter_for(platform)
    # One budget for all of this account's requests (profile, activity, retries): a server
    # that trickles its answers ends this account as timeout, not the whole run.
    account = fetcher.for_account()
    try:
        return await adapter.observe(target.handle, account, target.previous, url=target.url)
    except Exception as exc:  # noqa: BLE001 - one broken answer must not sink the whole run
        return _crashed(target, exc, clock)


def _crashed(target: Target, exc: Exception, clock: Clock) -> Observation:
    # Adapters and connectors treat every answer as hostile and should never get here; if one
    # does, the account is unverified (ERROR), never absent, and the rest of the run goes on.
    platform = Platform(target.platform)
    return Observation(
        platform=platform,
        handle=target.handle,
        status=ObservationStatus.ERROR,
        url=target.url or adapter_for(platform).profile_url(target.handle),
        fetched_at=now(clock),
        reason=Reason("adapter_error", f"{type(exc).__name__}: {exc}"[:500]),
        signal="exception",
    )
