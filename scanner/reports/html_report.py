"""One self-contained HTML file (works offline, no external scripts, fonts or images): summary,
inline SVG charts, a sortable and filterable findings table, findings by department, accounts by
observation state, what changed since the last audit and trends over runs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from scanner import humanize
from scanner.model import AccountResult, AuditResult, Finding, FindingStatus, Observation, Severity
from scanner.reports.charts import bar_chart, column_chart, line_chart
from scanner.reports.htmlpage import e, page, safe_href
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.longtail import TITLE as TAIL_TITLE
from scanner.reports.longtail import tail_rows, tail_summary
from scanner.reports.views import (
    OBSERVATION_STATES,
    SEVERITIES,
    STATUSES,
    days_since_activity,
    first_seen,
    last_activity,
    listed_findings,
    observation_state,
    open_text,
    summarize,
    trend_series,
)

__all__ = ["SEVERITY_COLORS", "STATE_COLORS", "TABLE_SCRIPT", "HtmlFormatter"]

SEVERITY_COLORS = {
    Severity.CRITICAL.value: "#7f1d1d",
    Severity.HIGH.value: "#dc2626",
    Severity.MEDIUM.value: "#f59e0b",
    Severity.LOW.value: "#3b82f6",
    Severity.INFO.value: "#9ca3af",
}
STATE_COLORS = {
    "present": "#16a34a",
    "absent": "#dc2626",
    "blocked": "#f59e0b",
    "error": "#9333ea",
    "invalid": "#6b7280",
    "not_observed": "#d1d5db",
}
ACTIVITY_BINS: tuple[tuple[str, int | None], ...] = (
    ("≤30", 30),
    ("31–90", 90),
    ("91–180", 180),
    ("181–365", 365),
    (">365", None),
)

# Sorting and filtering for every table.sortable on the page. Static text: the CSP allows it by
# hash, so it must not embed data. Cells may carry data-sort for a machine-sortable key.
TABLE_SCRIPT = """
(function () {
  "use strict";
  function key(cell) {
    var k = cell.getAttribute("data-sort");
    if (k === null) { k = cell.textContent.trim(); }
    var n = Number(k);
    return (k !== "" && !isNaN(n)) ? n : k.toLowerCase();
  }
  function sortBy(table, th, index) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      var r = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
      return ascending ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.classList.add("sortable");
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(table, th, index); });
      th.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); sortBy(table, th, index); }
      });
    });
  });
  var table = document.getElementById("findings-table");
  var text = document.getElementById("findings-filter");
  var severity = document.getElementById("severity-filter");
  var status = document.getElementById("status-filter");
  var count = document.getElementById("findings-count");
  if (!table || !text || !severity || !status || !count) { return; }
  function apply() {
    var q = text.value.toLowerCase(), s = severity.value, st = status.value, shown = 0;
    var rows = table.tBodies[0].rows;
    Array.prototype.forEach.call(rows, function (r) {
      var ok = (!q || r.textContent.toLowerCase().indexOf(q) >= 0) &&
        (!s || r.getAttribute("data-severity") === s) &&
        (!st || r.getAttribute("data-status") === st);
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " findings shown";
  }
  text.addEventListener("input", apply);
  severity.addEventListener("change", apply);
  status.addEventListener("change", apply);
  apply();
})();
""".strip()


def _link(url: str | None, text: object) -> str:
    href = safe_href(url)
    if href is None:
        return e(text)
    return f'<a href="{href}" rel="noopener noreferrer nofollow">{e(text)}</a>'


def _sev(severity: Severity) -> str:
    return f'<span class="sev sev-{severity.value}">{severity.value}</span>'


def _obs_cell(obs: Observation | None) -> str:
    if obs is None:
        return '<span class="muted">none</span>'
    reason = f" — {e(obs.reason.text)}" if obs.reason else ""
    return f"{e(obs.status.value)} at {e(humanize.minute(obs.fetched_at))}{reason}"


def _evidence(f: Finding) -> str:
    """The evidence as ``key: value`` lines; a list's items one per line."""
    out = []
    for line in humanize.evidence_lines(f.evidence):
        if line.items:
            items = "".join(f"<li>{e(item)}</li>" for item in line.items)
            out.append(f'<div>{e(line.key)}:<ul class="tight">{items}</ul></div>')
        else:
            out.append(f"<div>{e(line.key)}: {e(line.text)}</div>")
    return "".join(out)


