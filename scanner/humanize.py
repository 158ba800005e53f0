"""Values written for people, in one place: dates, times, lists, "not set", yes/no, activity and
counts. The policy's messages and every people-facing report (Markdown, HTML, JUnit, terminal)
use it, so a message and the report around it agree; JSON, SARIF and CSV keep ISO 8601."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

from scanner.model import JSON

__all__ = [
    "NOT_SET",
    "TIME_ZONE",
    "UNREADABLE",
    "ZONE_NAME",
    "EvidenceLine",
    "activity",
    "count",
    "day",
    "evidence_lines",
    "json_value",
    "minute",
    "moment",
    "noun",
    "prose_list",
    "value",
]

TIME_ZONE: Final = UTC
"""The audit's time zone. A run records no other: its ``as_of`` is the UTC date it started
(``scanner.runs.audit``) and every platform date is parsed to UTC (``scanner.platforms.dates``)."""
ZONE_NAME: Final = "UTC"
"""Said once wherever times are shown: after a standalone time (:func:`moment`), or in the
heading of a column of times written with :func:`minute`."""
NOT_SET: Final = "not set"
UNREADABLE: Final = "could not be read"
"""An activity the platform's answer did not tell (no last post, no "nothing since")."""

# An instant as this project's encoders write it (``isoformat()``, ``iso()``): a date, a time and
# a zone. Without a zone it would not be an instant, so it is left as the text it is.
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?(?:Z|[+-]\d\d:\d\d)")
_ACTIVITY_KEYS = frozenset({"last", "none_since"})


def _zoned(value: datetime) -> datetime:
    # A naive datetime is taken as UTC, as the history store and the report encoders do.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(TIME_ZONE)


def day(value: date | datetime) -> str:
    """The calendar date in the audit's time zone: ``2026-05-27``."""
    if isinstance(value, datetime):
        return _zoned(value).date().isoformat()
    return value.isoformat()


def minute(value: datetime) -> str:
    """A time to the minute in the audit's time zone, without naming it (``2026-11-15 08:00``):
    for a column whose heading says the zone."""
    return _zoned(value).strftime("%Y-%m-%d %H:%M")


def moment(value: datetime) -> str:
    """A standalone time: to the minute, with the zone (``2026-11-15 08:00 UTC``)."""
    return f"{minute(value)} {ZONE_NAME}"


def activity(last: datetime | None, none_since: datetime | None) -> str:
    """A last-activity fact (``scanner.policy.fields.Activity``): the last post's date, else
    ``none since`` the date the platform vouches for, else that it could not be read."""
    if last is not None:
        return day(last)
    if none_since is not None:
        return f"none since {day(none_since)}"
    return UNREADABLE


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun that goes with ``n``: ``account`` for 1, ``accounts`` otherwise."""
    return singular if n == 1 else (plural or singular + "s")


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 account``, ``0 accounts``, ``2 accounts``."""
    return f"{n} {noun(n, singular, plural)}"


def prose_list(items: Iterable[str], empty: str = "none") -> str:
    """``a``, ``a and b``, ``a, b and c``; ``empty`` for no items."""
    words = list(items)
    if not words:
        return empty
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} and {words[-1]}"


def value(v: object) -> str:
    """Any model value in a sentence: an enum by its value, None as ``not set``, yes/no,
    dates as dates, times to the minute with the zone, lists as ``a, b and c``."""
    # Plain text first: most template fields are text, and a message is built per finding.
    if type(v) is str:
        return v
    if isinstance(v, enum.Enum):
        return str(v.value)
    if v is None:
        return NOT_SET
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, datetime):
        return moment(v)
    if isinstance(v, date):
        return day(v)
    if isinstance(v, (tuple, list, set, frozenset)):
        items = sorted(v, key=str) if isinstance(v, (set, frozenset)) else v
        return prose_list(value(x) for x in items)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {value(x)}" for k, x in v.items()) or "none"
    return str(v)


def _instant(text: str) -> datetime | None:
    if not _INSTANT.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # shaped like an instant but no real one (month 13)
        return None


def _activity_json(v: Mapping[str, JSON]) -> str | None:
    """The JSON the evaluator writes for an activity (``{"last": ..., "none_since": ...}``)."""
    if set(v) != _ACTIVITY_KEYS:
        return None
    parts = [v["last"], v["none_since"]]
    if not all(p is None or isinstance(p, str) for p in parts):
        return None
    stamps = [None if p is None else _instant(str(p)) for p in parts]
    if any(p is not None and s is None for p, s in zip(parts, stamps, strict=True)):
        return None
    return activity(stamps[0], stamps[1])


def json_value(v: JSON) -> str:
    """A JSON value (evidence, as stored) in a sentence, the way :func:`value` writes the model
    value it came from. A string is an instant only in the exact form the encoders write (date,
    time and zone); any other text is shown as it is."""
    if v is None or isinstance(v, bool):
        return value(v)
    if isinstance(v, str):
        stamp = _instant(v)
        return v if stamp is None else moment(stamp)
    if isinstance(v, list):
        return prose_list(json_value(x) for x in v)
    if isinstance(v, dict):
        shown = _activity_json(v)
        if shown is not None:
            return shown
        return "; ".join(f"{k}: {json_value(x)}" for k, x in v.items()) or "none"
    return str(v)


@dataclass(frozen=True)
class EvidenceLine:
    """One ``key: value`` line of evidence; a list gives ``items``, written one per line."""

    key: str
    text: str
    items: tuple[str, ...] = ()


def _lines(key: str, v: JSON) -> list[EvidenceLine]:
    if isinstance(v, dict) and _activity_json(v) is None and v:
        # A nested mapping (a rule's params) reads as its own lines: params.attest_days: 180.
        return [line for k, x in v.items() for line in _lines(f"{key}.{k}", x)]
    if isinstance(v, list) and v:
        return [EvidenceLine(key, "", tuple(json_value(x) for x in v))]
    return [EvidenceLine(key, json_value(v))]


def evidence_lines(evidence: Mapping[str, JSON]) -> list[EvidenceLine]:
    """A finding's evidence as readable lines, in key order (nested keys dotted)."""
    return [line for k in sorted(evidence) for line in _lines(k, evidence[k])]
