"""Markdown (PR comment) and the terminal table: structure and hostile text."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from scanner.model import AuditResult
from scanner.reports import formatter_for


def test_markdown_summary_severity_sections_and_details(result: AuditResult) -> None:
    text = formatter_for("markdown").render(result)
    assert text.startswith("## Rollcall audit: Copper Kettle Coffee Roasters (as of 2026-11-15)")
    assert "**11 failing** (2 critical, 5 high, 2 medium, 2 low)" in text
    positions = [text.index(f"### {s} (") for s in ("Critical", "High", "Medium", "Low")]
    assert positions == sorted(positions)
    assert text.count("<details><summary>Evidence</summary>") == 4
    assert "### Since the last audit" in text and "**2 new**, 2 still open, 1 resolved" in text
    assert "open 153 days, first seen 2026-06-15" in text
    assert "### Unverified accounts (2)" in text
    assert "present, 2026-10-15 08:01 |" in text  # last known good of the blocked X account
    assert "last known good (UTC) |" in text


def test_markdown_neutralizes_fetched_text(result: AuditResult) -> None:
    text = formatter_for("markdown").render(result)
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in text
    assert "\x1b" not in text and "\x00" not in text and "\x07" not in text
    assert "@everyone" not in text and "&#64;everyone" in text
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # the link syntax is broken
    # the only raw HTML is our own <details>/<summary>
    stripped = text.replace("<details>", "").replace("</details>", "")
    stripped = stripped.replace("<summary>", "").replace("</summary>", "")
    assert "<" not in stripped


def test_table_groups_by_severity_without_colour_off_terminal(
    result: AuditResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    text = formatter_for("table").render(result, color=False, width=None)  # nothing wrapped
    assert "\x1b" not in text  # the hostile ANSI in names is stripped too
    order = [text.index(f"{s} (") for s in ("CRITICAL", "HIGH", "MEDIUM", "LOW")]
    assert order == sorted(order)
    assert "Summary: 8 accounts · 11 failing findings (2 critical, 5 high, 2 medium, 2 low)" in text
    assert (
        "Since the last audit (run 3, 2026-10-15 08:00 UTC): 2 new, 2 still open, 1 resolved"
        in text
    )
    assert "present on 2026-10-15" in text and "last known good (UTC)" in text
    assert "[waiver W-001 until 2027-01-31]" in text


def test_table_colour_on_terminal_unless_no_color(
    result: AuditResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    coloured = formatter_for("table").render(result)
    assert "\x1b[1;31mCRITICAL (2)\x1b[0m" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b" not in formatter_for("table").render(result)
    assert "\x1b" not in formatter_for("table").render(result, color=True)


def test_table_without_findings(empty_result: AuditResult) -> None:
    text = formatter_for("table").render(replace(empty_result), color=False)
    assert "No findings." in text
    assert "Unverified accounts" not in text


def test_markdown_fits_a_pull_request_comment(result: AuditResult) -> None:
    from scanner.reports.markdown import COMMENT_LIMIT

    many = tuple(
        replace(f, account_id=f"{f.account_id}-{i}", message=f.message + " " + "x" * 200)
        for i in range(60)
        for f in result.findings
    )
    text = formatter_for("markdown").render(replace(result, findings=many, baseline=None))
    assert len(text) <= COMMENT_LIMIT
    assert "more high findings; see the JSON or HTML report" in text
    assert "<details><summary>Evidence</summary>" not in text
