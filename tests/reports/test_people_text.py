"""What people read says values as people write them (scanner.humanize): on the example
organization's real audit, no Python dict or list repr in any evidence, no raw ISO 8601 timestamp,
no "((not set))", plurals right; HTML names the as-of date and the run date for what they are."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from scanner.model import AuditResult
from scanner.reports import formatter_for
from tests.reports.builders import audit_result
from tests.reports.example_audit import run_example_audit

PEOPLE_FORMATS = ("markdown", "html", "junit", "table")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
FRACTION = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+")
# A Python repr of a dict or list of strings: {'last': ..., ['a', 'b'] (Markdown escapes the
# brackets, hence the optional backslash).
REPR = re.compile(r"\\?[{\[]'|': |', '")
WRONG_PLURAL = re.compile(
    r"\b1 (?:accounts|checks|unverified checks|warnings|findings|failing findings|days|pages)\b"
)


@pytest.fixture(scope="module")
def example() -> AuditResult:
    return run_example_audit().result


@pytest.fixture(scope="module")
def texts(example: AuditResult) -> dict[str, str]:
    return {fmt: formatter_for(fmt).render(example, color=False) for fmt in PEOPLE_FORMATS}


def _evidence(fmt: str, text: str) -> list[str]:
    """The evidence blocks of one rendering (the table shows none: its whole text)."""
    if fmt == "markdown":
        return re.findall(r"<summary>Evidence</summary>(.*?)</details>", text, re.S)
    if fmt == "html":
        return re.findall(r"<summary>evidence</summary>(.*?)</details>", text, re.S)
    if fmt == "junit":
        root = ET.fromstring(text.encode("utf-8"))
        return [el.text or "" for tag in ("failure", "error") for el in root.iter(tag)]
    return [text]


def _people_text(fmt: str, text: str) -> str:
    """All of a rendering people read: JUnit's ``timestamp`` attribute is for machines."""
    if fmt != "junit":
        return text
    root = ET.fromstring(text.encode("utf-8"))
    parts = [el.text or "" for el in root.iter()]
    parts += [v for el in root.iter() for k, v in el.attrib.items() if k != "timestamp"]
    return "\n".join(parts)


@pytest.mark.parametrize("fmt", PEOPLE_FORMATS)
def test_evidence_reads_as_key_value_lines(texts: dict[str, str], fmt: str) -> None:
    blocks = _evidence(fmt, texts[fmt])
    assert blocks, f"{fmt}: no evidence found"
    for block in blocks:
        assert not REPR.search(block), f"{fmt}: a Python repr in evidence: {block[:300]}"
        assert '{"' not in block and "&quot;last&quot;" not in block, block[:300]
    if fmt != "table":
        joined = "\n".join(blocks).replace("\\_", "_")  # Markdown escapes underscores
        # Activity as a date, a rule's params as their own lines.
        assert "live.last_activity_at: 2026-05-27" in joined
        assert "params.attest_days: 180" in joined
        # A list, one item per line (PUR-003's vanity metrics of ig-school).
        listed = {
            "markdown": "  - metrics:\n    - followers\n    - likes\n    - reach\n",
            "html": '<div>metrics:<ul class="tight"><li>followers</li><li>likes</li><li>reach</li>',
            "junit": "  metrics:\n    - followers\n    - likes\n    - reach\n",
        }
        assert listed[fmt] in joined


@pytest.mark.parametrize("fmt", PEOPLE_FORMATS)
def test_no_raw_timestamps_doubled_parentheses_or_wrong_plurals(
    texts: dict[str, str], fmt: str
) -> None:
    text = _people_text(fmt, texts[fmt])
    assert not FRACTION.search(text), FRACTION.search(text)
    assert not ISO_TIMESTAMP.search(text), ISO_TIMESTAMP.search(text)
    assert "((not set))" not in text and "(none)" not in text and "(unknown)" not in text
    assert "not set" in text
    assert not WRONG_PLURAL.search(text), WRONG_PLURAL.search(text)


def test_junit_keeps_its_machine_timestamp(texts: dict[str, str]) -> None:
    root = ET.fromstring(texts["junit"].encode("utf-8"))
    assert datetime.fromisoformat(root.get("timestamp", "")).tzinfo is not None


def test_an_audit_of_a_past_date_says_when_it_ran() -> None:
    """As of 2026-11-15 but run on 2026-12-02: the header says both, and a finding's age is
    "first seen" on a run date, never a bare "since" later than the as-of date."""
    base = audit_result()
    ran = datetime(2026, 12, 2, 19, 3, 54, 393054, tzinfo=UTC)
    result = replace(base, run=replace(base.run, started_at=ran, finished_at=ran))
    html = formatter_for("html").render(result)
    assert "As of 2026-11-15 · run on 2026-12-02 19:03 UTC ·" in html
    assert "first seen 2026-06-15" in html and "since 2026-" not in html
    markdown = formatter_for("markdown").render(result)
    assert markdown.startswith(
        "## Rollcall audit: Copper Kettle Coffee Roasters (as of 2026-11-15, run on 2026-12-02 19:03 UTC)"
    )
    assert "first seen 2026-06-15" in markdown and "(since 2026-" not in markdown
    table = formatter_for("table").render(result, color=False)
    assert "as of 2026-11-15, run on 2026-12-02 19:03 UTC" in " ".join(table.split())
    # On the day it ran, the header needs no second date.
    same_day = formatter_for("markdown").render(base)
    assert "(as of 2026-11-15)" in same_day and "run on" not in same_day


def test_severity_badges_never_wrap() -> None:
    from scanner.reports.htmlpage import CSS

    rule = re.search(r"\.sev\{([^}]*)\}", CSS)
    assert rule is not None
    assert "white-space:nowrap" in rule.group(1)
