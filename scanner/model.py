"""Rollcall's values: frozen dataclasses and closed sets (enums) shared by every stage.

The data path is inventory → observe → evaluate → report; each stage reads and returns these
values and nothing else. "Unknown" is always an explicit state (``Tri.UNKNOWN``,
``ObservationStatus.BLOCKED``), never a ``None`` smuggled through.
"""

from __future__ import annotations

import enum
import sys
from array import array
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar, TypeAlias

__all__ = [
    "Account",
    "AccountResult",
    "AccountState",
    "AccountStatus",
    "AuditResult",
    "Baseline",
    "Classification",
    "Credentials",
    "Discovery",
    "EXTRACTED_FIELDS",
    "Finding",
    "FindingStatus",
    "Inventory",
    "JSON",
    "Location",
    "NOT_OBSERVED_EVIDENCE",
    "Naming",
    "Observation",
    "ObservationStatus",
    "Organization",
    "Person",
    "PersonStatus",
    "Platform",
    "Reason",
    "Role",
    "Roster",
    "RuleInfo",
    "RunInfo",
    "Security",
    "Severity",
    "SiteHit",
    "Tri",
    "WaiverRef",
    "finding_order",
    "not_evaluated",
    "unverified_accounts",
]

JSON: TypeAlias = "None | bool | int | float | str | list[JSON] | dict[str, JSON]"


class Platform(enum.StrEnum):
    """The platforms Rollcall knows. Adding one means a spec in platforms/specs and an adapter."""

    X = "x"
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    LINKEDIN = "linkedin"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    THREADS = "threads"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    GITHUB = "github"
    REDDIT = "reddit"
    MEDIUM = "medium"
    TUMBLR = "tumblr"


class AccountStatus(enum.StrEnum):
    """Lifecycle status declared in the inventory."""

    ACTIVE = "active"
    PLANNED = "planned"
    RETIRED = "retired"


class Credentials(enum.StrEnum):
    """Where the account's credentials are kept."""

    VAULT = "vault"
    PERSONAL = "personal"
    SHARED = "shared"
    UNKNOWN = "unknown"


class Role(enum.StrEnum):
    """A person's relation to the organization, from the HR roster."""

    EMPLOYEE = "employee"
    INTERN = "intern"
    CONTRACTOR = "contractor"
    AGENCY = "agency"


class PersonStatus(enum.StrEnum):
    ACTIVE = "active"
    DEPARTED = "departed"


class Tri(enum.StrEnum):
    """A yes/no fact that may be unknown (e.g. a platform that does not expose 'verified')."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool | None) -> Tri:
        if value is None:
            return cls.UNKNOWN
        return cls.TRUE if value else cls.FALSE


@enum.unique
class Severity(enum.Enum):
    """Ordered severities: ``Severity.CRITICAL > Severity.LOW``."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __str__(self) -> str:
        return self.value


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class ObservationStatus(enum.StrEnum):
    """The five states of an observation. Only PRESENT and ABSENT are verdicts about the account;
    BLOCKED and ERROR mean *unverified*; INVALID means the handle breaks the platform's rules and
    nothing was sent."""

    PRESENT = "present"
    ABSENT = "absent"
    BLOCKED = "blocked"
    ERROR = "error"
    INVALID = "invalid"

    @property
    def verified(self) -> bool:
        return self in (ObservationStatus.PRESENT, ObservationStatus.ABSENT)


