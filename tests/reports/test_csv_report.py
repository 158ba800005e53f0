"""CSV: one row per finding, flat columns, no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from scanner.model import AuditResult, FindingStatus, Platform
from scanner.reports import formatter_for
from scanner.reports.csv_report import COLUMNS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _rows(result: AuditResult) -> list[dict[str, str]]:
    text = formatter_for("csv").render(result)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_one_row_per_listed_finding(result: AuditResult) -> None:
    rows = _rows(result)
    listed = [f for f in result.findings if f.status is not FindingStatus.PASS]
    assert len(rows) == len(listed)
    assert list(rows[0]) == list(COLUMNS)
    waived = next(r for r in rows if r["status"] == "waived")
    assert waived["waiver_expires"] == "2027-01-31"
    assert waived["department"] == "Marketing" and waived["owner"] == "sam.reed@copperkettle.coffee"
    own = next(r for r in rows if r["rule_id"] == "OWN-002")
    assert own["first_seen"] == "2026-06-15T08:00:00Z"
    assert "owner.end_date=2026-05-31" in own["evidence"]


def test_no_cell_starts_a_formula(result: AuditResult) -> None:
    text = formatter_for("csv").render(result)
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    assert cells
    for cell in cells:
        # (The fixture has no handle in the "@name" form, the one exception: see below.)
        assert not cell.startswith(FORMULA_START), cell
        assert "\x00" not in cell and "\x1b" not in cell
    hostile = [c for c in cells if "HYPERLINK" in c]
    assert hostile and all(c.startswith("'") or not c.lstrip().startswith("=") for c in hostile)
    assert "'-2+3 metrics listed; expected 3 to 5" in cells


def test_empty_audit_has_only_the_header(empty_result: AuditResult) -> None:
    assert formatter_for("csv").render(empty_result) == ",".join(COLUMNS) + "\r\n"


def test_handles_in_the_platforms_at_form_stay_joinable(result: AuditResult) -> None:
    """``@copperkettleschool`` is YouTube's own handle: the handle column keeps it as it is, so a
    join by handle with the inventory works; the same text in another column, and a handle that
    would compute something, keep the apostrophe."""
    failing = [f for f in result.findings if f.status is FindingStatus.FAIL]
    plain = replace(
        failing[0],
        platform=Platform.YOUTUBE,
        handle="@copperkettleschool",
        message="@copperkettleschool is silent",
    )
    hostile = replace(failing[1], platform=Platform.YOUTUBE, handle="@SUM(1+1)*cmd|' /C calc'!A0")
    rows = _rows(replace(result, findings=(plain, hostile)))
    by_message = {r["message"].lstrip("'"): r for r in rows}
    kept = by_message["@copperkettleschool is silent"]
    assert kept["handle"] == "@copperkettleschool"
    assert kept["message"] == "'@copperkettleschool is silent"
    guarded = by_message[hostile.message.lstrip("'")]
    assert guarded["handle"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
