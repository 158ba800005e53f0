"""HostGate bookkeeping with a fake clock: the allowance a host's headers grant, and waits."""

from __future__ import annotations

import asyncio

import pytest

from scanner.fetch import HostLimits
from scanner.fetch.politeness import RESET_SLACK, HostGate, backoff_delay
from scanner.fetch.ratelimit import RateLimitInfo
from tests.fetch.conftest import FakeClock


def test_allowance_counts_requests_still_in_flight() -> None:
    clock = FakeClock()
    gate = HostGate(HostLimits(concurrency=4, min_interval=0), clock, max_wait=60)

    async def main() -> list[float]:
        waits = []
        # Three requests in flight; the first answer says 3 remain: the other two may already
        # be counted, so only one more may start before the window ends.
        async with gate.turn(), gate.turn(), gate.turn():
            gate.note(RateLimitInfo(remaining=3, reset_after=10))
        for _ in range(2):
            async with gate.turn() as paused:
                waits.append(paused)
        return waits

    waits = asyncio.run(main())
    assert waits[0] == 0
    assert waits[1] == pytest.approx(10 + RESET_SLACK)
    assert clock.sleeps == [pytest.approx(10 + RESET_SLACK)]


def test_out_of_order_answers_keep_the_smallest_count() -> None:
    clock = FakeClock()
    gate = HostGate(HostLimits(concurrency=2, min_interval=0), clock, max_wait=60)

    async def main() -> float:
        async with gate.turn(), gate.turn():
            # The later request's answer arrives first (0 left), the earlier one's last (1 left).
            gate.note(RateLimitInfo(remaining=0, reset_after=5))
            gate.note(RateLimitInfo(remaining=1, reset_after=5.2))
        async with gate.turn() as paused:
            return paused

    assert asyncio.run(main()) == pytest.approx(5 + RESET_SLACK)


def test_answers_from_a_replaced_window_are_ignored() -> None:
    clock = FakeClock()
    gate = HostGate(HostLimits(concurrency=2, min_interval=0), clock, max_wait=60)

    async def main() -> float:
        async with gate.turn(), gate.turn():
            gate.note(RateLimitInfo(remaining=50, reset_after=20))
            gate.note(RateLimitInfo(remaining=0, reset_after=4))  # older window
        async with gate.turn() as paused:
            return paused

    assert asyncio.run(main()) == 0 and clock.sleeps == []


def test_far_resets_do_not_block_the_run() -> None:
    clock = FakeClock()
    gate = HostGate(HostLimits(concurrency=1, min_interval=0), clock, max_wait=60)

    async def main() -> float:
        async with gate.turn():
            gate.note(RateLimitInfo(remaining=0, reset_after=3600))
        async with gate.turn() as paused:
            return paused

    assert asyncio.run(main()) == 0 and clock.sleeps == []


def test_backoff_has_full_jitter_and_a_cap() -> None:
    assert backoff_delay(0, 0.5, 8, lambda: 1.0) == 0.5
    assert backoff_delay(3, 0.5, 8, lambda: 1.0) == 4.0
    assert backoff_delay(10, 0.5, 8, lambda: 1.0) == 8.0
    assert backoff_delay(10, 0.5, 8, lambda: 0.0) == 0.0
