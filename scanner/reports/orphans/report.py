"""The orphaned-page report as values: why each page is listed, its one action, the one person
who must act, its urgency, severity, age and due date (:func:`build`); ``render`` writes it."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, assert_never

from scanner import humanize
from scanner.inventory.access import Affiliation, HolderMatch, RosterIndex, review_access
from scanner.model import (
    Account,
    AccountResult,
    AccountStatus,
    AuditResult,
    Classification,
    Discovery,
    Finding,
    FindingStatus,
    HolderKind,
    Observation,
    ObservationStatus,
    Person,
    PersonStatus,
    Role,
    Roster,
    Severity,
    Tri,
)
from scanner.reports.views import last_activity

if TYPE_CHECKING:
    from scanner.policy.schema import Policy

__all__ = [
    "ACTION_PRECEDENCE",
    "DEFAULT_DUE_DAYS",
    "ENDING_WINDOW_DAYS",
    "NOT_CHECKED",
    "OUTSIDE",
    "REASONS",
    "Action",
    "ActivityState",
    "Age",
    "AgeState",
    "Contact",
    "OrphanEntry",
    "OrphanReason",
    "OrphanReport",
    "ReasonTraits",
    "Urgency",
    "action_for",
    "build",
    "count_phrase",
    "describe",
    "due_days",
    "recommend",
]

ENDING_WINDOW_DAYS = 30
"""An internship or contract ending within this many days after the audit date counts already."""

DEFAULT_DUE_DAYS: Mapping[Severity, int] = MappingProxyType(
    {
        Severity.CRITICAL: 7,
        Severity.HIGH: 30,
        Severity.MEDIUM: 90,
        Severity.LOW: 180,
        Severity.INFO: 365,
    }
)
"""Days to fix a page, by severity, when the packs set no ``orphans.due_days.<severity>``."""

NOT_CHECKED = "could not check"
"""What the report says of a fact the run could not establish."""
OUTSIDE = "not in the inventory"


class OrphanReason(enum.StrEnum):
    """Why a page is listed. The values are stable names (the CSV, the example's planted list)."""

    OWNER_MISSING = "owner_missing"
    OWNER_UNKNOWN = "owner_unknown"
    OWNER_DEPARTED = "owner_departed"
    OWNER_ENDING = "owner_ending"
    INACTIVE = "inactive"
    DORMANT = "dormant"
    SILENT_SINCE_OWNER_LEFT = "silent_since_owner_left"
    UNVERIFIED = "unverified"
    ACTIVITY_UNKNOWN = "activity_unknown"
    RETIRED_LIVE = "retired_live"
    UNLISTED_OFFICIAL = "unlisted_official"
    ROGUE = "rogue"
    ACCESS_DEPARTED = "access_departed"
    ACCESS_UNKNOWN = "access_unknown"
    ACCESS_AGENCY = "access_agency"
    ACCESS_NO_2FA = "access_no_2fa"
    ACCESS_TOO_FEW = "access_too_few_admins"
    ACCESS_OWNER_LACKS = "access_owner_lacks"
    OUTSIDE_CONTROL = "outside_control"


class Action(enum.StrEnum):
    """One recommended action, short enough for a table cell."""

    REASSIGN_OWNER = "reassign the owner"
    HAND_OVER = "hand over and resume posting"
    ARCHIVE = "archive or delete the page"
    VERIFY = "check the page by hand"
    TAKEDOWN = "request a takedown"
    ADD_TO_INVENTORY = "add to the inventory or retire"
    REVOKE_ACCESS = "remove their access"
    CLAIM = "bring the page under company control"
    REQUIRE_2FA = "require two-factor authentication"
    GRANT_ACCESS = "give owner and backup admin rights"


class Urgency(enum.Enum):
    """Which pages come first, whatever their severity; declaration order is the report's."""

    TAKEDOWN = "takedown"  # a page impersonating the organization harms customers every day
    ACCESS = "access"  # someone who left may still hold the page's credentials
    SCHEDULED = "scheduled"  # the rest: by severity, then age

    @property
    def label(self) -> str:
        """Words for the policy owner ("" for the ordinary case, which needs none)."""
        match self:
            case Urgency.TAKEDOWN:
                return "takedown"
            case Urgency.ACCESS:
                return "access at risk"
            case Urgency.SCHEDULED:
                return ""
            case _:
                assert_never(self)

    @property
    def explanation(self) -> str:
        """Why such a page comes first, in a sentence."""
        match self:
            case Urgency.TAKEDOWN:
                return "takedown first: the page impersonates the organization"
            case Urgency.ACCESS:
                return "access at risk: someone who left may still hold the page's credentials"
            case Urgency.SCHEDULED:
                return "by severity and age"
            case _:
                assert_never(self)


class AgeState(enum.StrEnum):
    NEW = "new"  # first seen in this audit
    OPEN = "open"  # open since an earlier audit
    UNKNOWN = "unknown"  # no history can tell


class ActivityState(enum.StrEnum):
    SEEN = "seen"  # a last post was read
    LAST_GOOD = "last_known_good"  # not checkable now; read at the last good check
    NONE_SINCE = "none_since"  # the platform vouches for no post since a date
    NOT_CHECKED = "could_not_check"  # not shown by the platform, not fetched, or offline


@dataclass(frozen=True)
class ReasonTraits:
    """What one reason asks for and how it weighs.

    ``rules``: the rules whose open findings establish the reason; their first-seen date is the
    problem's age, and (unless ``severity`` is set) their severity, as the packs set it, is the
    reason's. ``severity``: a fixed severity, for a reason no rule's failure establishes (a fact
    that could not be checked is not a failure, an ending contract not yet one)."""

    action: Action
    rules: tuple[str, ...]
    severity: Severity | None = None
    urgency: Urgency = Urgency.SCHEDULED


R = OrphanReason
REASONS: Mapping[OrphanReason, ReasonTraits] = MappingProxyType(
    {
        R.OWNER_MISSING: ReasonTraits(Action.REASSIGN_OWNER, ("OWN-001",)),
        R.OWNER_UNKNOWN: ReasonTraits(Action.REASSIGN_OWNER, ("OWN-002",)),
        R.OWNER_DEPARTED: ReasonTraits(Action.REASSIGN_OWNER, ("OWN-002",), None, Urgency.ACCESS),
        R.OWNER_ENDING: ReasonTraits(Action.REASSIGN_OWNER, (), Severity.MEDIUM),
        R.INACTIVE: ReasonTraits(Action.HAND_OVER, ("ACT-001",)),
        R.DORMANT: ReasonTraits(Action.ARCHIVE, ("ACT-002",)),
        # ACT-003's rationale: abandoned "often with the credentials still in their hands".
        R.SILENT_SINCE_OWNER_LEFT: ReasonTraits(
            Action.HAND_OVER, ("ACT-003",), None, Urgency.ACCESS
        ),
        # A blocked page leaves the existence rules in error: that is when it was first unchecked.
        R.UNVERIFIED: ReasonTraits(Action.VERIFY, ("IDN-001", "IDN-005"), Severity.MEDIUM),
        R.ACTIVITY_UNKNOWN: ReasonTraits(
            Action.VERIFY, ("ACT-001", "ACT-002", "ACT-003"), Severity.LOW
        ),
        R.RETIRED_LIVE: ReasonTraits(Action.ARCHIVE, ("IDN-005",)),
        R.UNLISTED_OFFICIAL: ReasonTraits(Action.ADD_TO_INVENTORY, ("DSC-002", "ACC-008")),
        R.ROGUE: ReasonTraits(Action.TAKEDOWN, ("DSC-001",), None, Urgency.TAKEDOWN),
        R.ACCESS_DEPARTED: ReasonTraits(Action.REVOKE_ACCESS, ("ACC-001",), None, Urgency.ACCESS),
        R.ACCESS_UNKNOWN: ReasonTraits(Action.REVOKE_ACCESS, ("ACC-002",)),
        R.ACCESS_AGENCY: ReasonTraits(Action.REVOKE_ACCESS, ("ACC-003",), None, Urgency.ACCESS),
        R.ACCESS_NO_2FA: ReasonTraits(Action.REQUIRE_2FA, ("ACC-004",)),
        R.ACCESS_TOO_FEW: ReasonTraits(Action.GRANT_ACCESS, ("ACC-005",)),
        R.ACCESS_OWNER_LACKS: ReasonTraits(Action.GRANT_ACCESS, ("ACC-006",)),
        R.OUTSIDE_CONTROL: ReasonTraits(Action.CLAIM, ("ACC-007",), None, Urgency.ACCESS),
    }
)
"""Every reason's action and weight: the data behind the order and the one recommended action."""

ACTION_PRECEDENCE: tuple[Action, ...] = (
    Action.TAKEDOWN,  # an impersonator does harm until the platform removes it
    Action.REVOKE_ACCESS,  # a leaver or a stranger holding the keys: close the door first
    Action.CLAIM,  # a page outside company control cannot be governed at all
    Action.REASSIGN_OWNER,  # nothing else is safe until someone accountable holds the page
    Action.ARCHIVE,  # a retired or year-silent page is closed, not revived
    Action.HAND_OVER,
    Action.REQUIRE_2FA,
    Action.GRANT_ACCESS,
    Action.VERIFY,  # only when nothing certain is known: never act on what was not checked
    Action.ADD_TO_INVENTORY,
)
"""When a page's reasons ask for different actions, the first of these wins (``recommend``)."""

# Words for an owner on a fixed-term engagement: (the engagement, the page left behind).
_TERM_WORDS: Mapping[Role, tuple[str, str]] = MappingProxyType(
    {
        Role.INTERN: ("internship", "intern-era page (went silent when the intern left)"),
        Role.CONTRACTOR: ("contract", "contractor's page (went silent when the contract ended)"),
        Role.AGENCY: (
            "agency contract",
            "agency-run page (went silent when the agency's contract ended)",
        ),
    }
)


def describe(reason: OrphanReason, role: Role | None = None) -> str:
    """The reason in the policy owner's words; ``role`` is the owner's, for the reasons whose
    words depend on it (an intern's page is "intern-era", a contractor's is not)."""
    match reason:
        case OrphanReason.OWNER_MISSING:
            return "no owner assigned"
        case OrphanReason.OWNER_UNKNOWN:
            return "owner not in the HR roster"
        case OrphanReason.OWNER_DEPARTED:
            return "owner has left"
        case OrphanReason.OWNER_ENDING:
            words = _TERM_WORDS.get(role) if role else None
            term = words[0] if words else "internship or contract"
            return f"owner's {term} ends within {ENDING_WINDOW_DAYS} days"
        case OrphanReason.INACTIVE:
            return "inactive (no post within the inactivity limit)"
        case OrphanReason.DORMANT:
            return "dormant for a year or more (retirement candidate)"
        case OrphanReason.SILENT_SINCE_OWNER_LEFT:
            words = _TERM_WORDS.get(role) if role else None
            return words[1] if words else "went silent when its temporary owner left"
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
        case OrphanReason.ACCESS_DEPARTED:
            return "someone who left still holds admin rights"
        case OrphanReason.ACCESS_UNKNOWN:
            return "an admin nobody in the roster knows"
        case OrphanReason.ACCESS_AGENCY:
            return "an agency without an active contract has access"
        case OrphanReason.ACCESS_NO_2FA:
            return "an admin without two-factor authentication"
        case OrphanReason.ACCESS_TOO_FEW:
            return "fewer than two employees hold admin rights"
        case OrphanReason.ACCESS_OWNER_LACKS:
            return "the declared owner or backup holds no access"
        case OrphanReason.OUTSIDE_CONTROL:
            return "outside company control (the organization's credential cannot reach it)"
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
            return f"{n} whose owner's internship or contract ends within {ENDING_WINDOW_DAYS} days"
        case OrphanReason.INACTIVE:
            return f"{n} inactive"
        case OrphanReason.DORMANT:
            return f"{n} silent for a year or more"
        case OrphanReason.SILENT_SINCE_OWNER_LEFT:
            return f"{n} silent since their intern, contractor or agency owner left"
        case OrphanReason.UNVERIFIED:
            return f"{n} that could not be verified"
        case OrphanReason.ACTIVITY_UNKNOWN:
            return f"{n} whose activity could not be read"
        case OrphanReason.RETIRED_LIVE:
            return f"{n} retired but still live"
        case OrphanReason.UNLISTED_OFFICIAL:
            return f"{n} official {humanize.noun(n, 'page')} missing from the inventory"
        case OrphanReason.ROGUE:
            return f"{n} suspected rogue {humanize.noun(n, 'page')}"
        case OrphanReason.ACCESS_DEPARTED:
            return f"{n} where someone who left still holds admin rights"
        case OrphanReason.ACCESS_UNKNOWN:
            return f"{n} with an admin nobody in the roster knows"
        case OrphanReason.ACCESS_AGENCY:
            return f"{n} open to an agency without an active contract"
        case OrphanReason.ACCESS_NO_2FA:
            return f"{n} with an admin without two-factor authentication"
        case OrphanReason.ACCESS_TOO_FEW:
            return f"{n} with fewer than two employee admins"
        case OrphanReason.ACCESS_OWNER_LACKS:
            return f"{n} whose declared owner or backup holds no access"
        case OrphanReason.OUTSIDE_CONTROL:
            return f"{n} outside company control"
        case _:
            assert_never(reason)


def action_for(reason: OrphanReason) -> Action:
    """What this reason alone asks for."""
    return REASONS[reason].action


def recommend(reasons: Iterable[OrphanReason]) -> tuple[Action, OrphanReason]:
    """The one action for a page listed for ``reasons`` (the first in :data:`ACTION_PRECEDENCE`
    that one of them asks for) and the reason it answers (the first of those, in ``reasons``'
    order)."""
    listed = tuple(reasons)
    for action in ACTION_PRECEDENCE:
        for reason in listed:
            if REASONS[reason].action is action:
                return action, reason
    raise ValueError("a listed page has at least one reason")


def due_days(policy: Policy | None) -> Mapping[Severity, int]:
    """The ``orphans.due_days.<severity>`` params of the packs (validated by the policy loader),
    with :data:`DEFAULT_DUE_DAYS` for any they do not set."""
    days = dict(DEFAULT_DUE_DAYS)
    if policy is not None:
        for severity, default in DEFAULT_DUE_DAYS.items():
            value = policy.params(f"orphans.due_days.{severity.value}", default)
            if isinstance(value, int) and not isinstance(value, bool):
                days[severity] = value
    return MappingProxyType(days)


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

    @property
    def lines(self) -> tuple[str, ...]:
        """Name, email and role on lines of their own (a table cell)."""
        who = tuple(x for x in (self.name, self.email) if x) or ("unassigned",)
        return (*who, self.role)


@dataclass(frozen=True)
class Age:
    """How long the problem has been open, as far as the history can tell."""

    state: AgeState
    since: datetime | None = None
    days: int = 0
    unknown_because: str = ""

    def __str__(self) -> str:
        match self.state:
            case AgeState.NEW:
                return "new"
            case AgeState.OPEN:
                return humanize.count(self.days, "day")
            case AgeState.UNKNOWN:
                return "unknown"
            case _:
                assert_never(self.state)

    def explain(self) -> str:
        """The age in a sentence."""
        match self.state:
            case AgeState.NEW:
                return "new: first seen in this audit"
            case AgeState.OPEN:
                since = humanize.day(self.since) if self.since else "an earlier audit"
                return f"{self} (open since {since})"
            case AgeState.UNKNOWN:
                return f"unknown: {self.unknown_because}"
            case _:
                assert_never(self.state)


@dataclass(frozen=True)
class OrphanEntry:
    account_id: str | None
    platform: str
    handle: str
    url: str | None
    department: str | None
    sponsor: Contact | None
    owner: Contact | None
    owner_role: Role | None
    owner_end_date: date | None
    reasons: tuple[OrphanReason, ...]
    evidence: tuple[str, ...]
    activity: ActivityState
    last_activity: datetime | None
    no_activity_since: datetime | None
    observation_status: str | None
    observation_url: str | None
    fetched_at: datetime | None
    last_known_good: datetime | None
    act: Contact
    """The one person who must act."""
    action: Action
    action_reason: OrphanReason
    urgency: Urgency
    severity: Severity
    age: Age
    due: date
    overdue: bool
    access: tuple[str, ...] = ()
    """Who holds the page and what is wrong with each (the access section); empty when the
    run read no holder list for it."""

    @property
    def key(self) -> str:
        """The account id, or ``platform:handle`` for a page outside the inventory."""
        return self.account_id or f"{self.platform}:{self.handle}"

    @property
    def why(self) -> tuple[str, ...]:
        """The reasons in words."""
        return tuple(describe(r, self.owner_role) for r in self.reasons)

    @property
    def because(self) -> str:
        """Why the recommended action is the one."""
        return describe(self.action_reason, self.owner_role)

    @property
    def activity_text(self) -> str:
        """The last post, or "could not check"."""
        match self.activity:
            case ActivityState.NOT_CHECKED:
                return NOT_CHECKED
            case ActivityState.LAST_GOOD:
                return f"{humanize.activity(self.last_activity, None)} (last good check)"
            case ActivityState.SEEN | ActivityState.NONE_SINCE:
                return humanize.activity(self.last_activity, self.no_activity_since)
            case _:
                assert_never(self.activity)

    @property
    def priority(self) -> tuple[str, ...]:
        """Urgency (when it is not the ordinary case) and severity, for a table cell."""
        return tuple(x for x in (self.urgency.label, self.severity.value) if x)


@dataclass(frozen=True)
class OrphanReport:
    organization: str
    as_of: date
    accounts_total: int
    policy_owner: Contact | None
    summary: str
    counts: Mapping[OrphanReason, int]
    entries: tuple[OrphanEntry, ...]
    """Most urgent first (see :func:`build`)."""
    due_days: Mapping[Severity, int]
    """Days to fix a page, by severity (see :func:`due_days`)."""


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
    end = person.end_date
    if person.status is PersonStatus.DEPARTED:
        when = f" on {humanize.day(end)}" if end else ""
        return [OrphanReason.OWNER_DEPARTED], [f"{who} left{when}"], person
    if end is None:
        return [], [], person
    term = _TERM_WORDS[person.role][0] if person.role in _TERM_WORDS else None
    if end <= as_of:
        # Gone, even if the roster has not caught up: the same access risk as a departure.
        what = f"{term} ended" if term else "left"
        return [OrphanReason.OWNER_DEPARTED], [f"{who}: {what} on {humanize.day(end)}"], person
    if term and end <= as_of + timedelta(days=ENDING_WINDOW_DAYS):
        return (
            [OrphanReason.OWNER_ENDING],
            [f"{who}: {term} ends on {humanize.day(end)}"],
            person,
        )
    return [], [], person


def _who_can_act(
    account: Account, roster: Roster, as_of: date, policy_owner: Contact | None
) -> Contact:
    """The one person who must act: the backup owner if active (and not the owner), else the
    executive sponsor if active, else the policy owner on behalf of the department."""
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


_ACCESS_ACTIONS = frozenset(
    {Action.REVOKE_ACCESS, Action.CLAIM, Action.REQUIRE_2FA, Action.GRANT_ACCESS}
)


def _access_actor(
    account: Account, roster: Roster, as_of: date, policy_owner: Contact | None
) -> Contact:
    """Who changes a page's access: its owner, who should hold admin rights; the executive
    sponsor when the owner has left; else the policy owner."""
    owner = roster.find(account.owner)
    if owner is not None and not _gone(owner, as_of):
        return Contact("owner", owner.name, owner.email)
    sponsor = roster.find(account.executive_sponsor)
    if sponsor is not None and not _gone(sponsor, as_of):
        return Contact("executive sponsor (the owner has left)", sponsor.name, sponsor.email)
    return _who_can_act(account, roster, as_of, policy_owner)


def _standing(m: HolderMatch) -> str:
    """A holder's roster match and what is wrong with it, in words."""
    h = m.holder
    match m.affiliation:
        case Affiliation.AMBIGUOUS:
            return f"matches several people ({', '.join(m.candidates)}): identify them"
        case Affiliation.UNKNOWN if h.kind is HolderKind.PARTNER:
            return "partner business not in the roster: remove"
        case Affiliation.UNKNOWN if h.kind is HolderKind.SYSTEM_USER:
            return "a system user of the Business Manager"
        case Affiliation.UNKNOWN:
            return "matches nobody in the roster: identify or remove" if h.admin else "unknown"
        case Affiliation.DEPARTED:
            return "left the organization: remove"
        case _ if h.kind is HolderKind.PARTNER and m.affiliation is not Affiliation.AGENCY:
            return f"roster: {m.affiliation.value}, not an agency contract: remove"
    words = f"{m.affiliation.value} ({m.matched_by})"
    if h.admin and h.two_factor is Tri.FALSE:
        return f"{words}: no two-factor authentication"
    return words


def _holder_lines(item: AccountResult, index: RosterIndex) -> tuple[str, ...]:
    """The access section of one page: where the list came from, then each holder."""
    obs = item.observation
    if obs is None or obs.access is None:
        return ()
    access = obs.access
    if access.reason is not None:
        return (f"holders could not be listed: {access.reason.text}",)
    review = review_access(item.account, access, index)
    vias = ", ".join(dict.fromkeys(h.via for h in access.holders if h.via)) or "the API"
    head = f"listed by {vias} at {humanize.moment(access.fetched_at)} ({access.url})"
    lines = [head]
    for m in review.matches:
        role = f"{m.holder.role} (admin)" if m.holder.admin else m.holder.role
        lines.append(f"{m.label}: {role} — {_standing(m)}")
    lines += [f"not read: {g.text}" for g in access.gaps]
    return tuple(lines)


def _observation_evidence(obs: Observation | None, good: Observation | None) -> list[str]:
    lines = []
    if obs is not None:
        text = f"observation: {obs.status.value} at {humanize.moment(obs.fetched_at)} ({obs.url})"
        if obs.reason is not None:
            text += f": {obs.reason.text}"
        lines.append(text)
    if good is not None:
        lines.append(f"last known good: {good.status.value} at {humanize.moment(good.fetched_at)}")
    return lines


def _activity(
    last: datetime | None, obs: Observation | None
) -> tuple[ActivityState, datetime | None]:
    if last is not None:
        now = obs is not None and obs.last_activity_at is not None
        return (ActivityState.SEEN if now else ActivityState.LAST_GOOD), None
    none_since = obs.no_activity_since if obs is not None else None
    if none_since is not None:
        return ActivityState.NONE_SINCE, none_since
    return ActivityState.NOT_CHECKED, None


@dataclass(frozen=True)
class _Facts:
    """What a page's weight is computed from: its reasons and its open findings by rule."""

    reasons: tuple[OrphanReason, ...]
    findings: Mapping[str, tuple[Finding, ...]]


def _open_findings(findings: Iterable[Finding]) -> Mapping[str, tuple[Finding, ...]]:
    # Waived findings are accepted risk, passed ones no problem: neither ages a page.
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        if f.status in (FindingStatus.FAIL, FindingStatus.WARN, FindingStatus.ERROR):
            by_rule.setdefault(f.rule_id, []).append(f)
    return {rule: tuple(fs) for rule, fs in by_rule.items()}


class _Weigher:
    """Severity, urgency, age and due date of a page, from :data:`REASONS` and the history."""

    def __init__(self, result: AuditResult, days: Mapping[Severity, int]) -> None:
        self.result = result
        self.days = days
        self.rule_severity = {r.id: r.severity for r in result.rules}

    def severity(self, facts: _Facts) -> Severity:
        levels = []
        for reason in facts.reasons:
            traits = REASONS[reason]
            if traits.severity is not None:
                levels.append(traits.severity)
                continue
            failed = [
                f.severity
                for rule in traits.rules
                for f in facts.findings.get(rule, ())
                if f.status in (FindingStatus.FAIL, FindingStatus.WARN)
            ]
            # Waived or disabled: the severity the packs give the rule, else a middle one.
            known = failed or [
                self.rule_severity[r] for r in traits.rules if r in self.rule_severity
            ]
            levels.append(max(known, default=Severity.MEDIUM))
        return max(levels)

    def age(self, facts: _Facts) -> Age:
        run, baseline = self.result.run, self.result.baseline
        if baseline is None:
            if run.run_id is not None and not run.offline:
                # Recorded, with no earlier audit of this inventory to compare: first seen now.
                return Age(AgeState.NEW, run.started_at)
            why = (
                "an offline run is not compared with the history"
                if run.offline
                else "no history was kept for this audit"
            )
            return Age(AgeState.UNKNOWN, unknown_because=why)
        rules = {rule for reason in facts.reasons for rule in REASONS[reason].rules}
        seen = [
            baseline.first_seen[f.fingerprint]
            for rule in rules
            for f in facts.findings.get(rule, ())
            if f.fingerprint in baseline.first_seen
        ]
        if not seen:
            return Age(AgeState.UNKNOWN, unknown_because="no finding tracks it in the history")
        since = min(seen)
        if since >= run.started_at:
            return Age(AgeState.NEW, since)
        return Age(AgeState.OPEN, since, max((run.started_at - since).days, 0))

    def weigh(self, facts: _Facts) -> _Weight:
        severity = self.severity(facts)
        age = self.age(facts)
        as_of = self.result.run.as_of
        # The clock starts when the problem was first seen (this audit when nobody can tell).
        due = as_of + timedelta(days=self.days[severity] - age.days)
        action, because = recommend(facts.reasons)
        urgency = min((REASONS[r].urgency for r in facts.reasons), key=_URGENCY_ORDER.index)
        return _Weight(action, because, urgency, severity, age, due, due < as_of)


@dataclass(frozen=True)
class _Weight:
    action: Action
    because: OrphanReason
    urgency: Urgency
    severity: Severity
    age: Age
    due: date
    overdue: bool


_URGENCY_ORDER = tuple(Urgency)


def _account_entry(
    result: AuditResult,
    item: AccountResult,
    policy_owner: Contact | None,
    weigher: _Weigher,
    index: RosterIndex,
) -> OrphanEntry | None:
    account = item.account
    if account.status is AccountStatus.PLANNED:
        return None
    roster = result.inventory.roster
    as_of = result.run.as_of
    mine = [f for f in result.findings if f.account_id == account.id]
    reasons, evidence, owner_person = _account_reasons(item, mine, roster, as_of)
    if not reasons:
        return None
    obs = item.observation
    when = last_activity(item)
    if when is not None:
        days = (as_of - when.date()).days
        evidence.insert(
            0, f"last post {humanize.day(when)} ({humanize.count(days, 'day')} before {as_of})"
        )
    evidence += _observation_evidence(obs, item.last_known_good)
    if owner_person is None and account.owner:
        owner_person = roster.find(account.owner)
    activity, none_since = _activity(when, obs)
    facts = _Facts(tuple(reasons), _open_findings(mine))
    weight = weigher.weigh(facts)
    actor = _access_actor if weight.action in _ACCESS_ACTIONS else _who_can_act
    return OrphanEntry(
        account_id=account.id,
        platform=account.platform.value,
        handle=account.handle,
        url=item.profile_url,
        department=account.department,
        sponsor=_contact(roster, "executive sponsor", account.executive_sponsor),
        owner=_owner_contact(owner_person, account.owner),
        owner_role=owner_person.role if owner_person else None,
        owner_end_date=owner_person.end_date if owner_person else None,
        reasons=facts.reasons,
        evidence=tuple(evidence),
        activity=activity,
        last_activity=when,
        no_activity_since=none_since,
        observation_status=obs.status.value if obs else None,
        observation_url=obs.url if obs else None,
        fetched_at=obs.fetched_at if obs else None,
        last_known_good=item.last_known_good.fetched_at if item.last_known_good else None,
        act=actor(account, roster, as_of, policy_owner),
        action=weight.action,
        action_reason=weight.because,
        urgency=weight.urgency,
        severity=weight.severity,
        age=weight.age,
        due=weight.due,
        overdue=weight.overdue,
        access=_holder_lines(item, index),
    )


_RULE_REASONS = (
    ("ACT-001", OrphanReason.INACTIVE),
    ("ACT-002", OrphanReason.DORMANT),
    ("ACT-003", OrphanReason.SILENT_SINCE_OWNER_LEFT),
    ("IDN-005", OrphanReason.RETIRED_LIVE),
    ("ACC-001", OrphanReason.ACCESS_DEPARTED),
    ("ACC-002", OrphanReason.ACCESS_UNKNOWN),
    ("ACC-003", OrphanReason.ACCESS_AGENCY),
    ("ACC-004", OrphanReason.ACCESS_NO_2FA),
    ("ACC-005", OrphanReason.ACCESS_TOO_FEW),
    ("ACC-006", OrphanReason.ACCESS_OWNER_LACKS),
    ("ACC-007", OrphanReason.OUTSIDE_CONTROL),
)
"""Failing rules that list an account by themselves, in the order their reasons are shown."""


def _account_reasons(
    item: AccountResult, mine: Sequence[Finding], roster: Roster, as_of: date
) -> tuple[list[OrphanReason], list[str], Person | None]:
    """Why an account is listed, in order: its owner, its failing activity rules, then what could
    not be observed; with the evidence lines and the owner when the roster has them."""
    reasons: list[OrphanReason] = []
    evidence: list[str] = []
    owner_person: Person | None = None
    if item.account.status is AccountStatus.ACTIVE:
        found, lines, owner_person = _owner_reasons(item.account, roster, as_of)
        reasons += found
        evidence += lines
    failing = {f.rule_id: f for f in mine if f.status is FindingStatus.FAIL}
    for rule_id, reason in _RULE_REASONS:
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
            for f in mine
            if f.status is FindingStatus.ERROR and f.rule_id in REASONS[R.ACTIVITY_UNKNOWN].rules
        ]
        if unread:
            reasons.append(OrphanReason.ACTIVITY_UNKNOWN)
            why = obs.reason.text if obs.reason is not None else unread[0].message
            evidence.append(f"activity could not be read: {why}")
    return reasons, evidence, owner_person