class AccountState(enum.StrEnum):
    """What the platform says about a present account."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"
    PRIVATE = "private"
    UNKNOWN = "unknown"


class FindingStatus(enum.StrEnum):
    """Outcome of one rule on one account. PASS results are kept for JUnit but not listed as
    findings; ERROR means the rule needed facts that could not be observed (unverified)."""

    PASS = "pass"
    FAIL = "fail"
    WAIVED = "waived"
    ERROR = "error"
    WARN = "warn"


class Classification(enum.StrEnum):
    """Discovery's verdict on a page that is not in the inventory."""

    UNLISTED_OFFICIAL = "unlisted_official"
    DUPLICATE = "duplicate"
    ROGUE = "rogue"
    """A brand-like name with at least one signal of impersonation: a takedown candidate."""
    NAME_COLLISION = "name_collision"
    """A brand-like name with no signal of impersonation (a namesake): for awareness only."""
    FAN = "fan"
    """A brand-like page that discloses itself as a fan or parody page: for awareness only."""
    UNRELATED = "unrelated"
    UNVERIFIED = "unverified"


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """Where a value came from: file path (as given) and 1-based line/column."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Reason:
    """Machine code plus human text, e.g. ``Reason("login_wall", "Instagram showed its login page")``."""

    code: str
    text: str

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"


# --------------------------------------------------------------------------- inventory


@dataclass(frozen=True)
class Security:
    mfa: bool | None = None
    credentials: Credentials = Credentials.UNKNOWN
    recovery_email: str | None = None


class LineMap(Mapping[str, int]):
    """Which line each field of one inventory entry is on, compactly: the field names are one
    tuple shared by every entry written the same way, the lines four bytes each. An inventory of
    50,000 accounts keeps one of these per account for its error messages and SARIF regions
    (a plain dict of int objects cost about 1 KB per account; this about 150 bytes)."""

    __slots__ = ("_keys", "_lines")
    _shapes: ClassVar[dict[tuple[str, ...], tuple[str, ...]]] = {}

    def __init__(self, lines: Mapping[str, int] | None = None) -> None:
        items = dict(lines or {})
        keys = tuple(items)
        self._keys = LineMap._shapes.setdefault(keys, keys)
        self._lines = array("I", items.values()).tobytes()

    def __getitem__(self, key: str) -> int:
        try:
            i = self._keys.index(key)
        except ValueError:
            raise KeyError(key) from None
        return int.from_bytes(self._lines[4 * i : 4 * i + 4], sys.byteorder)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"LineMap({dict(self)!r})"


class Passes(Collection[tuple[str, str]]):
    """The (rule_id, account_id) pairs that passed, kept per account as one tuple of rule ids
    shared by every account that passed the same rules: a few bytes per account instead of one
    tuple per pair (50,000 accounts pass about 650,000 pairs)."""

    __slots__ = ("_by_account", "_count", "_shapes")

    def __init__(self) -> None:
        self._by_account: list[tuple[str, tuple[str, ...]]] = []
        self._shapes: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._count = 0

    def add(self, account_id: str, rule_ids: Iterable[str]) -> None:
        rules = tuple(rule_ids)
        if rules:
            self._by_account.append((account_id, self._shapes.setdefault(rules, rules)))
            self._count += len(rules)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for account_id, rules in self._by_account:
            for rule_id in rules:
                yield rule_id, account_id

    def __len__(self) -> int:
        return self._count

    def __contains__(self, pair: object) -> bool:
        return any(p == pair for p in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Passes):
            return self._by_account == other._by_account
        if isinstance(other, tuple | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable while the evaluator fills it


@dataclass(frozen=True, slots=True)
class Account:
    """One inventoried account, as declared. ``lines`` maps field names (dotted for nested
    fields, e.g. ``security.mfa``) to their source line, for findings located on a field."""

    id: str
    platform: Platform
    handle: str
    status: AccountStatus
    location: Location
    url: str | None = None
    display_name: str | None = None
    department: str | None = None
    owner: str | None = None
    backup_owner: str | None = None
    executive_sponsor: str | None = None
    objective: str | None = None
    metrics: tuple[str, ...] = ()
    created: date | None = None
    last_attested: date | None = None
    security: Security = field(default_factory=Security)
    tags: tuple[str, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)
    credential: str | None = None
    """A named credential of the config file (``[credentials.NAME]``) to observe the account
    through its platform's API with; None: the platform's default credential, if any."""

    def line_of(self, field_name: str) -> int | None:
        """Line of a field if known, else the account's own line."""
        return self.lines.get(field_name, self.location.line)

    @property
    def audited(self) -> bool:
        """Whether an audit looks at the live profile: active and retired accounts (is a retired
        one still live?); a planned account does not exist yet."""
        return self.status is not AccountStatus.PLANNED


