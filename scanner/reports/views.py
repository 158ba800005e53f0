"""Derived views of an AuditResult that several formats share: counts, ordering, evidence text,
observation fields. Pure functions; no format-specific escaping happens here."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from scanner import humanize
from scanner.model import (
    JSON,
    AccountResult,
    AuditResult,
    Classification,
    Finding,
    FindingStatus,
    Observation,
    ObservationStatus,
    RuleInfo,
    RunInfo,
    Severity,
    finding_order,
    not_evaluated,
    unverified_accounts,
)
from scanner.serialize import extracted_json, iso, observation_fields

__all__ = [
    "NOT_OBSERVED",
    "OBSERVATION_STATES",
    "SEVERITIES",
    "TrendPoint",
    "STATUSES",
    "Summary",
    "as_of_text",
    "by_severity",
    "days_since_activity",
    "evidence_summary",
    "extracted_json",
    "finding_order",
    "first_seen",
    "iso",
    "last_activity",
    "listed_findings",
    "observation_fields",
    "observation_json",
    "observation_state",
    "open_days",
    "open_text",
    "rule_index",
    "summarize",
    "trend_series",
    "unverified_reason",
]

SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))
"""Most severe first."""
STATUSES: tuple[FindingStatus, ...] = (
    FindingStatus.FAIL,
    FindingStatus.WAIVED,
    FindingStatus.ERROR,
    FindingStatus.WARN,
)
"""The statuses a listed finding can have (PASS results are not findings)."""
NOT_OBSERVED = "not_observed"
OBSERVATION_STATES: tuple[str, ...] = (*(s.value for s in ObservationStatus), NOT_OBSERVED)
"""The five observation states, plus "not observed" for offline runs and planned accounts."""


def by_severity(findings: Iterable[Finding]) -> dict[Severity, list[Finding]]:
    """Findings grouped most severe first; every severity present as a key."""
    groups: dict[Severity, list[Finding]] = {s: [] for s in SEVERITIES}
    for f in sorted(findings, key=finding_order):
        groups[f.severity].append(f)
    return groups


def observation_state(account: AccountResult) -> str:
    return account.observation.status.value if account.observation else NOT_OBSERVED


@dataclass(frozen=True)
class Summary:
    accounts_total: int
    accounts_by_state: Mapping[str, int]
    findings_total: int
    by_status: Mapping[FindingStatus, int]
    by_severity: Mapping[Severity, Mapping[FindingStatus, int]]
    passed: int
    discoveries: Mapping[Classification, int]
    unverified_accounts: int
    """Audited accounts the run could not verify (``scanner.model.unverified_accounts``)."""
    not_evaluated: int
    """Of the ``error`` findings, the live checks the run never made (``model.not_evaluated``):
    all of them in an offline run."""

    @property
    def failing(self) -> int:
        return self.by_status[FindingStatus.FAIL]

    def unverified_checks(self) -> str:
        """The ``error`` findings for people: ``213 live checks not evaluated`` (offline),
        ``4 unverified checks``, or both when a replay lacked some accounts' evidence."""
        erred = self.by_status[FindingStatus.ERROR]
        skipped = humanize.count(self.not_evaluated, "live check") + " not evaluated"
        if not self.not_evaluated:
            return humanize.count(erred, "unverified check")
        if self.not_evaluated == erred:
            return skipped
        return f"{humanize.count(erred, 'unverified check')} ({skipped})"


def summarize(result: AuditResult) -> Summary:
    states = dict.fromkeys(OBSERVATION_STATES, 0)
    for a in result.accounts:
        states[observation_state(a)] += 1
    by_status = dict.fromkeys(STATUSES, 0)
    by_sev: dict[Severity, dict[FindingStatus, int]] = {
        s: dict.fromkeys(STATUSES, 0) for s in SEVERITIES
    }
    for f in result.findings:
        if f.status is FindingStatus.PASS:
            continue
        by_status[f.status] += 1
        by_sev[f.severity][f.status] += 1
    discoveries = dict.fromkeys(Classification, 0)
    for d in result.discoveries:
        discoveries[d.classification] += 1
    return Summary(
        accounts_total=len(result.accounts),
        accounts_by_state=states,
        findings_total=sum(by_status.values()),
        by_status=by_status,
        by_severity=by_sev,
        passed=len(result.passed),
        discoveries=discoveries,
        unverified_accounts=len(unverified_accounts(result.accounts, result.findings)),
        not_evaluated=sum(1 for f in result.findings if not_evaluated(f)),
    )