def _owner_contact(person: Person | None, owner: str | None) -> Contact | None:
    """The owner as the roster knows them, else the inventory's address, else nobody."""
    if person:
        return Contact(
            f"owner, {person.role.value}, {person.status.value}", person.name, person.email
        )
    return Contact("owner, not in the roster", None, owner) if owner else None


def _discovery_reason(classification: Classification) -> OrphanReason | None:
    """The reason a discovered page is listed; duplicates, unrelated and unverified pages are not,
    nor namesakes and fan pages (not orphans of ours, and never a takedown)."""
    match classification:
        case Classification.UNLISTED_OFFICIAL:
            return OrphanReason.UNLISTED_OFFICIAL
        case Classification.ROGUE:
            return OrphanReason.ROGUE
        case (
            Classification.DUPLICATE
            | Classification.UNRELATED
            | Classification.UNVERIFIED
            | Classification.NAME_COLLISION
            | Classification.FAN
        ):
            return None
        case _:
            assert_never(classification)


def _discovery_entry(
    result: AuditResult, d: Discovery, policy_owner: Contact | None, weigher: _Weigher
) -> OrphanEntry | None:
    reason = _discovery_reason(d.classification)
    if reason is None:
        return None
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
    mine = [
        f
        for f in result.findings
        if f.account_id is None
        and f.platform is d.platform
        and (f.handle or "").casefold() == d.handle.casefold()
    ]
    activity, none_since = _activity(obs.last_activity_at, obs)
    facts = _Facts((reason,), _open_findings(mine))
    weight = weigher.weigh(facts)
    return OrphanEntry(
        account_id=None,
        platform=d.platform.value,
        handle=d.handle,
        url=d.url,
        department=None,
        sponsor=None,
        owner=None,
        owner_role=None,
        owner_end_date=None,
        reasons=facts.reasons,
        evidence=tuple(evidence),
        activity=activity,
        last_activity=obs.last_activity_at,
        no_activity_since=none_since,
        observation_status=obs.status.value,
        observation_url=obs.url,
        fetched_at=obs.fetched_at,
        last_known_good=None,
        act=act,
        action=weight.action,
        action_reason=weight.because,
        urgency=weight.urgency,
        severity=weight.severity,
        age=weight.age,
        due=weight.due,
        overdue=weight.overdue,
    )


