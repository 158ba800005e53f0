"""Located records and the field checks shared by inventory, roster and CSV forms.

A :class:`Record` is one mapping from either a YAML file (typed scalars) or a CSV row (strings);
:class:`Checker` reads typed values out of it and collects every problem instead of stopping.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from scanner.errors import Problem, did_you_mean
from scanner.userregex import user_pattern_problem
from scanner.yamlsource import INVALID, YList, YMap

__all__ = [
    "Checker",
    "Field",
    "Record",
    "record_from_yaml",
]

E = TypeVar("E", bound=enum.Enum)

Kind = Literal["yaml", "csv"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(
    r"^[^@\s<>(),;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
"""Dates people keep in an inventory or roster (creation, attestation, employment) lie in this
window; one outside it is a placeholder or a typo, never a fact to judge activity by."""
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass(frozen=True)
class Field:
    """One value with the 1-based line and column of its key (YAML) or row (CSV)."""

    value: Any
    line: int | None
    column: int | None


@dataclass(frozen=True)
class Record:
    """One located mapping. ``path`` prefixes field names in messages (``accounts[3]``);
    nested mappings (``security``) are Records too."""

    kind: Kind
    path: str
    line: int | None
    column: int | None
    fields: dict[str, Field] = field(default_factory=dict)

    def label(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def line_of(self, key: str) -> int | None:
        f = self.fields.get(key)
        return f.line if f is not None else self.line


def record_from_yaml(value: YMap, path: str) -> Record:
    """Wrap a loaded YAML mapping; nested mappings become nested Records."""
    fields: dict[str, Field] = {}
    for key, item in value.items():
        line, column = value.key_lines.get(key, (value.line, value.column))
        if isinstance(item, YMap):
            item = record_from_yaml(item, f"{path}.{key}" if path else key)
        fields[key] = Field(item, line, column)
    return Record("yaml", path, value.line, value.column, fields)


def _show(value: Any) -> str:
    if isinstance(value, Record):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, datetime):
        return f"timestamp {value.isoformat()}"
    return repr(value)


class Checker:
    """Collects problems for one file while reading typed values out of records."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self._unreadable = 0

    @property
    def failures(self) -> int:
        """Problems reported plus unreadable values met (the YAML loader reported those): a
        record is usable only if this did not grow while it was read."""
        return len(self.problems) + self._unreadable

    # ------------------------------------------------------------------ reporting

    def problem(
        self, line: int | None, column: int | None, message: str, hint: str | None = None
    ) -> None:
        self.problems.append(Problem(self.file, line, column, message, hint))

    def _bad(
        self, record: Record, key: str, expected: str, value: Any, hint: str | None = None
    ) -> None:
        f = record.fields.get(key)
        line = f.line if f else record.line
        column = f.column if f else record.column
        self.problem(
            line, column, f"{record.label(key)}: expected {expected}, got {_show(value)}", hint
        )

    def _missing(self, record: Record, key: str, expected: str) -> None:
        f = record.fields.get(key)
        if f is not None and f.value is INVALID:
            return  # present but unreadable: the YAML loader reported it on its own line
        self.problem(
            record.line,
            record.column,
            f"{record.label(key)}: missing; expected {expected}",
        )

    def unknown_keys(self, record: Record, allowed: Sequence[str]) -> None:
        for key, f in record.fields.items():
            if key not in allowed:
                self.problem(
                    f.line,
                    f.column,
                    f"{record.label(key)}: unknown key; expected one of {', '.join(allowed)}",
                    did_you_mean(key, allowed),
                )

    # ------------------------------------------------------------------ raw access

    def _raw(self, record: Record, key: str) -> Any:
        """The value, with empty strings (CSV cells, ``key: ""``) and values the YAML loader
        could not build (already reported) read as absent."""
        f = record.fields.get(key)
        if f is None:
            return None
        if f.value is INVALID:
            self._unreadable += 1
            return None
        value = f.value
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
        return value

    # ------------------------------------------------------------------ typed readers

    def text(
        self, record: Record, key: str, *, required: bool = False, expected: str = "text"
    ) -> str | None:
        value = self._raw(record, key)
        if value is None:
            if required:
                self._missing(record, key, expected)
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            # YAML reads `yes`, `no`, `on` as booleans and dates as dates: ask for quotes.
            self._bad(
                record, key, expected, value, "quote the value" if record.kind == "yaml" else None
            )
            return None
        return str(value)

    def pattern_text(
        self,
        record: Record,
        key: str,
        pattern: re.Pattern[str],
        expected: str,
        *,
        required: bool = False,
    ) -> str | None:
        value = self.text(record, key, required=required, expected=expected)
        if value is not None and not pattern.fullmatch(value):
            self._bad(record, key, expected, value)
            return None
        return value

    def choice(
        self, record: Record, key: str, enum_cls: type[E], *, required: bool = False
    ) -> E | None:
        names = [str(m.value) for m in enum_cls]
        expected = f"one of {', '.join(names)}"
        value = self.text(record, key, required=required, expected=expected)
        if value is None:
            return None
        for member in enum_cls:
            if str(member.value) == value.casefold():
                return member
        self._bad(record, key, expected, value, did_you_mean(value.casefold(), names))
        return None

    def day(self, record: Record, key: str, *, required: bool = False) -> date | None:
        expected = "an ISO date (YYYY-MM-DD)"
        value = self._raw(record, key)
        if value is None:
            if required:
                self._missing(record, key, expected)
            return None
        if isinstance(value, datetime):
            self._bad(record, key, expected + " without a time", value)
            return None
        day: date | None = None
        if isinstance(value, date):
            day = value
        elif isinstance(value, str) and _DATE.fullmatch(value):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                self._bad(record, key, expected + " that exists", value)
                return None
        if day is None:
            self._bad(record, key, expected, value)
            return None
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            # 9999-12-31 ("never") or 0001-01-01 would later read as "recent" or "ancient".
            self._bad(
                record,
                key,
                f"a date from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}",
                day.isoformat(),
            )
            return None
        return day

    def boolean(self, record: Record, key: str) -> bool | None:
        expected = "true or false"
        value = self._raw(record, key)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            folded = value.casefold()
            if folded in _TRUE:
                return True
            if folded in _FALSE:
                return False
        self._bad(record, key, expected, value)
        return None

    def email(self, record: Record, key: str, *, required: bool = False) -> str | None:
        return self.pattern_text(
            record, key, _EMAIL, "an email address (name@example.org)", required=required
        )

    def strings(
        self, record: Record, key: str, *, expected: str = "a list of text values"
    ) -> tuple[str, ...]:
        """A list: a YAML sequence of scalars, or a CSV cell split on ';'."""
        value = self._raw(record, key)
        if value is None:
            return ()
        if record.kind == "csv" and isinstance(value, str):
            return tuple(part.strip() for part in value.split(";") if part.strip())
        if not isinstance(value, list):
            self._bad(record, key, expected, value, "write it as a YAML list: [a, b]")
            return ()
        items: list[str] = []
        lines = value.item_lines if isinstance(value, YList) else []
        for index, item in enumerate(value):
            if item is INVALID:
                self._unreadable += 1  # reported by the YAML loader
                continue
            if isinstance(item, str) and item.strip():
                items.append(item.strip())
            elif isinstance(item, int) and not isinstance(item, bool):
                items.append(str(item))
            else:
                line, column = lines[index] if index < len(lines) else (record.line_of(key), None)
                self.problem(
                    line,
                    column,
                    f"{record.label(key)}[{index}]: expected non-empty text, got {_show(item)}",
                )
        return tuple(items)

    def domains(self, record: Record, key: str) -> tuple[str, ...]:
        result = []
        for value in self.strings(record, key, expected="a list of web domains"):
            domain = value.casefold().rstrip(".")
            if _DOMAIN.fullmatch(domain):
                result.append(domain)
            else:
                hint = (
                    "write only the domain, without https:// or a path" if "/" in domain else None
                )
                self._bad(record, key, "web domains like example.org", value, hint)
        return tuple(result)

    def regex(self, record: Record, key: str) -> str | None:
        value = self.text(record, key, expected="a regular expression")
        if value is None:
            return None
        # Rules match naming patterns as written or ignoring case (IDN-004): probe both.
        problem = user_pattern_problem(value) or user_pattern_problem(value, ignore_case=True)
        if problem is not None:
            f = record.fields[key]
            self.problem(f.line, f.column, f"{record.label(key)}: {problem}")
            return None
        return value

    def mapping(self, record: Record, key: str, *, required: bool = False) -> Record | None:
        value = self._raw(record, key)
        if value is None:
            if required:
                self._missing(record, key, "a mapping")
            return None
        if not isinstance(value, Record):
            self._bad(record, key, "a mapping", value)
            return None
        return value
