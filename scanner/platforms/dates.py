"""Date parsing for platform answers (every result a timezone-aware UTC datetime), and the
window in which a platform date can be true at all.

Formats met in the wild: Mastodon's date-only ``last_status_at`` (``2026-08-01``), RFC 822
``pubDate`` (``Sun, 10 Dec 2023 12:06:08 -0500``), ISO 8601 with ``Z`` or ``+00:00`` and up to
nanosecond fractions, and Reddit's/TikTok's epoch seconds (floats or ints).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = ["CLOCK_SKEW", "DateWindow", "parse_datetime", "to_utc"]

CLOCK_SKEW = timedelta(days=1)
"""How far past the fetch time a platform date may lie (clocks and time zones disagree a little);
anything later is not a date the platform could have recorded yet."""

_ISO_FRACTION = re.compile(r"(\.\d{6})\d+")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MIN_EPOCH = 0.0
_MAX_EPOCH = 253_402_300_799.0  # 9999-12-31T23:59:59Z; larger values are garbage, not dates
# The year token of an RFC 822/5322 date ("Sun, 10 Dec 2023 12:06:08 -0500"): email.utils turns
# every year below 100 into 19xx/20xx, so "0001" and "1" would read as 2001.
_RFC_YEAR = re.compile(
    r"^(?P<head>\s*(?:[A-Za-z]+,?\s+)?\d{1,2}\s+[A-Za-z]{3,9}\.?\s+)(?P<year>\d+)(?P<tail>\s.*)$",
    re.DOTALL,
)


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
        return _rfc822(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _rfc822(text: str) -> datetime | None:
    m = _RFC_YEAR.match(text)
    if m is None:
        return to_utc(parsedate_to_datetime(text))
    year = _rfc_year(m.group("year"))
    if year is None:
        return None
    # Parse with a stand-in leap year, then put the real year back: 29 Feb of a year that has
    # none raises ValueError (unreadable), and year 1 stays year 1.
    parsed = parsedate_to_datetime(f"{m.group('head')}2000{m.group('tail')}")
    return to_utc(parsed.replace(year=year))


def _rfc_year(token: str) -> int | None:
    """RFC 5322 §4.3: four digits are the year itself; an obsolete two-digit year 00-49 is 20xx
    and 50-99 is 19xx; a three-digit year adds 1900. Anything else (``1``) is no year."""
    match len(token):
        case 4:
            year = int(token)
            return year if year >= 1 else None
        case 2:
            year = int(token)
            return year + (2000 if year < 50 else 1900)
        case 3:
            return int(token) + 1900
        case _:
            return None


def _from_epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds) or not (_MIN_EPOCH < seconds < _MAX_EPOCH):
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


@dataclass(frozen=True)
class DateWindow:
    """When a date from one platform can be true: from the platform's launch day to the fetch
    time plus :data:`CLOCK_SKEW`. Outside it a date is unusable (a hostile or broken answer),
    never "long ago" or "recent"."""

    launched: date
    fetched_at: datetime
    platform: str = "the platform"
    """The platform's name, for messages."""
    skew: timedelta = CLOCK_SKEW

    def problem(self, value: datetime) -> str | None:
        """Why ``value`` cannot be a real date of this platform, or None when it can."""
        when = to_utc(value)
        if when.date() < self.launched:
            return (
                f"{when.date().isoformat()} is before {self.platform} existed "
                f"({self.launched.isoformat()})"
            )
        if when > to_utc(self.fetched_at) + self.skew:
            return f"{when.date().isoformat()} lies in the future of the fetch time"
        return None

    def admits(self, value: datetime) -> bool:
        return self.problem(value) is None
