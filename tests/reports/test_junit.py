"""JUnit XML: parses whatever the bytes, one test case per rule × account, counts match."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

from scanner.model import AuditResult, FindingStatus
from scanner.reports import formatter_for


def test_parses_and_counts_match_the_findings(result: AuditResult) -> None:
    root = ET.fromstring(formatter_for("junit").render(result).encode("utf-8"))
    assert root.tag == "testsuites"
    statuses = Counter(f.status for f in result.findings)
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(result.findings) + len(result.passed)
    assert int(root.get("tests", "-1")) == len(cases)
    assert (
        int(root.get("failures", "-1"))
        == statuses[FindingStatus.FAIL]
        == len(root.findall(".//failure"))
    )
    assert (
        int(root.get("skipped", "-1"))
        == statuses[FindingStatus.WAIVED]
        == len(root.findall(".//skipped"))
    )
    assert (
        int(root.get("errors", "-1"))
        == statuses[FindingStatus.ERROR]
        == len(root.findall(".//error"))
    )
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests", "-1")) == len(suite.findall("testcase"))
        assert int(suite.get("failures", "-1")) == len(suite.findall("testcase/failure"))

    own = next(s for s in root.findall("testsuite") if s.get("name", "").startswith("OWN-001 "))
    names = {c.get("name"): c for c in own.findall("testcase")}
    assert list(names["gh-main (github:copperkettle)"]) == []  # a pass
    assert names["masto-hr (mastodon:copperkettle@mastodon.social)"].find("failure") is not None
    waived = next(c for c in root.iter("testcase") if c.find("skipped") is not None)
    assert "W-001" in waived.find("skipped").get("message", "")  # type: ignore[union-attr]
    warn = [c for c in root.iter("testcase") if c.find("system-out") is not None]
    assert len(warn) == statuses[FindingStatus.WARN]


def test_hostile_text_is_escaped_and_xml_invalid_characters_removed(result: AuditResult) -> None:
    text = formatter_for("junit").render(result)
    assert "\x00" not in text and "\x1b" not in text and "\x0b" not in text and "\ufffe" not in text
    root = ET.fromstring(text.encode("utf-8"))
    messages = [el.get("message", "") for el in root.iter("failure")]
    assert any(m.startswith('=HYPERLINK("http://evil.example"') for m in messages)
    details = "".join(el.text or "" for el in root.iter("failure"))
    assert "<script>document.title='pwned'" in details  # survives as text, escaped in the XML
    assert "<script>" not in text


def test_empty_audit_is_a_valid_empty_report(empty_result: AuditResult) -> None:
    root = ET.fromstring(formatter_for("junit").render(empty_result).encode("utf-8"))
    assert root.get("tests") == "0" and root.findall("testsuite") == []
