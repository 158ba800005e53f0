"""The access review's join: each holder of an account, as its platform listed it, matched to
the HR roster (issue 13).

A holder is matched by email first (Meta's business users carry one), then by the roster's
identity column for the platform (``facebook``, ``linkedin``, ``github``, ...); a partner
business by the agency row whose ``facebook`` column holds its business id, or whose name is
the business's name. Two people matching one holder is ambiguity: reported, never guessed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from scanner.inventory.roster import linkedin_urn
from scanner.model import (
    AccessList,
    Account,
    Holder,
    HolderKind,
    Person,
    PersonStatus,
    Platform,
    Role,
    Roster,
    Tri,
)

__all__ = [
    "AccessReview",
    "Affiliation",
    "HolderMatch",
    "RosterIndex",
    "declared_holders",
    "match_holder",
    "review_access",
    "unknown_admin",
]


class Affiliation(enum.StrEnum):
    """Who a holder is to the organization, from the roster."""

    EMPLOYEE = "employee"
    INTERN = "intern"
    CONTRACTOR = "contractor"
    AGENCY = "agency"
    DEPARTED = "departed"
    UNKNOWN = "unknown"
    """Matches nobody in the roster."""
    AMBIGUOUS = "ambiguous"
    """Matches more than one person: reported, never guessed."""


_BY_ROLE = {
    Role.EMPLOYEE: Affiliation.EMPLOYEE,
    Role.INTERN: Affiliation.INTERN,
    Role.CONTRACTOR: Affiliation.CONTRACTOR,
    Role.AGENCY: Affiliation.AGENCY,
}

_COLUMN: Mapping[Platform, str] = MappingProxyType(
    {
        Platform.FACEBOOK: "facebook",
        Platform.INSTAGRAM: "instagram",
        Platform.LINKEDIN: "linkedin",
        Platform.GITHUB: "github",
        Platform.X: "x",
        Platform.TIKTOK: "tiktok",
    }
)
"""The roster identity column that holds a person's id on each platform."""


def _norm(column: str, value: str) -> str:
    value = value.strip()
    if column == "linkedin":
        return linkedin_urn(value).casefold()
    return value.lstrip("@").casefold()


class RosterIndex:
    """The roster indexed for the join: by email, by (identity column, id), and agencies by
    name. Built once per run."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self._ids: dict[tuple[str, str], list[Person]] = {}
        self._agencies: dict[str, list[Person]] = {}
        for person in roster.people.values():
            for column, value in person.identities.items():
                self._ids.setdefault((column, _norm(column, value)), []).append(person)
            if person.role is Role.AGENCY:
                self._agencies.setdefault(person.name.strip().casefold(), []).append(person)

    def by_email(self, email: str | None) -> Person | None:
        return self.roster.find(email)

    def by_id(self, column: str, value: str | None) -> tuple[Person, ...]:
        if not value:
            return ()
        return tuple(self._ids.get((column, _norm(column, value)), ()))

    def agencies_named(self, name: str | None) -> tuple[Person, ...]:
        if not name:
            return ()
        return tuple(self._agencies.get(name.strip().casefold(), ()))


@dataclass(frozen=True, slots=True)
class HolderMatch:
    """One holder and who they are in the roster: ``person`` when exactly one matched,
    ``candidates`` (emails) when several did, ``matched_by`` how (``email``, ``facebook
    column``, ``agency name``)."""

    holder: Holder
    affiliation: Affiliation
    person: Person | None = None
    candidates: tuple[str, ...] = ()
    matched_by: str = ""

    @property
    def active_employee(self) -> bool:
        return self.affiliation is Affiliation.EMPLOYEE

    @property
    def label(self) -> str:
        """The holder as a person reads it: roster name and email when matched, else the
        platform's name and id."""
        if self.person is not None:
            return f"{self.person.name} <{self.person.email}>"
        h = self.holder
        parts = [p for p in (h.name, h.email, h.platform_id) if p]
        return " / ".join(dict.fromkeys(parts)) or "(unnamed)"


_NOT_STAFF = frozenset({HolderKind.PARTNER, HolderKind.SYSTEM_USER})


def unknown_admin(m: HolderMatch) -> bool:
    """An admin nobody in the roster matches (ACC-002). A partner business answers to ACC-003
    instead, and a system user belongs to the Business Manager itself (the token Rollcall
    reads with is one): neither is a person the roster could know."""
    return (
        m.holder.admin and m.affiliation is Affiliation.UNKNOWN and m.holder.kind not in _NOT_STAFF
    )


