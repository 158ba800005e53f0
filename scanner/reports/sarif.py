"""SARIF 2.1.0 for code-scanning UIs: one rule descriptor per rule id, results located on the
inventory line of the account, severities mapped to levels (not everything "error", unlike
Checkov #5604), waived findings carried as accepted suppressions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, assert_never
from urllib.parse import quote

from scanner import __version__
from scanner.model import AuditResult, Finding, FindingStatus, RuleInfo, Severity
from scanner.policy.fields import FIELDS
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.sanitize import json_safe, xml_text
from scanner.reports.views import iso, listed_findings, rule_index

__all__ = [
    "SARIF_SCHEMA_URI",
    "SarifFormatter",
    "artifact_uri",
    "level_for",
    "render_findings",
    "sarif_document",
]

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "rollcallFingerprint/v1"


def level_for(severity: Severity) -> str:
    """critical/high → error, medium → warning, low/info → note."""
    match severity:
        case Severity.CRITICAL | Severity.HIGH:
            return "error"
        case Severity.MEDIUM:
            return "warning"
        case Severity.LOW | Severity.INFO:
            return "note"
        case _:
            assert_never(severity)


# GitHub code scanning ranks security alerts by this property (0.0–10.0).
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def artifact_uri(file: str, base: Path | None = None) -> str:
    """The inventory path as a relative URI reference (forward slashes, percent-encoded), relative
    to ``base`` (default: the working directory, normally the repository root) when inside it."""
    path = Path(file)
    root = (base or Path.cwd()).resolve()
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(root)
        except ValueError:
            return path.resolve().as_uri()
    return quote(path.as_posix(), safe="/")


def _text(value: str) -> str:
    # Code-scanning UIs render these strings in HTML pages: the stricter XML character set.
    return xml_text(value)


def _rule(rule: RuleInfo) -> dict[str, Any]:
    full = rule.description or rule.rationale or rule.title
    help_text = rule.remediation or rule.rationale
    if rule.references:
        help_text += "\nReferences: " + "; ".join(rule.references)
    return {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in _text(rule.title).split() if w.isalnum())
        or rule.id,
        "shortDescription": {"text": _text(rule.title)},
        "fullDescription": {"text": _text(full)},
        "help": {"text": _text(help_text)},
        "defaultConfiguration": {"level": level_for(rule.severity)},
        "properties": {
            "category": rule.category,
            "tags": ["governance", rule.category],
            "precision": "high",
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "references": list(rule.references),
        },
    }


def _evidence(value: Any) -> Any:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return {_text(str(k)): _evidence(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_evidence(v) for v in value]
    return value


def _impersonal(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """A finding's evidence without the values that name people (access holders' names and
    emails): a SARIF log may be published on a code host; the HTML and JSON reports carry
    them for the policy owner."""
    return {k: v for k, v in evidence.items() if not (k in FIELDS and FIELDS[k].personal)}


def _result(f: Finding, rule_pos: int, base: Path | None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": artifact_uri(f.location.file, base)}}
    }
    if f.location.line is not None:
        region: dict[str, int] = {"startLine": f.location.line}
        if f.location.column is not None:
            region["startColumn"] = f.location.column
        location["physicalLocation"]["region"] = region
    if f.platform is not None and f.handle is not None:
        location["logicalLocations"] = [
            {
                "name": _text(f.account_id or f.handle),
                "fullyQualifiedName": _text(f"{f.platform.value}:{f.handle}"),
                "kind": "object",
            }
        ]
    result: dict[str, Any] = {"ruleId": f.rule_id, "ruleIndex": rule_pos}
    match f.status:
        case FindingStatus.FAIL | FindingStatus.WAIVED:
            result["kind"] = "fail"
            result["level"] = level_for(f.severity)
        case FindingStatus.WARN:
            # A warning (rule not yet in effect, waiver about to expire) never gates a build.
            result["kind"] = "fail"
            result["level"] = "note" if level_for(f.severity) == "note" else "warning"
        case FindingStatus.ERROR:
            # Unverified: the rule needed live facts we could not observe; a human must look.
            result["kind"] = "review"
            result["level"] = "none"
        case FindingStatus.PASS:
            result["kind"] = "pass"
            result["level"] = "none"
        case _:
            assert_never(f.status)
    result["message"] = {"text": _text(f.message) or f.rule_id}
    result["locations"] = [location]
    result["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    result["properties"] = {
        "severity": f.severity.value,
        "status": f.status.value,
        "accountId": f.account_id,
        "platform": f.platform.value if f.platform else None,
        "handle": _text(f.handle) if f.handle else None,
        "remediation": _text(f.remediation),
        "evidence": _evidence(_impersonal(f.evidence)),
    }
    if f.waiver is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": _text(
                    f"waiver {f.waiver.id} until {f.waiver.expires.isoformat()}, "
                    f"approved by {f.waiver.approved_by}: {f.waiver.reason}"
                ),
                "properties": {"waiverId": f.waiver.id, "expires": f.waiver.expires.isoformat()},
            }
        ]
    return result


def _rule_table(rules: Iterable[RuleInfo], findings: Iterable[Finding]) -> list[RuleInfo]:
    """Rules by id (sorted), plus a descriptor made from the finding for any rule not listed."""
    table = {r.id: r for r in rules}
    for f in findings:
        if f.rule_id not in table:
            table[f.rule_id] = RuleInfo(
                id=f.rule_id,
                title=f.title,
                severity=f.severity,
                category=f.category,
                rationale=f.title,
                remediation=f.remediation,
            )
    return sorted(table.values(), key=lambda r: r.id)


def _log(
    tool_name: str,
    version: str,
    rules: Iterable[RuleInfo],
    findings: Sequence[Finding],
    base: Path | None,
    extra_run: dict[str, Any],
) -> dict[str, Any]:
    ordered = _rule_table(rules, findings)
    position = {r.id: i for i, r in enumerate(ordered)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": tool_name,
                "version": version,
                "semanticVersion": version,
                "rules": [_rule(r) for r in ordered],
            }
        },
        **extra_run,
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, position[f.rule_id], base) for f in findings],
    }
    # Every string of the log, not only the ones cleaned above (an account id, a reference):
    # invisible characters as ``<U+202E>``, like every other format (see sanitize).
    log = json_safe({"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]})
    assert isinstance(log, dict)
    return log


def sarif_document(result: AuditResult, base: Path | None = None) -> dict[str, Any]:
    """The audit as a SARIF log (a dict ready for ``json.dumps``)."""
    run = result.run
    return _log(
        "Rollcall",
        run.tool_version,
        rule_index(result).values(),
        listed_findings(result),
        base,
        {
            "invocations": [
                {
                    "executionSuccessful": run.complete,
                    "startTimeUtc": iso(run.started_at),
                    "endTimeUtc": iso(run.finished_at),
                }
            ],
            "properties": {
                "asOf": run.as_of.isoformat(),
                "inventorySha256": run.inventory_sha256,
                "complete": run.complete,
            },
        },
    )


def render_findings(
    findings: Sequence[Finding],
    *,
    tool_name: str = "Rollcall",
    version: str = __version__,
    rules: Sequence[RuleInfo] = (),
) -> str:
    """SARIF for findings that do not come from an audit (e.g. ``rollcall review``): one run,
    rule descriptors from ``rules`` or, failing that, from the findings themselves."""
    listed = [f for f in findings if f.status is not FindingStatus.PASS]
    doc = _log(tool_name, version, rules, listed, None, {})
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@register(Document.AUDIT, ReportFormat.SARIF)
class SarifFormatter:
    name = "sarif"

    def render(
        self, result: AuditResult, *, color: bool | None = None, width: int | None = None
    ) -> str:
        return json.dumps(sarif_document(result), indent=2, ensure_ascii=False) + "\n"
