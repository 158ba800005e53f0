"""Operators as a table: name → what value it takes, which field kinds it accepts, and how to
build its predicate once (at compile time) so evaluation never re-parses a rule.

A predicate returns True (holds), False (does not) or None (cannot be decided from what is
known, e.g. an activity rule when the platform only says "nothing in the last 90 days", or a date
after the audit date). Text compares case-insensitively and ignores surrounding spaces.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, assert_never
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from scanner.policy.fields import Activity, FieldKind, kind_label
from scanner.policy.schema import FieldRef, OrgRef
from scanner.userregex import UserPattern, user_pattern_problem

__all__ = [
    "AS_OF_SKEW_DAYS",
    "OPERATORS",
    "Operator",
    "Pred",
    "ValueKind",
    "after_as_of",
    "check_value",
    "day_ordinal",
    "domain_of",
    "register",
]

Pred = Callable[..., "bool | None"]
"""Takes the field's value (``within_days_of``: and the other field's value)."""


class ValueKind(enum.Enum):
    """The shape of an operator's ``value``."""

    NONE = "none"
    SCALAR = "scalar"
    LIST = "list"
    DAYS = "days"
    RANGE = "range"
    REGEX = "regex"
    SIMILAR = "similar"
    DOMAINS = "domains"
    CONDITION = "condition"
    WITHIN = "within"


def value_expectation(kind: ValueKind) -> str:
    """What a value of ``kind`` looks like, for error messages."""
    match kind:
        case ValueKind.NONE:
            return "no value"
        case ValueKind.SCALAR:
            return "a single text, number or yes/no value"
        case ValueKind.LIST:
            return "a list of values, a $list name or an $org.<list> field"
        case ValueKind.DAYS:
            return "a whole number of days (0 or more)"
        case ValueKind.RANGE:
            return "[min, max] with whole numbers (null for no bound)"
        case ValueKind.REGEX:
            return "a regular expression, or {pattern: ..., ignore_case: true}"
        case ValueKind.SIMILAR:
            return "{to: text or list, threshold: 0-100}"
        case ValueKind.DOMAINS:
            return "a list of domains or $org.domains"
        case ValueKind.CONDITION:
            return "a condition on each item ({op: ..., value: ...} or all/any/not)"
        case ValueKind.WITHIN:
            return "{field: <date field>, days: N}"
        case _:
            assert_never(kind)


@dataclass(frozen=True)
class Operator:
    name: str
    value: ValueKind
    accepts: frozenset[FieldKind]
    build: Callable[[Any, date], Pred]
    """(resolved value, as_of) → predicate over the field's value. CONDITION/WITHIN operators
    are assembled by the evaluator, which passes the compiled child as the value."""
    phrase: str
    """How ``rules explain`` says it: ``{field}`` and ``{value}`` are filled in."""


OPERATORS: dict[str, Operator] = {}

AS_OF_SKEW_DAYS = 1
"""A date up to this many days after the audit date still counts as on it (time zones); a later
one cannot be judged "recent" and leaves ``newer_than_days`` undecided."""

_ALL_KINDS = frozenset(FieldKind)
_TEXTISH = frozenset({FieldKind.TEXT, FieldKind.NUMBER, FieldKind.BOOL})
_DATES = frozenset({FieldKind.DATE, FieldKind.ACTIVITY})


def register(
    name: str, value: ValueKind, accepts: Iterable[FieldKind], phrase: str
) -> Callable[[Callable[[Any, date], Pred]], Callable[[Any, date], Pred]]:
    def decorator(build: Callable[[Any, date], Pred]) -> Callable[[Any, date], Pred]:
        OPERATORS[name] = Operator(name, value, frozenset(accepts), build, phrase)
        return build

    return decorator


# --------------------------------------------------------------------------- helpers


def _norm(value: object) -> object:
    return value.strip().casefold() if isinstance(value, str) else value


def _norm_set(values: Iterable[object]) -> frozenset[object]:
    return frozenset(_norm(v) for v in values)


