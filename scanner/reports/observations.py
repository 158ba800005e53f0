"""The observations document (``rollcall observe``): what each inventoried account's platform
shows, one row per account; table, JSON, CSV and Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

from scanner.model import JSON, Account, Observation, ObservationStatus
from scanner.reports import layout
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.layout import DEFAULT_WIDTH, Column
from scanner.reports.markdown import md
from scanner.reports.sanitize import csv_cell, json_safe
from scanner.serialize import iso, observation_fields

__all__ = [
    "COLUMNS",
    "CSV_COLUMNS",
    "ObservationsCsv",
    "ObservationsJson",
    "ObservationsMarkdown",
    "ObservationsTable",
    "Observed",
    "ObservedAccount",
]


@dataclass(frozen=True)
class ObservedAccount:
    account: Account
    observation: Observation


@dataclass(frozen=True)
class Observed:
    """The observations document: every account looked at, in inventory order."""

    rows: tuple[ObservedAccount, ...]

    @classmethod
    def of(cls, accounts: Sequence[Account], observations: Sequence[Observation]) -> Observed:
        pairs = zip(accounts, observations, strict=True)
        return cls(tuple(ObservedAccount(a, o) for a, o in pairs))


def _state(obs: Observation) -> str:
    return obs.account_state.value if obs.status is ObservationStatus.PRESENT else ""


def _last_activity(obs: Observation) -> str:
    if obs.last_activity_at:
        return obs.last_activity_at.date().isoformat()
    if obs.no_activity_since:
        return f"none since {obs.no_activity_since.date().isoformat()}"
    return ""


def _cells(row: ObservedAccount) -> list[str]:
    """The columns the table and the Markdown share: id, platform, handle, status, state,
    reason code, last activity, display name."""
    obs = row.observation
    return [
        row.account.id,
        obs.platform.value,
        obs.handle,
        obs.status.value,
        _state(obs),
        obs.reason.code if obs.reason else "",
        _last_activity(obs),
        obs.display_name or "",
    ]


# Fetched names carry escapes and invisible characters: the layout sanitizes every cell.
# Ids and handles are looked up, not read: they get room before the columns that can go. The
# name is what the platform shows, the point of `observe`; the reason can be read from --format
# json when the terminal is narrow.
COLUMNS = (
    Column("account", min_width=16),
    Column("platform", priority=3),
    Column("handle", priority=2, min_width=18),
    Column("status"),
    Column("state", priority=4),
    Column("reason", priority=3),
    Column("last activity", priority=3),
    Column("name", priority=2, min_width=16),
)


@register(Document.OBSERVATIONS, ReportFormat.TABLE)
class ObservationsTable:
    """One row per account, fitted to ``width`` display columns (None: unlimited)."""

    def render(
        self, doc: Observed, /, *, color: bool | None = None, width: int | None = DEFAULT_WIDTH
    ) -> str:
        return layout.render_table(COLUMNS, [_cells(r) for r in doc.rows], width) + "\n"


@register(Document.OBSERVATIONS, ReportFormat.JSON)
class ObservationsJson:
    """A list of every observation field, with the account id first."""

    def render(
        self, doc: Observed, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        rows: list[JSON] = [
            {"account_id": r.account.id, **observation_fields(r.observation)} for r in doc.rows
        ]
        # Display names and bios are the platform's text: no escape reaches the terminal.
        return json.dumps(json_safe(rows), indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "account_id",
    "platform",
    "handle",
    "status",
    "account_state",
    "reason",
    "last_activity",
    "display_name",
    "reason_text",
    "url",
    "http_status",
    "followers",
    "fetched_at",
)


@register(Document.OBSERVATIONS, ReportFormat.CSV)
class ObservationsCsv:
    """One row per account for spreadsheets: the table's columns, then the detail."""

    def render(
        self, doc: Observed, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, like the audit's CSV
        writer.writerow(CSV_COLUMNS)
        handle = CSV_COLUMNS.index("handle")
        for r in doc.rows:
            obs = r.observation
            row = [
                *_cells(r),
                obs.reason.text if obs.reason else "",
                obs.url,
                "" if obs.http_status is None else str(obs.http_status),
                "" if obs.followers is None else str(obs.followers),
                iso(obs.fetched_at) or "",
            ]
            writer.writerow([csv_cell(c, handle=i == handle) for i, c in enumerate(row)])
        return out.getvalue()


@register(Document.OBSERVATIONS, ReportFormat.MARKDOWN)
class ObservationsMarkdown:
    def render(
        self, doc: Observed, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        out = [
            "# Observations",
            "",
            "| account | platform | handle | status | state | reason | last activity | name |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        out += ["| " + " | ".join(md(c or "-") for c in _cells(r)) + " |" for r in doc.rows]
        return "\n".join([*out, ""])