@dataclass(frozen=True)
class Person:
    """One person from the HR roster. Emails compare case-insensitively (``key``)."""

    email: str
    name: str
    department: str | None
    role: Role
    status: PersonStatus
    location: Location
    start_date: date | None = None
    end_date: date | None = None
    policy_acknowledged: date | None = None
    identities: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """The person's ids on platforms (roster columns ``github``, ``linkedin``, ``facebook``,
    ``instagram``, ``x``, ``tiktok``), as the roster wrote them: the access review matches an
    account's holders to people by them when the platform gives no email."""

    @property
    def key(self) -> str:
        return self.email.casefold()


@dataclass(frozen=True)
class Roster:
    """The HR roster, indexed by case-folded email."""

    people: Mapping[str, Person]
    source: str

    def find(self, email: str | None) -> Person | None:
        if not email:
            return None
        return self.people.get(email.strip().casefold())

    def __len__(self) -> int:
        return len(self.people)


@dataclass(frozen=True)
class Naming:
    handle_pattern: str | None = None
    display_name_pattern: str | None = None


@dataclass(frozen=True)
class Organization:
    name: str
    location: Location
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    policy_owner: str | None = None
    roster: str | None = None
    waivers: str | None = None
    policies: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    naming: Naming = field(default_factory=Naming)
    approved_platforms: tuple[Platform, ...] = ()


@dataclass(frozen=True)
class Inventory:
    """A loaded, shape-valid inventory with its roster. Paths inside ``organization`` are resolved
    relative to the inventory file."""

    path: str
    sha256: str
    organization: Organization
    accounts: tuple[Account, ...]
    roster: Roster

    def account(self, account_id: str) -> Account | None:
        for a in self.accounts:
            if a.id == account_id:
                return a
        return None


# --------------------------------------------------------------------------- observe


@dataclass(frozen=True)
class Observation:
    """What one look at one account's public profile showed, with its evidence.

    ``url`` is the URL requested (after any endpoint override), ``final_url`` where redirects
    ended. ``signal`` names the marker that decided ``status`` (e.g. ``json:id``,
    ``fingerprint:cloudflare``, ``status:404+body:Record not found``). ``last_activity_at`` is
    None when the platform does not expose it: never guessed.
    """

    platform: Platform
    handle: str
    status: ObservationStatus
    url: str
    fetched_at: datetime
    reason: Reason | None = None
    http_status: int | None = None
    final_url: str | None = None
    signal: str | None = None
    display_name: str | None = None
    bio: str | None = None
    links: tuple[str, ...] = ()
    followers: int | None = None
    verified: Tri = Tri.UNKNOWN
    created_at: datetime | None = None
    last_activity_at: datetime | None = None
    no_activity_since: datetime | None = None
    """Set when the platform shows *no* activity since this time (GitHub's empty public-event
    list means none in the last 90 days): a known absence of activity, unlike None above."""
    account_state: AccountState = AccountState.UNKNOWN
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    not_modified: bool = False
    access: AccessList | None = None
    """Who holds access to the account, as its owner API listed them (issue 13); None when
    the run read no list (the platform shows none, or no credential reached the account)."""


class HolderKind(enum.StrEnum):
    """What kind of party holds access to an account."""

    PERSON = "person"
    SYSTEM_USER = "system_user"
    PARTNER = "partner_business"
    """Another business (an agency) granted access as a whole."""
    INVITATION = "invitation"
    """Invited, not yet accepted: access as soon as someone accepts."""


