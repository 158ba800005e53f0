"""JUnit XML for CI dashboards: one test suite per rule, one test case per rule × account
(passes included); fail → <failure>, waived → <skipped>, error (unverified) → <error>."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import assert_never

from scanner import humanize
from scanner.model import AuditResult, Finding, FindingStatus
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.sanitize import truncate, xml_text
from scanner.reports.views import iso, rule_index

__all__ = ["JunitFormatter", "junit_document", "render_findings"]


def _x(value: object) -> str:
    # ElementTree escapes markup but writes forbidden characters as they are: remove them.
    return xml_text("" if value is None else str(value))


def _case_name(f: Finding) -> str:
    target = f"{f.platform.value}:{f.handle}" if f.platform and f.handle else "-"
    return f"{f.account_id} ({target})" if f.account_id else target


def _detail(f: Finding) -> str:
    """What a CI dashboard shows for a finding: the message, the evidence as ``key: value``
    lines (each stands alone there, so times carry their zone), the remediation."""
    lines = [f.message, "evidence:"]
    for line in humanize.evidence_lines(f.evidence):
        if line.items:
            lines.append(f"  {line.key}:")
            lines.extend(f"    - {truncate(item, 500)}" for item in line.items)
        else:
            lines.append(f"  {line.key}: {truncate(line.text, 500)}")
    if len(lines) == 2:
        lines.append("  none")
    lines.append(f"remediation: {f.remediation}")
    return "\n".join(lines)


_Case = tuple[str, Finding | None]
"""A test case: its name, and the finding it reports (None: the rule passed there)."""


def _add_case(suite: ET.Element, rule_id: str, name: str, finding: Finding | None) -> str | None:
    """Add one test case; returns the counter it adds to besides ``tests`` (None: a pass)."""
    case = ET.SubElement(suite, "testcase", name=_x(name), classname=_x(f"rollcall.{rule_id}"))
    case.set("time", "0")
    if finding is None:
        return None
    detail = _x(_detail(finding))
    match finding.status:
        case FindingStatus.FAIL:
            el = ET.SubElement(
                case, "failure", message=_x(finding.message), type=finding.severity.value
            )
            el.text = detail
            return "failures"
        case FindingStatus.WAIVED:
            waiver = finding.waiver
            why = (
                f"waived by {waiver.id} until {waiver.expires}: {waiver.reason}"
                if waiver
                else "waived"
            )
            ET.SubElement(case, "skipped", message=_x(why))
            return "skipped"
        case FindingStatus.ERROR:
            el = ET.SubElement(case, "error", message=_x(finding.message), type="unverified")
            el.text = detail
            return "errors"
        case FindingStatus.WARN:
            out = ET.SubElement(case, "system-out")
            out.text = _x(f"warning: {detail}")
            return None
        case FindingStatus.PASS:
            return None
        case _:
            assert_never(finding.status)


def junit_document(
    cases: Mapping[str, Sequence[_Case]],
    titles: Mapping[str, str],
    *,
    name: str = "rollcall",
    timestamp: datetime | None = None,
) -> str:
    """One test suite per rule id of ``cases`` (titled from ``titles``), cases sorted by name."""
    root = ET.Element("testsuites", name=_x(name))
    root.set("timestamp", iso(timestamp) or "")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for rule_id in sorted(cases):
        entries = sorted(cases[rule_id], key=lambda e: e[0])
        if not entries:
            continue
        title = titles.get(rule_id)
        suite = ET.SubElement(
            root, "testsuite", name=_x(f"{rule_id} {title}" if title else rule_id)
        )
        counts = dict.fromkeys(totals, 0)
        for case_name, finding in entries:
            counts["tests"] += 1
            kind = _add_case(suite, rule_id, case_name, finding)
            if kind is not None:
                counts[kind] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_findings(
    findings: Iterable[Finding], *, name: str, timestamp: datetime | None = None
) -> str:
    """JUnit for findings that do not come from an audit (discovery, review): one suite per
    rule id, one case per finding."""
    cases: dict[str, list[_Case]] = {}
    titles: dict[str, str] = {}
    for f in findings:
        cases.setdefault(f.rule_id, []).append((_case_name(f), f))
        titles.setdefault(f.rule_id, f.title)
    return junit_document(cases, titles, name=name, timestamp=timestamp)


@register(Document.AUDIT, ReportFormat.JUNIT)
class JunitFormatter:
    name = "junit"

    def render(
        self, result: AuditResult, *, color: bool | None = None, width: int | None = None
    ) -> str:
        rules = rule_index(result)
        accounts = {a.account.id: a.account for a in result.accounts}
        cases: dict[str, list[_Case]] = {rid: [] for rid in sorted(rules)}
        for rule_id, account_id in result.passed:
            account = accounts.get(account_id)
            name = (
                f"{account_id} ({account.platform.value}:{account.handle})"
                if account
                else account_id
            )
            cases.setdefault(rule_id, []).append((name, None))
        for f in result.findings:
            cases.setdefault(f.rule_id, []).append((_case_name(f), f))
        titles = {rid: rule.title for rid, rule in rules.items()}
        return junit_document(cases, titles, timestamp=result.run.started_at)