def _affiliation(person: Person) -> Affiliation:
    if person.status is PersonStatus.DEPARTED:
        return Affiliation.DEPARTED
    return _BY_ROLE[person.role]


def _settle(holder: Holder, people: Iterable[Person], how: str) -> HolderMatch | None:
    found = tuple(dict.fromkeys(people))
    if not found:
        return None
    if len(found) > 1:
        emails = tuple(sorted(p.email for p in found))
        return HolderMatch(holder, Affiliation.AMBIGUOUS, None, emails, how)
    return HolderMatch(holder, _affiliation(found[0]), found[0], (), how)


def match_holder(platform: Platform, holder: Holder, index: RosterIndex) -> HolderMatch:
    """Who ``holder`` of an account on ``platform`` is: email, then the platform's identity
    column, then (a partner business) the agency row of that name."""
    person = index.by_email(holder.email)
    if person is not None:
        return HolderMatch(holder, _affiliation(person), person, (), "email")
    column = _COLUMN.get(platform)
    if holder.kind is HolderKind.PARTNER:
        column = "facebook" if platform in (Platform.FACEBOOK, Platform.INSTAGRAM) else column
    if column is not None:
        hit = _settle(holder, index.by_id(column, holder.platform_id), f"{column} column")
        if hit is not None:
            return hit
    if holder.kind is HolderKind.PARTNER:
        hit = _settle(holder, index.agencies_named(holder.name), "agency name")
        if hit is not None:
            return hit
    return HolderMatch(holder, Affiliation.UNKNOWN)


@dataclass(frozen=True)
class AccessReview:
    """One account's holders matched to the roster, and what the ACC rules read from them.
    ``access`` is the list as read (its ``reason`` set: the holders are unknown)."""

    account: Account
    access: AccessList
    matches: tuple[HolderMatch, ...]

    @property
    def admins(self) -> tuple[HolderMatch, ...]:
        return tuple(m for m in self.matches if m.holder.admin)

    def admins_who(self, *affiliations: Affiliation) -> tuple[HolderMatch, ...]:
        return tuple(m for m in self.admins if m.affiliation in affiliations)

    @property
    def unknown_admins(self) -> tuple[HolderMatch, ...]:
        return tuple(m for m in self.matches if unknown_admin(m))

    @property
    def partners_without_contract(self) -> tuple[HolderMatch, ...]:
        """Partner businesses with access whose roster entry is missing, departed or not an
        agency (ACC-003)."""
        return tuple(
            m
            for m in self.matches
            if m.holder.kind is HolderKind.PARTNER and m.affiliation is not Affiliation.AGENCY
        )

    @property
    def admins_without_2fa(self) -> tuple[HolderMatch, ...]:
        return tuple(m for m in self.admins if m.holder.two_factor is Tri.FALSE)

    @property
    def two_factor_known(self) -> bool:
        return not any(g.code == "two_factor_unreadable" for g in self.access.gaps)

    def holds(self, email: str | None) -> bool:
        """Whether the roster person with ``email`` holds access at all (any role)."""
        key = (email or "").strip().casefold()
        return bool(key) and any(m.person is not None and m.person.key == key for m in self.matches)

    @property
    def declared_without_access(self) -> tuple[str, ...]:
        """The inventory's owner and backup owner who hold no access (ACC-006)."""
        declared = (self.account.owner, self.account.backup_owner)
        return tuple(e for e in dict.fromkeys(d for d in declared if d) if not self.holds(e))


def review_access(account: Account, access: AccessList, index: RosterIndex) -> AccessReview:
    """``access`` of ``account`` matched to the roster, holder by holder."""
    matches = tuple(match_holder(account.platform, h, index) for h in access.holders)
    return AccessReview(account, access, matches)


def declared_holders(account: Account, index: RosterIndex) -> tuple[HolderMatch, ...]:
    """Where the platform lists no holders: the inventory's owner and backup owner stand in,
    as declared (``via="inventory"``), not observed."""
    out = []
    for field_name, email in (("owner", account.owner), ("backup_owner", account.backup_owner)):
        if not email:
            continue
        holder = Holder(HolderKind.PERSON, None, None, email, field_name, False, via="inventory")
        out.append(match_holder(account.platform, holder, index))
    return tuple(out)
