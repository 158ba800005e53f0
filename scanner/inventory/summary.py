"""Counts that describe a loaded inventory, for ``rollcall validate`` and the README."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from scanner.model import JSON, Inventory

__all__ = ["InventorySummary", "summarize"]

NO_DEPARTMENT = "(none)"


@dataclass(frozen=True)
class InventorySummary:
    path: str
    sha256: str
    organization: str
    accounts: int
    by_platform: Mapping[str, int]
    by_status: Mapping[str, int]
    by_department: Mapping[str, int]
    roster_people: int
    roster_by_role: Mapping[str, int]
    roster_by_status: Mapping[str, int]

    def to_json(self) -> dict[str, JSON]:
        return {
            "inventory": self.path,
            "sha256": self.sha256,
            "organization": self.organization,
            "accounts": self.accounts,
            "by_platform": dict(self.by_platform),
            "by_status": dict(self.by_status),
            "by_department": dict(self.by_department),
            "roster": {
                "people": self.roster_people,
                "by_role": dict(self.roster_by_role),
                "by_status": dict(self.roster_by_status),
            },
        }


def _sorted(counter: Counter[str]) -> dict[str, int]:
    # Largest first, then by name, so the summary reads the same on every run.
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def summarize(inventory: Inventory) -> InventorySummary:
    accounts = inventory.accounts
    people = inventory.roster.people.values()
    return InventorySummary(
        path=inventory.path,
        sha256=inventory.sha256,
        organization=inventory.organization.name,
        accounts=len(accounts),
        by_platform=_sorted(Counter(a.platform.value for a in accounts)),
        by_status=_sorted(Counter(a.status.value for a in accounts)),
        by_department=_sorted(Counter(a.department or NO_DEPARTMENT for a in accounts)),
        roster_people=len(inventory.roster),
        roster_by_role=_sorted(Counter(p.role.value for p in people)),
        roster_by_status=_sorted(Counter(p.status.value for p in people)),
    )
