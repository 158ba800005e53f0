"""Access granted and revoked between two runs (issue 13): each account's holders in run ``b``
compared with run ``a`` by :attr:`scanner.model.Holder.key`; a list one run could not read is
not compared, because not knowing who holds access is not a change."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from scanner.history import codec
from scanner.model import JSON, AccessList, Holder, Observation, Platform, Reason

__all__ = [
    "AccessChange",
    "AccessChangeKind",
    "AccessComparison",
    "AccessSkip",
    "compare_access",
]


class AccessChangeKind(enum.StrEnum):
    GRANTED = "granted"
    """Holds access in run b, not in run a."""
    REVOKED = "revoked"
    """Held access in run a, not in run b."""
    ROLE_CHANGED = "role_changed"
    """Holds access in both, with another role or admin right."""


@dataclass(frozen=True)
class AccessChange:
    """One holder's change on one account. ``holder`` is run b's (run a's when revoked);
    ``before`` is run a's for a role change."""

    kind: AccessChangeKind
    account_id: str
    platform: Platform
    handle: str
    holder: Holder
    before: Holder | None = None

    def to_dict(self) -> dict[str, JSON]:
        return {
            "change": self.kind.value,
            "account_id": self.account_id,
            "platform": self.platform.value,
            "handle": self.handle,
            "holder": codec.holder_to_dict(self.holder),
            "before": None if self.before is None else codec.holder_to_dict(self.before),
        }


@dataclass(frozen=True)
class AccessSkip:
    """An account whose access was not compared: run ``run_id`` read no list for it
    (``reason`` None) or could not read it (``reason`` says why)."""

    account_id: str
    platform: Platform
    handle: str
    run_id: int
    reason: Reason | None

    @property
    def unknown(self) -> bool:
        return self.reason is not None

    def to_dict(self) -> dict[str, JSON]:
        return {
            "account_id": self.account_id,
            "platform": self.platform.value,
            "handle": self.handle,
            "run_id": self.run_id,
            "why": "unknown" if self.unknown else "not_read",
            "reason": codec.reason_to_dict(self.reason),
        }


@dataclass(frozen=True)
class AccessComparison:
    """Every account's access changes between two runs, in run b's account order (run a's
    accounts that b lacks after them); ``compared`` counts accounts with a known list in both."""

    compared: int = 0
    changes: tuple[AccessChange, ...] = ()
    not_compared: tuple[AccessSkip, ...] = ()

    def to_dict(self) -> dict[str, JSON]:
        return {
            "compared": self.compared,
            "changes": [c.to_dict() for c in self.changes],
            "not_compared": [s.to_dict() for s in self.not_compared],
        }


def _holder_changes(
    account_id: str, obs: Observation, a: AccessList, b: AccessList
) -> list[AccessChange]:
    before = {h.key: h for h in a.holders}
    after = {h.key: h for h in b.holders}
    out: list[AccessChange] = []

    def change(kind: AccessChangeKind, holder: Holder, was: Holder | None = None) -> None:
        out.append(AccessChange(kind, account_id, obs.platform, obs.handle, holder, was))

    for key, h in after.items():
        was = before.get(key)
        if was is None:
            change(AccessChangeKind.GRANTED, h)
        elif (was.role, was.admin) != (h.role, h.admin):
            change(AccessChangeKind.ROLE_CHANGED, h, was)
    for key, h in before.items():
        if key not in after:
            change(AccessChangeKind.REVOKED, h)
    order = list(AccessChangeKind)
    return sorted(out, key=lambda c: order.index(c.kind))  # stable: holders keep their order


def _skip(
    account_id: str, obs: Observation, runs: tuple[tuple[int, AccessList | None], ...]
) -> AccessSkip | None:
    """Why the account is not compared (the first run whose list is missing, unknown or read
    only in part), or None when both runs read its whole list."""
    for run_id, access in runs:
        if access is None:
            return AccessSkip(account_id, obs.platform, obs.handle, run_id, None)
        # A list read only in part would show its unread holders as revoked.
        why = access.reason or access.partial
        if why is not None:
            return AccessSkip(account_id, obs.platform, obs.handle, run_id, why)
    return None


def compare_access(
    run_a: int,
    a: Mapping[str, Observation],
    run_b: int,
    b: Mapping[str, Observation],
) -> AccessComparison:
    """Holders granted, revoked and changed per account (by account id). An account with no
    access list in either run (a platform that lists none) is left out silently; one with a
    list in one run only, or a list one run could not read, is ``not_compared``."""
    compared = 0
    changes: list[AccessChange] = []
    skipped: list[AccessSkip] = []
    for account_id in [*b, *(k for k in a if k not in b)]:
        obs_a, obs_b = a.get(account_id), b.get(account_id)
        list_a = None if obs_a is None else obs_a.access
        list_b = None if obs_b is None else obs_b.access
        if list_a is None and list_b is None:
            continue
        obs = obs_b if obs_b is not None else obs_a
        assert obs is not None
        skip = _skip(account_id, obs, ((run_a, list_a), (run_b, list_b)))
        if skip is not None:
            skipped.append(skip)
            continue
        assert list_a is not None and list_b is not None
        compared += 1
        changes += _holder_changes(account_id, obs, list_a, list_b)
    return AccessComparison(compared, tuple(changes), tuple(skipped))
