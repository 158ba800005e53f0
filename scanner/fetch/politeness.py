"""Per-host politeness: a concurrency cap, a minimum interval between request starts, and pauses
when the host's rate-limit headers say stop (remaining requests used up, or a 429), within a
per-host cap on the total pause; a host that asks for more is given up on.

Time comes from a :class:`Clock` so tests can drive waits with a fake clock instead of sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from scanner.fetch.config import HostLimits
from scanner.fetch.ratelimit import RateLimitInfo

__all__ = ["RESET_SLACK", "Clock", "HostGate", "HostGaveUp", "SystemClock", "backoff_delay"]

RESET_SLACK = 0.05
"""Seconds added to every reset: platforms round resets to whole seconds and clocks drift, and
one request sent a hair early costs a 429."""

WINDOW_TOLERANCE = 0.5
"""Two resets closer than this belong to the same window (delta-second resets jitter)."""


class Clock(Protocol):
    """Monotonic time for waits, wall time for epoch and ISO resets, and sleeping."""

    def monotonic(self) -> float: ...

    def time(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def backoff_delay(attempt: int, base: float, cap: float, rand: Callable[[], float]) -> float:
    """Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
    Jitter"): uniform in [0, min(cap, base·2^attempt)], so retries of many requests spread out."""
    return rand() * min(cap, base * 2.0**attempt)


class HostGaveUp(Exception):
    """The host asked us to wait longer than its ``max_wait`` allows: its requests end now."""


class HostGate:
    """Admission control for one logical host.

    ``allowance`` is how many more requests the host's last rate-limit headers let us start
    before the window ends: the reported remaining count minus the other requests still in
    flight (they may be counted already). At zero the gate holds requests until the window ends,
    so a host that announces its limit never sees a 429 from us.

    Every hold the host imposes (``Retry-After``) is charged once, as wall time, against
    ``max_wait``: one ``Retry-After: 59`` answered again on each retry once held every account
    of its host for 236 s. A hold that would pass ``max_wait`` in total gives the host up:
    :meth:`turn` then raises :class:`HostGaveUp` at once, and other hosts go on. Waiting for an
    announced window to reset is ordinary pacing: each such wait is at most ``max_wait`` (see
    :meth:`note`) and only the run deadline bounds their sum.
    """

    def __init__(
        self, limits: HostLimits, clock: Clock, host: str = "", *, max_wait: float
    ) -> None:
        self.host = host
        self.limits = limits
        self.max_wait = max_wait
        self._clock = clock
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._next_start = 0.0
        self._paused_until = 0.0
        self._allowance: float | None = None
        self._window_end = 0.0
        self._held = 0.0
        self._held_until = 0.0
        self.gave_up: str | None = None
        """Why the host was given up on; None while it is not."""
        self.in_flight = 0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[float]:
        """Hold one of the host's slots for one attempt; yields seconds spent paused for rate
        limits (waits for the minimum interval are not counted)."""
        async with self._slots:
            paused = await self._wait()
            if self.gave_up is not None:
                raise HostGaveUp(self.gave_up)
            self.in_flight += 1
            try:
                yield paused
            finally:
                self.in_flight -= 1

    async def _wait(self) -> float:
        paused = 0.0
        while True:
            if self.gave_up is not None:
                return paused
            now = self._clock.monotonic()
            if self._allowance is not None and now >= self._window_end:
                self._allowance = None  # the window is over: the host will tell us the new one
            hold = self._paused_until
            if self._allowance is not None and self._allowance < 1:
                # Waiting out an announced window is pacing, not a penalty, so it is not charged
                # to max_wait: note() already refuses a window longer than max_wait, and the run
                # deadline bounds the sum (a 2,000-account Mastodon audit waits out many windows).
                hold = max(hold, self._window_end)
            target = max(hold, self._next_start)
            if target <= now:
                break
            if hold > now:
                paused += target - now
            await self._clock.sleep(target - now)
        # No await between the check above and these updates: the reservation is atomic.
        self._next_start = now + self.limits.min_interval
        if self._allowance is not None:
            self._allowance -= 1
        return paused

    def pause(self, seconds: float) -> bool:
        """Hold every new request to this host for ``seconds`` (plus :data:`RESET_SLACK`).

        Returns False, holding nothing and giving the host up, when the host's holds would
        then pass ``max_wait`` in total."""
        now = self._clock.monotonic()
        if self.gave_up is not None or not self._charge(
            now, now + seconds, f"asked us to wait {seconds:g} s"
        ):
            return False
        self._paused_until = max(self._paused_until, now + seconds + RESET_SLACK)
        return True

    def _charge(self, now: float, until: float, what: str) -> bool:
        """Charge a hold until ``until`` against ``max_wait``; time already charged (another
        request's hold over the same seconds) is not charged twice."""
        extra = until - max(now, self._held_until)
        if extra <= 0:
            return True
        if self._held + extra > self.max_wait:
            self.gave_up = (
                f"{self.host or 'the host'} {what}: {self._held + extra:g} s of waiting in "
                f"all, over the {self.max_wait:g} s allowed (timeouts.max_wait)"
            )
            return False
        self._held += extra
        self._held_until = until
        return True

    def note(self, info: RateLimitInfo) -> None:
        """Take the rate-limit headers of a response received inside :meth:`turn`.

        A reset further away than ``max_wait`` is ignored: holding the whole run for an hour
        (GitHub's unauthenticated window) is worse than letting the platform answer 403/429,
        which the platform layer reports as ``rate_limited``.
        """
        if info.remaining is None or info.reset_after is None:
            return
        if info.reset_after <= 0 or info.reset_after > self.max_wait:
            return
        window_end = self._clock.monotonic() + info.reset_after + RESET_SLACK
        allowance = info.remaining - (self.in_flight - 1)
        if self._allowance is None or window_end > self._window_end + WINDOW_TOLERANCE:
            if window_end < self._window_end - WINDOW_TOLERANCE:
                return  # a late answer from a window that has already been replaced
            self._allowance = allowance
            self._window_end = window_end
        elif window_end >= self._window_end - WINDOW_TOLERANCE:
            # Same window: answers arrive out of order, so the smallest count is the truest.
            self._allowance = min(self._allowance, allowance)