@dataclass(frozen=True, slots=True)
class Holder:
    """One party holding access to an account, as the platform's API listed it.

    ``platform_id`` is the platform's id of the holder (a Facebook user or business id, a
    LinkedIn person URN, a GitHub login); ``role`` is the platform's own words for what they
    may do (``MANAGE, CREATE_CONTENT``, ``ADMINISTRATOR``); ``admin`` says whether that
    includes managing who else has access. ``two_factor`` is UNKNOWN where the platform does not
    report it for this holder. ``via`` names the listing it came from (``assigned_users``)."""

    kind: HolderKind
    platform_id: str | None
    name: str | None
    email: str | None
    role: str
    admin: bool
    two_factor: Tri = Tri.UNKNOWN
    via: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the holder between two runs (history's granted/revoked)."""
        return (self.kind.value, (self.platform_id or self.email or self.name or "").casefold())


@dataclass(frozen=True)
class AccessList:
    """Who holds access to one account, with the evidence: the first listing call (``url``,
    scrubbed of secrets) and when it was read.

    ``reason`` set: the list could not be read (a token without the permission, a throttled
    API); the holders are then unknown, never "nobody". ``gaps`` are parts that could not be
    read while the rest was (two-factor status, pending invitations): the facts that need them
    are unknown."""

    holders: tuple[Holder, ...]
    url: str
    fetched_at: datetime
    reason: Reason | None = None
    gaps: tuple[Reason, ...] = ()

    @property
    def known(self) -> bool:
        """Whether the list was read whole: not refused, and no part that could hold an
        admin left unread (more pages than were read, rows in a state the API does not
        document). A partial list can hide an admin, so it is unknown, never a pass."""
        return self.reason is None and self.partial is None

    @property
    def partial(self) -> Reason | None:
        """The gap that leaves the list partial, if any (see :data:`PARTIAL_GAPS`)."""
        return next((g for g in self.gaps if g.code in PARTIAL_GAPS), None)


PARTIAL_GAPS = frozenset({"access_truncated", "acl_state_unknown"})
"""Gaps after which the holders read are not all the holders: pages left unread, rows whose
state the API does not document. (A refused 2FA filter or invitation list leaves the admins
whole: those gaps only make their own facts unknown.)"""


@dataclass(frozen=True)
class OwnedAccount:
    """An account the organization's credential controls (a Page of its Business Manager, an
    organization its token administers), with the call that listed it: the access review's
    proof that an account missing from the inventory is official (ACC-008)."""

    platform: Platform
    handle: str
    native_id: str
    name: str | None
    url: str
    fetched_at: datetime
    credential: str
    via: str


EXTRACTED_FIELDS: tuple[str, ...] = (
    "display_name",
    "bio",
    "links",
    "followers",
    "verified",
    "created_at",
    "last_activity_at",
    "no_activity_since",
    "account_state",
)
"""Observation fields a platform extractor fills (what the page showed); the rest of an
Observation is fetch evidence every observation has."""


# --------------------------------------------------------------------------- evaluate


@dataclass(frozen=True)
class RuleInfo:
    """What reports need to know about a rule (the engine's Rule carries more)."""

    id: str
    title: str
    severity: Severity
    category: str
    rationale: str
    remediation: str
    references: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class WaiverRef:
    id: str
    expires: date
    reason: str
    approved_by: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's outcome on one account (or one discovered page).

    ``fingerprint`` is stable across runs and does not depend on line numbers: it is derived from
    rule id, platform, handle (case-folded) and account id.
    """

    rule_id: str
    title: str
    severity: Severity
    status: FindingStatus
    category: str
    account_id: str | None
    platform: Platform | None
    handle: str | None
    message: str
    remediation: str
    location: Location
    fingerprint: str
    evidence: Mapping[str, JSON] = field(default_factory=dict, compare=False, hash=False)
    waiver: WaiverRef | None = None


def finding_order(f: Finding) -> tuple[int, str, str, str, str]:
    """Sort key of every finding list (audit results, reports, history): most severe first, then
    rule id, account id and handle; the fingerprint breaks what ties remain, so the order never
    depends on the order rules ran in."""
    return (-f.severity.rank, f.rule_id, f.account_id or "", f.handle or "", f.fingerprint)


@dataclass(frozen=True)
class Discovery:
    """A page found outside the inventory, classified with the evidence that decided it."""

    platform: Platform
    handle: str
    url: str
    classification: Classification
    score: int
    matched_alias: str | None
    matched_account_id: str | None
    evidence: tuple[str, ...]
    observation: Observation


@dataclass(frozen=True)
class SiteHit:
    """What one imported long-tail site (``rollcall sites import``) said about one of the
    brand's handles: present, absent or unverified (blocked, error, invalid). A site shows no
    profile to classify, so a present handle is the brand's name registered by an owner
    nobody knows yet, never a rogue verdict. ``site`` is the site id (``whatsmyname:Site``)."""

    handle: str
    site: str
    status: ObservationStatus
    url: str
    fetched_at: datetime
    signal: str | None = None
    reason: Reason | None = None
    http_status: int | None = None
    fetched_url: str | None = None
    """The URL whose answer decided (the site's probe, after redirects); ``url`` is the page
    people open, which a site's API probe (WhatsMyName ``uri_check``) never fetched."""


# --------------------------------------------------------------------------- audit


@dataclass(frozen=True, slots=True)
class AccountResult:
    """An inventoried account with its observation (None when the run was offline) and the
    last successful observation from history when this one is unverified."""

    account: Account
    profile_url: str
    observation: Observation | None
    last_known_good: Observation | None = None


NOT_OBSERVED_EVIDENCE = "not observed"
"""``evidence["observation"]`` of a rule that needed a live profile the run never looked at (an
offline run, or a replay without that account's stored evidence); see :func:`not_evaluated`."""


def not_evaluated(finding: Finding) -> bool:
    """Whether ``finding`` is a live check the run never made: the rule ended ``error`` because
    the account was not observed at all, as opposed to observed and not verifiable (blocked). It
    is neither open nor resolved, so history leaves it out of open counts, baselines and diffs;
    its account still counts as unverified."""
    return (
        finding.status is FindingStatus.ERROR
        and finding.evidence.get("observation") == NOT_OBSERVED_EVIDENCE
    )


def unverified_accounts(
    accounts: Iterable[AccountResult], findings: Iterable[Finding]
) -> tuple[AccountResult, ...]:
    """The audited accounts a run could not verify: the observation is blocked, errored or
    invalid, or a rule on the account ended ``error`` because a fact could not be established
    (its activity request failed, or the run was offline and never looked). The one definition
    behind ``--max-unverified`` and every count a report shows. An account an offline run did
    not observe counts only when a rule needed its live profile; planned accounts never count."""
    erred = {f.account_id for f in findings if f.status is FindingStatus.ERROR and f.account_id}
    return tuple(
        a
        for a in accounts
        if a.account.audited
        and (
            a.account.id in erred
            or (a.observation is not None and not a.observation.status.verified)
        )
    )


@dataclass(frozen=True)
class RunInfo:
    started_at: datetime
    finished_at: datetime
    tool_version: str
    inventory_path: str
    inventory_sha256: str
    policy_packs: tuple[tuple[str, str], ...]
    complete: bool
    as_of: date
    offline: bool = False
    run_id: int | None = None
    replay_of: int | None = None


@dataclass(frozen=True)
class Baseline:
    """Comparison with the previous audit of the same inventory."""

    previous_run_id: int
    previous_started_at: datetime
    new: tuple[str, ...]
    still_open: tuple[str, ...]
    resolved: tuple[Finding, ...]
    first_seen: Mapping[str, datetime]


@dataclass(frozen=True)
class AuditResult:
    """Everything one audit produced; every report format is a view of this value."""

    run: RunInfo
    inventory: Inventory
    accounts: tuple[AccountResult, ...]
    findings: tuple[Finding, ...]
    rules: tuple[RuleInfo, ...]
    passed: Collection[tuple[str, str]] = ()
    """(rule_id, account_id) pairs that passed (a :class:`Passes`); JUnit lists them as passing
    test cases."""
    discoveries: tuple[Discovery, ...] = ()
    site_hits: tuple[SiteHit, ...] = ()
    """What the imported long-tail sites said about the brand's handles (discovery)."""
    baseline: Baseline | None = None
    trends: tuple[Mapping[str, JSON], ...] = ()
