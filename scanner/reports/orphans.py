"""The orphaned-page report for the social media policy owner: every account whose owner is gone
or leaving, every inactive or intern-era page, every page we could not verify or whose activity
could not be read, retired pages still live and (after discovery) unlisted-official and rogue
pages — with evidence, who can act and what to do, grouped by department and executive sponsor.
No action is recommended on a fact the run could not establish."""

from __future__ import annotations

import csv
import enum
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import assert_never

from scanner.errors import UsageError
from scanner.model import (
    Account,
    AccountResult,
    AccountStatus,
    AuditResult,
    Classification,
    Discovery,
    FindingStatus,
    Observation,
    ObservationStatus,
    Person,
    PersonStatus,
    Role,
    Roster,
)
from scanner.reports.htmlpage import e, page, safe_href
from scanner.reports.sanitize import csv_cell, markdown_text
from scanner.reports.views import iso, last_activity

__all__ = [
    "ENDING_WINDOW_DAYS",
    "Action",
    "Contact",
    "OrphanEntry",
    "OrphanFormat",
    "OrphanGroup",
    "OrphanReason",
    "OrphanReport",
    "action_for",
    "count_phrase",
    "build",
    "describe",
    "render_orphans",
]

ENDING_WINDOW_DAYS = 30
"""An internship or contract ending within this many days after the audit date counts already."""

NO_DEPARTMENT = "(no department)"
_ACTIVITY_RULES = frozenset({"ACT-001", "ACT-002", "ACT-003"})
OUTSIDE = "Not in the inventory"


class OrphanReason(enum.StrEnum):
    OWNER_MISSING = "owner_missing"
    OWNER_UNKNOWN = "owner_unknown"
    OWNER_DEPARTED = "owner_departed"
    OWNER_ENDING = "owner_ending"
    INACTIVE = "inactive"
    DORMANT = "dormant"
    INTERN_ERA = "intern_era"
    UNVERIFIED = "unverified"
    ACTIVITY_UNKNOWN = "activity_unknown"
    RETIRED_LIVE = "retired_live"
    UNLISTED_OFFICIAL = "unlisted_official"
    ROGUE = "rogue"


class Action(enum.StrEnum):
    REASSIGN_OWNER = "reassign the owner"
    HAND_OVER = "hand over and resume posting"
    ARCHIVE = "archive or delete following the platform's procedure"
    VERIFY = "check the page by hand and fix what blocks the audit"
    TAKEDOWN = "request a takedown"
    ADD_TO_INVENTORY = "add to the inventory (or retire it)"


