"""Values for people (scanner.humanize): dates in the audit's time zone, times to the minute,
activity, plurals, lists, "not set", and evidence read back from its stored JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from scanner import humanize
from scanner.humanize import EvidenceLine
from scanner.model import JSON, Severity

PORTLAND = timezone(timedelta(hours=-8))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 5, 27), "2026-05-27"),
        (datetime(2026, 5, 27, 9, 30, tzinfo=UTC), "2026-05-27"),
        # Late evening in Portland is already the next day in the audit's zone (UTC).
        (datetime(2026, 5, 27, 20, 0, tzinfo=PORTLAND), "2026-05-28"),
        (datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "2026-12-31"),
        (datetime(2026, 5, 27, 23, 30), "2026-05-27"),  # naive: taken as UTC
        (date(2024, 2, 29), "2024-02-29"),
    ],
)
def test_day_is_the_date_in_the_audits_time_zone(value: date, expected: str) -> None:
    assert humanize.day(value) == expected


def test_times_are_to_the_minute_in_utc_and_say_so_once() -> None:
    stamp = datetime(2026, 12, 2, 19, 3, 54, 393054, tzinfo=UTC)
    assert humanize.minute(stamp) == "2026-12-02 19:03"  # no seconds, no fraction, no "T"
    assert humanize.moment(stamp) == "2026-12-02 19:03 UTC"
    assert humanize.moment(datetime(2026, 12, 2, 16, 30, tzinfo=PORTLAND)) == "2026-12-03 00:30 UTC"
    assert humanize.minute(datetime(2026, 12, 2, 8, 5)) == "2026-12-02 08:05"
    assert humanize.TIME_ZONE is UTC and humanize.ZONE_NAME == "UTC"


def test_activity_reads_as_a_date_a_bound_or_unreadable() -> None:
    last = datetime(2026, 5, 27, 9, 30, tzinfo=UTC)
    bound = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert humanize.activity(last, None) == "2026-05-27"
    assert humanize.activity(last, bound) == "2026-05-27"  # a post seen wins over a bound
    assert humanize.activity(None, bound) == "none since 2026-03-01"
    assert humanize.activity(None, None) == "could not be read"


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0 accounts"), (1, "1 account"), (2, "2 accounts"), (-1, "-1 accounts")],
)
def test_counts_have_the_right_plural(n: int, expected: str) -> None:
    assert humanize.count(n, "account") == expected


def test_irregular_plural_and_noun_alone() -> None:
    assert humanize.count(1, "entry", "entries") == "1 entry"
    assert humanize.count(3, "entry", "entries") == "3 entries"
    assert humanize.noun(1, "unverified check") == "unverified check"
    assert humanize.noun(0, "unverified check") == "unverified checks"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], "none"),
        (["a"], "a"),
        (["a", "b"], "a and b"),
        (["a", "b", "c"], "a, b and c"),
        (["a, b", "c"], "a, b and c"),  # items are not split or quoted
    ],
)
def test_prose_lists(items: list[str], expected: str) -> None:
    assert humanize.prose_list(items) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "not set"),
        (True, "yes"),
        (False, "no"),
        (0, "0"),
        ("", ""),
        ("text", "text"),
        (Severity.HIGH, "high"),
        (date(2026, 11, 15), "2026-11-15"),
        (datetime(2026, 11, 15, 8, 0, 30, tzinfo=UTC), "2026-11-15 08:00 UTC"),
        (("followers", "likes", "reach"), "followers, likes and reach"),
        ((), "none"),
        ([None, True], "not set and yes"),
        (frozenset({"b", "a"}), "a and b"),  # a set has no order of its own: sorted
        ({"attest_days": 180}, "attest_days: 180"),
    ],
)
def test_value_in_a_sentence(value: object, expected: str) -> None:
    text = humanize.value(value)
    assert text == expected
    assert "(not set)" not in text and "((" not in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"last": "2026-05-27T09:30:00+00:00", "none_since": None}, "2026-05-27"),
        ({"last": None, "none_since": "2026-03-01T00:00:00Z"}, "none since 2026-03-01"),
        ({"last": None, "none_since": None}, "could not be read"),
        ("2026-12-02T19:03:54.393054Z", "2026-12-02 19:03 UTC"),
        ("2026-08-30T10:00:00+00:00", "2026-08-30 10:00 UTC"),
        ("2026-08-30T02:00:00-08:00", "2026-08-30 10:00 UTC"),
        # Text that is not an instant as the encoders write one is shown as it is.
        ("2026-08-30", "2026-08-30"),
        ("2026-08-30T10:00:00", "2026-08-30T10:00:00"),  # no zone: no instant
        ("2026-13-30T10:00:00Z", "2026-13-30T10:00:00Z"),  # no such month
        ("posted 2026-08-30T10:00:00Z", "posted 2026-08-30T10:00:00Z"),
        ({"last": "yesterday", "none_since": None}, "last: yesterday; none_since: not set"),
        ({"last": 5, "none_since": None}, "last: 5; none_since: not set"),
        (None, "not set"),
        (False, "no"),
        (3, "3"),
        (["a", None], "a and not set"),
        ({}, "none"),
    ],
)
def test_json_value_reads_stored_values_back(value: JSON, expected: str) -> None:
    assert humanize.json_value(value) == expected


def test_evidence_lines_are_key_value_with_lists_one_per_line() -> None:
    evidence: dict[str, JSON] = {
        "params": {"metrics_min": 3, "metrics_max": 5},
        "metrics": ["followers", "likes"],
        "live.links": [],
        "live.last_activity_at": {"last": "2026-05-27T09:30:00+00:00", "none_since": None},
        "owner.found": True,
        "objective": None,
        "created_at": "2026-08-30T10:00:00+00:00",
    }
    assert humanize.evidence_lines(evidence) == [
        EvidenceLine("created_at", "2026-08-30 10:00 UTC"),
        EvidenceLine("live.last_activity_at", "2026-05-27"),
        EvidenceLine("live.links", "none"),
        EvidenceLine("metrics", "", ("followers", "likes")),
        EvidenceLine("objective", "not set"),
        EvidenceLine("owner.found", "yes"),
        EvidenceLine("params.metrics_min", "3"),
        EvidenceLine("params.metrics_max", "5"),
    ]
    for line in humanize.evidence_lines(evidence):
        assert "{" not in line.text and "'" not in line.text and "T09:30" not in line.text


def test_the_policy_messages_use_the_same_words() -> None:
    """The evaluator fills message templates through humanize: a message and the report around
    it say a value the same way (no "(not set)", "(none)" or "(unknown)" of its own)."""
    from scanner.policy.evaluator import _fmt
    from scanner.policy.fields import Activity, Unknown

    last = datetime(2026, 5, 27, 9, 30, tzinfo=UTC)
    assert _fmt(None) == humanize.NOT_SET == "not set"
    assert _fmt(("a", "b", "c")) == "a, b and c"
    assert _fmt(()) == "none"
    assert _fmt(Activity(last, None)) == "2026-05-27"
    assert _fmt(Activity(None, last)) == "none since 2026-05-27"
    assert _fmt(Activity(None, None)) == "could not be read"
    assert _fmt(Unknown("the request failed")) == "could not be read"
    assert _fmt(Severity.LOW) == "low" and _fmt(True) == "yes"
