"""Read the rate-limit headers each platform sends into one shape: how many requests remain and
how long until the window resets or the server wants us back.

Header families (research notes, platform-endpoints.md §1-5):
  GitHub    x-ratelimit-remaining / x-ratelimit-reset   reset = epoch seconds
  Mastodon  x-ratelimit-remaining / x-ratelimit-reset   reset = ISO 8601 timestamp; a 429 has
                                                        no Retry-After (rack_attack.rb)
  Bluesky   ratelimit-remaining / ratelimit-reset       reset = epoch seconds (atproto xrpc-server)
  Reddit    x-ratelimit-remaining / x-ratelimit-reset   reset = seconds remaining; float strings
                                                        such as "996.0"
  X         x-rate-limit-remaining / x-rate-limit-reset reset = epoch seconds (owner-apis.md §3;
                                                        its x-rate-limit-limit paces nothing)
  any       Retry-After                                 delta seconds or an HTTP date
A numeric reset above :data:`EPOCH_THRESHOLD` is an epoch time, anything smaller a delay: no
window is 30 years long, and no epoch reset is before 2001.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = [
    "EPOCH_THRESHOLD",
    "RateLimitInfo",
    "parse_rate_limit",
    "parse_reset",
    "parse_retry_after",
]

EPOCH_THRESHOLD = 1_000_000_000.0

_REMAINING = ("x-ratelimit-remaining", "ratelimit-remaining", "x-rate-limit-remaining")
_RESET = ("x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset")


@dataclass(frozen=True)
class RateLimitInfo:
    """What one response said about the host's limits; all delays are seconds from now."""

    remaining: float | None = None
    reset_after: float | None = None
    retry_after: float | None = None

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining < 1


def _number(value: str) -> float | None:
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _iso(value: str) -> float | None:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_reset(value: str, now: float) -> float | None:
    """Seconds from ``now`` (epoch) until the reset ``value`` names; None when unreadable."""
    number = _number(value)
    if number is not None:
        delay = number - now if number > EPOCH_THRESHOLD else number
    else:
        moment = _iso(value)
        if moment is None:
            return None
        delay = moment - now
    return max(0.0, delay)


def parse_retry_after(value: str, now: float) -> float | None:
    """Retry-After (RFC 9110 §10.2.3): delta seconds or an HTTP date."""
    number = _number(value)
    if number is not None:
        return max(0.0, number)
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)


def _first(headers: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None and value.strip():
            return value.split(",")[0]
    return None


def parse_rate_limit(headers: Mapping[str, str], now: float) -> RateLimitInfo:
    """Read ``headers`` (lower-case keys) at wall-clock time ``now`` (epoch seconds)."""
    remaining_text = _first(headers, _REMAINING)
    reset_text = _first(headers, _RESET)
    retry_text = headers.get("retry-after")
    return RateLimitInfo(
        remaining=_number(remaining_text) if remaining_text is not None else None,
        reset_after=parse_reset(reset_text, now) if reset_text is not None else None,
        retry_after=parse_retry_after(retry_text, now) if retry_text else None,
    )
