"""The field catalogue: every name a rule may test, its kind, and how to read it for one account.

Fields are the account's own (``handle``, ``security.mfa``), people joined from the roster
(``owner.status``, ``backup_owner.found``), the live observation (``live.display_name``) and the
organization (``org.domains``). Validation rejects any other name with a "did you mean".
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from operator import attrgetter
from typing import Any, assert_never

from scanner.inventory.access import (
    AccessReview,
    Affiliation,
    HolderMatch,
    RosterIndex,
    review_access,
)
from scanner.model import (
    Account,
    Location,
    Observation,
    ObservationStatus,
    Organization,
    Person,
    Platform,
    Tri,
)
from scanner.platforms import adapter_for
from scanner.platforms.api.interface import Api

__all__ = [
    "FIELDS",
    "ITEM_FIELD",
    "PERSON_PREFIXES",
    "Activity",
    "Context",
    "FieldKind",
    "FieldSource",
    "FieldSpec",
    "Unknown",
    "handle_name",
    "joined_handle_name",
    "kind_label",
]


class FieldKind(enum.Enum):
    """What a field holds; operators declare which kinds they accept."""

    TEXT = "text"
    NUMBER = "number"
    BOOL = "yes/no"
    DATE = "date"
    LIST = "list"
    ACTIVITY = "activity"
    """Last activity: a datetime, or a known "no activity since" bound (``Activity``)."""


def kind_label(kind: FieldKind) -> str:
    match kind:
        case FieldKind.TEXT:
            return "text"
        case FieldKind.NUMBER:
            return "a number"
        case FieldKind.BOOL:
            return "yes/no"
        case FieldKind.DATE:
            return "a date"
        case FieldKind.LIST:
            return "a list"
        case FieldKind.ACTIVITY:
            return "an activity date"
        case _:
            assert_never(kind)


class FieldSource(enum.Enum):
    ACCOUNT = "account"
    PERSON = "person"
    LIVE = "live"
    ORG = "org"
    ITEM = "item"


@dataclass(frozen=True, slots=True)
class Activity:
    """What an observation says about activity: the last post if seen, else a time since which
    the platform shows none (GitHub's empty 90-day event list), else nothing known."""

    last: datetime | None
    none_since: datetime | None


@dataclass(frozen=True, slots=True)
class Unknown:
    """A live fact this run could not establish on a present profile (its activity request
    failed, its dates were unusable, the page showed no count): every operator on it is
    undecided, and a rule left undecided by it ends ``error`` with ``reason``."""

    reason: str

    def __str__(self) -> str:
        return "(unknown)"


_UNVERIFIED = frozenset(
    {ObservationStatus.BLOCKED, ObservationStatus.ERROR, ObservationStatus.INVALID}
)


class Context:
    """One account with everything its rules read, joined once per account."""

    __slots__ = (
        "_review",
        "account",
        "backup",
        "fp_suffix",
        "index",
        "location",
        "obs",
        "org",
        "owner",
        "sponsor",
        "unverified",
    )

    def __init__(
        self,
        account: Account,
        owner: Person | None,
        backup: Person | None,
        sponsor: Person | None,
        obs: Observation | None,
        org: Organization,
        index: RosterIndex | None = None,
    ) -> None:
        self.account = account
        self.index = index
        self.owner = owner
        self.backup = backup
        self.sponsor = sponsor
        self.obs = obs
        self.org = org
        # None (offline), blocked, error and invalid observations say nothing about the account.
        self.unverified = obs is None or obs.status in _UNVERIFIED
        # Filled by the evaluator on the account's first finding (most accounts need few).
        self.fp_suffix: bytes | None = None
        self.location: Location | None = None
        self._review: AccessReview | None = None

    def review(self) -> AccessReview | None:
        """The account's holders matched to the roster, joined on first use (None: the run
        read no holder list, or the evaluator was given no roster index)."""
        obs, index = self.obs, self.index
        if self._review is None and obs is not None and obs.access is not None and index:
            self._review = review_access(self.account, obs.access, index)
        return self._review


Getter = Callable[[Context], Any]
"""Reads one field. Closed-set fields return their StrEnum member, which *is* its text value
(no ``.value`` lookup per account)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    source: FieldSource
    getter: Getter
    doc: str
    capability: str | None = None
    """Observation field the platform adapter must extract for this live field to be known."""
    account_field: str | None = None
    """Inventory field whose line a finding on this field points at."""
    personal: bool = False
    """The value names people (holders' names and emails): HTML and JSON reports carry it, a
    SARIF log (which may be published on a code host) leaves it out."""


def handle_name(platform: Platform, handle: str) -> str | None:
    """The name part of a handle, which naming conventions are about: ``@x`` → ``x``, ``r/x`` →
    ``x``, ``name@instance`` → ``name``, ``company/slug`` → ``slug``, ``name.bsky.social`` →
    ``name``; None for an opaque id (a YouTube channel id). The platform's spec says how."""
    return adapter_for(platform).name_part(handle)


def joined_handle_name(platform: Platform, handle: str) -> str | None:
    """The name part without the platform's separators: ``harbor-lane-books`` →
    ``harborlanebooks``, so a convention ``^harborlane`` holds however the slug is split."""
    return adapter_for(platform).joined_name(handle)


FIELDS: dict[str, FieldSpec] = {}
PERSON_PREFIXES = ("owner", "backup_owner", "executive_sponsor")
ITEM_FIELD = "item"


def _add(spec: FieldSpec) -> None:
    FIELDS[spec.name] = spec


def _account(name: str, kind: FieldKind, getter: Getter, doc: str, line: str | None = None) -> None:
    _add(FieldSpec(name, kind, FieldSource.ACCOUNT, getter, doc, account_field=line or name))


_account("id", FieldKind.TEXT, lambda c: c.account.id, "the account id")
_account("platform", FieldKind.TEXT, lambda c: c.account.platform, "the platform")
_account("handle", FieldKind.TEXT, lambda c: c.account.handle, "the handle")
_account(
    "handle_name",
    FieldKind.TEXT,
    lambda c: handle_name(c.account.platform, c.account.handle),
    "the handle's name part (no @, u/, r/, company/, @instance or .bsky.social; none for a"
    " channel id)",
    "handle",
)
_account(
    "handle_name_joined",
    FieldKind.TEXT,
    lambda c: joined_handle_name(c.account.platform, c.account.handle),
    "the handle's name part without separators (copper-kettle → copperkettle)",
    "handle",
)
_account("status", FieldKind.TEXT, lambda c: c.account.status, "the inventory status")
_account("url", FieldKind.TEXT, lambda c: c.account.url, "the declared profile URL")
_account(
    "display_name", FieldKind.TEXT, lambda c: c.account.display_name, "the declared display name"
)
_account("department", FieldKind.TEXT, lambda c: c.account.department, "the department")
_account("owner", FieldKind.TEXT, lambda c: c.account.owner, "the owner")
_account("backup_owner", FieldKind.TEXT, lambda c: c.account.backup_owner, "the backup owner")
_account(
    "executive_sponsor",
    FieldKind.TEXT,
    lambda c: c.account.executive_sponsor,
    "the executive sponsor",
)
_account("objective", FieldKind.TEXT, lambda c: c.account.objective, "the business objective")
_account("metrics", FieldKind.LIST, lambda c: c.account.metrics, "the success metrics")
_account("created", FieldKind.DATE, lambda c: c.account.created, "the creation date")
_account(
    "last_attested",
    FieldKind.DATE,
    lambda c: c.account.last_attested,
    "the last access attestation",
)
_account("tags", FieldKind.LIST, lambda c: c.account.tags, "the tags")
_account("security.mfa", FieldKind.BOOL, lambda c: c.account.security.mfa, "MFA")
_account(
    "security.credentials",
    FieldKind.TEXT,
    lambda c: c.account.security.credentials,
    "where the credentials are kept",
)
_account(
    "security.recovery_email",
    FieldKind.TEXT,
    lambda c: c.account.security.recovery_email,
    "the recovery email",
)


def _person_getter(slot: str, read: Callable[[Person], Any]) -> Getter:
    def get(c: Context) -> Any:
        person: Person | None = getattr(c, slot)
        return None if person is None else read(person)

    return get


def _same_as_owner(slot: str) -> Getter:
    def get(c: Context) -> bool:
        person: Person | None = getattr(c, slot)
        if slot == "owner":
            return person is not None
        declared = getattr(c.account, _SLOT_FIELD[slot])
        owner = c.account.owner
        if not declared or not owner:
            return False
        return bool(declared.strip().casefold() == owner.strip().casefold())

    return get


_SLOT_FIELD = {"owner": "owner", "backup": "backup_owner", "sponsor": "executive_sponsor"}
_PREFIX_SLOT = {"owner": "owner", "backup_owner": "backup", "executive_sponsor": "sponsor"}

_PERSON_ATTRIBUTES: tuple[tuple[str, FieldKind, str], ...] = (
    ("status", FieldKind.TEXT, "roster status"),
    ("role", FieldKind.TEXT, "role"),
    ("name", FieldKind.TEXT, "name"),
    ("email", FieldKind.TEXT, "email"),
    ("department", FieldKind.TEXT, "department"),
    ("start_date", FieldKind.DATE, "start date"),
    ("end_date", FieldKind.DATE, "end date"),
    ("policy_acknowledged", FieldKind.DATE, "social media policy acknowledgement"),
)
"""Roster attributes readable for each person an account names: (Person attribute, kind, what)."""

for _prefix in PERSON_PREFIXES:
    _slot = _PREFIX_SLOT[_prefix]
    _who = _prefix.replace("_", " ")
    _person_fields: tuple[tuple[str, FieldKind, Getter, str], ...] = (
        (
            "found",
            FieldKind.BOOL,
            (lambda s: lambda c: getattr(c, s) is not None)(_slot),
            f"the {_who} was found in the roster",
        ),
        *(
            (_attr, _kind, _person_getter(_slot, attrgetter(_attr)), f"the {_who}'s {_what}")
            for _attr, _kind, _what in _PERSON_ATTRIBUTES
        ),
        (
            "is_owner",
            FieldKind.BOOL,
            _same_as_owner(_slot),
            f"the {_who} is the same person as the owner",
        ),
    )
    for _suffix, _kind, _getter, _doc in _person_fields:
        _add(
            FieldSpec(
                f"{_prefix}.{_suffix}",
                _kind,
                FieldSource.PERSON,
                _getter,
                _doc,
                account_field=_prefix,
            )
        )


def _live(
    name: str,
    kind: FieldKind,
    getter: Callable[[Observation], Any],
    doc: str,
    capability: str | None = None,
) -> None:
    def get(c: Context) -> Any:
        return None if c.obs is None else getter(c.obs)

    _add(FieldSpec(f"live.{name}", kind, FieldSource.LIVE, get, doc, capability=capability))


def _unknown(o: Observation, what: str, codes: frozenset[str] = frozenset()) -> Unknown | None:
    """The fact ``what`` is missing from a present profile: unknown, said with the observation's
    reason when its code (one of ``codes``) is about this fact. None when the account is not
    present: an absent account has no such fact, and that is known."""
    if o.status is not ObservationStatus.PRESENT:
        return None
    if o.reason is not None and o.reason.code in codes:
        return Unknown(o.reason.text)
    return Unknown(f"the profile showed no {what}")


_UNREADABLE = "profile_unreadable"
"""Reason code of a present profile whose answer carried none of its facts (a feed with no
channel): every extracted field is unknown, empty ones included."""
_ACTIVITY_REASONS = frozenset({"activity_unavailable", _UNREADABLE})
_DATE_REASONS = frozenset({"date_unusable", _UNREADABLE})
_PROFILE_REASONS = frozenset({_UNREADABLE})


def _activity(o: Observation) -> Activity | Unknown:
    if o.last_activity_at is None and o.no_activity_since is None:
        return _unknown(o, "activity date", _ACTIVITY_REASONS) or Activity(None, None)
    return Activity(o.last_activity_at, o.no_activity_since)


def _known(value: Any, o: Observation, what: str, codes: frozenset[str] = frozenset()) -> Any:
    return _unknown(o, what, codes) if value is None else value


def _shown(value: Any, o: Observation, what: str) -> Any:
    """A text or list a profile may simply leave empty: unknown only when the profile's answer
    could not be read at all."""
    if not value and o.reason is not None and o.reason.code in _PROFILE_REASONS:
        return _unknown(o, what, _PROFILE_REASONS)
    return value


def _tri(value: Tri, o: Observation) -> bool | Unknown | None:
    if value is Tri.UNKNOWN:
        return _unknown(o, "verified flag")
    return value is Tri.TRUE


_live("status", FieldKind.TEXT, lambda o: o.status, "the observed status")
_live("account_state", FieldKind.TEXT, lambda o: o.account_state, "the observed state")
_live("http_status", FieldKind.NUMBER, lambda o: o.http_status, "the HTTP status")
_live("url", FieldKind.TEXT, lambda o: o.final_url or o.url, "the observed URL")
_live(
    "display_name",
    FieldKind.TEXT,
    lambda o: _shown(o.display_name, o, "display name"),
    "the live display name",
    "display_name",
)
_live("bio", FieldKind.TEXT, lambda o: _shown(o.bio, o, "bio"), "the live bio", "bio")
_live(
    "links", FieldKind.LIST, lambda o: _shown(o.links, o, "links"), "the profile's links", "links"
)
_live(
    "followers",
    FieldKind.NUMBER,
    lambda o: _known(o.followers, o, "follower count"),
    "the follower count",
    "followers",
)
_live("verified", FieldKind.BOOL, lambda o: _tri(o.verified, o), "the verified badge", "verified")
_live(
    "created_at",
    FieldKind.DATE,
    lambda o: _known(o.created_at, o, "creation date", _DATE_REASONS),
    "the live creation date",
    "created_at",
)
_live(
    "last_activity_at",
    FieldKind.ACTIVITY,
    _activity,
    "the last public activity",
    "last_activity_at",
)


# --------------------------------------------------------------------------- access (issue 13)

_OUT_OF_REACH = frozenset({"api_out_of_reach", "not_visible", "other_account"})
_API_NAMES = frozenset(a.value for a in Api)


def _access_unknown(o: Observation) -> Unknown | None:
    """Why the holders of a present account are unknown (None: the account is not present,
    so it has no holders to judge)."""
    if o.status is not ObservationStatus.PRESENT:
        return None
    if o.access is not None and o.access.reason is not None:
        return Unknown(f"its holders could not be listed: {o.access.reason.text}")
    if o.access is not None and o.access.partial is not None:
        return Unknown(f"its holders were listed only in part: {o.access.partial.text}")
    if o.reason is not None and o.reason.code in _OUT_OF_REACH:
        return Unknown(f"its holders could not be listed: {o.reason.text}")
    return Unknown("its holders were not listed (no credential of its owner API reached it)")


def _access(
    name: str,
    kind: FieldKind,
    read: Callable[[AccessReview], Any],
    doc: str,
    *,
    personal: bool = False,
) -> None:
    def get(c: Context) -> Any:
        if c.obs is None:
            return None
        review = c.review()
        if review is None or not review.access.known:
            return _access_unknown(c.obs)
        return read(review)

    spec = FieldSpec(f"access.{name}", kind, FieldSource.LIVE, get, doc, capability="access")
    _add(replace(spec, personal=personal))


def _labels(matches: Any) -> tuple[str, ...]:
    return tuple(f"{m.label} ({m.holder.role})" for m in matches)


def _partner(m: HolderMatch) -> str:
    """A partner business as the platform names it, and what the roster says of it (never a
    person's name: this goes into messages)."""
    h = m.holder
    name = h.name or h.platform_id or "(unnamed business)"
    if m.affiliation is Affiliation.UNKNOWN:
        return f"{name} (not in the roster)"
    return f"{name} (roster: {m.affiliation.value})"


def _roles(matches: Any) -> tuple[str, ...]:
    return tuple(m.holder.role for m in matches)


def _departed(r: AccessReview) -> Any:
    return r.admins_who(Affiliation.DEPARTED)


def _nobody(r: AccessReview) -> Any:
    return r.unknown_admins


def _without_2fa(r: AccessReview, show: Callable[[Any], tuple[str, ...]]) -> Any:
    if not r.two_factor_known:
        gaps = (g.text for g in r.access.gaps if g.code == "two_factor_unreadable")
        return Unknown("two-factor status could not be read: " + "; ".join(gaps))
    return show(r.admins_without_2fa)


def _declared_roles(r: AccessReview) -> tuple[str, ...]:
    missing = set(r.declared_without_access)
    out = []
    for what, email in (("owner", r.account.owner), ("backup owner", r.account.backup_owner)):
        if email and email in missing:
            out.append(what)
    return tuple(out)


_access(
    "holders",
    FieldKind.LIST,
    lambda r: _labels(r.matches),
    "everyone holding access (name, email, role)",
    personal=True,
)
_access(
    "admins",
    FieldKind.LIST,
    lambda r: _labels(r.admins),
    "the holders with admin rights",
    personal=True,
)
_access(
    "departed_admins",
    FieldKind.LIST,
    lambda r: _labels(_departed(r)),
    "admins who left the organization (roster: departed)",
    personal=True,
)
_access(
    "departed_admin_roles",
    FieldKind.LIST,
    lambda r: _roles(_departed(r)),
    "the roles of admins who left",
)
_access(
    "unknown_admins",
    FieldKind.LIST,
    lambda r: _labels(_nobody(r)),
    "admins who match nobody in the roster",
    personal=True,
)
_access(
    "unknown_admin_roles",
    FieldKind.LIST,
    lambda r: _roles(_nobody(r)),
    "the roles of admins nobody in the roster matches",
)
_access(
    "partners_without_contract",
    FieldKind.LIST,
    lambda r: tuple(_partner(m) for m in r.partners_without_contract),
    "partner businesses (agencies) with access and no active agency entry in the roster",
)
_access(
    "admins_without_2fa",
    FieldKind.LIST,
    lambda r: _without_2fa(r, _labels),
    "admins whose two-factor authentication is off (where the platform reports it)",
    personal=True,
)
_access(
    "admins_without_2fa_roles",
    FieldKind.LIST,
    lambda r: _without_2fa(r, _roles),
    "the roles of admins without two-factor authentication",
)
_access(
    "employee_admins",
    FieldKind.LIST,
    lambda r: _labels(r.admins_who(Affiliation.EMPLOYEE)),
    "admins who are active employees",
    personal=True,
)
_access(
    "employee_admin_count",
    FieldKind.NUMBER,
    lambda r: len(r.admins_who(Affiliation.EMPLOYEE)),
    "how many admins are active employees",
)
_access(
    "declared_without_access",
    FieldKind.LIST,
    _declared_roles,
    "the declared owner and backup owner roles whose person holds no access",
)


def _reach(o: Observation) -> Any:
    if o.reason is not None and o.reason.code in _OUT_OF_REACH:
        return "out_of_reach"
    if o.signal and o.signal.split(":", 1)[0] in _API_NAMES:
        return "reached"
    return Unknown("it was not observed through its owner API (no credential loaded for it)")


_live(
    "reach",
    FieldKind.TEXT,
    _reach,
    "whether the organization's credential reaches the account (reached / out_of_reach)",
    "reach",
)


def _org(name: str, kind: FieldKind, getter: Callable[[Organization], Any], doc: str) -> None:
    _add(FieldSpec(f"org.{name}", kind, FieldSource.ORG, lambda c: getter(c.org), doc))


_org("name", FieldKind.TEXT, lambda o: o.name, "the organization's name")
_org("aliases", FieldKind.LIST, lambda o: o.aliases, "the organization's aliases")
_org("domains", FieldKind.LIST, lambda o: o.domains, "the official domains")
_org("departments", FieldKind.LIST, lambda o: o.departments, "the known departments")
_org("policy_owner", FieldKind.TEXT, lambda o: o.policy_owner, "the policy owner")
_org(
    "approved_platforms",
    FieldKind.LIST,
    lambda o: tuple(p.value for p in o.approved_platforms),
    "the approved platforms",
)
_org(
    "naming.handle_pattern",
    FieldKind.TEXT,
    lambda o: o.naming.handle_pattern,
    "the handle naming pattern",
)
_org(
    "naming.display_name_pattern",
    FieldKind.TEXT,
    lambda o: o.naming.display_name_pattern,
    "the display name pattern",
)

ITEM_SPEC = FieldSpec(ITEM_FIELD, FieldKind.TEXT, FieldSource.ITEM, lambda c: c, "the item")