def unverified_reason(account: AccountResult) -> str:
    """Why an account of ``unverified_accounts`` is unverified, in a few words."""
    obs = account.observation
    if obs is None:
        return "not observed, so its live checks were not evaluated"
    return obs.reason.text if obs.reason else obs.signal or ""


def listed_findings(result: AuditResult) -> list[Finding]:
    """The findings a report lists (never PASS), most severe first."""
    return sorted(
        (f for f in result.findings if f.status is not FindingStatus.PASS), key=finding_order
    )


def rule_index(result: AuditResult) -> dict[str, RuleInfo]:
    """Rules by id, including a descriptor made from the finding for a rule the evaluation did
    not list (discovery findings come from another stage)."""
    rules = {r.id: r for r in result.rules}
    for f in result.findings:
        if f.rule_id not in rules:
            rules[f.rule_id] = RuleInfo(
                id=f.rule_id,
                title=f.title,
                severity=f.severity,
                category=f.category,
                rationale=f.title,
                remediation=f.remediation,
            )
    return rules


def first_seen(result: AuditResult, finding: Finding) -> datetime | None:
    if result.baseline is None:
        return None
    return result.baseline.first_seen.get(finding.fingerprint)


def _scalar(value: JSON) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def evidence_summary(finding: Finding, limit: int = 300) -> str:
    """``key=value; key=value`` over the evidence, in key order, shortened to ``limit``: machine
    values (JSON, ISO 8601) for CSV; people read ``scanner.humanize.evidence_lines``."""
    text = "; ".join(f"{k}={_scalar(v)}" for k, v in sorted(finding.evidence.items()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def last_activity(account: AccountResult) -> datetime | None:
    """Last activity seen now, else from the last known good observation."""
    for obs in (account.observation, account.last_known_good):
        if obs is not None and obs.last_activity_at is not None:
            return obs.last_activity_at
    return None


def days_since_activity(account: AccountResult, as_of: date) -> int | None:
    when = last_activity(account)
    if when is None:
        return None
    day = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).date()
    return max((as_of - day).days, 0)


def observation_json(obs: Observation | None) -> dict[str, JSON] | None:
    """Every Observation field as JSON (the report contract's ``observation`` object)."""
    return None if obs is None else observation_fields(obs)


@dataclass(frozen=True)
class TrendPoint:
    label: str
    open_by_severity: Mapping[str, int]
    accounts_by_state: Mapping[str, int]
    offline: bool = False
    """An offline run: its live checks were not made, so its counts are shown, never compared."""


def _counts(entry: Mapping[str, JSON], *keys: str) -> dict[str, int]:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, dict):
            return {str(k): int(v) for k, v in value.items() if isinstance(v, int | float)}
    return {}


def trend_series(result: AuditResult) -> list[TrendPoint]:
    """The history's trend rows in run order. Each row is read as ``{run_id, started_at,
    offline, open_by_severity: {severity: n}, accounts_by_state: {state: n}}``
    (``open_findings`` and ``observations``, the history store's names, are accepted too)."""
    points = []
    for i, entry in enumerate(result.trends, start=1):
        started = entry.get("started_at")
        run_id = entry.get("run_id")
        label = str(started)[:10] if isinstance(started, str) else f"run {run_id or i}"
        points.append(
            TrendPoint(
                label=label,
                open_by_severity=_counts(entry, "open_findings", "open_by_severity"),
                accounts_by_state=_counts(entry, "observations", "accounts_by_state"),
                offline=entry.get("offline") is True,
            )
        )
    return points


def open_days(result: AuditResult, first_seen: datetime) -> int:
    """How long a finding has been open: wall-clock days from the run that first saw it to this
    run (not ``as_of``, which may be a past evaluation date)."""
    return max((result.run.started_at - first_seen).days, 0)


def as_of_text(run: RunInfo) -> str:
    """``as of 2026-11-15``, with the run's own time when it took place on another day (an audit
    of a past date: ``as of 2026-11-15, run on 2026-12-02 19:03 UTC``), so a "first seen" date
    after the as-of date reads as what it is."""
    text = f"as of {humanize.day(run.as_of)}"
    if humanize.day(run.started_at) != humanize.day(run.as_of):
        text += f", run on {humanize.moment(run.started_at)}"
    return text


def open_text(result: AuditResult, first_seen: datetime) -> str:
    """How long a finding has been open, and the run that first saw it:
    ``open 3 days, first seen 2026-11-12``."""
    days = humanize.count(open_days(result, first_seen), "day")
    return f"open {days}, first seen {humanize.day(first_seen)}"
