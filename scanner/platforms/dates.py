"""Date parsing for platform answers; every result is a timezone-aware UTC datetime.

Formats met in the wild: Mastodon's date-only ``last_status_at`` (``2026-08-01``), RFC 822
``pubDate`` (``Sun, 10 Dec 2023 12:06:08 -0500``), ISO 8601 with ``Z`` or ``+00:00`` and up to
nanosecond fractions, and Reddit's/TikTok's epoch seconds (floats or ints).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

__all__ = ["parse_datetime", "to_utc"]

_ISO_FRACTION = re.compile(r"(\.\d{6})\d+")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MIN_EPOCH = 0.0
_MAX_EPOCH = 253_402_300_799.0  # 9999-12-31T23:59:59Z; larger values are garbage, not dates


def to_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (platform APIs speak UTC); aware ones are converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_datetime(value: object) -> datetime | None:
    """Parse a platform timestamp; None when absent or unreadable (never a guess)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if _DATE_ONLY.match(text):
        # Mastodon ≥3.1 sends last_status_at as a date only; midnight UTC is its lower bound.
        try:
            d = date.fromisoformat(text)
        except ValueError:
            return None
        return datetime(d.year, d.month, d.day, tzinfo=UTC)
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return _from_epoch(float(text))
    iso = _ISO_FRACTION.sub(r"\1", text)
    # OverflowError: a time at the calendar's edge (year 1 or 9999) cannot be moved to UTC.
    try:
        return to_utc(datetime.fromisoformat(iso))
    except (ValueError, OverflowError):
        pass
    try:
        return to_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _from_epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds) or not (_MIN_EPOCH < seconds < _MAX_EPOCH):
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)