class OrphanFormat(enum.StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"
    CSV = "csv"


def describe(reason: OrphanReason) -> str:
    """The reason in the policy owner's words (used in the summary and as a label)."""
    match reason:
        case OrphanReason.OWNER_MISSING:
            return "no owner assigned"
        case OrphanReason.OWNER_UNKNOWN:
            return "owner not in the HR roster"
        case OrphanReason.OWNER_DEPARTED:
            return "owner has left"
        case OrphanReason.OWNER_ENDING:
            return "owner's internship or contract is over or ending"
        case OrphanReason.INACTIVE:
            return "inactive (no post within the inactivity limit)"
        case OrphanReason.DORMANT:
            return "dormant for a year or more (retirement candidate)"
        case OrphanReason.INTERN_ERA:
            return "intern-era page (went silent when its owner left)"
        case OrphanReason.UNVERIFIED:
            return "could not be verified"
        case OrphanReason.ACTIVITY_UNKNOWN:
            return "activity could not be read"
        case OrphanReason.RETIRED_LIVE:
            return "retired in the inventory but still live"
        case OrphanReason.UNLISTED_OFFICIAL:
            return "official page missing from the inventory"
        case OrphanReason.ROGUE:
            return "suspected impersonation (rogue page)"
        case _:
            assert_never(reason)


def count_phrase(reason: OrphanReason, n: int) -> str:
    """``n`` accounts with this reason, as a phrase for the summary paragraph."""
    match reason:
        case OrphanReason.OWNER_MISSING:
            return f"{n} with no owner"
        case OrphanReason.OWNER_UNKNOWN:
            return f"{n} whose owner is not in the HR roster"
        case OrphanReason.OWNER_DEPARTED:
            return f"{n} whose owner has left"
        case OrphanReason.OWNER_ENDING:
            return f"{n} whose owner's internship or contract is over or ending"
        case OrphanReason.INACTIVE:
            return f"{n} inactive"
        case OrphanReason.DORMANT:
            return f"{n} silent for a year or more"
        case OrphanReason.INTERN_ERA:
            return f"{n} intern-era"
        case OrphanReason.UNVERIFIED:
            return f"{n} that could not be verified"
        case OrphanReason.ACTIVITY_UNKNOWN:
            return f"{n} whose activity could not be read"
        case OrphanReason.RETIRED_LIVE:
            return f"{n} retired but still live"
        case OrphanReason.UNLISTED_OFFICIAL:
            return f"{n} official {'page' if n == 1 else 'pages'} missing from the inventory"
        case OrphanReason.ROGUE:
            return f"{n} suspected rogue {'page' if n == 1 else 'pages'}"
        case _:
            assert_never(reason)


def action_for(reason: OrphanReason) -> Action:
    match reason:
        case (
            OrphanReason.OWNER_MISSING
            | OrphanReason.OWNER_UNKNOWN
            | OrphanReason.OWNER_DEPARTED
            | OrphanReason.OWNER_ENDING
        ):
            return Action.REASSIGN_OWNER
        case OrphanReason.INACTIVE | OrphanReason.INTERN_ERA:
            return Action.HAND_OVER
        case OrphanReason.DORMANT | OrphanReason.RETIRED_LIVE:
            return Action.ARCHIVE
        case OrphanReason.UNVERIFIED | OrphanReason.ACTIVITY_UNKNOWN:
            return Action.VERIFY
        case OrphanReason.UNLISTED_OFFICIAL:
            return Action.ADD_TO_INVENTORY
        case OrphanReason.ROGUE:
            return Action.TAKEDOWN
        case _:
            assert_never(reason)


@dataclass(frozen=True)
class Contact:
    """A person (or role) named in the report; name and email come from the roster."""

    role: str
    name: str | None
    email: str | None

    def __str__(self) -> str:
        who = self.name or self.email or "unassigned"
        if self.name and self.email:
            who = f"{self.name} <{self.email}>"
        return f"{who} ({self.role})"


@dataclass(frozen=True)
class OrphanEntry:
    account_id: str | None
    platform: str
    handle: str
    url: str | None
    department: str | None
    sponsor: Contact | None
    owner: Contact | None
    owner_end_date: date | None
    reasons: tuple[OrphanReason, ...]
    evidence: tuple[str, ...]
    last_activity: datetime | None
    observation_status: str | None
    observation_url: str | None
    fetched_at: datetime | None
    last_known_good: datetime | None
    act: Contact
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class OrphanGroup:
    department: str
    sponsor: Contact | None
    entries: tuple[OrphanEntry, ...]


@dataclass(frozen=True)
class OrphanReport:
    organization: str
    as_of: date
    accounts_total: int
    policy_owner: Contact | None
    summary: str
    counts: Mapping[OrphanReason, int]
    groups: tuple[OrphanGroup, ...]

    @property
    def entries(self) -> tuple[OrphanEntry, ...]:
        return tuple(entry for group in self.groups for entry in group.entries)


# --------------------------------------------------------------------------- build


def _contact(roster: Roster, role: str, email: str | None) -> Contact | None:
    if not email:
        return None
    person = roster.find(email)
    return Contact(role, person.name if person else None, person.email if person else email)


def _gone(person: Person, as_of: date) -> bool:
    """Left, or leaving within the window (then the handover must start now)."""
    if person.status is PersonStatus.DEPARTED:
        return True
    return person.end_date is not None and person.end_date <= as_of + timedelta(
        days=ENDING_WINDOW_DAYS
    )


def _owner_reasons(
    account: Account, roster: Roster, as_of: date
) -> tuple[list[OrphanReason], list[str], Person | None]:
    if not account.owner:
        return [OrphanReason.OWNER_MISSING], ["no owner is named in the inventory"], None
    person = roster.find(account.owner)
    if person is None:
        return (
            [OrphanReason.OWNER_UNKNOWN],
            [f"owner {account.owner} is not in the HR roster"],
            None,
        )
    who = f"owner {person.name} <{person.email}>"
    if person.status is PersonStatus.DEPARTED:
        when = f" on {person.end_date}" if person.end_date else ""
        return [OrphanReason.OWNER_DEPARTED], [f"{who} left{when}"], person
    if person.end_date is None:
        return [], [], person
    term = {Role.INTERN: "internship", Role.CONTRACTOR: "contract", Role.AGENCY: "agency contract"}
    if person.role in term and person.end_date <= as_of + timedelta(days=ENDING_WINDOW_DAYS):
        tense = "ended" if person.end_date <= as_of else "ends"
        return (
            [OrphanReason.OWNER_ENDING],
            [f"{who}: {term[person.role]} {tense} {person.end_date}"],
            person,
        )
    if person.end_date <= as_of:
        return [OrphanReason.OWNER_DEPARTED], [f"{who} left on {person.end_date}"], person
    return [], [], person


def _who_can_act(
    account: Account, roster: Roster, as_of: date, policy_owner: Contact | None
) -> Contact:
    """Backup owner if active (and not the owner), else the executive sponsor if active, else the
    policy owner on behalf of the department."""
    owner = roster.find(account.owner)
    backup = roster.find(account.backup_owner)
    if (
        backup is not None
        and not _gone(backup, as_of)
        and (owner is None or backup.key != owner.key)
    ):
        return Contact("backup owner", backup.name, backup.email)
    sponsor = roster.find(account.executive_sponsor)
    if sponsor is not None and not _gone(sponsor, as_of):
        return Contact("executive sponsor", sponsor.name, sponsor.email)
    dept = account.department or "no department"
    role = f"policy owner, for the {dept} department"
    if policy_owner is not None:
        return Contact(role, policy_owner.name, policy_owner.email)
    return Contact(role, None, None)


def _observation_evidence(obs: Observation | None, good: Observation | None) -> list[str]:
    lines = []
    if obs is not None:
        text = f"observation: {obs.status.value} at {iso(obs.fetched_at)} ({obs.url})"
        if obs.reason is not None:
            text += f": {obs.reason.text}"
        lines.append(text)
    if good is not None:
        lines.append(f"last known good: {good.status.value} at {iso(good.fetched_at)}")
    return lines


def _account_entry(
    result: AuditResult, item: AccountResult, policy_owner: Contact | None
) -> OrphanEntry | None:
    account = item.account
    roster = result.inventory.roster
    as_of = result.run.as_of
    if account.status is AccountStatus.PLANNED:
        return None
    reasons: list[OrphanReason] = []
    evidence: list[str] = []
    owner_person: Person | None = None
    if account.status is AccountStatus.ACTIVE:
        found, lines, owner_person = _owner_reasons(account, roster, as_of)
        reasons += found
        evidence += lines
    failing = {
        f.rule_id: f
        for f in result.findings
        if f.account_id == account.id and f.status is FindingStatus.FAIL
    }
    for rule_id, reason in (
        ("ACT-001", OrphanReason.INACTIVE),
        ("ACT-002", OrphanReason.DORMANT),
        ("ACT-003", OrphanReason.INTERN_ERA),
        ("IDN-005", OrphanReason.RETIRED_LIVE),
    ):
        if rule_id in failing:
            reasons.append(reason)
            evidence.append(f"{rule_id}: {failing[rule_id].message}")
    obs = item.observation
    if obs is not None and obs.status in (ObservationStatus.BLOCKED, ObservationStatus.ERROR):
        reasons.append(OrphanReason.UNVERIFIED)
    elif obs is not None and obs.status is ObservationStatus.PRESENT:
        # The page is there but its activity is unknown: say so, and recommend nothing that
        # would rest on it (never "archive" a page that may be alive).
        unread = [
            f
            for f in result.findings
            if f.account_id == account.id
            and f.status is FindingStatus.ERROR
            and f.rule_id in _ACTIVITY_RULES
        ]
        if unread:
            reasons.append(OrphanReason.ACTIVITY_UNKNOWN)
            why = obs.reason.text if obs.reason is not None else unread[0].message
            evidence.append(f"activity could not be read: {why}")
    if not reasons:
        return None
    when = last_activity(item)
    if when is not None:
        evidence.insert(
            0, f"last post {iso(when.date())} ({(as_of - when.date()).days} days before {as_of})"
        )
    evidence += _observation_evidence(obs, item.last_known_good)
    if owner_person is None and account.owner:
        owner_person = roster.find(account.owner)
    owner = (
        Contact(
            f"owner, {owner_person.role.value}, {owner_person.status.value}",
            owner_person.name,
            owner_person.email,
        )
        if owner_person
        else (Contact("owner, not in the roster", None, account.owner) if account.owner else None)
    )
    return OrphanEntry(
        account_id=account.id,
        platform=account.platform.value,
        handle=account.handle,
        url=item.profile_url,
        department=account.department,
        sponsor=_contact(roster, "executive sponsor", account.executive_sponsor),
        owner=owner,
        owner_end_date=owner_person.end_date if owner_person else None,
        reasons=tuple(reasons),
        evidence=tuple(evidence),
        last_activity=when,
        observation_status=obs.status.value if obs else None,
        observation_url=obs.url if obs else None,
        fetched_at=obs.fetched_at if obs else None,
        last_known_good=item.last_known_good.fetched_at if item.last_known_good else None,
        act=_who_can_act(account, roster, as_of, policy_owner),
        actions=tuple(dict.fromkeys(action_for(r) for r in reasons)),
    )


def _discovery_entry(d: Discovery, policy_owner: Contact | None) -> OrphanEntry | None:
    match d.classification:
        case Classification.UNLISTED_OFFICIAL:
            reason = OrphanReason.UNLISTED_OFFICIAL
        case Classification.ROGUE:
            reason = OrphanReason.ROGUE
        case Classification.DUPLICATE | Classification.UNRELATED | Classification.UNVERIFIED:
            return None
        case _:
            assert_never(d.classification)
    obs = d.observation
    evidence = [f"score {d.score}", *d.evidence]
    if d.matched_account_id:
        evidence.append(f"resembles inventoried account {d.matched_account_id}")
    elif d.matched_alias:
        evidence.append(f"resembles the name {d.matched_alias!r}")
    evidence += _observation_evidence(obs, None)
    act = Contact(
        "policy owner",
        policy_owner.name if policy_owner else None,
        policy_owner.email if policy_owner else None,
    )
    return OrphanEntry(
        account_id=None,
        platform=d.platform.value,
        handle=d.handle,
        url=d.url,
        department=None,
        sponsor=None,
        owner=None,
        owner_end_date=None,
        reasons=(reason,),
        evidence=tuple(evidence),
        last_activity=obs.last_activity_at,
        observation_status=obs.status.value,
        observation_url=obs.url,
        fetched_at=obs.fetched_at,
        last_known_good=None,
        act=act,
        actions=(action_for(reason),),
    )


def _summary(
    org: str,
    as_of: date,
    total: int,
    entries: Iterable[OrphanEntry],
    counts: Mapping[OrphanReason, int],
    *,
    offline: bool = False,
) -> str:
    # Offline, only roster facts are known: say so, or "none is inactive" would be a guess.
    caveat = (
        " This run was offline: no page was fetched, so inactive pages, retired pages still"
        " live and pages that cannot be verified are not listed."
        if offline
        else ""
    )
    inventoried = sum(1 for x in entries if x.account_id is not None)
    if not any(counts.values()):
        if offline:
            return f"As of {as_of}, no owner problem was found among the {total} inventoried accounts of {org}.{caveat}"
        return f"As of {as_of}, none of the {total} inventoried accounts of {org} is orphaned, inactive or unverified."
    parts = [
        count_phrase(r, counts[r])
        for r in OrphanReason
        if counts[r] and r not in (OrphanReason.UNLISTED_OFFICIAL, OrphanReason.ROGUE)
    ]
    text = (
        f"As of {as_of}, {inventoried} of the {total} inventoried accounts of {org} need attention"
    )
    text += (": " + "; ".join(parts) + ".") if parts else "."
    found = counts[OrphanReason.UNLISTED_OFFICIAL], counts[OrphanReason.ROGUE]
    if any(found):
        text += (
            f" Discovery found {count_phrase(OrphanReason.UNLISTED_OFFICIAL, found[0])}"
            f" and {count_phrase(OrphanReason.ROGUE, found[1])}."
        )
    text += (
        " Each entry names who can act and what to do; an account may appear for several reasons."
    )
    return text + caveat


def build(result: AuditResult) -> OrphanReport:
    """The orphaned-page report of one audit (no I/O)."""
    inventory = result.inventory
    org = inventory.organization
    policy_owner = _contact(inventory.roster, "policy owner", org.policy_owner)
    entries = [
        entry for item in result.accounts if (entry := _account_entry(result, item, policy_owner))
    ]
    entries += [entry for d in result.discoveries if (entry := _discovery_entry(d, policy_owner))]
    counts = Counter[OrphanReason]()
    for entry in entries:
        counts.update(entry.reasons)
    groups: dict[tuple[str, str], list[OrphanEntry]] = {}
    sponsors: dict[tuple[str, str], Contact | None] = {}
    for entry in entries:
        dept = OUTSIDE if entry.account_id is None else entry.department or NO_DEPARTMENT
        key = (dept, (entry.sponsor.email or "").casefold() if entry.sponsor else "")
        groups.setdefault(key, []).append(entry)
        sponsors[key] = entry.sponsor

    def order(key: tuple[str, str]) -> tuple[int, str, str]:
        rank = 2 if key[0] == OUTSIDE else 1 if key[0] == NO_DEPARTMENT else 0
        return (rank, key[0].casefold(), key[1])

    built = tuple(
        OrphanGroup(
            department=key[0],
            sponsor=sponsors[key],
            entries=tuple(
                sorted(groups[key], key=lambda x: (x.account_id or "", x.platform, x.handle))
            ),
        )
        for key in sorted(groups, key=order)
    )
    full_counts = {r: counts[r] for r in OrphanReason}
    return OrphanReport(
        organization=org.name,
        as_of=result.run.as_of,
        accounts_total=len(inventory.accounts),
        policy_owner=policy_owner,
        summary=_summary(
            org.name,
            result.run.as_of,
            len(inventory.accounts),
            entries,
            full_counts,
            offline=result.run.offline,
        ),
        counts=full_counts,
        groups=built,
    )


# --------------------------------------------------------------------------- render


def render_orphans(report: OrphanReport, fmt: str) -> str:
    """Render as ``markdown``, ``html`` or ``csv``."""
    try:
        kind = OrphanFormat(fmt)
    except ValueError:
        raise UsageError(
            f"unknown orphan report format {fmt!r}; expected one of {', '.join(OrphanFormat)}"
        ) from None
    match kind:
        case OrphanFormat.MARKDOWN:
            return _markdown(report)
        case OrphanFormat.HTML:
            return _html(report)
        case OrphanFormat.CSV:
            return _csv(report)
        case _:
            assert_never(kind)


def _group_title(group: OrphanGroup) -> str:
    sponsor = str(group.sponsor) if group.sponsor else "no executive sponsor"
    if group.department == OUTSIDE:
        return OUTSIDE
    return f"{group.department} — {sponsor}"


def _md(value: object) -> str:
    return markdown_text("" if value is None else str(value))


def _markdown(report: OrphanReport) -> str:
    out = [
        f"# Orphaned pages: {_md(report.organization)} (as of {report.as_of})",
        "",
        _md(report.summary),
        "",
    ]
    if report.policy_owner:
        out += [f"Policy owner: {_md(report.policy_owner)}", ""]
    for group in report.groups:
        out += [f"## {_md(_group_title(group))}", ""]
        for entry in group.entries:
            name = entry.account_id or f"{entry.platform}:{entry.handle}"
            out.append(f"### {_md(name)} — {_md(entry.platform)} {_md(entry.handle)}")
            out.append("")
            if entry.url:
                out.append(f"- Page: {_md(entry.url)}")
            out.append("- Why: " + "; ".join(_md(describe(r)) for r in entry.reasons))
            if entry.owner:
                out.append(f"- Owner: {_md(entry.owner)}")
            out.append(f"- Who can act: **{_md(entry.act)}**")
            out.append("- Recommended: " + "; ".join(_md(a.value) for a in entry.actions))
            out.append("- Evidence:")
            out += [f"  - {_md(line)}" for line in entry.evidence]
            out.append("")
    if not report.groups:
        out += ["Nothing to act on.", ""]
    return "\n".join(out)


def _html(report: OrphanReport) -> str:
    body = [f'<section id="summary"><h2>Summary</h2><p>{e(report.summary)}</p>']
    if report.policy_owner:
        body.append(f"<p>Policy owner: {e(report.policy_owner)}</p>")
    body.append(
        '<table id="reason-counts"><thead><tr><th>reason</th><th class="num">pages</th></tr></thead><tbody>'
    )
    body += [
        f'<tr><td>{e(describe(r))}</td><td class="num">{n}</td></tr>'
        for r, n in report.counts.items()
        if n
    ]
    body.append("</tbody></table></section>")
    for group in report.groups:
        body.append(f'<section class="group"><h2>{e(_group_title(group))}</h2>')
        body.append(
            '<div class="scroll"><table><thead><tr><th>page</th><th>why</th><th>owner</th>'
            "<th>evidence</th><th>who can act</th><th>recommended</th></tr></thead><tbody>"
        )
        for entry in group.entries:
            name = e(entry.account_id or f"{entry.platform}:{entry.handle}")
            href = safe_href(entry.url)
            page_cell = f"<b>{name}</b><br>{e(entry.platform)} "
            page_cell += (
                f'<a href="{href}" rel="noopener noreferrer nofollow">{e(entry.handle)}</a>'
                if href
                else e(entry.handle)
            )
            body.append(
                f"<tr><td>{page_cell}</td>"
                f"<td>{_items(describe(r) for r in entry.reasons)}</td>"
                f"<td>{e(entry.owner) if entry.owner else '—'}</td>"
                f"<td>{_items(entry.evidence)}</td>"
                f"<td>{e(entry.act)}</td>"
                f"<td>{_items(a.value for a in entry.actions)}</td></tr>"
            )
        body.append("</tbody></table></div></section>")
    title = f"Orphaned pages: {report.organization}"
    return page(title, f"As of {report.as_of}", "\n".join(body))


def _items(texts: Iterable[str]) -> str:
    return '<ul class="tight">' + "".join(f"<li>{e(t)}</li>" for t in texts) + "</ul>"


CSV_COLUMNS = (
    "department",
    "executive_sponsor",
    "account_id",
    "platform",
    "handle",
    "url",
    "reasons",
    "owner",
    "owner_end_date",
    "last_activity",
    "observation_status",
    "observation_url",
    "fetched_at",
    "last_known_good",
    "who_can_act",
    "act_name",
    "act_email",
    "recommended_actions",
    "evidence",
)


def _csv(report: OrphanReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for group in report.groups:
        for x in group.entries:
            row = (
                group.department,
                str(group.sponsor) if group.sponsor else "",
                x.account_id or "",
                x.platform,
                x.handle,
                x.url or "",
                "; ".join(r.value for r in x.reasons),
                str(x.owner) if x.owner else "",
                iso(x.owner_end_date) or "",
                iso(x.last_activity) or "",
                x.observation_status or "",
                x.observation_url or "",
                iso(x.fetched_at) or "",
                iso(x.last_known_good) or "",
                x.act.role,
                x.act.name or "",
                x.act.email or "",
                "; ".join(a.value for a in x.actions),
                " | ".join(x.evidence),
            )
            writer.writerow([csv_cell(c) for c in row])
    return out.getvalue()
