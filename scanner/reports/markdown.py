"""Markdown fit for a pull-request comment: summary, findings by severity, collapsed evidence.
Fetched text is stripped of escapes, its Markdown and HTML neutralized, and ``@`` defused."""

from __future__ import annotations

from scanner import humanize
from scanner.humanize import count
from scanner.model import AuditResult, Finding, FindingStatus, unverified_accounts
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.longtail import TITLE as TAIL_TITLE
from scanner.reports.longtail import tail_summary, tail_unverified
from scanner.reports.sanitize import markdown_text, truncate
from scanner.reports.views import (
    SEVERITIES,
    STATUSES,
    as_of_text,
    by_severity,
    listed_findings,
    observation_state,
    open_text,
    summarize,
    unverified_reason,
)

__all__ = ["MarkdownFormatter"]


def md(value: object, limit: int = 200) -> str:
    return markdown_text(truncate("" if value is None else str(value), limit))


def _finding_row(f: Finding) -> str:
    waiver = f" (waiver {md(f.waiver.id)} until {f.waiver.expires})" if f.waiver else ""
    return (
        f"| {md(f.rule_id)} | {f.status.value} | {md(f.account_id or '-')} | "
        f"{f.platform.value if f.platform else '-'} | {md(f.handle or '-')} | {md(f.message)}{waiver} |"
    )


def _evidence(f: Finding) -> list[str]:
    lines = [f"- **{md(f.rule_id)}** {md(f.account_id or f.handle or '-')}:"]
    for line in humanize.evidence_lines(f.evidence):
        if line.items:
            lines.append(f"  - {md(line.key, 60)}:")
            lines.extend(f"    - {md(item, 300)}" for item in line.items)
        else:
            lines.append(f"  - {md(line.key, 60)}: {md(line.text, 300)}")
    if f.remediation:
        lines.append(f"  - remediation: {md(f.remediation, 300)}")
    return lines


COMMENT_LIMIT = 60_000
"""GitHub rejects comments over 65,536 characters; stay below with room for a CI wrapper."""


@register(Document.AUDIT, ReportFormat.MARKDOWN)
class MarkdownFormatter:
    name = "markdown"

    def render(
        self, result: AuditResult, *, color: bool | None = None, width: int | None = None
    ) -> str:
        """The full comment; when it would be too long for a PR comment, the collapsed evidence
        goes first, then table rows beyond what fits (with a note saying how many)."""
        text = self._render(result, evidence=True, max_rows=None)
        if len(text) <= COMMENT_LIMIT:
            return text
        text = self._render(result, evidence=False, max_rows=None)
        rows = 200
        while len(text) > COMMENT_LIMIT and rows > 5:
            text = self._render(result, evidence=False, max_rows=rows)
            rows //= 2
        return text

    def _render(self, result: AuditResult, *, evidence: bool, max_rows: int | None) -> str:
        out = _summary(result)
        out.extend(_severity_sections(result, evidence=evidence, max_rows=max_rows))
        out.extend(_baseline_section(result))
        out.extend(_unverified_section(result))
        out.extend(_long_tail_section(result, max_rows=max_rows))
        return "\n".join(out) + "\n"


def _summary(result: AuditResult) -> list[str]:
    """The heading, the one-line verdict and the severity-by-status count table."""
    s = summarize(result)
    org = md(result.inventory.organization.name)
    out = [f"## Rollcall audit: {org} ({as_of_text(result.run)})", ""]
    failing = ", ".join(
        f"{s.by_severity[sv][FindingStatus.FAIL]} {sv.value}"
        for sv in SEVERITIES
        if s.by_severity[sv][FindingStatus.FAIL]
    )
    out.append(
        f"**{s.failing} failing**"
        + (f" ({failing})" if failing else "")
        + f" · {s.by_status[FindingStatus.WAIVED]} waived"
        + f" · {s.unverified_checks()}"
        + f" · {count(s.by_status[FindingStatus.WARN], 'warning')}"
        + f" · {count(s.accounts_total, 'account')}, {s.unverified_accounts} unverified"
    )
    if not result.run.complete:
        out.append("")
        out.append(
            "> **Incomplete:** too many accounts could not be verified to trust this verdict."
        )
    out.extend(["", "| severity | " + " | ".join(st.value for st in STATUSES) + " |"])
    out.append("|---|" + "---:|" * len(STATUSES))
    for sv in SEVERITIES:
        out.append(
            f"| {sv.value} | " + " | ".join(str(s.by_severity[sv][st]) for st in STATUSES) + " |"
        )
    out.append("")
    return out


