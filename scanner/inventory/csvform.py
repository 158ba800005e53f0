"""Spreadsheet exports as records: header checked, BOM, blank rows and stray spaces tolerated.

Every data row becomes a :class:`~scanner.inventory.fields.Record` whose fields carry the row's
line; dotted column names (``security.mfa``) become nested records, as in the YAML form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from scanner.errors import did_you_mean
from scanner.inventory.fields import Checker, Field, Record

__all__ = ["read_csv_records"]


def read_csv_records(
    text: str,
    checker: Checker,
    *,
    columns: Sequence[str],
    required: Sequence[str],
) -> Iterator[Record]:
    """Parse ``text`` (BOM already removed) into records, one row at a time (a 50,000-row file
    never becomes a list of rows); header problems stop row parsing, since rows under a
    misspelled header cannot be read reliably, and so does malformed CSV (reported at its
    line)."""
    before = len(checker.problems)
    rows = _rows(text, checker)
    first = next(rows, None)
    if first is None:
        if len(checker.problems) == before:  # not malformed: empty
            checker.problem(
                1, None, "file has no header row; expected a CSV header naming the columns"
            )
        return
    header_line, raw_header = first
    header = _header(header_line, raw_header, checker, columns=columns, required=required)
    if header is None:
        return
    for line, cells in rows:
        record = _record(line, cells, header, checker)
        if record is not None:
            yield record


def _rows(text: str, checker: Checker) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows with the line each starts on; malformed CSV is reported and ends them."""
    reader = csv.reader(io.StringIO(text, newline=""))
    previous_end = 0
    try:
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if all(not cell.strip() for cell in row):
                continue  # blank rows and rows of empty cells: common in spreadsheet exports
            yield start, row
    except csv.Error as exc:
        checker.problem(
            reader.line_num, None, f"malformed CSV: {exc}; expected comma-separated values"
        )


def _header(
    line: int,
    raw_header: list[str],
    checker: Checker,
    *,
    columns: Sequence[str],
    required: Sequence[str],
) -> list[str] | None:
    """The column names (case-folded), or None when any is empty, unknown, repeated or a
    required one is missing (each reported at its cell)."""
    # Spreadsheets export a trailing comma per row once a cell right of the data was touched:
    # empty header cells at the end name no column (rows' cells under them must be empty too).
    while len(raw_header) > 1 and not raw_header[-1].strip():
        raw_header = raw_header[:-1]
    header = [cell.strip().casefold() for cell in raw_header]
    known = [c.casefold() for c in columns]
    before = len(checker.problems)
    offset = 1
    seen: dict[str, int] = {}
    for index, (raw, name) in enumerate(zip(raw_header, header, strict=True)):
        column = offset + (len(raw) - len(raw.lstrip()))
        offset += len(raw) + 1
        if not name:
            checker.problem(
                line, column, f"header cell {index + 1} is empty; expected a column name"
            )
        elif name not in known:
            checker.problem(
                line,
                column,
                f"unknown column {raw.strip()!r}; expected columns from: {', '.join(columns)}",
                did_you_mean(name, known),
            )
        elif name in seen:
            checker.problem(
                line,
                column,
                f"column {raw.strip()!r} appears twice (cells {seen[name]} and {index + 1})",
            )
        else:
            seen[name] = index + 1
    for name in required:
        if name.casefold() not in header:
            checker.problem(
                line, None, f"missing column {name!r}; the header must name {', '.join(required)}"
            )
    return header if len(checker.problems) == before else None


def _record(line: int, cells: list[str], header: list[str], checker: Checker) -> Record | None:
    """One data row as a record (dotted columns nested); None (reported) for extra cells."""
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        checker.problem(
            line,
            None,
            f"row has {len(cells)} cells but the header has {len(header)} columns; "
            "expected one value per column (a value containing a comma must be quoted)",
        )
        return None
    fields: dict[str, Field] = {}
    nested: dict[str, dict[str, Field]] = {}
    for name, cell in zip(header, cells, strict=False):
        value = cell.strip()
        if not value:
            continue
        parent, dot, child = name.partition(".")
        if dot:
            nested.setdefault(parent, {})[child] = Field(value, line, None)
        else:
            fields[name] = Field(value, line, None)
    for parent, children in nested.items():
        fields[parent] = Field(Record("csv", parent, line, None, children), line, None)
    return Record("csv", "", line, None, fields)
