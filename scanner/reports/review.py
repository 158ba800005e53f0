"""The review decision (``rollcall review``): each proposed or changed account with its decision
and the reasons behind it; every format, SARIF and JUnit through the reasons as findings."""

from __future__ import annotations

import json

from scanner.model import JSON
from scanner.reports import sarif
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.junit import render_findings as junit_findings
from scanner.reports.layout import DEFAULT_WIDTH, Column, render_table, wrap_text
from scanner.reports.markdown import md
from scanner.reports.sanitize import json_safe, strip_terminal
from scanner.runs.review import ReviewItem, ReviewResult, review_findings
from scanner.serialize import iso

__all__ = ["ReviewJson", "ReviewJunit", "ReviewMarkdown", "ReviewSarif", "ReviewTable"]

TOOL_NAME = "rollcall review"
NOTHING = "No account was added or changed: nothing to review."

_REASON_COLUMNS = (
    Column("rule"),
    Column("severity", priority=2),
    Column("effect"),
    Column("reason", min_width=30),
    Column("where", priority=3, min_width=16),
)


def _heading(item: ReviewItem) -> str:
    a = item.account
    return (
        f"{item.decision.value.upper()}: {a.platform.value} {a.handle}"
        f" ({item.change}, id {a.id}; live: {item.liveness.value})"
    )


@register(Document.REVIEW, ReportFormat.TABLE)
class ReviewTable:
    """Each reviewed account with its reasons, fitted to ``width`` (None: unlimited)."""

    def render(
        self,
        result: ReviewResult,
        /,
        *,
        color: bool | None = None,
        width: int | None = DEFAULT_WIDTH,
    ) -> str:
        lines = []
        for item in result.items:
            lines.append(wrap_text(strip_terminal(_heading(item)), width))
            rows = [
                [
                    r.rule_id,
                    r.severity.value,
                    r.effect.value,
                    strip_terminal(r.message),
                    strip_terminal(str(r.location)),
                ]
                for r in item.reasons
            ]
            if rows:
                lines.append(render_table(_REASON_COLUMNS, rows, width))
            lines.append("")
        if not result.items:
            lines.append(NOTHING)
        lines.append(f"Decision: {result.decision.value}")
        return "\n".join(lines) + "\n"


def _item_json(i: ReviewItem) -> dict[str, JSON]:
    obs = i.observation
    return {
        "account_id": i.account.id,
        "platform": i.account.platform.value,
        "handle": i.account.handle,
        "change": i.change,
        "decision": i.decision.value,
        "liveness": i.liveness.value,
        "observation": (
            {
                "status": obs.status.value,
                "url": obs.url,
                "http_status": obs.http_status,
                "fetched_at": iso(obs.fetched_at),
                "signal": obs.signal,
                "display_name": obs.display_name,
            }
            if obs
            else None
        ),
        "reasons": [
            {
                "rule_id": r.rule_id,
                "severity": r.severity.value,
                "blocking": r.blocking,
                "effect": r.effect.value,
                "message": r.message,
                "location": {"file": r.location.file, "line": r.location.line},
            }
            for r in i.reasons
        ],
    }


@register(Document.REVIEW, ReportFormat.JSON)
class ReviewJson:
    def render(
        self, result: ReviewResult, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        doc: dict[str, JSON] = {
            "decision": result.decision.value,
            "reviewed_at": iso(result.reviewed_at),
            "offline": result.offline,
            "items": [_item_json(i) for i in result.items],
        }
        # A fetched display name, and reasons quoting it, may hold escapes, invisible characters
        # or a lone surrogate (which no UTF-8 writer accepts): every string is sanitized.
        return json.dumps(json_safe(doc), indent=2, ensure_ascii=False) + "\n"


@register(Document.REVIEW, ReportFormat.MARKDOWN)
class ReviewMarkdown:
    """For the pull request that proposes the change: the decision first, then each account."""

    def render(
        self, result: ReviewResult, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        out = [f"# Review: {result.decision.value}", ""]
        if not result.items:
            out += [NOTHING, ""]
        for item in result.items:
            out += [f"## {md(_heading(item))}", ""]
            if not item.reasons:
                out += ["No reasons: every check passed.", ""]
                continue
            out += ["| rule | severity | effect | reason | where |"]
            out += ["| --- | --- | --- | --- | --- |"]
            out += [
                f"| {md(r.rule_id)} | {r.severity.value} | {r.effect.value} | {md(r.message)}"
                f" | {md(str(r.location))} |"
                for r in item.reasons
            ]
            out.append("")
        return "\n".join(out)


@register(Document.REVIEW, ReportFormat.SARIF)
class ReviewSarif:
    def render(
        self, result: ReviewResult, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        return sarif.render_findings(review_findings(result), tool_name=TOOL_NAME)


@register(Document.REVIEW, ReportFormat.JUNIT)
class ReviewJunit:
    def render(
        self, result: ReviewResult, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        return junit_findings(review_findings(result), name=TOOL_NAME, timestamp=result.reviewed_at)
