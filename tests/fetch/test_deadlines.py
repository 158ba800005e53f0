"""Deadlines over real sockets: one attempt, one account's budget, the run, and the per-host cap
on rate-limit waits. Durations are only ever asserted as generous "did not hang" bounds."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from scanner.fetch import (
    FetchConfig,
    Fetched,
    FetchFailed,
    FetchOutcome,
    HostLimits,
    HttpFetcher,
    RunDeadline,
    Timeouts,
)
from scanner.fetch.politeness import HostGate, HostGaveUp
from scanner.fetch.ratelimit import RateLimitInfo
from scanner.platforms import platform_hosts
from tests.fetch.conftest import FakeClock, LocalServer, Reply, Trickle

GITHUB = "https://api.github.com/users/slow"
LIMITS = {"default": HostLimits(concurrency=2, min_interval=0.0)}


def config_for(server: LocalServer, **overrides: Any) -> FetchConfig:
    settings: dict[str, Any] = {
        "endpoints": {p: f"{server.url}/{p}" for p in ("github", "bluesky")},
        "platform_hosts": platform_hosts(),
        "tokens": {},
        "max_retries": 0,
        "backoff_base": 0.01,
        "backoff_max": 0.02,
    }
    settings.update(overrides)
    return FetchConfig(**settings)


def failed(outcome: FetchOutcome) -> FetchFailed:
    assert isinstance(outcome, FetchFailed), outcome
    return outcome


def ok(outcome: FetchOutcome) -> Fetched:
    assert isinstance(outcome, Fetched), outcome
    return outcome


@pytest.mark.parametrize("trickle", list(Trickle), ids=str)
def test_a_trickling_server_ends_the_attempt_as_timeout(
    server: LocalServer, trickle: Trickle
) -> None:
    # One piece every 0.2 s never trips httpx's 15 s per-read timeout; the attempt deadline ends it.
    server.route("/github/users/slow", Reply(trickle=trickle, every=0.2))
    config = config_for(server, timeouts=Timeouts(attempt=1.0))

    async def main() -> FetchOutcome:
        async with HttpFetcher(config, LIMITS) as fetcher:
            return await fetcher.get(GITHUB, platform="github")

    started = time.monotonic()
    outcome = failed(asyncio.run(main()))
    assert time.monotonic() - started < 10
    assert outcome.reason.code == "timeout"
    assert "timeouts.attempt" in outcome.reason.text


def test_the_account_budget_covers_retries_and_follow_up_requests(server: LocalServer) -> None:
    server.route("/github/users/slow", Reply(trickle=Trickle.BODY, every=0.2))
    server.route("/github/users/slow/events", Reply(200, body=b"[]"))
    config = config_for(server, max_retries=10, timeouts=Timeouts(attempt=0.6, account=1.0))

    async def main() -> tuple[FetchOutcome, FetchOutcome, FetchOutcome]:
        async with HttpFetcher(config, LIMITS) as fetcher:
            account = fetcher.for_account()
            profile = await account.get(GITHUB, platform="github")
            activity = await account.get(f"{GITHUB}/events", platform="github")
            # A fresh account has its own budget.
            other = await fetcher.for_account().get(f"{GITHUB}/events", platform="github")
            return profile, activity, other

    started = time.monotonic()
    profile, activity, other = asyncio.run(main())
    assert time.monotonic() - started < 10
    assert failed(profile).reason.code == "timeout"
    assert "timeouts.account" in failed(profile).reason.text
    # Ten retries were allowed, but the budget leaves room for two attempts at most.
    assert server.hits("/github/users/slow") <= 2
    assert failed(activity).reason.code == "timeout"
    assert server.hits("/github/users/slow/events") == 1  # only the other account's
    assert ok(other).status == 200


def test_time_queued_behind_other_accounts_is_not_spent(server: LocalServer) -> None:
    # One connection to the host: the second account waits ~1 s for the first one's answer,
    # longer than its whole budget, and must still be served.
    server.route("/github/users/slow", Reply(200, body=b"{}", delay=1.0))
    server.route("/github/users/quick", Reply(200, body=b"{}"))
    config = config_for(server, timeouts=Timeouts(attempt=5, account=0.5))
    one_slot = {"default": HostLimits(concurrency=1, min_interval=0.0)}

    async def main() -> list[FetchOutcome]:
        async with HttpFetcher(config, one_slot) as fetcher:
            slow = fetcher.get(GITHUB, platform="github")  # no account budget: attempt only
            quick = fetcher.for_account().get(
                "https://api.github.com/users/quick", platform="github"
            )
            return list(await asyncio.gather(slow, quick))

    slow, quick = asyncio.run(main())
    assert ok(slow).status == 200 and ok(quick).status == 200


def test_the_run_deadline_ends_requests_in_flight_and_sends_no_more(server: LocalServer) -> None:
    server.route("/github/users/slow", Reply(trickle=Trickle.HEADERS, every=0.2))
    server.route("/bluesky/xrpc/x", Reply(200, body=b"{}"))
    config = config_for(server, timeouts=Timeouts(attempt=30))

    async def main() -> tuple[FetchOutcome, FetchOutcome]:
        deadline = RunDeadline.start(0.8, time.monotonic())
        async with HttpFetcher(config, LIMITS, run_deadline=deadline) as fetcher:
            cut = await fetcher.get(GITHUB, platform="github")
            after = await fetcher.get("https://public.api.bsky.app/xrpc/x", platform="bluesky")
            return cut, after

    started = time.monotonic()
    cut, after = asyncio.run(main())
    assert time.monotonic() - started < 10
    assert failed(cut).reason.code == "run_deadline"
    assert "timeouts.run" in failed(cut).reason.text
    assert failed(after).reason.code == "run_deadline"
    assert server.hits("/bluesky/xrpc/x") == 0


def test_timeouts_run_in_the_config_starts_when_the_fetcher_opens(server: LocalServer) -> None:
    server.route("/github/users/slow", Reply(200, delay=30))
    config = config_for(server, timeouts=Timeouts(attempt=30, run=0.5))

    async def main() -> FetchOutcome:
        async with HttpFetcher(config, LIMITS) as fetcher:
            return await fetcher.get(GITHUB, platform="github")

    assert failed(asyncio.run(main())).reason.code == "run_deadline"


# --------------------------------------------------------------------------- max_wait


def test_a_retry_after_beyond_max_wait_gives_the_host_up(
    server: LocalServer, clock: FakeClock
) -> None:
    server.route("/github/users/slow", Reply(429, {"Retry-After": "59"}))
    server.route("/github/users/next", Reply(200))
    server.route("/bluesky/xrpc/x", Reply(200))
    config = config_for(server, max_retries=3, max_rate_limit_wait=2)

    async def main() -> list[FetchOutcome]:
        async with HttpFetcher(config, LIMITS, clock=clock) as fetcher:
            return [
                await fetcher.get(GITHUB, platform="github"),
                await fetcher.get("https://api.github.com/users/next", platform="github"),
                await fetcher.get("https://public.api.bsky.app/xrpc/x", platform="bluesky"),
            ]

    first, following, other_host = asyncio.run(main())
    assert ok(first).status == 429  # the platform layer reads it as rate_limited
    assert failed(following).reason.code == "rate_limited"
    assert "timeouts.max_wait" in failed(following).reason.text
    assert server.hits("/github/users/slow") == 1 and server.hits("/github/users/next") == 0
    assert ok(other_host).status == 200
    assert clock.sleeps == []


def test_waits_are_capped_per_host_over_all_retries(server: LocalServer, clock: FakeClock) -> None:
    # Before: each of four attempts waited its Retry-After in full (4 x 59 s = 236 s).
    server.route("/github/users/slow", Reply(429, {"Retry-After": "1"}))
    config = config_for(server, max_retries=5, max_rate_limit_wait=2.5)

    async def main() -> FetchOutcome:
        async with HttpFetcher(config, LIMITS, clock=clock) as fetcher:
            return await fetcher.get(GITHUB, platform="github")

    assert ok(asyncio.run(main())).status == 429
    assert server.hits("/github/users/slow") == 3  # two 1 s waits fit in 2.5 s, a third not
    assert sum(clock.sleeps) <= 2.5


def test_overlapping_holds_are_charged_once() -> None:
    clock = FakeClock()
    gate = HostGate(HostLimits(concurrency=2, min_interval=0), clock, "api.example", max_wait=2)
    assert gate.pause(1.0) and gate.pause(1.0)  # two answers asking for the same second
    assert gate.pause(1.5)  # half a second more: 1.5 s in all
    assert gate.gave_up is None
    assert not gate.pause(3.0)
    assert gate.gave_up is not None and "api.example" in gate.gave_up

    async def main() -> None:
        async with gate.turn():
            pass

    with pytest.raises(HostGaveUp):
        asyncio.run(main())


def test_rate_limit_windows_are_pacing_not_charged_to_max_wait() -> None:
    """A host that announces its limit is waited out window after window (a large inventory on
    Mastodon's 300 requests per 5 minutes); only a window longer than max_wait is refused."""
    clock = FakeClock()
    gate = HostGate(HostLimits(concurrency=1, min_interval=0), clock, "api.example", max_wait=60)

    async def main() -> None:
        for _ in range(3):
            async with gate.turn():
                gate.note(RateLimitInfo(remaining=0, reset_after=40))
        async with gate.turn():
            gate.note(RateLimitInfo(remaining=0, reset_after=3600))
        async with gate.turn():
            pass

    asyncio.run(main())
    # Three 40 s windows waited out (120 s in all, over max_wait), the hour-long one ignored.
    assert sum(clock.sleeps) == pytest.approx(120, abs=0.5)
    assert gate.gave_up is None
