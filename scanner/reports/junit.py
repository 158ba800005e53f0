"""JUnit XML for CI dashboards: one test suite per rule, one test case per rule × account
(passes included); fail → <failure>, waived → <skipped>, error (unverified) → <error>."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import assert_never

from scanner import humanize
from scanner.model import AuditResult, Finding, FindingStatus
from scanner.reports.interface import register
from scanner.reports.sanitize import truncate, xml_text
from scanner.reports.views import iso, rule_index

__all__ = ["JunitFormatter"]


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


@register("junit")
class JunitFormatter:
    name = "junit"

    def render(
        self, result: AuditResult, *, color: bool | None = None, width: int | None = None
    ) -> str:
        rules = rule_index(result)
        accounts = {a.account.id: a.account for a in result.accounts}
        cases: dict[str, list[tuple[str, Finding | None]]] = {rid: [] for rid in sorted(rules)}
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

        root = ET.Element("testsuites", name="rollcall")
        root.set("timestamp", iso(result.run.started_at) or "")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for rule_id in sorted(cases):
            entries = sorted(cases[rule_id], key=lambda e: e[0])
            if not entries:
                continue
            rule = rules.get(rule_id)
            suite = ET.SubElement(
                root, "testsuite", name=_x(f"{rule_id} {rule.title}" if rule else rule_id)
            )
            counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
            for name, finding in entries:
                case = ET.SubElement(
                    suite, "testcase", name=_x(name), classname=_x(f"rollcall.{rule_id}")
                )
                case.set("time", "0")
                counts["tests"] += 1
                if finding is None:
                    continue
                detail = _x(_detail(finding))
                match finding.status:
                    case FindingStatus.FAIL:
                        el = ET.SubElement(
                            case,
                            "failure",
                            message=_x(finding.message),
                            type=finding.severity.value,
                        )
                        el.text = detail
                        counts["failures"] += 1
                    case FindingStatus.WAIVED:
                        waiver = finding.waiver
                        why = (
                            f"waived by {waiver.id} until {waiver.expires}: {waiver.reason}"
                            if waiver
                            else "waived"
                        )
                        ET.SubElement(case, "skipped", message=_x(why))
                        counts["skipped"] += 1
                    case FindingStatus.ERROR:
                        el = ET.SubElement(
                            case, "error", message=_x(finding.message), type="unverified"
                        )
                        el.text = detail
                        counts["errors"] += 1
                    case FindingStatus.WARN:
                        out = ET.SubElement(case, "system-out")
                        out.text = _x(f"warning: {detail}")
                    case FindingStatus.PASS:
                        pass
                    case _:
                        assert_never(finding.status)
            for key, value in counts.items():
                suite.set(key, str(value))
                totals[key] += value
        for key, value in totals.items():
            root.set(key, str(value))
        ET.indent(root)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode")
            + "\n"
        )
