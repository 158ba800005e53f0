"""The credential-health document (``rollcall credentials check``): each credential's health,
expiry and scopes, who uses it and who has none; table and JSON. Never a secret: none is held."""

from __future__ import annotations

import json

from scanner import humanize
from scanner.model import JSON
from scanner.reports import layout
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.layout import DEFAULT_WIDTH, Column, wrap_text
from scanner.reports.sanitize import json_safe, strip_terminal
from scanner.runs.credentials import Checked, CredentialReport, Health
from scanner.serialize import iso

__all__ = ["CredentialsJson", "CredentialsTable"]


def _checked_json(c: Checked) -> dict[str, JSON]:
    return {
        "name": c.name,
        "api": c.api,
        "variable": c.env,
        "health": c.health.value,
        "reason": c.reason.code if c.reason else None,
        "why": c.reason.text if c.reason else None,
        "signal": c.signal or None,
        "checked_url": c.url or None,
        "identity": c.identity,
        "expires_at": iso(c.expires_at),
        "days_left": c.days_left,
        "expiring": c.expiring,
        "scopes": list(c.scopes),
        "accounts": list(c.accounts),
    }


@register(Document.CREDENTIALS, ReportFormat.JSON)
class CredentialsJson:
    def render(
        self, report: CredentialReport, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        document: dict[str, JSON] = {
            "checked_at": iso(report.checked_at),
            "credentials": [_checked_json(c) for c in report.credentials],
            "uncovered": [
                {"platform": u.platform.value, "accounts": list(u.accounts), "hint": u.hint}
                for u in report.uncovered
            ],
            "summary": {
                "credentials": len(report.credentials),
                "problems": len(report.problems),
                "unverified": len(report.unverified),
            },
        }
        # Reasons quote the APIs' own error messages: text from the web.
        return json.dumps(json_safe(document), indent=2, ensure_ascii=False) + "\n"


_COLUMNS = (
    Column("credential", min_width=12),
    Column("api", priority=3),
    Column("variable", priority=2, min_width=12),
    Column("health"),
    Column("why", priority=2, min_width=20),
    Column("expires", priority=2),
    Column("scopes", priority=4, min_width=12),
    Column("accounts", priority=3, min_width=12),
)


def _health(c: Checked) -> str:
    if c.health is Health.HEALTHY and c.expiring:
        return "expiring"
    return c.health.value


def _why(c: Checked) -> str:
    if c.reason is None:
        return c.identity or ""
    # The API's own code (``json:error.code=190+…``, ``status:401``) is what its docs index.
    return c.reason.text + (f" [{c.signal}]" if c.signal else "")


def _expires(c: Checked) -> str:
    if c.expires_at is None:
        return "never" if c.api == "meta-graph" and c.health is Health.HEALTHY else ""
    return f"{humanize.day(c.expires_at)} ({humanize.count(c.days_left or 0, 'day')} left)"


def _summary(report: CredentialReport) -> str:
    healthy = sum(1 for c in report.credentials if c.health is Health.HEALTHY and not c.expiring)
    return (
        f"{humanize.count(len(report.credentials), 'credential')} checked: {healthy} healthy, "
        f"{len(report.problems)} to fix, {len(report.unverified)} could not be checked."
    )


@register(Document.CREDENTIALS, ReportFormat.TABLE)
class CredentialsTable:
    """One row per credential, then the accounts no credential covers; fitted to ``width``."""

    def render(
        self,
        report: CredentialReport,
        /,
        *,
        color: bool | None = None,
        width: int | None = DEFAULT_WIDTH,
    ) -> str:
        if not report.credentials:
            out = [wrap_text("No credential is configured or set; nothing was checked.", width)]
        else:
            columns = _COLUMNS if report.with_inventory else _COLUMNS[:-1]
            rows = [
                [
                    c.name,
                    c.api,
                    c.env,
                    _health(c),
                    strip_terminal(_why(c)),  # the API's own message: text from the web
                    _expires(c),
                    strip_terminal(", ".join(c.scopes)),
                    ", ".join(c.accounts),
                ][: len(columns)]
                for c in report.credentials
            ]
            out = [wrap_text(_summary(report), width), layout.render_table(columns, rows, width)]
        for u in report.uncovered:
            line = (
                f"No credential for {humanize.count(len(u.accounts), u.platform.value + ' account')}"
                f" ({', '.join(u.accounts)}): {u.hint}."
            )
            out.append(wrap_text(line, width))
        return "\n".join(out) + "\n"