def day_ordinal(value: date | datetime) -> int:
    """Calendar day of a date or datetime; aware datetimes count in UTC, naive ones are UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.date().toordinal()
    return value.toordinal()


def domain_of(value: str) -> str | None:
    """Host of a URL (scheme optional) or domain of an email address, lower-cased."""
    text = value.strip()
    if not text:
        return None
    if "@" in text and "/" not in text:
        host = text.rpartition("@")[2]
    else:
        if "://" not in text:
            text = "//" + text
        try:
            host = urlsplit(text).hostname or ""
        except ValueError:
            return None
    host = host.strip().rstrip(".").casefold()
    return host or None


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (tuple, list, frozenset, set)):
        return len(value) == 0
    if isinstance(value, Activity):
        return value.last is None
    return False


# --------------------------------------------------------------------------- operators


@register("exists", ValueKind.NONE, _ALL_KINDS, "{field} is set")
def _exists(value: object, as_of: date) -> Pred:
    return lambda v: not _is_blank(v)


@register("missing", ValueKind.NONE, _ALL_KINDS, "{field} is not set")
def _missing(value: object, as_of: date) -> Pred:
    return _is_blank


@register("equals", ValueKind.SCALAR, _TEXTISH, "{field} is {value}")
def _equals(value: object, as_of: date) -> Pred:
    target = _norm(value)
    if isinstance(target, str):
        return lambda v: isinstance(v, str) and v.strip().casefold() == target
    return lambda v: v is not None and v == target


@register("not_equals", ValueKind.SCALAR, _TEXTISH, "{field} is not {value}")
def _not_equals(value: object, as_of: date) -> Pred:
    same = _equals(value, as_of)
    return lambda v: not same(v)


@register("in", ValueKind.LIST, _TEXTISH, "{field} is one of {value}")
def _in(value: Iterable[object], as_of: date) -> Pred:
    allowed = _norm_set(value)
    return lambda v: v is not None and _norm(v) in allowed


@register("not_in", ValueKind.LIST, _TEXTISH, "{field} is not one of {value}")
def _not_in(value: Iterable[object], as_of: date) -> Pred:
    allowed = _norm_set(value)
    return lambda v: v is None or _norm(v) not in allowed


@register(
    "contains", ValueKind.SCALAR, {FieldKind.TEXT, FieldKind.LIST}, "{field} contains {value}"
)
def _contains(value: object, as_of: date) -> Pred:
    needle = _norm(value)

    def pred(v: object) -> bool:
        if isinstance(v, str):
            return isinstance(needle, str) and needle in v.casefold()
        if isinstance(v, (tuple, list)):
            return any(_norm(item) == needle for item in v)
        return False

    return pred


@register("matches", ValueKind.REGEX, {FieldKind.TEXT}, "{field} matches the pattern {value}")
def _matches(value: UserPattern, as_of: date) -> Pred:
    # UserPattern.search raises UserPatternTimeout rather than hang; the evaluator turns that
    # into an `error` finding (regex_timeout).
    search = value.search
    return lambda v: isinstance(v, str) and search(v)


def after_as_of(value: date | datetime, as_of: date) -> bool:
    """True when ``value`` lies after the audit date plus :data:`AS_OF_SKEW_DAYS`."""
    return day_ordinal(value) > as_of.toordinal() + AS_OF_SKEW_DAYS


def _days_pred(days: int, as_of: date, newer: bool) -> Pred:
    cutoff = as_of.toordinal() - days
    latest = as_of.toordinal() + AS_OF_SKEW_DAYS

    def pred(v: object) -> bool | None:
        if v is None:
            return False  # a date that is not set (known) is neither recent nor old
        if isinstance(v, Activity):
            if v.last is not None:
                v = v.last
            elif v.none_since is not None:
                # Known: no activity since none_since. If that is at or before the cutoff, there is
                # none within the window; otherwise the last activity could be on either side.
                if day_ordinal(v.none_since) <= cutoff:
                    return not newer
                return None
            else:
                return None  # nothing known: neither recent nor old
        assert isinstance(v, date)
        day = day_ordinal(v)
        if newer:
            # A date after the audit date says nothing about the window before it: a typo
            # (9999-12-31) or a later fact in an audit of a past date.
            return None if day > latest else day >= cutoff
        return day < cutoff

    return pred


@register(
    "older_than_days",
    ValueKind.DAYS,
    _DATES,
    "{field} is more than {value} days before the audit date",
)
def _older(value: int, as_of: date) -> Pred:
    return _days_pred(value, as_of, newer=False)


@register(
    "newer_than_days",
    ValueKind.DAYS,
    _DATES,
    "{field} is within {value} days of the audit date",
)
def _newer(value: int, as_of: date) -> Pred:
    return _days_pred(value, as_of, newer=True)


def _range(value: tuple[int | None, int | None]) -> Callable[[int], bool]:
    low = value[0] if value[0] is not None else 0
    high = value[1]
    if high is None:
        return lambda n: n >= low
    return lambda n: low <= n <= high


@register("count_between", ValueKind.RANGE, {FieldKind.LIST}, "{field} has {value} items")
def _count_between(value: tuple[int | None, int | None], as_of: date) -> Pred:
    within = _range(value)
    return lambda v: within(0 if v is None else len(v))


@register("length_between", ValueKind.RANGE, {FieldKind.TEXT}, "{field} is {value} characters long")
def _length_between(value: tuple[int | None, int | None], as_of: date) -> Pred:
    within = _range(value)
    return lambda v: within(0 if v is None else len(v.strip()))


@register("is_true", ValueKind.NONE, {FieldKind.BOOL}, "{field} is yes")
def _is_true(value: object, as_of: date) -> Pred:
    return lambda v: v is True


@register("is_false", ValueKind.NONE, {FieldKind.BOOL}, "{field} is no")
def _is_false(value: object, as_of: date) -> Pred:
    return lambda v: v is False


@register("similar_to", ValueKind.SIMILAR, {FieldKind.TEXT}, "{field} is similar to {value}")
def _similar_to(value: Mapping[str, Any], as_of: date) -> Pred:
    targets = [t.casefold() for t in value["to"]]
    threshold = float(value["threshold"])

    def pred(v: object) -> bool:
        if not isinstance(v, str) or not v.strip():
            return False
        text = v.casefold()
        return any(fuzz.WRatio(text, t) >= threshold for t in targets)

    return pred


@register(
    "domain_in",
    ValueKind.DOMAINS,
    {FieldKind.TEXT},
    "{field} is on one of the domains {value} (subdomains count)",
)
def _domain_in(value: Iterable[str], as_of: date) -> Pred:
    domains = tuple(sorted({d.strip().rstrip(".").casefold() for d in value if d.strip()}))
    suffixes = tuple("." + d for d in domains)
    exact = frozenset(domains)

    def pred(v: object) -> bool:
        if not isinstance(v, str):
            return False
        host = domain_of(v)
        return host is not None and (host in exact or host.endswith(suffixes))

    return pred


@register("any_item", ValueKind.CONDITION, {FieldKind.LIST}, "at least one of {field}: {value}")
def _any_item(value: Pred, as_of: date) -> Pred:
    def pred(v: Any) -> bool | None:
        unknown = False
        for item in v or ():
            r = value(item)
            if r:
                return True
            if r is None:
                unknown = True
        return None if unknown else False

    return pred


@register("all_items", ValueKind.CONDITION, {FieldKind.LIST}, "every one of {field}: {value}")
def _all_items(value: Pred, as_of: date) -> Pred:
    def pred(v: Any) -> bool | None:
        unknown = False
        for item in v or ():
            r = value(item)
            if r is False:
                return False
            if r is None:
                unknown = True
        return None if unknown else True

    return pred


@register(
    "within_days_of",
    ValueKind.WITHIN,
    _DATES,
    "{field} is within {value}",
)
def _within_days_of(value: int, as_of: date) -> Pred:
    """Value is the number of days; the predicate takes (this value, the other field's value)."""
    days = value

    def pred(v: object, other_value: object) -> bool | None:
        if not isinstance(other_value, date) or v is None:
            return False
        other = day_ordinal(other_value)
        if isinstance(v, Activity):
            if v.last is not None:
                v = v.last
            elif v.none_since is not None:
                # Nothing since none_since: if that is before the window, the last activity (if
                # any) is too; otherwise it cannot be placed.
                return None if day_ordinal(v.none_since) >= other - days else False
            else:
                return None  # nothing known: it cannot be placed either way
        assert isinstance(v, date)
        return abs(day_ordinal(v) - other) <= days

    return pred


# --------------------------------------------------------------------------- validation


def _scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, bool)) and not isinstance(value, (list, dict))


