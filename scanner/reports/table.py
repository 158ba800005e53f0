"""Terminal report: findings grouped by severity (tabulate), a summary line, what changed since
the last audit, and the accounts that could not be verified. Colour only on a terminal."""

from __future__ import annotations

import os
import sys
from datetime import datetime

from tabulate import tabulate

from scanner.model import AuditResult, Finding, FindingStatus, Severity, unverified_accounts
from scanner.reports.interface import register
from scanner.reports.sanitize import strip_terminal, truncate
from scanner.reports.views import (
    SEVERITIES,
    by_severity,
    iso,
    listed_findings,
    observation_state,
    open_days,
    summarize,
    when,
)

__all__ = ["TableFormatter", "use_color"]

_SEVERITY_COLOR = {
    Severity.CRITICAL: "1;31",
    Severity.HIGH: "31",
    Severity.MEDIUM: "33",
    Severity.LOW: "36",
    Severity.INFO: "2",
}


def use_color(color: bool | None) -> bool:
    """Explicit choice wins, except that NO_COLOR (any value, https://no-color.org) always
    disables; otherwise colour only when stdout is a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if color is not None:
        return color
    return sys.stdout.isatty()


def _t(value: object, limit: int = 80) -> str:
    return truncate(strip_terminal("" if value is None else str(value)), limit)


@register("table")
class TableFormatter:
    name = "table"

    def render(self, result: AuditResult, *, color: bool | None = None) -> str:
        colored = use_color(color)

        def paint(text: str, code: str) -> str:
            return f"\x1b[{code}m{text}\x1b[0m" if colored else text

        org = _t(result.inventory.organization.name)
        lines = [f"Rollcall audit of {org} as of {result.run.as_of.isoformat()}", ""]
        listed = listed_findings(result)
        # Checks that could not be decided are grouped per account below, so an offline or
        # partly blocked run does not bury the real failures under rows of "error".
        findings = [f for f in listed if f.status is not FindingStatus.ERROR]
        errors = [f for f in listed if f.status is FindingStatus.ERROR]
        for severity, group in by_severity(findings).items():
            if not group:
                continue
            title = f"{severity.value.upper()} ({len(group)})"
            lines.append(paint(title, _SEVERITY_COLOR[severity]))
            rows = [
                [
                    f.rule_id,
                    f.status.value,
                    _t(f.platform.value if f.platform else "-"),
                    _t(f.handle or "-", 30),
                    _t(f.account_id or "-", 24),
                    _t(f.message, 70)
                    + (f" [waiver {_t(f.waiver.id)} until {f.waiver.expires}]" if f.waiver else ""),
                ]
                for f in group
            ]
            lines.append(
                tabulate(
                    rows,
                    headers=["rule", "status", "platform", "handle", "account", "message"],
                    tablefmt="simple",
                )
            )
            lines.append("")
        if not findings:
            lines.extend(["No findings.", ""])
        if errors:
            lines.extend([*self._undecided(errors), ""])

        lines.append(self._summary_line(result))
        if result.baseline is not None:
            lines.extend(["", *self._baseline(result)])
        unverified = unverified_accounts(result.accounts, result.findings)
        if unverified:
            lines.extend(["", f"Unverified accounts ({len(unverified)}):"])
            rows2 = []
            for a in unverified:
                obs = a.observation
                assert obs is not None
                reason = obs.reason.text if obs.reason else obs.signal or ""
                good = a.last_known_good
                rows2.append(
                    [
                        _t(a.account.id, 24),
                        a.account.platform.value,
                        _t(a.account.handle, 30),
                        observation_state(a),
                        _t(reason, 50),
                        f"{good.status.value} on {iso(good.fetched_at)}" if good else "none",
                    ]
                )
            lines.append(
                tabulate(
                    rows2,
                    headers=["account", "platform", "handle", "state", "reason", "last known good"],
                    tablefmt="simple",
                )
            )
        return "\n".join(lines) + "\n"

    @staticmethod
    def _undecided(errors: list[Finding]) -> list[str]:
        per_account: dict[str, list[Finding]] = {}
        for f in errors:
            per_account.setdefault(f.account_id or f.handle or "-", []).append(f)
        rows = [
            [
                _t(key, 24),
                _t(group[0].platform.value if group[0].platform else "-"),
                _t(group[0].handle or "-", 30),
                ", ".join(sorted({f.rule_id for f in group})),
            ]
            for key, group in sorted(per_account.items())
        ]
        title = (
            f"NOT VERIFIED ({len(errors)} checks on {len(per_account)} accounts:"
            " the facts they need could not be observed)"
        )
        return [
            title,
            tabulate(rows, headers=["account", "platform", "handle", "rules"], tablefmt="simple"),
        ]

    @staticmethod
    def _summary_line(result: AuditResult) -> str:
        s = summarize(result)
        sev = ", ".join(
            f"{s.by_severity[sv][FindingStatus.FAIL]} {sv.value}"
            for sv in SEVERITIES
            if s.by_severity[sv][FindingStatus.FAIL]
        )
        parts = [
            f"{s.accounts_total} accounts",
            f"{s.failing} failing" + (f" ({sev})" if sev else ""),
            f"{s.by_status[FindingStatus.WAIVED]} waived",
            f"{s.by_status[FindingStatus.ERROR]} unverified checks",
            f"{s.by_status[FindingStatus.WARN]} warning"
            + ("" if s.by_status[FindingStatus.WARN] == 1 else "s"),
            f"{s.unverified_accounts} accounts unverified",
        ]
        if not result.run.complete:
            parts.append("INCOMPLETE")
        return "Summary: " + " · ".join(parts)

    @staticmethod
    def _baseline(result: AuditResult) -> list[str]:
        base = result.baseline
        assert base is not None
        index = {f.fingerprint: f for f in result.findings}
        lines = [
            f"Since the last audit (run {base.previous_run_id}, {when(base.previous_started_at)}): "
            f"{len(base.new)} new, {len(base.still_open)} still open, {len(base.resolved)} resolved"
        ]

        def row(f: Finding, since: datetime | None) -> list[str]:
            age = "-" if since is None else f"{open_days(result, since)}d"
            return [
                f.rule_id,
                f.severity.value,
                _t(f.account_id or f.handle or "-", 24),
                _t(f.message, 60),
                age,
            ]

        for label, prints in (("New", base.new), ("Still open", base.still_open)):
            rows = [row(index[p], base.first_seen.get(p)) for p in prints if p in index]
            if rows:
                lines.append(f"{label}:")
                lines.append(
                    tabulate(
                        rows,
                        headers=["rule", "severity", "account", "message", "open for"],
                        tablefmt="simple",
                    )
                )
        if base.resolved:
            lines.append("Resolved:")
            rows = [
                [
                    f.rule_id,
                    f.severity.value,
                    _t(f.account_id or f.handle or "-", 24),
                    _t(f.message, 60),
                ]
                for f in base.resolved
            ]
            lines.append(
                tabulate(
                    rows, headers=["rule", "severity", "account", "message"], tablefmt="simple"
                )
            )
        return lines
