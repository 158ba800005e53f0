"""The access document (``rollcall access``): who holds each inventoried account, matched to the
HR roster, what is wrong with each holder, and the accounts the organization controls that the
inventory does not list; table, JSON and CSV. Holder names come from the platforms: web text."""

from __future__ import annotations

import csv
import io
import json

from scanner import humanize
from scanner.inventory.access import Affiliation, HolderMatch, unknown_admin
from scanner.model import JSON, HolderKind, Tri
from scanner.reports import layout
from scanner.reports.interface import Document, ReportFormat, register
from scanner.reports.layout import DEFAULT_WIDTH, Column, wrap_text
from scanner.reports.sanitize import csv_cell, json_safe
from scanner.runs.access import AccessRow, AccessSheet
from scanner.serialize import discovery_json, iso

__all__ = ["CSV_COLUMNS", "TABLE_COLUMNS", "AccessCsv", "AccessJson", "AccessTable", "issues"]

DECLARED = "declared"
"""The row source whose holders are the inventory's owner and backup owner, not a platform's
list: their admin rights are not known, only declared."""


def issues(row: AccessRow, match: HolderMatch) -> tuple[str, ...]:
    """What is wrong with one holder, in a few words each (the ACC rules' facts)."""
    h = match.holder
    if row.source == DECLARED:
        who = h.role.replace("_", " ")
        if match.affiliation is Affiliation.DEPARTED:
            return (f"declared {who} departed",)
        if match.affiliation is Affiliation.UNKNOWN:
            return (f"declared {who} not in roster",)
        return ()
    out = []
    if h.admin and match.affiliation is Affiliation.DEPARTED:
        out.append("departed admin")
    if unknown_admin(match):
        out.append("unknown admin")
    if h.admin and match.affiliation is Affiliation.AMBIGUOUS:
        out.append("admin matches several people")
    if h.kind is HolderKind.PARTNER and match.affiliation is not Affiliation.AGENCY:
        out.append("partner without contract")
    if h.admin and h.two_factor is Tri.FALSE:
        out.append("admin without 2FA")
    return tuple(out)


def _admin(row: AccessRow, match: HolderMatch) -> bool | None:
    """Whether the holder administers the account; None where only declared."""
    return None if row.source == DECLARED else match.holder.admin


def _two_factor(tri: Tri) -> bool | None:
    return None if tri is Tri.UNKNOWN else tri is Tri.TRUE


def _empty(row: AccessRow) -> str:
    """The holder cell of an account without holders to list."""
    if row.source == "unknown":
        return "(holders unknown)"
    if row.source == DECLARED:
        return "(no owner declared)"
    return "(none listed)"


# --------------------------------------------------------------------------- JSON


def _holder_json(row: AccessRow, m: HolderMatch) -> dict[str, JSON]:
    h = m.holder
    return {
        "kind": h.kind.value,
        "platform_id": h.platform_id,
        "name": h.name,
        "email": h.email,
        "role": h.role,
        "admin": _admin(row, m),
        "two_factor": _two_factor(h.two_factor),
        "via": h.via,
        "affiliation": m.affiliation.value,
        "person_email": m.person.email if m.person is not None else None,
        "person_name": m.person.name if m.person is not None else None,
        "candidates": list(m.candidates),
        "matched_by": m.matched_by or None,
        "issues": list(issues(row, m)),
    }


def _row_json(row: AccessRow) -> dict[str, JSON]:
    access = row.review.access if row.review is not None else None
    evidence: JSON = None
    if access is not None:
        evidence = {"url": access.url, "fetched_at": iso(access.fetched_at)}
    return {
        "account": row.account.id,
        "platform": row.account.platform.value,
        "handle": row.account.handle,
        "source": row.source,
        "reason": {"code": row.reason.code, "text": row.reason.text} if row.reason else None,
        "evidence": evidence,
        "holders": [_holder_json(row, m) for m in row.holders],
    }


