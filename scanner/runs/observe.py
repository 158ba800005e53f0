"""Observe accounts: run every target's platform adapter over one polite fetcher.

Network trouble never raises: each target yields exactly one Observation, in target order,
whose status says what could be seen (present/absent) or why not (blocked/error/invalid).
Each account's requests share one time budget, and the run has a deadline (fetch/deadline.py).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scanner.fetch import Clock, Fetcher, FetcherFactory
from scanner.model import Observation, ObservationStatus, Platform, Reason
from scanner.platforms import adapter_for, capabilities
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


def observe(
    targets: Sequence[Target],
    fetchers: FetcherFactory,
    progress: Progress | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> list[Observation]:
    """Observe every target (same order) over one fetcher from ``fetchers``, which sets the
    run's deadline for them: targets not observed by then end ``error`` with reason
    ``run_deadline``. Runs its own event loop: from async code call :func:`observe_async`."""
    accounts = Counter(Platform(t.platform).value for t in targets)

    async def run() -> list[Observation]:
        async with fetchers(accounts) as fetcher:
            return await observe_async(targets, fetcher, progress, clock=clock)

    return asyncio.run(run())


async def observe_async(
    targets: Sequence[Target],
    fetcher: Fetcher,
    progress: Progress | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> list[Observation]:
    """Observe every target concurrently over ``fetcher`` (which enforces politeness)."""
    total = len(targets)
    done = 0

    async def one(target: Target) -> Observation:
        nonlocal done
        try:
            return await _observe_one(target, fetcher, clock)
        finally:
            done += 1
            if progress is not None:
                progress(done, total)

    return list(await asyncio.gather(*(one(t) for t in targets)))


async def _observe_one(target: Target, fetcher: Fetcher, clock: Clock) -> Observation:
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
            fetched_at=now(clock),
            reason=Reason("adapter_error", f"{type(exc).__name__}: {exc}"[:500]),
            signal="exception",
        )
