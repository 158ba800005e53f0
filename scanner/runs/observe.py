"""Observe accounts: run every target's platform adapter over one polite fetcher.

Network trouble never raises: each target yields exactly one Observation, in target order,
whose status says what could be seen (present/absent) or why not (blocked/error/invalid).
Each account's requests share one time budget, and the run has a deadline (fetch/deadline.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from scanner.fetch import FetchConfig, HostLimits, HttpFetcher, RunDeadline, effective_limits
from scanner.fetch.interface import Fetcher
from scanner.model import JSON, Observation, ObservationStatus, Platform, Reason
from scanner.platforms import adapter_for, all_specs, capabilities

__all__ = [
    "Progress",
    "Target",
    "capabilities",
    "host_limits",
    "observation_json",
    "observe",
    "observe_async",
    "run_budget",
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


def host_limits() -> dict[str, HostLimits]:
    """Per-platform politeness defaults from the specs (keyed by platform name)."""
    return {
        platform.value: HostLimits(spec.rate_limit.concurrency, spec.rate_limit.min_interval)
        for platform, spec in all_specs().items()
    }


REQUESTS_PER_ACCOUNT = 2
"""A profile request and at most one activity request (``PlatformAdapter.follow``)."""

SECONDS_PER_REQUEST = 1.0
"""A generous answer time for one public profile request, for the scaled run budget."""


def run_budget(
    targets: Sequence[Target], config: FetchConfig, limits: Mapping[str, HostLimits]
) -> float:
    """Seconds the run may take: ``config.timeouts.run`` when set, else scaled to the targets.

    Scaled: twice what the busiest platform needs at its politeness limits (two requests per
    account, each taking :data:`SECONDS_PER_REQUEST` or the platform's ``min_interval``,
    whichever paces it more), plus one account budget and one ``max_wait``. A healthy run stays
    well inside it; a host that trickles every answer is cut off instead of holding the report
    for hours (1,000 accounts × 60 s on two connections).
    """
    if config.timeouts.run is not None:
        return config.timeouts.run
    busiest = 0.0
    for platform, count in Counter(Platform(t.platform).value for t in targets).items():
        lim = effective_limits(platform, limits, config)
        pace = max(lim.min_interval, SECONDS_PER_REQUEST / lim.concurrency)
        busiest = max(busiest, count * REQUESTS_PER_ACCOUNT * pace)
    return 2 * busiest + config.timeouts.account + config.max_rate_limit_wait


def observe(
    targets: Sequence[Target],
    config: FetchConfig,
    progress: Progress | None = None,
    *,
    limits: Mapping[str, HostLimits] | None = None,
    deadline: RunDeadline | None = None,
) -> list[Observation]:
    """Observe every target (same order) with a fresh :class:`HttpFetcher`. Runs its own event
    loop: from async code call :func:`observe_async` instead.

    ``deadline`` is the run's when several phases share one (the audit's observe and discover);
    by default the run starts now with :func:`run_budget`. Targets not observed by then end
    ``error`` with reason ``run_deadline``."""
    spec_limits = limits if limits is not None else host_limits()
    if deadline is None:
        deadline = RunDeadline.start(run_budget(targets, config, spec_limits), time.monotonic())

    async def run() -> list[Observation]:
        async with HttpFetcher(config, spec_limits, run_deadline=deadline) as fetcher:
            return await observe_async(targets, fetcher, progress)

    return asyncio.run(run())


async def observe_async(
    targets: Sequence[Target], fetcher: Fetcher, progress: Progress | None = None
) -> list[Observation]:
    """Observe every target concurrently over ``fetcher`` (which enforces politeness)."""
    total = len(targets)
    done = 0

    async def one(target: Target) -> Observation:
        nonlocal done
        try:
            return await _observe_one(target, fetcher)
        finally:
            done += 1
            if progress is not None:
                progress(done, total)

    return list(await asyncio.gather(*(one(t) for t in targets)))


async def _observe_one(target: Target, fetcher: Fetcher) -> Observation:
    platform = Platform(target.platform)
    adapter = adapter_for(platform)
    # One budget for all of this account's requests (profile, activity, retries): a server
    # that trickles its answers ends this account as timeout, not the whole run.
    account = fetcher.for_account()
    try:
        return await adapter.observe(target.handle, account, target.previous, url=target.url)
    except Exception as exc:  # noqa: BLE001 - one broken answer must not sink the whole run
        # Adapters treat every answer as hostile and should never get here; if one does, the
        # account is unverified (ERROR), never absent, and the rest of the run goes on.
        return Observation(
            platform=platform,
            handle=target.handle,
            status=ObservationStatus.ERROR,
            url=target.url or adapter.profile_url(target.handle),
            fetched_at=datetime.now(UTC),
            reason=Reason("adapter_error", f"{type(exc).__name__}: {exc}"[:500]),
            signal="exception",
        )


def observation_json(obs: Observation) -> dict[str, JSON]:
    """A JSON-ready mapping of an observation (enums as values, datetimes as ISO 8601 UTC)."""
    out: dict[str, JSON] = {}
    for f in dataclasses.fields(obs):
        value = getattr(obs, f.name)
        if isinstance(value, enum.Enum):
            out[f.name] = value.value
        elif isinstance(value, datetime):
            out[f.name] = value.isoformat().replace("+00:00", "Z")
        elif isinstance(value, Reason):
            out[f.name] = {"code": value.code, "text": value.text}
        elif isinstance(value, tuple):
            out[f.name] = list(value)
        else:
            out[f.name] = value
    return out
