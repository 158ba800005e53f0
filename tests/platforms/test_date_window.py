"""The window a platform date must fall in (launch day .. fetch time + skew) and RFC 822 years:
year 0001 and a one-digit year are never read as 2001."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from scanner.model import Platform
from scanner.platforms import adapter_for, all_specs
from scanner.platforms.base import BaseAdapter
from scanner.platforms.dates import CLOCK_SKEW, DateWindow, parse_datetime

FETCHED = datetime(2026, 11, 15, 6, 0, tzinfo=UTC)
WINDOW = DateWindow(date(2012, 8, 1), FETCHED, "Medium")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (datetime(2012, 8, 1, 0, 0, tzinfo=UTC), None),  # launch day, first second
        (datetime(2012, 7, 31, 23, 59, 59, tzinfo=UTC), "before Medium existed (2012-08-01)"),
        (FETCHED, None),
        (FETCHED + CLOCK_SKEW, None),  # the last moment the skew allows
        (FETCHED + CLOCK_SKEW + timedelta(seconds=1), "lies in the future of the fetch time"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01 is before Medium existed"),
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "9999-12-31 lies in the future"),
        (datetime(2001, 1, 1, tzinfo=UTC), "before Medium existed"),
        # A zone east of UTC: 00:30 at +02:00 on launch day is still the day before in UTC.
        (datetime.fromisoformat("2012-08-01T00:30:00+02:00"), "before Medium existed"),
    ],
)
def test_window_edges(value: datetime, problem: str | None) -> None:
    got = WINDOW.problem(value)
    if problem is None:
        assert got is None and WINDOW.admits(value)
    else:
        assert got is not None and problem in got and not WINDOW.admits(value)


def test_skew_is_one_day() -> None:
    assert timedelta(days=1) == CLOCK_SKEW


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Four digits are the year itself: never 2001.
        ("Mon, 01 Jan 0001 10:00:00 GMT", datetime(1, 1, 1, 10, tzinfo=UTC)),
        ("Fri, 31 Dec 9999 10:00:00 GMT", datetime(9999, 12, 31, 10, tzinfo=UTC)),
        # RFC 5322 §4.3 obsolete years: two digits 00-49 → 20xx, 50-99 → 19xx; three add 1900.
        ("Mon, 01 Jan 01 10:00:00 GMT", datetime(2001, 1, 1, 10, tzinfo=UTC)),
        ("Sun, 10 Dec 23 12:06:08 -0500", datetime(2023, 12, 10, 17, 6, 8, tzinfo=UTC)),
        ("Thu, 01 Jan 70 00:00:00 GMT", datetime(1970, 1, 1, tzinfo=UTC)),
        ("Sat, 01 Jan 55 00:00:00 GMT", datetime(1955, 1, 1, tzinfo=UTC)),
        ("Tue, 01 Jan 101 00:00:00 GMT", datetime(2001, 1, 1, tzinfo=UTC)),
        ("Thu, 29 Feb 2024 10:00:00 GMT", datetime(2024, 2, 29, 10, tzinfo=UTC)),
        ("10 December 2023 12:06 +0100", datetime(2023, 12, 10, 11, 6, tzinfo=UTC)),
    ],
)
def test_rfc822_years(raw: str, expected: datetime) -> None:
    assert parse_datetime(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "Mon, 01 Jan 1 10:00:00 GMT",  # a one-digit year is no year (email.utils says 2001)
        "Mon, 01 Jan 0000 10:00:00 GMT",
        "Mon, 01 Jan 20266 10:00:00 GMT",
        "Wed, 29 Feb 2023 10:00:00 GMT",  # no such day
        "Mon, 01 Jan 0001 00:00:00 +0500",  # before year 1 once moved to UTC
    ],
)
def test_rfc822_impossible_years_are_unreadable(raw: str) -> None:
    assert parse_datetime(raw) is None


def _window(platform: Platform) -> DateWindow:
    adapter = adapter_for(platform)
    assert isinstance(adapter, BaseAdapter)
    return adapter.date_window(FETCHED)


def test_every_platform_spec_declares_its_launch_day() -> None:
    for platform, spec in all_specs().items():
        assert date(2003, 1, 1) <= spec.launched < date(2024, 1, 1), platform
        window = _window(platform)
        assert window.launched == spec.launched and window.platform == spec.name
    # The spec is the one home: Medium's own window says when Medium opened.
    assert _window(Platform.MEDIUM) == WINDOW