OrgKind = Callable[[OrgRef], FieldKind | None]
"""The kind of an organization field a ``$org.x`` value names (None when there is none)."""


def check_value(op: Operator, value: object, list_field: OrgKind) -> str | None:
    """Why ``value`` does not fit ``op`` (text naming what was expected), or None when it fits.

    ``value`` has $params and $lists already substituted; ``OrgRef`` values are checked against
    the org field's kind through ``list_field``. Regexes are compiled here so a bad one is a
    validation error, never a run-time one.
    """
    match op.value:
        case ValueKind.NONE:
            if value is None:
                return None
            return f"operator {op.name!r} takes no value; got {describe_value(value)}"
        case ValueKind.SCALAR:
            return _check_scalar(value, list_field)
        case ValueKind.LIST | ValueKind.DOMAINS:
            return _check_list(op.value, value, list_field)
        case ValueKind.DAYS:
            return None if _days(value) else _misfit(op.value, value)
        case ValueKind.RANGE:
            return _check_range(value)
        case ValueKind.REGEX:
            return _check_regex(value, list_field)
        case ValueKind.SIMILAR:
            return _check_similar(value, list_field)
        case ValueKind.CONDITION:
            return None  # the loader parses and checks the nested condition itself
        case ValueKind.WITHIN:
            return _check_within(value)
        case _:
            assert_never(op.value)


def _misfit(kind: ValueKind, value: object) -> str:
    return f"expected {value_expectation(kind)}, got {describe_value(value)}"


