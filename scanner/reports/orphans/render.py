"""The orphaned-page report rendered: a table fitted to the terminal, Markdown (a PR comment), one
offline HTML page, CSV and JSON, each carrying every page's urgency, action, who must act, due date and
age, and "could not check" where a fact was not established."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from scanner import humanize
from scanner.model import JSON
from scanner.reports.htmlpage import e, page, safe_href
from scanner.reports.interface import Document, ReportFormat, register, render
from scanner.reports.layout import Align, Column, render_table, wrap_text
from scanner.reports.orphans.report import (
    OUTSIDE,
    AgeState,
    Contact,
    OrphanEntry,
    OrphanReport,
    describe,
)
from scanner.reports.sanitize import csv_cell, json_safe, markdown_text
from scanner.reports.views import iso

__all__ = [
    "CSV_COLUMNS",
    "TABLE_COLUMNS",
    "OrphanCsv",
    "OrphanHtml",
    "OrphanJson",
    "OrphanMarkdown",
    "OrphanTable",
    "render_orphans",
]


def render_orphans(report: OrphanReport, fmt: str, *, width: int | None = None) -> str:
    """Shorthand for ``interface.render(Document.ORPHANS, ...)``: ``table`` is fitted to
    ``width`` display columns (None: every column, unwrapped)."""
    return render(Document.ORPHANS, report, fmt, width=width)


@register(Document.ORPHANS, ReportFormat.TABLE)
class OrphanTable:
    def render(
        self, report: OrphanReport, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        return _table(report, width)


@register(Document.ORPHANS, ReportFormat.JSON)
class OrphanJson:
    def render(
        self, report: OrphanReport, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        return _json(report)


@register(Document.ORPHANS, ReportFormat.MARKDOWN)
class OrphanMarkdown:
    def render(
        self, report: OrphanReport, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        return _markdown(report)


@register(Document.ORPHANS, ReportFormat.HTML)
class OrphanHtml:
    def render(
        self, report: OrphanReport, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        return _html(report)


@register(Document.ORPHANS, ReportFormat.CSV)
class OrphanCsv:
    def render(
        self, report: OrphanReport, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        return _csv(report)


def _page_lines(entry: OrphanEntry) -> tuple[str, str]:
    if entry.account_id is None:
        return f"{entry.platform} {entry.handle}", OUTSIDE
    return entry.account_id, f"{entry.platform} {entry.handle}"


def _due_lines(entry: OrphanEntry) -> tuple[str, ...]:
    return (humanize.day(entry.due), "overdue") if entry.overdue else (humanize.day(entry.due),)


def _due_rule(report: OrphanReport) -> str:
    """How due dates are set, in one sentence."""
    days = ", ".join(
        f"{s.value} {humanize.count(report.due_days[s], 'day')}"
        for s in sorted(report.due_days, reverse=True)
    )
    return (
        f"Due dates count from when a problem was first seen (this audit when the history cannot"
        f" tell): {days}."
    )


# Essential columns (priority 1) are never dropped; the others go from the highest number down.
TABLE_COLUMNS = (
    Column("#", align=Align.RIGHT, min_width=2),
    Column("page", min_width=12),
    Column("priority", priority=2, min_width=8),
    Column("action", min_width=14),
    Column("who must act", min_width=14),
    Column("due", min_width=10),
    Column("age", priority=2, min_width=7),
    Column("last post", priority=3, min_width=10),
    Column("why listed", priority=4, min_width=16),
    Column("department", priority=5, min_width=10),
)


def _table(report: OrphanReport, width: int | None) -> str:
    out = [
        wrap_text(f"Orphaned pages: {report.organization} (as of {report.as_of})", width),
        "",
        wrap_text(report.summary, width),
        "",
    ]
    if report.policy_owner:
        out += [wrap_text(f"Policy owner: {report.policy_owner}", width), ""]
    if not report.entries:
        return "\n".join([*out, "Nothing to act on.", ""])
    rows = [
        (
            rank,
            _page_lines(x),
            x.priority,
            (x.action.value, f"because: {x.because}"),
            x.act.lines,
            _due_lines(x),
            str(x.age),
            x.activity_text,
            x.why,
            x.department or OUTSIDE,
        )
        for rank, x in enumerate(report.entries, start=1)
    ]
    out += [render_table(TABLE_COLUMNS, rows, width), ""]
    out += [
        wrap_text(_due_rule(report), width),
        wrap_text("Evidence for every page: --format markdown or --format html.", width),
        "",
    ]
    return "\n".join(out)


def _md(value: object) -> str:
    return markdown_text("" if value is None else str(value))


def _md_cell(lines: Iterable[str]) -> str:
    return "<br>".join(_md(line) for line in lines)


def _markdown(report: OrphanReport) -> str:
    out = [
        f"# Orphaned pages: {_md(report.organization)} (as of {report.as_of})",
        "",
        _md(report.summary),
        "",
    ]
    if report.policy_owner:
        out += [f"Policy owner: {_md(report.policy_owner)}", ""]
    if not report.entries:
        return "\n".join([*out, "Nothing to act on.", ""])
    out += [
        _md(_due_rule(report)),
        "",
        "| # | page | priority | action | who must act | due | age | last post |",
        "| ---: | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rank, x in enumerate(report.entries, start=1):
        who = x.act.name or x.act.email or "unassigned"
        out.append(
            f"| {rank} | {_md_cell(_page_lines(x))} | {_md_cell(x.priority)}"
            f" | {_md(x.action.value)} | {_md(who)} | {_md_cell(_due_lines(x))}"
            f" | {_md(x.age)} | {_md(x.activity_text)} |"
        )
    out.append("")
    for rank, x in enumerate(report.entries, start=1):
        out += [f"## {rank}. {_md(x.key)} — {_md(x.platform)} {_md(x.handle)}", ""]
        out.append(f"- Recommended: **{_md(x.action.value)}** — because: {_md(x.because)}")
        out.append(f"- Who must act: **{_md(x.act)}**")
        due = f"**{humanize.day(x.due)}**" + (" (overdue)" if x.overdue else "")
        days = humanize.count(report.due_days[x.severity], "day")
        out.append(f"- Due: {due}; severity {x.severity.value}: {days}")
        out.append(f"- Age: {_md(x.age.explain())}")
        if x.urgency.label:
            out.append(f"- Urgency: {_md(x.urgency.explanation)}")
        out.append(f"- Last post: {_md(x.activity_text)}")
        out.append("- Why listed: " + "; ".join(_md(w) for w in x.why))
        if x.owner:
            out.append(f"- Owner: {_md(x.owner)}")
        if x.account_id is not None:
            sponsor = str(x.sponsor) if x.sponsor else "no executive sponsor"
            out.append(f"- Department: {_md(x.department or 'none')} — {_md(sponsor)}")
        if x.url:
            out.append(f"- Page: {_md(x.url)}")
        out.append("- Evidence:")
        out += [f"  - {_md(line)}" for line in x.evidence]
        out.append("")
    return "\n".join([*out, *_access_markdown(report)])


def _with_access(report: OrphanReport) -> list[tuple[int, OrphanEntry]]:
    return [(rank, x) for rank, x in enumerate(report.entries, start=1) if x.access]


def _access_markdown(report: OrphanReport) -> list[str]:
    """The access section: who holds each listed page and what is wrong with each holder."""
    listed = _with_access(report)
    if not listed:
        return []
    out = ["## Access", "", _md(ACCESS_INTRO), ""]
    for rank, x in listed:
        out.append(f"### {rank}. {_md(x.key)} — {_md(x.platform)} {_md(x.handle)}")
        out += ["", f"Who must act: **{_md(x.act)}**", ""]
        out += [f"- {_md(line)}" for line in x.access]
        out.append("")
    return out


ACCESS_INTRO = (
    "Who holds each listed page, as its platform's API listed them, matched to the HR roster;"
    " each holder says what is wrong, and the person named must fix it."
)


def _items(texts: Iterable[str]) -> str:
    return '<ul class="tight">' + "".join(f"<li>{e(t)}</li>" for t in texts) + "</ul>"


def _lines_html(texts: Iterable[str]) -> str:
    return "<br>".join(e(t) for t in texts)


def _html(report: OrphanReport) -> str:
    body = [f'<section id="summary"><h2>Summary</h2><p>{e(report.summary)}</p>']
    if report.policy_owner:
        body.append(f"<p>Policy owner: {e(report.policy_owner)}</p>")
    body.append(f"<p>{e(_due_rule(report))}</p>")
    body.append(
        '<table id="reason-counts"><thead><tr><th>reason</th><th class="num">pages</th></tr></thead><tbody>'
    )
    body += [
        f'<tr><td>{e(describe(r))}</td><td class="num">{n}</td></tr>'
        for r, n in report.counts.items()
        if n
    ]
    body.append("</tbody></table></section>")
    if report.entries:
        body.append('<section id="pages"><h2>Pages by urgency</h2>')
        body.append(
            '<div class="scroll"><table><thead><tr><th class="num">#</th><th>page</th>'
            "<th>priority</th><th>recommended action</th><th>who must act</th><th>due</th>"
            "<th>age</th><th>last post</th><th>why listed</th><th>owner</th><th>evidence</th>"
            "</tr></thead><tbody>"
        )
        for rank, x in enumerate(report.entries, start=1):
            body.append(_html_row(rank, x))
        body.append("</tbody></table></div></section>")
    else:
        body.append("<section><p>Nothing to act on.</p></section>")
    body += _access_html(report)
    title = f"Orphaned pages: {report.organization}"
    return page(title, f"As of {report.as_of}", "\n".join(body))


def _access_html(report: OrphanReport) -> list[str]:
    listed = _with_access(report)
    if not listed:
        return []
    body = [f'<section id="access"><h2>Access</h2><p>{e(ACCESS_INTRO)}</p>']
    for rank, x in listed:
        body.append(f"<h3>{rank}. {e(x.key)} — {e(x.platform)} {e(x.handle)}</h3>")
        body.append(f"<p>Who must act: <b>{e(x.act)}</b></p>{_items(x.access)}")
    body.append("</section>")
    return body


def _html_row(rank: int, x: OrphanEntry) -> str:
    href = safe_href(x.url)
    handle = (
        f'<a href="{href}" rel="noopener noreferrer nofollow">{e(x.handle)}</a>'
        if href
        else e(x.handle)
    )
    where = (
        e(x.department or "no department")
        if x.account_id
        else f'<span class="muted">{e(OUTSIDE)}</span>'
    )
    badge = f'<span class="sev sev-{x.severity.value}">{e(x.severity.value)}</span>'
    urgency = (
        f'<b title="{e(x.urgency.explanation)}">{e(x.urgency.label)}</b><br>'
        if x.urgency.label
        else ""
    )
    due = f"<b>{e(humanize.day(x.due))}</b>" + ("<br>overdue" if x.overdue else "")
    age = e(x.age)
    if x.age.state is not AgeState.NEW:
        age = f'<span title="{e(x.age.explain())}">{age}</span>'
    return (
        f'<tr><td class="num">{rank}</td>'
        f"<td><b>{e(x.key)}</b><br>{e(x.platform)} {handle}<br>{where}</td>"
        f'<td class="words">{urgency}{badge}</td>'
        f'<td class="words"><b>{e(x.action.value)}</b><br>because: {e(x.because)}</td>'
        f"<td>{_lines_html(x.act.lines)}</td>"
        f'<td class="nowrap">{due}</td><td class="nowrap">{age}</td>'
        f'<td class="words">{e(x.activity_text)}</td>'
        f"<td>{_items(x.why)}</td>"
        f"<td>{e(x.owner) if x.owner else '—'}</td>"
        f"<td>{_items(x.evidence)}</td></tr>"
    )


CSV_COLUMNS = (
    "rank",
    "urgency",
    "severity",
    "account_id",
    "platform",
    "handle",
    "url",
    "action",
    "action_reason",
    "act_role",
    "act_name",
    "act_email",
    "due",
    "overdue",
    "age",
    "age_days",
    "first_seen",
    "reasons",
    "department",
    "executive_sponsor",
    "owner",
    "owner_end_date",
    "activity",
    "last_activity",
    "observation_status",
    "observation_url",
    "fetched_at",
    "last_known_good",
    "evidence",
    "access",
)


def _csv(report: OrphanReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for rank, x in enumerate(report.entries, start=1):
        row = (
            str(rank),
            x.urgency.value,
            x.severity.value,
            x.account_id or "",
            x.platform,
            x.handle,
            x.url or "",
            x.action.value,
            x.because,
            x.act.role,
            x.act.name or "",
            x.act.email or "",
            iso(x.due) or "",
            "yes" if x.overdue else "no",
            x.age.state.value,
            str(x.age.days) if x.age.state is AgeState.OPEN else "",
            iso(x.age.since) or "",
            "; ".join(r.value for r in x.reasons),
            x.department or "",
            str(x.sponsor) if x.sponsor else "",
            str(x.owner) if x.owner else "",
            iso(x.owner_end_date) or "",
            x.activity.value,
            iso(x.last_activity or x.no_activity_since) or "",
            x.observation_status or "",
            x.observation_url or "",
            iso(x.fetched_at) or "",
            iso(x.last_known_good) or "",
            " | ".join(x.evidence),
            " | ".join(x.access),
        )
        writer.writerow(
            [csv_cell(c, handle=name == "handle") for name, c in zip(CSV_COLUMNS, row, strict=True)]
        )
    return out.getvalue()


def _contact_json(contact: Contact | None) -> JSON:
    if contact is None:
        return None
    return {"role": contact.role, "name": contact.name, "email": contact.email}


def _entry_json(rank: int, x: OrphanEntry) -> dict[str, JSON]:
    """The CSV's facts with their types: booleans, numbers, lists, nested people."""
    return {
        "rank": rank,
        "urgency": x.urgency.value,
        "severity": x.severity.value,
        "account_id": x.account_id,
        "platform": x.platform,
        "handle": x.handle,
        "url": x.url,
        "action": x.action.value,
        "action_reason": x.because,
        "act": _contact_json(x.act),
        "due": iso(x.due),
        "overdue": x.overdue,
        "age": {
            "state": x.age.state.value,
            "days": x.age.days if x.age.state is AgeState.OPEN else None,
            "since": iso(x.age.since),
        },
        "reasons": [r.value for r in x.reasons],
        "why": list(x.why),
        "department": x.department,
        "executive_sponsor": _contact_json(x.sponsor),
        "owner": _contact_json(x.owner),
        "owner_end_date": iso(x.owner_end_date),
        "activity": x.activity.value,
        "last_activity": iso(x.last_activity or x.no_activity_since),
        "observation_status": x.observation_status,
        "observation_url": x.observation_url,
        "fetched_at": iso(x.fetched_at),
        "last_known_good": iso(x.last_known_good),
        "evidence": list(x.evidence),
        "access": list(x.access),
    }


def _json(report: OrphanReport) -> str:
    doc: dict[str, JSON] = {
        "organization": report.organization,
        "as_of": report.as_of.isoformat(),
        "accounts_total": report.accounts_total,
        "policy_owner": _contact_json(report.policy_owner),
        "summary": report.summary,
        "due_days": {s.value: n for s, n in sorted(report.due_days.items(), reverse=True)},
        "counts": {r.value: n for r, n in report.counts.items()},
        "entries": [_entry_json(rank, x) for rank, x in enumerate(report.entries, start=1)],
    }
    # Names come from the roster and evidence quotes fetched pages: every string is sanitized.
    return json.dumps(json_safe(doc), indent=2, ensure_ascii=False) + "\n"
