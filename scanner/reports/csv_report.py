"""One row per finding, flat columns for spreadsheets; every cell is formula-neutralized because
analysts open this file in Excel (OWASP "CSV Injection"), bar a handle in its ``@name`` form."""

from __future__ import annotations

import csv
import io

from scanner.model import AuditResult
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.sanitize import csv_cell
from scanner.reports.views import evidence_summary, first_seen, iso, listed_findings

__all__ = ["COLUMNS", "CsvFormatter"]

COLUMNS = (
    "rule_id",
    "severity",
    "status",
    "platform",
    "handle",
    "account_id",
    "department",
    "owner",
    "message",
    "evidence",
    "waiver_expires",
    "first_seen",
)
HANDLE = COLUMNS.index("handle")
"""The one column whose ``@name`` handles are kept as they are (``sanitize.csv_cell``)."""


@register(Document.AUDIT, ReportFormat.CSV)
class CsvFormatter:
    name = "csv"

    def render(
        self, result: AuditResult, *, color: bool | None = None, width: int | None = None
    ) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends
        writer.writerow(COLUMNS)
        for f in listed_findings(result):
            account = result.inventory.account(f.account_id) if f.account_id else None
            seen = first_seen(result, f)
            row = (
                f.rule_id,
                f.severity.value,
                f.status.value,
                f.platform.value if f.platform else "",
                f.handle or "",
                f.account_id or "",
                (account.department if account else None) or "",
                (account.owner if account else None) or "",
                f.message,
                evidence_summary(f),
                f.waiver.expires.isoformat() if f.waiver else "",
                iso(seen) or "",
            )
            writer.writerow([csv_cell(c, handle=i == HANDLE) for i, c in enumerate(row)])
        return out.getvalue()