def _urgency_order(entry: OrphanEntry) -> tuple[int, int, int, str]:
    """Takedowns, then pages a former owner may still hold, then the rest; within each, the most
    severe first, then the oldest problem."""
    return (
        _URGENCY_ORDER.index(entry.urgency),
        -entry.severity.rank,
        -entry.age.days,
        entry.key.casefold(),
    )


def _summary(
    org: str,
    as_of: date,
    total: int,
    entries: Sequence[OrphanEntry],
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
    overdue = sum(1 for x in entries if x.overdue)
    text += (
        " Pages are listed by urgency: takedowns first, then pages a former owner may still hold,"
        " then by severity and age; each names one action, the one person who must act and a"
        " due date"
    )
    text += f" ({humanize.count(overdue, 'page')} overdue)." if overdue else "."
    return text + caveat


def build(result: AuditResult, days: Mapping[Severity, int] = DEFAULT_DUE_DAYS) -> OrphanReport:
    """The orphaned-page report of one audit (no I/O), most urgent page first; ``days`` is
    :func:`due_days` of the audit's packs."""
    inventory = result.inventory
    org = inventory.organization
    policy_owner = _contact(inventory.roster, "policy owner", org.policy_owner)
    weigher = _Weigher(result, days)
    index = RosterIndex(inventory.roster)
    entries = [
        entry
        for item in result.accounts
        if (entry := _account_entry(result, item, policy_owner, weigher, index))
    ]
    entries += [
        entry
        for d in result.discoveries
        if (entry := _discovery_entry(result, d, policy_owner, weigher))
    ]
    ordered = tuple(sorted(entries, key=_urgency_order))
    counts = Counter[OrphanReason]()
    for entry in ordered:
        counts.update(entry.reasons)
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
            ordered,
            full_counts,
            offline=result.run.offline,
        ),
        counts=full_counts,
        entries=ordered,
        due_days=days,
    )
