"""Reading "now" off the run's :class:`~scanner.fetch.Clock`, so tests can pin it."""

from __future__ import annotations

from datetime import UTC, datetime

from scanner.fetch import Clock, SystemClock

__all__ = ["SYSTEM_CLOCK", "now"]

SYSTEM_CLOCK: Clock = SystemClock()
"""The clock a run uses when its caller passes none."""


def now(clock: Clock) -> datetime:
    """The clock's wall time as an aware UTC datetime."""
    return datetime.fromtimestamp(clock.time(), UTC)
