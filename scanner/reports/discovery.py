"""The discovery document (``rollcall discover``): the pages found that look like the
organization, how each was classified and why, and the findings they raise; every format."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence

from scanner.model import JSON, Classification, Discovery, Finding, ObservationStatus
from scanner.reports import layout, sarif
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.junit import render_findings as junit_findings
from scanner.reports.layout import DEFAULT_WIDTH, Align, Column, wrap_text
from scanner.reports.longtail import TITLE as TAIL_TITLE
from scanner.reports.longtail import tail_counts, tail_rows, tail_summary
from scanner.reports.markdown import md
from scanner.reports.sanitize import csv_cell, json_safe, strip_terminal
from scanner.runs.discover import DiscoveryResult
from scanner.serialize import discovery_json, iso, site_hit_json

__all__ = [
    "CSV_COLUMNS",
    "DiscoveryCsv",
    "DiscoveryJson",
    "DiscoveryJunit",
    "DiscoveryMarkdown",
    "DiscoverySarif",
    "DiscoveryTable",
]

TOOL_NAME = "rollcall discover"


def _discovery_json(d: Discovery) -> dict[str, JSON]:
    """The audit report's discovery object, plus the flat observation keys this command has
    always printed (kept so existing consumers of ``discover --format json`` do not break)."""
    obs = d.observation
    return {
        **discovery_json(d),
        "status": obs.status.value,
        "display_name": obs.display_name,
        "followers": obs.followers,
        "created_at": iso(obs.created_at),
    }


def _finding_json(f: Finding) -> dict[str, JSON]:
    return {
        "rule_id": f.rule_id,
        "title": f.title,
        "severity": f.severity.value,
        "status": f.status.value,
        "account_id": f.account_id,
        "platform": f.platform.value if f.platform else None,
        "handle": f.handle,
        "message": f.message,
        "remediation": f.remediation,
        "location": str(f.location),
        "fingerprint": f.fingerprint,
        "evidence": dict(f.evidence),
    }


@register(Document.DISCOVERY, ReportFormat.JSON)
class DiscoveryJson:
    def render(
        self, result: DiscoveryResult, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        document: dict[str, JSON] = {
            "discoveries": [_discovery_json(d) for d in result.discoveries],
            "findings": [_finding_json(f) for f in result.findings],
            "summary": _json_summary(result),
        }
        if result.sites:  # the imported sites' answers (absent ones included), as data
            document["sites"] = [site_hit_json(h) for h in result.sites]
            document["summary"] = {**_json_summary(result), "sites": _site_counts(result)}
        # Names, bios and evidence quoting them are the pages' own text: sanitize every string.
        return json.dumps(json_safe(document), indent=2, ensure_ascii=False) + "\n"


def _summary(result: DiscoveryResult) -> str:
    """How many pages were asked, how many exist, and how many could not be seen (those are
    neither found nor absent)."""
    found = len(result.discoveries) - result.unverified
    summary = (
        f"Probed {result.probed} candidate pages; {found} found, "
        f"{result.unverified} could not be verified."
    )
    if result.not_searched:
        names = ", ".join(p.value for p in result.not_searched)
        summary += (
            f" Not searched: {names} (checked by hand only, and no owner API for it is "
            "loaded: every guess would come back unverified; --platform asks anyway)."
        )
    return summary


def _seen(result: DiscoveryResult) -> list[Discovery]:
    """Classified pages, by classification then score. Unverified pages are counted per
    platform, not listed: a login-walled platform turns every probe into one (the JSON and CSV
    outputs list them all)."""
    seen = [d for d in result.discoveries if d.classification is not Classification.UNVERIFIED]
    return sorted(seen, key=lambda d: (d.classification.value, -d.score))


def _unverified_counts(result: DiscoveryResult) -> str:
    counts = Counter(
        d.platform.value
        for d in result.discoveries
        if d.classification is Classification.UNVERIFIED
    )
    return ", ".join(f"{p}: {n}" for p, n in sorted(counts.items()))


_PAGE_COLUMNS = (
    Column("classification"),
    Column("score", align=Align.RIGHT, priority=4),
    Column("page", min_width=20),
    Column("matches", priority=2, min_width=12),
    Column("why", priority=3, min_width=24),
)
_FINDING_COLUMNS = (
    Column("rule"),
    Column("severity", priority=2),
    Column("subject", min_width=16),
    Column("finding", min_width=24),
)


def _subject(f: Finding) -> str:
    # A long-tail site's finding (DSC-005) has no platform: its evidence names the site.
    where = f.platform.value if f.platform else str(f.evidence.get("site", "-"))
    return f.account_id or f"{where}:{f.handle}"


@register(Document.DISCOVERY, ReportFormat.TABLE)
class DiscoveryTable:
    """The pages found and the findings, fitted to ``width`` display columns (None:
    unlimited). Files get the default width, stdout the terminal's."""

    def render(
        self,
        result: DiscoveryResult,
        /,
        *,
        color: bool | None = None,
        width: int | None = DEFAULT_WIDTH,
    ) -> str:
        rows = [
            [
                d.classification.value,
                d.score,
                strip_terminal(f"{d.platform.value}:{d.handle}"),
                strip_terminal(d.matched_account_id or d.matched_alias or ""),
                # Evidence quotes the page's name, bio and links.
                strip_terminal(d.evidence[0] if d.evidence else ""),
            ]
            for d in _seen(result)
        ]
        out = [wrap_text(_summary(result), width)]
        if rows:
            out.append(layout.render_table(_PAGE_COLUMNS, rows, width))
        if counts := _unverified_counts(result):
            out.append(wrap_text(f"Unverified (blocked or error, not classified): {counts}", width))
        if result.findings:
            findings = [
                [f.rule_id, f.severity.value, strip_terminal(_subject(f)), strip_terminal(f.title)]
                for f in result.findings
            ]
            out += ["", layout.render_table(_FINDING_COLUMNS, findings, width)]
        if result.sites:
            out += ["", *_tail_table(result, width)]
        return "\n".join(out) + "\n"