def _days(value: object) -> bool:
    """A whole number of days: zero or more, never a yes/no."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_scalar(value: object, list_field: OrgKind) -> str | None:
    if isinstance(value, OrgRef):
        if list_field(value) in _TEXTISH:
            return None
        return f"expected {value_expectation(ValueKind.SCALAR)}; {value} is not"
    return None if _scalar(value) else _misfit(ValueKind.SCALAR, value)


def _check_list(kind: ValueKind, value: object, list_field: OrgKind) -> str | None:
    if isinstance(value, OrgRef):
        if list_field(value) is FieldKind.LIST:
            return None
        return f"expected {value_expectation(kind)}; {value} is not a list"
    if not isinstance(value, (list, tuple)) or not all(_scalar(v) for v in value):
        return _misfit(kind, value)
    if kind is ValueKind.DOMAINS and not all(isinstance(v, str) for v in value):
        return _misfit(kind, value)
    return None


def _check_range(value: object) -> str | None:
    if not (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(v is None or _days(v) for v in value)
    ):
        return _misfit(ValueKind.RANGE, value)
    low, high = value
    if low is not None and high is not None and low > high:
        return f"expected min <= max, got [{low}, {high}]"
    return None


def _check_regex(value: object, list_field: OrgKind) -> str | None:
    expected = value_expectation(ValueKind.REGEX)
    if isinstance(value, OrgRef):
        return (
            None
            if list_field(value) is FieldKind.TEXT
            else f"expected {expected}; {value} is not text"
        )
    if isinstance(value, Mapping) and isinstance(value.get("pattern"), OrgRef):
        ref = value["pattern"]
        if list_field(ref) is not FieldKind.TEXT:
            return f"expected {expected}; {ref} is not text"
    pattern, ignore_case, problem = regex_parts(value)
    if problem:
        return problem
    if pattern is None:
        return None
    return user_pattern_problem(pattern, ignore_case=ignore_case)


def _check_similar(value: object, list_field: OrgKind) -> str | None:
    if isinstance(value, str):
        return None
    if not isinstance(value, Mapping) or set(value) - {"to", "threshold"} or "to" not in value:
        return _misfit(ValueKind.SIMILAR, value)
    to = value["to"]
    if isinstance(to, OrgRef):
        if list_field(to) not in (FieldKind.TEXT, FieldKind.LIST):
            return f"expected {value_expectation(ValueKind.SIMILAR)}; {to} is not text or a list"
    elif not (
        isinstance(to, str)
        or (isinstance(to, (list, tuple)) and to and all(isinstance(t, str) for t in to))
    ):
        return _misfit(ValueKind.SIMILAR, value)
    threshold = value.get("threshold", 85)
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float))
        or not 0 <= threshold <= 100
    ):
        return f"expected a threshold from 0 to 100, got {describe_value(threshold)}"
    return None


def _check_within(value: object) -> str | None:
    if not isinstance(value, Mapping) or set(value) != {"field", "days"}:
        return _misfit(ValueKind.WITHIN, value)
    days = value["days"]
    if not _days(days):
        return (
            f"expected days to be {value_expectation(ValueKind.DAYS)}, got {describe_value(days)}"
        )
    if not isinstance(value["field"], (str, FieldRef)):
        return f"expected field to be a field name, got {describe_value(value['field'])}"
    return None


def regex_parts(value: object) -> tuple[str | None, bool, str | None]:
    """(pattern, ignore_case, problem) from ``'pattern'`` or ``{pattern, ignore_case}``."""
    if isinstance(value, str):
        return value, False, None
    if isinstance(value, Mapping):
        extra = set(value) - {"pattern", "ignore_case"}
        pattern = value.get("pattern")
        ignore = value.get("ignore_case", False)
        if extra or not isinstance(pattern, (str, OrgRef)) or not isinstance(ignore, bool):
            return (
                None,
                False,
                f"expected {value_expectation(ValueKind.REGEX)}, got {describe_value(value)}",
            )
        if isinstance(pattern, OrgRef):
            return None, False, None
        return pattern, ignore, None
    return (
        None,
        False,
        f"expected {value_expectation(ValueKind.REGEX)}, got {describe_value(value)}",
    )


def describe_value(value: object) -> str:
    """A value in words for error messages: 'the number 5', 'the text \'x\'', 'a list'."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"yes/no ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (date, datetime)):
        return f"the date {value.isoformat()}"
    return type(value).__name__


def accepts_message(op: Operator, field: str, kind: FieldKind) -> str | None:
    """Why ``op`` cannot test ``field`` (of ``kind``), or None."""
    if kind in op.accepts:
        return None
    wanted = " or ".join(sorted(kind_label(k) for k in op.accepts))
    return f"operator {op.name!r} tests {wanted}; field {field!r} is {kind_label(kind)}"
