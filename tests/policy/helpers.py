"""Test helpers: build Inventory/Observation values from the fixture YAML and read the
Semgrep-style annotations (``# ruleid:``, ``# ok:``, ``# error:``) above each account."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from scanner.model import (
    AccessList,
    Account,
    AccountStatus,
    Credentials,
    Holder,
    HolderKind,
    Inventory,
    Location,
    Naming,
    Observation,
    ObservationStatus,
    Organization,
    Person,
    PersonStatus,
    Platform,
    Reason,
    Role,
    Roster,
    Security,
    Tri,
)
from scanner.yamlsource import YMap, load_yaml

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = date(2026, 11, 15)
FETCHED = datetime(2026, 11, 15, 6, 0, tzinfo=UTC)
ANNOTATION = re.compile(r"^\s*#\s*(ruleid|ok|error):\s*(.+)$")


@dataclass
class Fixture:
    inventory: Inventory
    observations: dict[str, Observation | None]
    expect: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    """'ruleid' / 'ok' / 'error' → {(account_id, rule_id)}"""


def _dt(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    raise TypeError(value)


def person(email: str, **kw: Any) -> Person:
    return Person(
        email=email,
        name=kw.get("name", email.split("@")[0]),
        department=kw.get("department"),
        role=Role(kw.get("role", "employee")),
        status=PersonStatus(kw.get("status", "active")),
        location=Location("roster.csv", kw.get("line", 2)),
        end_date=kw.get("end_date"),
        policy_acknowledged=kw.get("policy_acknowledged"),
        identities=dict(kw.get("identities") or {}),
    )


def roster(people: list[Person]) -> Roster:
    return Roster({p.key: p for p in people}, "roster.csv")


def organization(data: Mapping[str, Any], path: str = "inventory.yaml") -> Organization:
    naming = data.get("naming") or {}
    return Organization(
        name=data["name"],
        location=Location(path, getattr(data, "line", 1)),
        aliases=tuple(data.get("aliases", ())),
        domains=tuple(data.get("domains", ())),
        departments=tuple(data.get("departments", ())),
        naming=Naming(naming.get("handle_pattern"), naming.get("display_name_pattern")),
    )


def account(data: Mapping[str, Any], path: str = "inventory.yaml", line: int = 1) -> Account:
    sec = data.get("security") or {}
    lines: dict[str, int] = {}
    if isinstance(data, YMap):
        lines = {k: data.line_of(k) for k in data}
        if isinstance(data.get("security"), YMap):
            lines.update({f"security.{k}": data["security"].line_of(k) for k in data["security"]})
    return Account(
        id=data["id"],
        platform=Platform(data.get("platform", "github")),
        handle=data["handle"],
        status=AccountStatus(data.get("status", "active")),
        location=Location(path, line),
        display_name=data.get("display_name"),
        department=data.get("department"),
        owner=data.get("owner"),
        backup_owner=data.get("backup_owner"),
        executive_sponsor=data.get("executive_sponsor"),
        objective=data.get("objective"),
        metrics=tuple(data.get("metrics") or ()),
        last_attested=data.get("last_attested"),
        security=Security(
            mfa=sec.get("mfa"),
            credentials=Credentials(sec.get("credentials", "unknown")),
            recovery_email=sec.get("recovery_email"),
        ),
        tags=tuple(data.get("tags") or ()),
        lines=lines,
    )


def _holder(data: Mapping[str, Any]) -> Holder:
    return Holder(
        kind=HolderKind(data.get("kind", "person")),
        platform_id=None if data.get("id") is None else str(data["id"]),
        name=data.get("name"),
        email=data.get("email"),
        role=data.get("role", "MANAGE"),
        admin=data.get("admin", True),
        two_factor=Tri.of(data.get("two_factor")),
        via=data.get("via", "assigned_users"),
    )


def _access(data: Mapping[str, Any] | None) -> AccessList | None:
    """``live.access`` of a fixture: holders, and optionally the code of a ``reason`` (the list
    was unreadable) or of ``gaps``."""
    if data is None:
        return None
    reason = data.get("reason")
    return AccessList(
        holders=tuple(_holder(h) for h in data.get("holders") or ()),
        url="https://example.invalid/assigned_users",
        fetched_at=FETCHED,
        reason=Reason(reason, f"fixture: {reason}") if reason else None,
        gaps=tuple(Reason(g, f"fixture: {g}") for g in data.get("gaps") or ()),
    )


def observation(acct: Account, live: Mapping[str, Any]) -> Observation:
    status = ObservationStatus(live.get("status", "present"))
    reason = None
    if status is ObservationStatus.BLOCKED:
        reason = Reason("login_wall", "the platform showed its login page")
    elif status is ObservationStatus.ERROR:
        reason = Reason("timeout", "no answer within 10 s")
    if live.get("reason"):
        reason = Reason(live["reason"], f"fixture: {live['reason']}")
    present = status is ObservationStatus.PRESENT
    return Observation(
        platform=acct.platform,
        handle=acct.handle,
        status=status,
        url=f"https://example.invalid/{acct.handle}",
        fetched_at=FETCHED,
        reason=reason,
        display_name=live.get("display_name") if present else None,
        links=tuple(live.get("links") or ()) if present else (),
        last_activity_at=_dt(live.get("last_activity_at")) if present else None,
        no_activity_since=_dt(live.get("no_activity_since")) if present else None,
        signal=live.get("signal"),
        access=_access(live.get("access")) if present else None,
    )


def annotations(path: Path, items: Any) -> dict[str, dict[str, set[str]]]:
    """Per account id: {'ruleid'|'ok'|'error': {rule ids}} from the comments right above it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    result: dict[str, dict[str, set[str]]] = {}
    for index, node in enumerate(items):
        found: dict[str, set[str]] = {"ruleid": set(), "ok": set(), "error": set()}
        number = items.line_of(index) - 2  # 0-based index of the line above the item
        while number >= 0 and lines[number].strip().startswith("#"):
            match = ANNOTATION.match(lines[number])
            if match:
                found[match.group(1)].update(x.strip() for x in match.group(2).split(","))
            number -= 1
        result[node["id"]] = found
    return result


def load_fixture(path: Path = FIXTURES / "accounts.yaml") -> Fixture:
    data = load_yaml(path)
    name = str(path)
    org = organization(data["organization"], name)
    people = [person(**p) for p in data["roster"]]
    defaults = data["defaults"]
    accounts: list[Account] = []
    observations: dict[str, Observation | None] = {}
    for index, raw in enumerate(data["accounts"]):
        merged = YMap({**defaults, **raw})
        merged.line, merged.column, merged.key_lines = raw.line, raw.column, dict(raw.key_lines)
        if "security" in raw:
            merged["security"] = raw["security"]
        acct = account(merged, name, data["accounts"].line_of(index))
        accounts.append(acct)
        live = raw.get("live", defaults["live"])
        if live is None:
            observations[acct.id] = None
        else:
            observations[acct.id] = observation(acct, {**defaults["live"], **live})
    inventory = Inventory(
        path=name,
        sha256="0" * 64,
        organization=org,
        accounts=tuple(accounts),
        roster=roster(people),
    )
    notes = annotations(path, data["accounts"])
    expect: dict[str, set[tuple[str, str]]] = {"ruleid": set(), "ok": set(), "error": set()}
    for account_id, kinds in notes.items():
        for kind, ids in kinds.items():
            expect[kind].update((account_id, rule_id) for rule_id in ids)
    return Fixture(inventory, observations, expect)