CSV_COLUMNS = (
    "platform",
    "handle",
    "url",
    "classification",
    "score",
    "matched_alias",
    "matched_account_id",
    "evidence",
)


@register(Document.DISCOVERY, ReportFormat.CSV)
class DiscoveryCsv:
    """One row per page found, unverified ones included."""

    def render(
        self, result: DiscoveryResult, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        handle = CSV_COLUMNS.index("handle")
        for d in result.discoveries:
            row = (
                d.platform.value,
                d.handle,
                d.url,
                d.classification.value,
                str(d.score),
                d.matched_alias or "",
                d.matched_account_id or "",
                " | ".join(d.evidence),
            )
            # Opened in spreadsheets like the audit's CSV: same cleaning, same formula guard
            # (the handle keeps its platform's own @name form).
            writer.writerow([csv_cell(c, handle=i == handle) for i, c in enumerate(row)])
        # A long-tail site has no platform or score: its id stands in the platform column and
        # its state (present, blocked, error) as ``site_<state>``; absent answers are not rows.
        for r in tail_rows(result.sites):
            row = (r.site, r.handle, r.url, f"site_{r.state}", "", "", "", r.note)
            writer.writerow([csv_cell(c, handle=i == handle) for i, c in enumerate(row)])
        return buffer.getvalue()


def _markdown_findings(findings: Sequence[Finding]) -> list[str]:
    out = ["## Findings", "", "| rule | severity | status | subject | finding |"]
    out.append("| --- | --- | --- | --- | --- |")
    out += [
        f"| {md(f.rule_id)} | {f.severity.value} | {f.status.value} | {md(_subject(f))}"
        f" | {md(f.message)} |"
        for f in findings
    ]
    return [*out, ""]


@register(Document.DISCOVERY, ReportFormat.MARKDOWN)
class DiscoveryMarkdown:
    """For a pull-request comment or an issue: the pages found, then the findings."""

    def render(
        self, result: DiscoveryResult, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        out = ["# Discovery", "", _summary(result), ""]
        pages = _seen(result)
        if pages:
            out += ["| classification | score | page | matches | why |"]
            out += ["| --- | ---: | --- | --- | --- |"]
            out += [
                f"| {d.classification.value} | {d.score} | {md(d.platform.value)}"
                f" {md(d.handle)} | {md(d.matched_account_id or d.matched_alias or '-')}"
                f" | {md(d.evidence[0] if d.evidence else '-')} |"
                for d in pages
            ]
            out.append("")
        if counts := _unverified_counts(result):
            out += [f"Unverified (blocked or error, not classified): {md(counts)}", ""]
        if result.findings:
            out += _markdown_findings(result.findings)
        if result.sites:
            out += _markdown_tail(result)
        return "\n".join(out)


def _site_counts(result: DiscoveryResult) -> dict[str, JSON]:
    counts = tail_counts(result.sites)
    present, absent = counts[ObservationStatus.PRESENT], counts[ObservationStatus.ABSENT]
    return {
        "asked": len(result.sites),
        "present": present,
        "absent": absent,
        "unverified": len(result.sites) - present - absent,
    }


def _json_summary(result: DiscoveryResult) -> dict[str, JSON]:
    return {
        "probed": result.probed,
        "discoveries": len(result.discoveries),
        "unverified": result.unverified,
        "findings": len(result.findings),
        "not_searched": [p.value for p in result.not_searched],
    }


_TAIL_COLUMNS = (
    Column("state"),
    Column("site", min_width=16),
    Column("handle", priority=2),
    Column("url", priority=3, min_width=20),
    Column("note", priority=2, min_width=24),
)


def _tail_table(result: DiscoveryResult, width: int | None) -> list[str]:
    """The imported sites' part: a summary, then present and unverified answers."""
    out = [wrap_text(f"{TAIL_TITLE}: {tail_summary(result.sites)}", width)]
    rows = [
        [r.state, *(strip_terminal(c) for c in (r.site, r.handle, r.url, r.note))]
        for r in tail_rows(result.sites)
    ]
    if rows:
        out.append(layout.render_table(_TAIL_COLUMNS, rows, width))
    return out


def _markdown_tail(result: DiscoveryResult) -> list[str]:
    out = [f"## {TAIL_TITLE}", "", md(tail_summary(result.sites)), ""]
    rows = tail_rows(result.sites)
    if rows:
        out += ["| state | site | handle | url | note |", "| --- | --- | --- | --- | --- |"]
        out += [
            f"| {r.state} | {md(r.site)} | {md(r.handle)} | {md(r.url)} | {md(r.note)} |"
            for r in rows
        ]
        out.append("")
    return out


@register(Document.DISCOVERY, ReportFormat.SARIF)
class DiscoverySarif:
    def render(
        self, result: DiscoveryResult, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        return sarif.render_findings(result.findings, tool_name=TOOL_NAME, rules=result.rules)


@register(Document.DISCOVERY, ReportFormat.JUNIT)
class DiscoveryJunit:
    def render(
        self, result: DiscoveryResult, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        return junit_findings(result.findings, name=TOOL_NAME)
