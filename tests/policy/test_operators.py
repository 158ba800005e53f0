"""Operator table unit tests: date edges, tri-state activity, text normalisation, domains."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from scanner.policy.fields import Activity, FieldKind, kind_label
from scanner.policy.operators import (
    OPERATORS,
    ValueKind,
    check_value,
    day_ordinal,
    domain_of,
    value_expectation,
)
from scanner.policy.schema import OrgRef
from scanner.userregex import compile_user_pattern

AS_OF = date(2026, 11, 15)


def op(name: str, value: object = None, as_of: date = AS_OF):  # type: ignore[no-untyped-def]
    return OPERATORS[name].build(value, as_of)


def test_every_value_kind_and_field_kind_has_words() -> None:
    for kind in ValueKind:
        assert value_expectation(kind)
    for fkind in FieldKind:
        assert kind_label(fkind)


def test_every_operator_is_in_the_table_with_a_phrase() -> None:
    expected = {
        "exists", "missing", "equals", "not_equals", "in", "not_in", "contains", "matches",
        "older_than_days", "newer_than_days", "count_between", "length_between", "is_true",
        "is_false", "similar_to", "domain_in", "any_item", "all_items", "within_days_of",
    }  # fmt: skip
    assert set(OPERATORS) == expected
    for operator in OPERATORS.values():
        assert "{field}" in operator.phrase
        assert operator.accepts


@pytest.mark.parametrize(
    ("value", "newer", "older"),
    [
        (date(2026, 8, 17), True, False),  # exactly 90 days: still within
        (date(2026, 8, 16), False, True),  # 91 days
        (date(2026, 11, 15), True, False),  # today
        (date(2026, 11, 16), True, False),  # the day after: within the one-day skew
        (date(2026, 11, 17), None, False),  # later: cannot be called recent
        (date(9999, 12, 31), None, False),
        (datetime(2026, 8, 17, 0, 0, tzinfo=UTC), True, False),
        # 23:30 at UTC-5 on the 16th is 04:30 UTC on the 17th: exactly 90 days.
        (datetime(2026, 8, 16, 23, 30, tzinfo=timezone(timedelta(hours=-5))), True, False),
        # 01:00 at UTC+3 on the 17th is 22:00 UTC on the 16th: 91 days.
        (datetime(2026, 8, 17, 1, 0, tzinfo=timezone(timedelta(hours=3))), False, True),
        (datetime(2026, 8, 17, 0, 0), True, False),  # naive: taken as UTC
        (None, False, False),
    ],
)
def test_days_edges(value: object, newer: bool | None, older: bool) -> None:
    assert op("newer_than_days", 90)(value) is newer
    assert op("older_than_days", 90)(value) is older


def test_leap_day() -> None:
    leap_as_of = date(2028, 2, 29)
    assert op("newer_than_days", 365, leap_as_of)(date(2027, 3, 1)) is True  # exactly 365
    assert op("newer_than_days", 365, leap_as_of)(date(2027, 2, 28)) is False
    # A leap day itself as the value, a year later.
    assert op("newer_than_days", 365, date(2025, 2, 28))(date(2024, 2, 29)) is True
    assert op("older_than_days", 365, date(2025, 3, 1))(date(2024, 2, 29)) is True


def test_day_ordinal_counts_in_utc() -> None:
    late = datetime(2026, 1, 1, 23, 0, tzinfo=timezone(timedelta(hours=-2)))
    assert day_ordinal(late) == date(2026, 1, 2).toordinal()
    assert day_ordinal(date(2026, 1, 1)) == date(2026, 1, 1).toordinal()


def test_activity_is_tri_state() -> None:
    newer = op("newer_than_days", 90)
    older = op("older_than_days", 365)
    seen = Activity(datetime(2026, 11, 1, tzinfo=UTC), None)
    assert newer(seen) is True
    # Known: nothing since 100 days ago → nothing within 90 days.
    none_100 = Activity(None, datetime(2026, 8, 7, tzinfo=UTC))
    assert newer(none_100) is False
    # ... but whether anything happened in the year before is unknown.
    assert older(none_100) is None
    # Nothing known at all: cannot claim recent activity; cannot claim dormancy either.
    assert newer(Activity(None, None)) is None
    assert older(Activity(None, None)) is None
    assert op("exists")(Activity(None, None)) is False


def test_within_days_of() -> None:
    within = OPERATORS["within_days_of"].build(30, AS_OF)
    end = date(2026, 5, 31)
    assert within(datetime(2026, 5, 1, tzinfo=UTC), end) is True  # exactly 30 before
    assert within(datetime(2026, 4, 30, tzinfo=UTC), end) is False
    assert within(datetime(2026, 6, 30, tzinfo=UTC), end) is True  # exactly 30 after
    assert within(datetime(2026, 7, 1, tzinfo=UTC), end) is False
    assert within(None, end) is False
    assert within(datetime(2026, 5, 1, tzinfo=UTC), None) is False
    assert within(Activity(None, datetime(2026, 1, 1, tzinfo=UTC)), end) is False
    assert within(Activity(None, datetime(2026, 6, 1, tzinfo=UTC)), end) is None
    # Nothing known: the activity cannot be placed (under `not`, ACT-003 must not pass).
    assert within(Activity(None, None), end) is None


def test_text_comparisons_ignore_case_and_spaces() -> None:
    assert op("equals", "active")(" Active ") is True
    assert op("equals", "active")(None) is False
    assert op("not_equals", "active")(None) is True
    assert op("equals", 3)(3) is True
    assert op("in", ("tbd", "n/a"))("TBD ") is True
    assert op("not_in", ("tbd", "n/a"))("Grow sales") is True
    assert op("in", ("a",))(None) is False
    assert op("contains", "kettle")("Copper KETTLE") is True
    assert op("contains", "x")(("X", "y")) is True
    assert op("contains", "x")(None) is False


def test_exists_and_missing() -> None:
    exists, missing = op("exists"), op("missing")
    for blank in (None, "", "   ", (), []):
        assert exists(blank) is False
        assert missing(blank) is True
    for value in ("x", ("a",), 0, False, date(2026, 1, 1)):
        assert exists(value) is True


def test_counts_and_lengths() -> None:
    between = op("count_between", (3, 5))
    assert [between(tuple(range(n))) for n in range(7)] == [False] * 3 + [True] * 3 + [False]
    assert between(None) is False
    assert op("count_between", (1, None))(("a",)) is True
    assert op("length_between", (2, 4))(" abc ") is True
    assert op("length_between", (2, 4))("abcde") is False


def test_booleans() -> None:
    assert op("is_true")(True) is True
    assert op("is_true")(None) is False
    assert op("is_false")(False) is True
    assert op("is_false")(None) is False


def test_matches_uses_search() -> None:
    assert op("matches", compile_user_pattern("^Copper"))("Copper Kettle") is True
    assert op("matches", compile_user_pattern("^Copper"))("The Copper") is False
    assert op("matches", compile_user_pattern("x"))(None) is False


def test_matches_ignore_case_from_the_pattern() -> None:
    assert op("matches", compile_user_pattern("^copper", ignore_case=True))("COPPER") is True


def test_check_value_refuses_a_catastrophic_pattern() -> None:
    problem = check_value(OPERATORS["matches"], "^(a|aa)+$", lambda ref: FieldKind.TEXT)
    assert problem is not None and "backtracks catastrophically" in problem
    bad = check_value(OPERATORS["matches"], "((", lambda ref: FieldKind.TEXT)
    assert bad is not None and "bad regular expression" in bad


def test_similar_to() -> None:
    similar = op("similar_to", {"to": ("Copper Kettle Coffee",), "threshold": 85})
    assert similar("copper kettle coffee") is True
    assert similar("Totally Different Brand") is False
    assert similar(None) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://copperkettle.coffee/about", True),
        ("https://shop.copperkettle.coffee", True),
        ("copperkettle.coffee", True),
        ("HTTPS://WWW.COPPERKETTLECOFFEE.COM/", True),
        ("social@copperkettle.coffee", True),
        ("social@Mail.CopperKettle.Coffee", True),
        ("https://notcopperkettle.coffee", False),
        ("https://copperkettle.coffee.evil.example", False),
        ("someone@gmail.com", False),
        ("https://evil.example/?u=copperkettle.coffee", False),
        ("", False),
        (None, False),
    ],
)
def test_domain_in(value: str | None, expected: bool) -> None:
    assert op("domain_in", ("copperkettle.coffee", "copperkettlecoffee.com"))(value) is expected


def test_domain_of() -> None:
    assert domain_of("https://user@Example.COM:8080/x") == "example.com"
    assert domain_of("a@b.example.") == "b.example"
    assert domain_of("http://[::1") is None


def test_item_operators() -> None:
    vanity = op("not_in", ("followers", "likes"))
    any_item = op("any_item", vanity)
    all_items = op("all_items", vanity)
    assert any_item(("followers", "sign-ups")) is True
    assert any_item(("followers", "likes")) is False
    assert any_item(()) is False
    assert all_items(("sign-ups", "referrals")) is True
    assert all_items(("sign-ups", "likes")) is False
    assert all_items(()) is True


def _kind(ref: OrgRef) -> FieldKind | None:
    return {"org.domains": FieldKind.LIST, "org.name": FieldKind.TEXT}.get(ref.field)


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("exists", 3, "takes no value"),
        ("equals", ["a"], "expected a single text"),
        ("in", "a", "expected a list"),
        ("in", OrgRef("org.name"), "is not a list"),
        ("domain_in", [1], "expected a list of domains"),
        ("newer_than_days", -1, "whole number of days"),
        ("newer_than_days", True, "whole number of days"),
        ("count_between", [5, 3], "min <= max"),
        ("count_between", [1], "[min, max]"),
        ("matches", "(", "bad regular expression"),
        ("matches", {"pattern": "x", "flags": "i"}, "expected a regular expression"),
        ("matches", OrgRef("org.domains"), "is not text"),
        ("similar_to", {"to": "x", "threshold": 101}, "0 to 100"),
        ("similar_to", {"threshold": 50}, "expected {to"),
        ("within_days_of", {"field": "owner.end_date"}, "expected {field"),
        ("within_days_of", {"field": "owner.end_date", "days": "x"}, "whole number"),
    ],
)
def test_check_value_rejects(name: str, value: object, problem: str) -> None:
    message = check_value(OPERATORS[name], value, _kind)
    assert message is not None and problem in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("exists", None),
        ("equals", "active"),
        ("in", ("a", "b")),
        ("in", OrgRef("org.domains")),
        ("domain_in", OrgRef("org.domains")),
        ("newer_than_days", 0),
        ("count_between", (3, None)),
        ("matches", {"pattern": "^x", "ignore_case": True}),
        ("matches", OrgRef("org.name")),
        ("similar_to", "Copper"),
        ("similar_to", {"to": OrgRef("org.domains"), "threshold": 90}),
    ],
)
def test_check_value_accepts(name: str, value: object) -> None:
    assert check_value(OPERATORS[name], value, _kind) is None