def _summary(result: AuditResult) -> str:
    s = summarize(result)
    n = s.by_status
    cards = [
        (s.accounts_total, humanize.noun(s.accounts_total, "account")),
        (s.failing, humanize.noun(s.failing, "failing finding")),
        (n[FindingStatus.WAIVED], "waived"),
        (n[FindingStatus.ERROR], humanize.noun(n[FindingStatus.ERROR], "unverified check")),
        (n[FindingStatus.WARN], humanize.noun(n[FindingStatus.WARN], "warning")),
        (s.unverified_accounts, humanize.noun(s.unverified_accounts, "account") + " unverified"),
        (len(result.discoveries), humanize.noun(len(result.discoveries), "page") + " discovered"),
    ]
    out = ['<section id="summary"><h2>Summary</h2>']
    if not result.run.complete:
        out.append(
            '<p class="warning">Incomplete: too many accounts could not be verified for this '
            "verdict to be trusted.</p>"
        )
    out.append('<div class="cards">')
    out.extend(f'<div class="card"><b>{n}</b><span>{e(label)}</span></div>' for n, label in cards)
    out.append("</div>")
    out.append(
        '<h3>Findings by severity</h3><table id="severity-table"><thead><tr><th>severity</th>'
    )
    out.extend(f'<th class="num">{st.value}</th>' for st in STATUSES)
    out.append("</tr></thead><tbody>")
    for sv in SEVERITIES:
        out.append(f"<tr><td>{_sev(sv)}</td>")
        out.extend(f'<td class="num">{s.by_severity[sv][st]}</td>' for st in STATUSES)
        out.append("</tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


def _charts(result: AuditResult) -> str:
    s = summarize(result)
    sev_items = [
        (sv.value, s.by_severity[sv][FindingStatus.FAIL], SEVERITY_COLORS[sv.value])
        for sv in SEVERITIES
    ]
    state_items = [(st, s.accounts_by_state[st], STATE_COLORS[st]) for st in OBSERVATION_STATES]
    bins = Counter[str]()
    unknown = 0
    for a in result.accounts:
        days = days_since_activity(a, result.run.as_of)
        if days is None:
            unknown += 1
            continue
        for label, upper in ACTIVITY_BINS:
            if upper is None or days <= upper:
                bins[label] += 1
                break
    histogram = [(label, bins[label]) for label, _ in ACTIVITY_BINS] + [("unknown", unknown)]
    return (
        '<section id="charts"><h2>Charts</h2><div class="charts">'
        + bar_chart("chart-severity", "Failing findings by severity", sev_items)
        + bar_chart("chart-states", "Accounts by observation state", state_items)
        + column_chart("chart-activity", "Days since last activity", histogram, "#0f766e")
        + "</div></section>"
    )


def _trends(result: AuditResult) -> str:
    points = trend_series(result)
    if not points:
        return ""
    labels = [p.label for p in points]
    sev_series = {
        sv.value: [p.open_by_severity.get(sv.value, 0) for p in points] for sv in SEVERITIES
    }
    states = [
        st for st in OBSERVATION_STATES if any(p.accounts_by_state.get(st, 0) for p in points)
    ]
    state_series = {st: [p.accounts_by_state.get(st, 0) for p in points] for st in states}
    # An offline run made no live checks: its counts are shown apart, never as a change.
    aside = {i: "offline run" for i, p in enumerate(points) if p.offline}
    note = (
        '<p class="muted">Offline runs (hollow grey points) did not make the live checks, so '
        "their counts are not joined to the lines: they are not an improvement or a "
        "regression, and no baseline compares with them.</p>"
        if aside
        else ""
    )
    return (
        '<section id="trends"><h2>Trends over runs</h2>'
        + note
        + '<div class="charts">'
        + line_chart(
            "chart-trend-severity",
            "Open findings by severity",
            labels,
            sev_series,
            SEVERITY_COLORS,
            aside,
        )
        + line_chart(
            "chart-trend-states",
            "Accounts by observation state",
            labels,
            state_series,
            STATE_COLORS,
            aside,
        )
        + "</div></section>"
    )


def _findings_table(result: AuditResult) -> str:
    findings = listed_findings(result)
    out = [
        '<section id="findings"><h2>Findings</h2><div class="controls">'
        '<input id="findings-filter" type="search" placeholder="Filter findings…" aria-label="Filter findings">'
        '<select id="severity-filter" aria-label="Severity"><option value="">all severities</option>'
    ]
    out.extend(f'<option value="{sv.value}">{sv.value}</option>' for sv in SEVERITIES)
    out.append(
        '</select><select id="status-filter" aria-label="Status"><option value="">all statuses</option>'
    )
    out.extend(f'<option value="{st.value}">{st.value}</option>' for st in STATUSES)
    out.append('</select><span id="findings-count" class="muted"></span></div>')
    out.append(
        '<table id="findings-table" class="sortable"><thead><tr><th>severity</th><th>rule</th>'
        "<th>status</th><th>account</th><th>platform</th><th>handle</th><th>department</th>"
        "<th>message</th><th>first seen (UTC)</th><th>evidence</th></tr></thead><tbody>"
    )
    for f in findings:
        account = result.inventory.account(f.account_id) if f.account_id else None
        seen = first_seen(result, f)
        waiver = (
            f'<br><span class="muted">waiver {e(f.waiver.id)} until {f.waiver.expires}</span>'
            if f.waiver
            else ""
        )
        out.append(
            f'<tr data-severity="{f.severity.value}" data-status="{f.status.value}">'
            f'<td data-sort="{f.severity.rank}">{_sev(f.severity)}</td>'
            f"<td>{e(f.rule_id)}</td>"
            f'<td class="status-{f.status.value}">{f.status.value}</td>'
            f"<td>{e(f.account_id or '—')}</td>"
            f"<td>{e(f.platform.value if f.platform else '—')}</td>"
            f"<td>{e(f.handle or '—')}</td>"
            f"<td>{e((account.department if account else None) or '—')}</td>"
            f"<td>{e(f.message)}{waiver}</td>"
            f"<td>{e(humanize.minute(seen)) if seen else '—'}</td>"
            f"<td><details><summary>evidence</summary>{_evidence(f)}"
            f'<div class="muted">{e(f.remediation)}</div></details></td></tr>'
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def _by_department(result: AuditResult) -> str:
    rows: dict[str, Counter[str]] = {}
    for f in listed_findings(result):
        account = result.inventory.account(f.account_id) if f.account_id else None
        if account is None:
            dept = "(not in the inventory)"
        else:
            dept = account.department or "(no department)"
        counts = rows.setdefault(dept, Counter())
        counts[f.severity.value if f.status is FindingStatus.FAIL else f.status.value] += 1
    columns = [sv.value for sv in SEVERITIES] + ["waived", "error", "warn"]
    out = [
        '<section id="departments"><h2>Findings by department</h2>'
        '<table id="department-table" class="sortable"><thead><tr><th>department</th>'
    ]
    out.extend(
        f'<th class="num">{"failing " + c if c in SEVERITY_COLORS else c}</th>' for c in columns
    )
    out.append("</tr></thead><tbody>")
    for dept in sorted(rows):
        out.append(f"<tr><td>{e(dept)}</td>")
        out.extend(f'<td class="num">{rows[dept][c]}</td>' for c in columns)
        out.append("</tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


def _accounts(result: AuditResult) -> str:
    groups: dict[str, list[AccountResult]] = {st: [] for st in OBSERVATION_STATES}
    for a in result.accounts:
        groups[observation_state(a)].append(a)
    out = ['<section id="accounts"><h2>Accounts by observation state</h2>']
    for state, accounts in groups.items():
        if not accounts:
            continue
        out.append(f'<h3 id="state-{state}">{e(state.replace("_", " "))} ({len(accounts)})</h3>')
        out.append(
            '<table class="sortable accounts"><thead><tr><th>account</th><th>platform</th><th>handle</th>'
            "<th>department</th><th>display name</th><th>bio</th><th>last activity</th>"
            "<th>observation (UTC)</th><th>last known good (UTC)</th></tr></thead><tbody>"
        )
        for a in accounts:
            obs = a.observation
            last = last_activity(a)
            out.append(
                f"<tr><td>{e(a.account.id)}</td><td>{e(a.account.platform.value)}</td>"
                f"<td>{_link(a.profile_url, a.account.handle)}</td>"
                f"<td>{e(a.account.department or '—')}</td>"
                f"<td>{e(obs.display_name if obs and obs.display_name else '—')}</td>"
                f'<td class="bio">{e(obs.bio if obs and obs.bio else "")}</td>'
                f"<td>{e(humanize.day(last)) if last else 'unknown'}</td>"
                f"<td>{_obs_cell(obs)}</td><td>{_obs_cell(a.last_known_good)}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</section>")
    return "".join(out)


def _finding_list(items: Sequence[tuple[Finding, str]]) -> str:
    return (
        "<ul>"
        + "".join(
            f"<li>{_sev(f.severity)} {e(f.rule_id)} {e(f.account_id or f.handle or '—')}: {e(f.message)}{extra}</li>"
            for f, extra in items
        )
        + "</ul>"
    )


def _baseline(result: AuditResult) -> str:
    base = result.baseline
    if base is None:
        return ""
    index = {f.fingerprint: f for f in result.findings}
    out = [
        '<section id="baseline"><h2>Since the last audit</h2>'
        f"<p>Compared with run {base.previous_run_id} "
        f"({e(humanize.moment(base.previous_started_at))}): "
        f"<b>{len(base.new)} new</b>, {len(base.still_open)} still open, {len(base.resolved)} resolved.</p>"
    ]
    for label, prints in (("New", base.new), ("Still open", base.still_open)):
        items = []
        for p in prints:
            if p not in index:
                continue
            seen = base.first_seen.get(p)
            extra = (
                "" if seen is None else f' <span class="muted">{e(open_text(result, seen))}</span>'
            )
            items.append((index[p], extra))
        if items:
            out.append(f"<h3>{label} ({len(items)})</h3>" + _finding_list(items))
    if base.resolved:
        out.append(
            f"<h3>Resolved ({len(base.resolved)})</h3>"
            + _finding_list([(f, "") for f in base.resolved])
        )
    out.append("</section>")
    return "".join(out)


def _long_tail(result: AuditResult) -> str:
    """What the imported sites said about the brand's handles (absent answers only counted)."""
    rows = "".join(
        f"<tr><td>{e(r.state)}</td><td>{e(r.site)}</td><td>{_link(r.url, r.handle)}</td>"
        f"<td>{e(r.note)}</td></tr>"
        for r in tail_rows(result.site_hits)
    )
    table = (
        '<table class="sortable"><thead><tr><th>state</th><th>site</th><th>handle</th>'
        f"<th>note</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    return (
        f'<section id="long-tail-sites"><h2>{e(TAIL_TITLE)}</h2>'
        f"<p>{e(tail_summary(result.site_hits))}</p>{table}</section>"
    )


def _discoveries(result: AuditResult) -> str:
    if result.site_hits:
        return _pages(result) + _long_tail(result)
    return _pages(result)


def _pages(result: AuditResult) -> str:
    if not result.discoveries:
        return ""
    out = [
        '<section id="discoveries"><h2>Pages outside the inventory</h2>'
        '<table class="sortable"><thead><tr><th>classification</th><th>score</th><th>platform</th>'
        "<th>handle</th><th>matched</th><th>evidence</th></tr></thead><tbody>"
    ]
    for d in sorted(result.discoveries, key=lambda d: (d.classification.value, -d.score, d.handle)):
        matched = d.matched_account_id or d.matched_alias or "—"
        out.append(
            f'<tr><td>{e(d.classification.value)}</td><td class="num">{d.score}</td>'
            f"<td>{e(d.platform.value)}</td><td>{_link(d.url, d.handle)}</td><td>{e(matched)}</td>"
            f"<td>{'<br>'.join(e(x) for x in d.evidence)}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


@register(Document.AUDIT, ReportFormat.HTML)
class HtmlFormatter:
    name = "html"

    def render(
        self, result: AuditResult, *, color: bool | None = None, width: int | None = None
    ) -> str:
        run = result.run
        title = f"Rollcall audit: {result.inventory.organization.name}"
        # Both dates, named for what they are: an audit of a past date (``--as-of``) runs later,
        # and the "first seen" dates below are run dates.
        subtitle = (
            f"As of {humanize.day(run.as_of)} · run on {humanize.moment(run.started_at)}"
            f" · inventory {run.inventory_path} · Rollcall {run.tool_version}"
        )
        body = "\n".join(
            part
            for part in (
                _summary(result),
                _charts(result),
                _baseline(result),
                _trends(result),
                _findings_table(result),
                _by_department(result),
                _accounts(result),
                _discoveries(result),
            )
            if part
        )
        return page(title, subtitle, body, TABLE_SCRIPT)
