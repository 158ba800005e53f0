"""The audit's JSON contract (schema: scanner/schemas/audit-report.schema.json). Keys are stable;
new keys may be added, none renamed. Every string goes through ``sanitize.json_safe``: lone
surrogates become U+FFFD, escapes and controls go, invisible characters read ``<U+202E>``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar, TextIO

from scanner.model import (
    JSON,
    AccountResult,
    AuditResult,
    Baseline,
    Classification,
    Finding,
    Location,
    RuleInfo,
    RunInfo,
)
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.sanitize import json_safe, json_text
from scanner.reports.views import (
    OBSERVATION_STATES,
    SEVERITIES,
    STATUSES,
    iso,
    listed_findings,
    observation_json,
    open_days,
    summarize,
)
from scanner.serialize import discovery_json, site_hit_json

__all__ = [
    "SCHEMA_VERSION",
    "JsonFormatter",
    "discovery_json",
    "report_document",
    "report_schema",
    "write_report",
]

SCHEMA_VERSION = "1.4"
SCHEMA_ID = "https://rollcall.invalid/schemas/audit-report.schema.json"


def report_schema() -> dict[str, Any]:
    """The published JSON Schema (draft 2020-12) of this report."""
    text = (
        resources.files("scanner").joinpath("schemas/audit-report.schema.json").read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def _scrub(value: Any) -> JSON:
    """Deep copy as plain JSON with keys sorted (evidence and trend rows are free-form)."""
    if isinstance(value, str):
        return json_text(value)
    if isinstance(value, Mapping):
        return {
            json_text(str(k)): _scrub(v)
            for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return json_text(str(value))


def _location(loc: Location) -> dict[str, JSON]:
    return {"file": loc.file, "line": loc.line, "column": loc.column}


def finding_json(f: Finding) -> dict[str, JSON]:
    return {
        "rule_id": f.rule_id,
        "title": f.title,
        "severity": f.severity.value,
        "status": f.status.value,
        "category": f.category,
        "account_id": f.account_id,
        "platform": f.platform.value if f.platform else None,
        "handle": f.handle,
        "message": f.message,
        "remediation": f.remediation,
        "evidence": _scrub(dict(f.evidence)),
        "location": _location(f.location),
        "fingerprint": f.fingerprint,
        "waiver": None
        if f.waiver is None
        else {
            "id": f.waiver.id,
            "expires": f.waiver.expires.isoformat(),
            "reason": f.waiver.reason,
            "approved_by": f.waiver.approved_by,
        },
    }


def _baseline_json(result: AuditResult, base: Baseline) -> dict[str, JSON]:
    index = {f.fingerprint: f for f in result.findings}

    def entry(fingerprint: str) -> dict[str, JSON]:
        f = index.get(fingerprint)
        seen = base.first_seen.get(fingerprint)
        return {
            "fingerprint": fingerprint,
            "rule_id": f.rule_id if f else None,
            "account_id": f.account_id if f else None,
            "first_seen": iso(seen),
            "age_days": None if seen is None else open_days(result, seen),
        }

    return {
        "previous_run_id": base.previous_run_id,
        "previous_started_at": iso(base.previous_started_at),
        "new": [entry(p) for p in base.new],
        "still_open": [entry(p) for p in base.still_open],
        "resolved": [finding_json(f) for f in base.resolved],
    }


def _sections(
    result: AuditResult, include_passed: bool
) -> Iterator[tuple[str, JSON | Iterator[JSON]]]:
    """The document's keys in order (part of the contract's readability), each with its value;
    a long array comes as an iterator of its items, so a writer can stream it."""
    passed = _passed_by_account(result)
    yield "schema_version", SCHEMA_VERSION
    yield "run", _run_json(result.run)
    yield "summary", _summary_json(result)
    yield "accounts", (_account_json(a, passed.get(a.account.id, ())) for a in result.accounts)
    yield "findings", (finding_json(f) for f in listed_findings(result))
    # Every (rule, account) pair that passed was 30% of a large report; accounts[].passed names
    # the same rules compactly, so the long form is opt-in (--include-passed).
    yield (
        "passed",
        ({"rule_id": r, "account_id": a} for r, a in result.passed) if include_passed else None,
    )
    yield "rules", (_rule_json(r) for r in result.rules)
    yield "discoveries", (discovery_json(d) for d in result.discoveries)
    if result.site_hits:  # since 1.3, only when discovery asked imported long-tail sites
        yield "sites", (site_hit_json(h) for h in result.site_hits)
    yield "baseline", None if result.baseline is None else _baseline_json(result, result.baseline)
    yield "trends", (_scrub(dict(t)) for t in result.trends)


def _passed_by_account(result: AuditResult) -> dict[str, list[str]]:
    """The ids of the rules each account passed, in evaluation order."""
    by_account: dict[str, list[str]] = {}
    for rule_id, account_id in result.passed:
        by_account.setdefault(account_id, []).append(rule_id)
    return by_account


def report_document(result: AuditResult, *, include_passed: bool = False) -> dict[str, JSON]:
    """The report as a JSON-ready dict (the contract, before serialization)."""
    doc: dict[str, JSON] = {
        key: list(value) if isinstance(value, Iterator) else value
        for key, value in _sections(result, include_passed)
    }
    # The whole document: no field can escape sanitizing by being forgotten here. Invisible
    # characters are escaped (``<U+202E>``), not removed, even in this machine format: a
    # consumer must be able to tell that a name was crafted, and the platform's exact bytes
    # stay checkable through ``body_sha256``.
    scrubbed = json_safe(doc)
    assert isinstance(scrubbed, dict)
    return scrubbed


def write_report(result: AuditResult, out: TextIO, *, include_passed: bool = False) -> None:
    """Write the report to ``out`` exactly as ``json.dumps(report_document(...), indent=2)``
    would, an array item at a time: a 50,000-account report is never held whole in memory.
    Each item goes through ``json_safe`` as the whole document would."""
    out.write("{")
    for i, (key, value) in enumerate(_sections(result, include_passed)):
        out.write(f"{',' if i else ''}\n  {_dumps(json_safe(key), 1)}: ")
        if not isinstance(value, Iterator):
            out.write(_dumps(json_safe(value), 1))
            continue
        first = True
        for item in value:
            out.write(f"{'[' if first else ','}\n    {_dumps(json_safe(item), 2)}")
            first = False
        out.write("[]" if first else "\n  ]")
    out.write("\n}\n")


def _dumps(value: JSON, depth: int) -> str:
    """``value`` as ``json.dumps(indent=2)`` writes it ``depth`` levels down (a JSON string
    holds no raw newline, so every newline is the layout's)."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)


def _run_json(run: RunInfo) -> dict[str, JSON]:
    return {
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "tool": "rollcall",
        "tool_version": run.tool_version,
        "as_of": run.as_of.isoformat(),
        "inventory": {"path": run.inventory_path, "sha256": run.inventory_sha256},
        "policy_packs": [{"path": p, "sha256": h} for p, h in run.policy_packs],
        "complete": run.complete,
        "offline": run.offline,
        "run_id": run.run_id,
        "replay_of": run.replay_of,
    }


def _summary_json(result: AuditResult) -> dict[str, JSON]:
    s = summarize(result)
    return {
        "accounts": s.accounts_total,
        "accounts_by_observation": {k: s.accounts_by_state[k] for k in OBSERVATION_STATES},
        "findings": s.findings_total,
        "findings_by_status": {st.value: s.by_status[st] for st in STATUSES},
        "findings_by_severity": {
            sv.value: {st.value: s.by_severity[sv][st] for st in STATUSES} for sv in SEVERITIES
        },
        "passed": s.passed,
        "discoveries_by_classification": {c.value: s.discoveries[c] for c in Classification},
    }


def _account_json(a: AccountResult, passed: Sequence[str]) -> dict[str, JSON]:
    return {
        "id": a.account.id,
        "platform": a.account.platform.value,
        "handle": a.account.handle,
        "profile_url": a.profile_url,
        "status": a.account.status.value,
        "department": a.account.department,
        "owner": a.account.owner,
        "location": _location(a.account.location),
        "observation": observation_json(a.observation),
        "last_known_good": observation_json(a.last_known_good),
        "passed": list(passed),
    }


def _rule_json(r: RuleInfo) -> dict[str, JSON]:
    return {
        "id": r.id,
        "title": r.title,
        "severity": r.severity.value,
        "category": r.category,
        "rationale": r.rationale,
        "remediation": r.remediation,
        "references": list(r.references),
    }


@register(Document.AUDIT, ReportFormat.JSON)
@dataclass(frozen=True)
class JsonFormatter:
    """The JSON report; ``include_passed`` adds the long ``passed`` array (--include-passed).
    Files are streamed (:meth:`write`), never rendered whole."""

    include_passed: bool = False
    name: ClassVar[str] = "json"

    def render(
        self, result: AuditResult, *, color: bool | None = None, width: int | None = None
    ) -> str:
        buffer = io.StringIO()
        write_report(result, buffer, include_passed=self.include_passed)
        return buffer.getvalue()

    def write(
        self,
        result: AuditResult,
        out: TextIO,
        *,
        color: bool | None = None,
        width: int | None = None,
    ) -> None:
        write_report(result, out, include_passed=self.include_passed)
