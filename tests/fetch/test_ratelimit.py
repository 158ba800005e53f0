"""Rate-limit header parsing, one family at a time (formats from platform-endpoints.md)."""

from __future__ import annotations

import pytest

from scanner.fetch.ratelimit import parse_rate_limit, parse_reset, parse_retry_after

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
