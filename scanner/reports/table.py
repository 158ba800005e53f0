"""Terminal report: findings grouped by severity, a summary line, what changed since the last
audit, and the accounts that could not be verified; every table fitted to the width by
``layout``. Colour only on a terminal."""

from __future__ import annotations

import io
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TextIO

from scanner import humanize
from scanner.humanize import count
from scanner.model import (
    AuditResult,
    Finding,
    FindingStatus,
    Severity,
    not_evaluated,
    unverified_accounts,
)
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.layout import (
    DEFAULT_WIDTH,
    Align,
    Column,
    Overflow,
    fit,
    render_table,
    wrap_parts,
    wrap_text,
)
from scanner.reports.longtail import TITLE as TAIL_TITLE
from scanner.reports.longtail import tail_summary, tail_unverified
from scanner.reports.views import (
    SEVERITIES,
    as_of_text,
    by_severity,
    listed_findings,
    observation_state,
    open_days,
    summarize,
    unverified_reason,
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


# Each table's columns and their priorities (1: never dropped): on a narrow terminal the layout
# drops the highest number first. The handle says more to a reader than the inventory's own id.
_FINDING_COLUMNS = (
    Column("rule"),
    Column("status"),
    Column("platform", priority=3),
    Column("handle", priority=2, min_width=14),
    Column("account", priority=4),
    Column("message", min_width=30),
)
_UNDECIDED_COLUMNS = (
    Column("account"),
    Column("platform", priority=3),
    Column("handle", priority=2, min_width=14),
    Column("rules", min_width=16),
)
_BASELINE_COLUMNS = (
    Column("rule"),
    Column("severity", priority=2),
    Column("account", priority=3),
    Column("message", min_width=30),
    Column("open for", align=Align.RIGHT, priority=2),
)
_RESOLVED_COLUMNS = _BASELINE_COLUMNS[:4]
_UNVERIFIED_COLUMNS = (
    Column("account"),
    Column("platform", priority=3),
    Column("handle", priority=2, min_width=14),
    Column("state"),
    Column("reason", min_width=24),
    Column("last known good (UTC)", priority=4, min_width=16),
)

# One line per unverified long-tail site: every cell is cut to fit rather than wrapped.
_SITE_COLUMNS = (
    Column("state", overflow=Overflow.TRUNCATE, min_width=7),
    Column("site", overflow=Overflow.TRUNCATE, min_width=16),
    Column("handle", priority=2, overflow=Overflow.TRUNCATE, min_width=12),
    Column("reason", overflow=Overflow.TRUNCATE, min_width=24),
)
SITES_LISTED = 10
"""Unverified long-tail sites listed in the terminal; the JSON and HTML reports list them all."""


@register(Document.AUDIT, ReportFormat.TABLE)
class TableFormatter:
    name = "table"

    def render(
        self, result: AuditResult, *, color: bool | None = None, width: int | None = DEFAULT_WIDTH
    ) -> str:
        """``width``: display columns a line may use (the CLI passes the terminal's), None for
        ``--wide``; the default is what files get."""
        out = io.StringIO()
        self.write(result, out, color=color, width=width)
        return out.getvalue()

    def write(
        self,
        result: AuditResult,
        out: TextIO,
        /,
        *,
        color: bool | None = None,
        width: int | None = DEFAULT_WIDTH,
    ) -> None:
        """:meth:`render` line by line: the table of 200,000 findings of a franchise audit is
        never held as one string (nor as its rows)."""
        org = result.inventory.organization.name
        out.write(wrap_text(f"Rollcall audit of {org} {as_of_text(result.run)}", width) + "\n\n")
        for line in self._findings(result, use_color(color), width):
            out.write(line + "\n")
        lines = [wrap_parts(self._summary_parts(result), width)]
        if result.baseline is not None:
            lines.extend(["", *self._baseline(result, width)])
        lines.extend(self._unverified(result, width))
        lines.extend(self._long_tail(result, width))
        out.write("\n".join(lines) + "\n")

    def _findings(self, result: AuditResult, colored: bool, width: int | None) -> Iterator[str]:
        """A table per severity (one layout for all), then the undecided checks per account.
        Rows are made twice (to fit the columns, then to print them), never kept."""

        def paint(text: str, code: str) -> str:
            return f"\x1b[{code}m{text}\x1b[0m" if colored else text

        listed = listed_findings(result)
        # Checks that could not be decided are grouped per account below, so an offline or
        # partly blocked run does not bury the real failures under rows of "error".
        findings = [f for f in listed if f.status is not FindingStatus.ERROR]
        errors = [f for f in listed if f.status is FindingStatus.ERROR]
        groups = by_severity(findings)
        # One layout for every severity group, so their columns line up.
        every = (self._finding_row(f) for group in groups.values() for f in group)
        layout = fit(_FINDING_COLUMNS, every, width)
        for severity, group in groups.items():
            if not group:
                continue
            yield paint(f"{severity.value.upper()} ({_tally(group)})", _SEVERITY_COLOR[severity])
            yield from layout.lines(self._finding_row(f) for f in group)
            yield ""
        hidden = layout.note()
        if findings and hidden:
            yield from (hidden, "")
        if not findings:
            yield from ("No findings.", "")
        if errors:
            yield from (*self._undecided(errors, width), "")

    @staticmethod
    def _unverified(result: AuditResult, width: int | None) -> list[str]:
        """How many accounts were never observed, then a table of those observed but unverified."""
        lines: list[str] = []
        unverified = unverified_accounts(result.accounts, result.findings)
        # Accounts never observed (offline) are listed above with the checks not evaluated.
        unseen = sum(1 for a in unverified if a.observation is None)
        if unseen:
            lines.extend(
                [
                    "",
                    wrap_text(
                        f"{count(unseen, 'account')} not observed:"
                        " their live checks were not evaluated.",
                        width,
                    ),
                ]
            )
        unverified = tuple(a for a in unverified if a.observation is not None)
        if not unverified:
            return lines
        lines.extend(["", f"Unverified accounts ({len(unverified)}):"])
        rows = []
        for a in unverified:
            good = a.last_known_good
            rows.append(
                [
                    a.account.id,
                    a.account.platform.value,
                    a.account.handle,
                    observation_state(a),
                    unverified_reason(a),
                    f"{good.status.value} on {humanize.minute(good.fetched_at)}"
                    if good
                    else "none",
                ]
            )
        lines.append(render_table(_UNVERIFIED_COLUMNS, rows, width))
        return lines

    @staticmethod
    def _long_tail(result: AuditResult, width: int | None) -> list[str]:
        """What the imported long-tail sites said (only when discovery asked some): the counts,
        then the first unverified answers with their reason, one line each."""
        hits = result.site_hits
        if not hits:
            return []
        lines = ["", wrap_text(f"{TAIL_TITLE}: {tail_summary(hits)}", width)]
        unverified = tail_unverified(hits)
        if not unverified:
            return lines
        shown = unverified[:SITES_LISTED]
        lines.append(f"Unverified sites ({len(unverified)}):")
        rows = [[r.state, r.site, r.handle, r.note] for r in shown]
        lines.append(render_table(_SITE_COLUMNS, rows, width))
        if len(unverified) > len(shown):
            lines.append(f"… and {len(unverified) - len(shown)} more (see --format json)")
        return lines

    @staticmethod
    def _finding_row(f: Finding) -> list[str]:
        waiver = f" [waiver {f.waiver.id} until {f.waiver.expires}]" if f.waiver else ""
        return [
            f.rule_id,
            f.status.value,
            f.platform.value if f.platform else "-",
            f.handle or "-",
            f.account_id or "-",
            f.message + waiver,
        ]

    @staticmethod
    def _undecided(errors: list[Finding], width: int | None) -> list[str]:
        per_account: dict[str, list[Finding]] = {}
        for f in errors:
            per_account.setdefault(f.account_id or f.handle or "-", []).append(f)
        rows = [
            [
                key,
                group[0].platform.value if group[0].platform else "-",
                group[0].handle or "-",
                ", ".join(sorted({f.rule_id for f in group})),
            ]
            for key, group in sorted(per_account.items())
        ]
        title = (
            f"NOT VERIFIED ({count(len(errors), 'check')} on {count(len(per_account), 'account')}:"
            " the facts they need could not be observed)"
        )
        if all(not_evaluated(f) for f in errors):
            title = (
                f"NOT EVALUATED ({count(len(errors), 'live check')} on "
                f"{count(len(per_account), 'account')}: the run did not observe them)"
            )
        return [wrap_text(title, width), render_table(_UNDECIDED_COLUMNS, rows, width)]

    @staticmethod
    def _summary_parts(result: AuditResult) -> list[str]:
        """The summary line's parts: it wraps between them, never inside one."""
        s = summarize(result)
        sev = ", ".join(
            f"{s.by_severity[sv][FindingStatus.FAIL]} {sv.value}"
            for sv in SEVERITIES
            if s.by_severity[sv][FindingStatus.FAIL]
        )
        parts = [
            count(s.accounts_total, "account"),
            f"{count(s.failing, 'failing finding')}" + (f" ({sev})" if sev else ""),
            f"{s.by_status[FindingStatus.WAIVED]} waived",
            s.unverified_checks(),
            count(s.by_status[FindingStatus.WARN], "warning"),
            f"{count(s.unverified_accounts, 'account')} unverified",
        ]
        if not result.run.complete:
            parts.append("INCOMPLETE")
        return ["Summary: " + parts[0], *parts[1:]]

    @staticmethod
    def _baseline(result: AuditResult, width: int | None) -> list[str]:
        base = result.baseline
        assert base is not None
        index = {f.fingerprint: f for f in result.findings}
        lines = [
            wrap_text(
                f"Since the last audit (run {base.previous_run_id}, "
                f"{humanize.moment(base.previous_started_at)}): "
                f"{len(base.new)} new, {len(base.still_open)} still open, "
                f"{len(base.resolved)} resolved",
                width,
            )
        ]

        def row(f: Finding, since: datetime | None) -> list[str]:
            age = "-" if since is None else f"{open_days(result, since)}d"
            return [
                f.rule_id,
                f.severity.value,
                f.account_id or f.handle or "-",
                f.message,
                age,
            ]

        for label, prints in (("New", base.new), ("Still open", base.still_open)):
            rows = [row(index[p], base.first_seen.get(p)) for p in prints if p in index]
            if rows:
                lines.append(f"{label}:")
                lines.append(render_table(_BASELINE_COLUMNS, rows, width))
        if base.resolved:
            lines.append("Resolved:")
            rows = [
                [
                    f.rule_id,
                    f.severity.value,
                    f.account_id or f.handle or "-",
                    f.message,
                ]
                for f in base.resolved
            ]
            lines.append(render_table(_RESOLVED_COLUMNS, rows, width))
        return lines


_TALLIED = {FindingStatus.FAIL: "failing", FindingStatus.WARN: "warning"}


def _tally(group: Sequence[Finding]) -> str:
    """A severity group's count, split when not every finding fails (so it adds up with the
    summary line, which counts failing ones): ``16`` or ``15 failing, 1 waived``."""
    counts = Counter(f.status for f in group)
    if set(counts) == {FindingStatus.FAIL}:
        return str(len(group))
    return ", ".join(f"{counts[s]} {_TALLIED.get(s, s.value)}" for s in FindingStatus if counts[s])
