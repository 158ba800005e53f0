"""Rate-limit header parsing, one family at a time (formats from platform-endpoints.md), and\nX's 429 end to end: a real local server, a fake clock."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from scanner.fetch import FetchConfig, Fetched, FetchOutcome, HostLimits, HttpFetcher
from scanner.fetch.ratelimit import parse_rate_limit, parse_reset, parse_retry_after
from scanner.platforms import platform_hosts
from tests.fetch.conftest import FakeClock, LocalServer, Reply

NOW = 1_735_944_000.0  # 2025-01-03T22:40:00Z


def test_github_epoch_reset() -> None:
    info = parse_rate_limit({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1735944560"}, NOW)
    assert info.remaining == 0 and info.exhausted
    assert info.reset_after == 560 and info.retry_after is None


def test_mastodon_iso_reset() -> None:
    info = parse_rate_limit(
        {"x-ratelimit-remaining": "299", "x-ratelimit-reset": "2025-01-03T22:50:00.924992Z"}, NOW
    )
    assert info.remaining == 299 and not info.exhausted
    assert info.reset_after == pytest.approx(600.924992)


def test_bluesky_epoch_reset() -> None:
    info = parse_rate_limit(
        {
            "ratelimit-remaining": "2994",
            "ratelimit-reset": "1735944300",
            "ratelimit-policy": "3000;w=300",
        },
        NOW,
    )
    assert info.remaining == 2994 and info.reset_after == 300


def test_reddit_float_remaining_and_delta_reset() -> None:
    info = parse_rate_limit({"x-ratelimit-remaining": "996.0", "x-ratelimit-reset": "342"}, NOW)
    assert info.remaining == 996.0 and info.reset_after == 342
    assert parse_rate_limit(
        {"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "1.5"}, NOW
    ).exhausted


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7.0), ("0", 0.0), ("Fri, 03 Jan 2025 22:40:30 GMT", 30.0), ("soon", None), ("", None)],
)
def test_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_resets_in_the_past_and_garbage() -> None:
    assert parse_reset("1700000000", NOW) == 0.0
    assert parse_reset("not a time", NOW) is None
    assert parse_reset("nan", NOW) is None
    assert parse_rate_limit({}, NOW).remaining is None


def test_x_hyphenated_family() -> None:
    # X spells them x-rate-limit-* (owner-apis.md §3); reset is epoch seconds.
    headers = {
        "x-rate-limit-limit": "300",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": "1735944900",
    }
    info = parse_rate_limit(headers, NOW)
    assert info.exhausted and info.reset_after == 900 and info.retry_after is None


X_USER = "https://api.x.com/2/users/by/username/a"


def _x_fetch(server: LocalServer, clock: FakeClock, **config: Any) -> tuple[FetchOutcome, Any]:
    settings: dict[str, Any] = {
        "endpoints": {"x-api": f"{server.url}/x"},
        "platform_hosts": platform_hosts(),
        "tokens": {},
        "max_retries": 3,
        **config,
    }

    async def main() -> tuple[FetchOutcome, Any]:
        limits = {"default": HostLimits(concurrency=1, min_interval=0.0)}
        async with HttpFetcher(FetchConfig(**settings), limits, clock=clock) as fetcher:
            return await fetcher.get(X_USER, platform="x-api"), fetcher.stats

    return asyncio.run(main())


def test_x_429_waits_for_its_reset_instead_of_backing_off(
    server: LocalServer, clock: FakeClock
) -> None:
    limited = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(clock.time()) + 40)}
    server.route("/x/2/users/by/username/a", Reply(429, limited), Reply(200, body=b"{}"))
    outcome, stats = _x_fetch(server, clock)
    assert isinstance(outcome, Fetched) and outcome.status == 200
    assert server.hits("/x/2/users/by/username/a") == 2
    # One wait until the reset, no exponential backoff on top of it.
    assert stats.rate_limit_waits == 1 and 39.0 <= sum(clock.sleeps) <= 40.1


def test_x_429_with_a_reset_beyond_max_wait_gives_up_at_once(
    server: LocalServer, clock: FakeClock
) -> None:
    limited = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(clock.time()) + 900)}
    server.route("/x/2/users/by/username/a", Reply(429, limited))
    outcome, _ = _x_fetch(server, clock, max_rate_limit_wait=60)
    # Returned as is: the platform layer reports it as rate_limited.
    assert isinstance(outcome, Fetched) and outcome.status == 429
    assert server.hits("/x/2/users/by/username/a") == 1 and clock.sleeps == []