@register(Document.ACCESS, ReportFormat.JSON)
class AccessJson:
    def render(
        self, sheet: AccessSheet, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        document: dict[str, JSON] = {
            "inventory": sheet.inventory.path,
            "organization": sheet.inventory.organization.name,
            "accounts": [_row_json(r) for r in sheet.rows],
            "unlisted": [discovery_json(d) for d in sheet.unlisted],
            "listing_problems": [
                {"credential": label, "reason": why.code, "text": why.text}
                for label, why in sheet.owned.problems
            ],
            "complete": sheet.complete,
        }
        # Holder names and the APIs' error texts are the web's: sanitize every string.
        return json.dumps(json_safe(document), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- table

TABLE_COLUMNS = (
    Column("account", min_width=10),
    Column("platform", priority=4),
    Column("handle", priority=5, min_width=12),
    Column("source", priority=2),
    Column("holder", min_width=18),
    Column("kind", priority=4),
    Column("role", priority=3, min_width=10),
    Column("admin", priority=2, min_width=5),
    Column("2FA", priority=3, min_width=3),
    Column("roster match", min_width=10),
    Column("what is wrong", min_width=12),
)
UNLISTED_COLUMNS = (
    Column("platform"),
    Column("handle", min_width=14),
    Column("name", priority=2, min_width=12),
    Column("why", min_width=24),
)


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else humanize.value(value)


def _holder_cell(m: HolderMatch) -> tuple[str, ...]:
    """The holder on two lines: roster name and email when matched, else what the platform
    gave (name, email, id)."""
    if m.person is not None:
        return (m.person.name, m.person.email)
    h = m.holder
    return tuple(dict.fromkeys(p for p in (h.name, h.email, h.platform_id) if p)) or ("(unnamed)",)


def _match_cell(m: HolderMatch) -> tuple[str, ...]:
    if m.affiliation is Affiliation.UNKNOWN:
        return ("unknown", "no roster match")
    if m.affiliation is Affiliation.AMBIGUOUS:
        return ("ambiguous:", *m.candidates, f"by {m.matched_by}")
    return (m.affiliation.value, f"by {m.matched_by}")


def _holder_line(row: AccessRow, m: HolderMatch) -> list[object]:
    h = m.holder
    declared = row.source == DECLARED
    return [
        row.account.id,
        row.account.platform.value,
        row.account.handle,
        row.source,
        _holder_cell(m),
        h.kind.value.replace("_", " "),
        h.role.replace("_", " ") if declared else h.role,
        _yes_no(_admin(row, m)),
        _yes_no(_two_factor(h.two_factor)),
        _match_cell(m),
        issues(row, m),
    ]


def _lines(row: AccessRow) -> list[list[object]]:
    if row.holders:
        return [_holder_line(row, m) for m in row.holders]
    # An unknown list's reason is a sentence: it is printed under the table, once per reason.
    why = ("list not read:", row.reason.code) if row.reason is not None else ()
    a = row.account
    return [[a.id, a.platform.value, a.handle, row.source, _empty(row), "", "", "", "", "", why]]


def _unknown_notes(sheet: AccessSheet, width: int | None) -> list[str]:
    """Why each unknown list could not be read, the accounts sharing a reason together."""
    by_reason: dict[str, list[str]] = {}
    for row in sheet.rows:
        if row.source == "unknown" and row.reason is not None:
            by_reason.setdefault(f"{row.reason.code}: {row.reason.text}", []).append(row.account.id)
    return [
        wrap_text(f"Holders unknown for {', '.join(ids)} ({why})", width, subsequent_indent="  ")
        for why, ids in by_reason.items()
    ]


def _summary(sheet: AccessSheet) -> str:
    count = {s: sum(1 for r in sheet.rows if r.source == s) for s in ("observed", DECLARED)}
    unknown = len(sheet.rows) - sum(count.values())
    holders = sum(len(r.holders) for r in sheet.rows if r.source == "observed")
    return (
        f"Access to {humanize.count(len(sheet.rows), 'account')} of "
        f"{sheet.inventory.organization.name}: {count['observed']} read from the platform "
        f"({humanize.count(holders, 'holder')}), {count[DECLARED]} declared by the inventory "
        f"(no list to read), {unknown} unknown (the list could not be read)."
    )


def _unlisted(sheet: AccessSheet, width: int | None) -> list[str]:
    out = ["", wrap_text("Controlled but not in the inventory", width)]
    if sheet.unlisted:
        rows = [
            [d.platform.value, d.handle, d.observation.display_name or "", "; ".join(d.evidence)]
            for d in sheet.unlisted
        ]
        out.append(layout.render_table(UNLISTED_COLUMNS, rows, width))
    else:
        listed = len(sheet.owned.accounts)
        text = (
            f"None: every one of the {humanize.count(listed, 'account')} the credentials "
            "control is listed."
            if listed
            else "None found: no loaded credential listed the accounts it controls."
        )
        out.append(wrap_text(text, width))
    for label, why in sheet.owned.problems:
        line = f"Could not list what credential {label} controls: {why.text}."
        out.append(wrap_text(line, width))
    return out


@register(Document.ACCESS, ReportFormat.TABLE)
class AccessTable:
    """One line per holder (one per account without any), then the controlled accounts the
    inventory does not list; fitted to ``width`` (None: unlimited)."""

    def render(
        self,
        sheet: AccessSheet,
        /,
        *,
        color: bool | None = None,
        width: int | None = DEFAULT_WIDTH,
    ) -> str:
        out = [wrap_text(_summary(sheet), width)]
        rows = [line for r in sheet.rows for line in _lines(r)]
        if rows:
            # Cells are sanitized for the terminal by the layout (holder names are web text).
            out.append(layout.render_table(TABLE_COLUMNS, rows, width))
        out.extend(_unknown_notes(sheet, width))
        out.extend(_unlisted(sheet, width))
        return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = (
    "account",
    "platform",
    "handle",
    "source",
    "reason",
    "kind",
    "platform_id",
    "name",
    "email",
    "role",
    "admin",
    "two_factor",
    "via",
    "affiliation",
    "person_email",
    "candidates",
    "matched_by",
    "issues",
)


def _csv_bool(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


def _csv_rows(row: AccessRow) -> list[tuple[str, ...]]:
    a = row.account
    head = (a.id, a.platform.value, a.handle, row.source, row.reason.text if row.reason else "")
    if not row.holders:
        return [head + ("",) * (len(CSV_COLUMNS) - len(head))]
    out: list[tuple[str, ...]] = []
    for m in row.holders:
        h = m.holder
        out.append(
            head
            + (
                h.kind.value,
                h.platform_id or "",
                h.name or "",
                h.email or "",
                h.role,
                _csv_bool(_admin(row, m)),
                _csv_bool(_two_factor(h.two_factor)),
                h.via,
                m.affiliation.value,
                m.person.email if m.person is not None else "",
                " ".join(m.candidates),
                m.matched_by,
                "; ".join(issues(row, m)),
            )
        )
    return out


@register(Document.ACCESS, ReportFormat.CSV)
class AccessCsv:
    """One row per holder, and one per account without holders (its ``reason`` says why)."""

    def render(
        self, sheet: AccessSheet, /, *, color: bool | None = None, width: int | None = None
    ) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        handle = CSV_COLUMNS.index("handle")
        for row in sheet.rows:
            for cells in _csv_rows(row):
                # Spreadsheet hygiene as the audit's CSV (the handle keeps its @name form).
                writer.writerow([csv_cell(c, handle=i == handle) for i, c in enumerate(cells)])
        return buffer.getvalue()