def _severity_sections(result: AuditResult, *, evidence: bool, max_rows: int | None) -> list[str]:
    """One section per severity with findings: a table (cut at ``max_rows``), then evidence."""
    out: list[str] = []
    for severity, group in by_severity(listed_findings(result)).items():
        if not group:
            continue
        out.append(f"### {severity.value.capitalize()} ({len(group)})")
        out.append("")
        out.append("| rule | status | account | platform | handle | message |")
        out.append("|---|---|---|---|---|---|")
        shown = group if max_rows is None else group[:max_rows]
        out.extend(_finding_row(f) for f in shown)
        if len(shown) < len(group):
            out.append("")
            out.append(
                f"_…and {len(group) - len(shown)} more {severity.value} "
                f"{humanize.noun(len(group) - len(shown), 'finding')}; "
                "see the JSON or HTML report._"
            )
        if evidence:
            out.extend(["", "<details><summary>Evidence</summary>", ""])
            for f in group:
                out.extend(_evidence(f))
            out.extend(["", "</details>"])
        else:
            out.extend(
                ["", "_Evidence left out to fit a PR comment; see the JSON or HTML report._"]
            )
        out.append("")
    return out


def _baseline_section(result: AuditResult) -> list[str]:
    """The "Since the last audit" section: new, still open and resolved; empty without a baseline."""
    base = result.baseline
    if base is None:
        return []
    index = {f.fingerprint: f for f in result.findings}
    out = ["### Since the last audit", ""]
    out.append(
        f"Compared with run {base.previous_run_id} ({humanize.moment(base.previous_started_at)}): "
        f"**{len(base.new)} new**, {len(base.still_open)} still open, {len(base.resolved)} resolved."
    )
    out.append("")
    for label, prints in (("New", base.new), ("Still open", base.still_open)):
        found = [index[p] for p in prints if p in index]
        if not found:
            continue
        out.append(f"<details><summary>{label} ({len(found)})</summary>")
        out.append("")
        for f in found:
            seen = base.first_seen.get(f.fingerprint)
            age = "" if seen is None else f" — {open_text(result, seen)}"
            out.append(
                f"- {md(f.rule_id)} {md(f.account_id or f.handle or '-')}: {md(f.message)}{age}"
            )
        out.extend(["", "</details>", ""])
    if base.resolved:
        out.append(f"<details><summary>Resolved ({len(base.resolved)})</summary>")
        out.append("")
        out.extend(
            f"- {md(f.rule_id)} {md(f.account_id or f.handle or '-')}: {md(f.message)}"
            for f in base.resolved
        )
        out.extend(["", "</details>", ""])
    return out


def _unverified_section(result: AuditResult) -> list[str]:
    """A count of accounts never observed, then a table of those observed but not verified."""
    out: list[str] = []
    unverified = unverified_accounts(result.accounts, result.findings)
    # Accounts never observed (offline) are not listed one by one: no account has more to say.
    unseen = sum(1 for a in unverified if a.observation is None)
    if unseen:
        out.append(
            f"_{count(unseen, 'account')} not observed: their live checks were not evaluated._"
        )
        out.append("")
    unverified = tuple(a for a in unverified if a.observation is not None)
    if not unverified:
        return out
    out.append(f"### Unverified accounts ({len(unverified)})")
    out.append("")
    out.append("| account | platform | handle | state | reason | last known good (UTC) |")
    out.append("|---|---|---|---|---|---|")
    for a in unverified:
        reason = unverified_reason(a)
        good = a.last_known_good
        good_text = f"{good.status.value}, {humanize.minute(good.fetched_at)}" if good else "none"
        out.append(
            f"| {md(a.account.id)} | {a.account.platform.value} | {md(a.account.handle)} | "
            f"{observation_state(a)} | {md(reason)} | {good_text} |"
        )
    out.append("")
    return out


def _long_tail_section(result: AuditResult, *, max_rows: int | None) -> list[str]:
    """What the imported long-tail sites said (only when discovery asked some): the counts,
    then a table of the unverified answers with their reason (cut at ``max_rows``)."""
    hits = result.site_hits
    if not hits:
        return []
    out = [f"### {TAIL_TITLE}", "", md(tail_summary(hits)), ""]
    unverified = tail_unverified(hits)
    if not unverified:
        return out
    shown = unverified if max_rows is None else unverified[:max_rows]
    out.append(f"Unverified sites ({len(unverified)}):")
    out.extend(["", "| state | site | handle | reason |", "|---|---|---|---|"])
    out.extend(f"| {r.state} | {md(r.site)} | {md(r.handle)} | {md(r.note)} |" for r in shown)
    if len(shown) < len(unverified):
        rest = len(unverified) - len(shown)
        out.extend(["", f"_…and {rest} more unverified; see the JSON or HTML report._"])
    out.append("")
    return out
