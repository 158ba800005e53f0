"""Waivers: a time-boxed, approved exception for one rule on one account.

An active waiver turns that finding's status to ``waived``; an expired one lets it fail again and
adds a ``WVR-001`` finding; one expiring soon adds a ``WVR-002`` warning. Every waiver must
expire, at most ``waivers.max_days`` (default 180) days after it was created.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from scanner.errors import Problem, SourceError, ValidationError, did_you_mean
from scanner.model import Inventory, Location, WaiverRef
from scanner.policy.builtin import builtin_rule
from scanner.policy.schema import Policy
from scanner.yamlsource import YList, YMap, load_yaml, unknown_keys

__all__ = [
    "DEFAULT_MAX_DAYS",
    "DEFAULT_WARN_DAYS",
    "WAIVER_RULES",
    "WVR_EXPIRED",
    "WVR_EXPIRING",
    "Waiver",
    "Waivers",
    "load_waivers",
]

DEFAULT_MAX_DAYS = 180
DEFAULT_WARN_DAYS = 30
WAIVER_KEYS = ("id", "rule", "account", "reason", "owner", "approved_by", "created", "expires")

WVR_EXPIRED = builtin_rule("WVR-001")
WVR_EXPIRING = builtin_rule("WVR-002")
WAIVER_RULES = (WVR_EXPIRED, WVR_EXPIRING)


@dataclass(frozen=True)
class Waiver:
    id: str
    rule: str
    account: str
    reason: str
    owner: str
    approved_by: str
    created: date
    expires: date
    location: Location

    def ref(self) -> WaiverRef:
        return WaiverRef(self.id, self.expires, self.reason, self.approved_by)

    def active_on(self, day: date) -> bool:
        """In force from ``created`` through ``expires`` (inclusive)."""
        return self.created <= day <= self.expires


@dataclass(frozen=True)
class Waivers:
    path: str
    items: tuple[Waiver, ...]
    as_of: date
    warn_days: int = DEFAULT_WARN_DAYS

    def active(self, rule_id: str, account_id: str) -> Waiver | None:
        """The active waiver for this rule on this account that lasts longest, if any."""
        best: Waiver | None = None
        for w in self.items:
            if (
                w.rule == rule_id
                and w.account == account_id
                and w.active_on(self.as_of)
                and (best is None or w.expires > best.expires)
            ):
                best = w
        return best

    def expired(self) -> Iterator[Waiver]:
        """Lapsed waivers whose rule counts again: one renewed by a newer active waiver for the
        same rule and account is history, not a finding."""
        return (
            w
            for w in self.items
            if w.expires < self.as_of and self.active(w.rule, w.account) is None
        )

    def expiring(self) -> Iterator[Waiver]:
        return (
            w
            for w in self.items
            if w.active_on(self.as_of) and (w.expires - self.as_of).days <= self.warn_days
        )

    def __len__(self) -> int:
        return len(self.items)


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _int_param(policy: Policy, name: str, default: int) -> int:
    value = policy.params(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def load_waivers(path: str | Path, *, inventory: Inventory, policy: Policy, as_of: date) -> Waivers:
    """Load and validate a waivers file (a list, or a mapping with ``waivers:``) against the
    inventory's accounts and the policy's rules; raise ValidationError with every problem."""
    name = str(path)
    try:
        data = load_yaml(path)
    except SourceError as exc:
        raise ValidationError.single(name, None, str(exc).removeprefix(f"{name}: ")) from None
    reader = _WaiverReader(name, inventory, policy)
    items = reader.items(data)
    waivers = [reader.waiver(items, index) for index in range(len(items))]
    if reader.problems:
        raise ValidationError(reader.problems)
    warn_days = _int_param(policy, "waivers.warn_days", DEFAULT_WARN_DAYS)
    return Waivers(
        path=name,
        items=tuple(w for w in waivers if w is not None),
        as_of=as_of,
        warn_days=warn_days,
    )


class _WaiverReader:
    """Validates the waivers of one file, collecting every problem before any is raised."""

    def __init__(self, name: str, inventory: Inventory, policy: Policy) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.inventory_path = inventory.path
        self.rule_ids = list(policy.rule_ids)
        self.account_ids = [a.id for a in inventory.accounts]
        self.known_accounts = set(self.account_ids)
        self.max_days = _int_param(policy, "waivers.max_days", DEFAULT_MAX_DAYS)
        self.seen: dict[str, int] = {}
        """Line of each waiver id met so far."""

    def problem(
        self, node: YMap | YList, message: str, key: str | None = None, hint: str | None = None
    ) -> None:
        if isinstance(node, YMap) and key is not None and key in node.key_lines:
            line, column = node.key_lines[key]
        else:
            line, column = node.line, node.column
        self.problems.append(Problem(self.name, line, column, message, hint))

    def items(self, data: object) -> YList:
        """The list of waivers: the file itself, or its ``waivers:``."""
        if isinstance(data, YList):
            return data
        if not isinstance(data, YMap):
            raise ValidationError.single(
                self.name, 1, "expected a list of waivers (or a mapping with 'waivers:')"
            )
        for key in data:
            if key != "waivers":
                hint = did_you_mean(key, ["waivers"])
                self.problem(data, f"unknown key {key!r}; expected 'waivers'", key, hint)
        items = data.get("waivers", YList())
        if not isinstance(items, YList):
            self.problem(data, "waivers: expected a list of waivers", "waivers")
            raise ValidationError(self.problems)
        return items

    def waiver(self, items: YList, index: int) -> Waiver | None:
        """The waiver at ``items[index]``, or None with its problems recorded."""
        node = items[index]
        if not isinstance(node, YMap):
            self.problems.append(
                Problem(
                    self.name,
                    items.line_of(index),
                    None,
                    "expected a waiver (a mapping with id, rule, account, ...)",
                )
            )
            return None
        before = len(self.problems)
        self._keys(node)
        texts = self._texts(node)
        self._references(node, texts)
        dates = self._dates(node)
        if len(self.problems) > before:
            return None
        return Waiver(
            id=texts["id"],
            rule=texts["rule"],
            account=texts["account"],
            reason=texts["reason"],
            owner=texts["owner"],
            approved_by=texts["approved_by"],
            created=dates["created"],
            expires=dates["expires"],
            location=Location(self.name, node.line, node.column),
        )

    def _keys(self, node: YMap) -> None:
        self.problems.extend(unknown_keys(self.name, node, WAIVER_KEYS, "a waiver"))
        for key in WAIVER_KEYS:
            if key not in node:
                what = (
                    "every waiver must expire"
                    if key == "expires"
                    else "expected it in every waiver"
                )
                self.problem(node, f"waiver is missing {key!r}; {what}")

    def _texts(self, node: YMap) -> dict[str, str]:
        texts: dict[str, str] = {}
        for key in ("id", "rule", "account", "reason", "owner", "approved_by"):
            if key not in node:
                continue
            value = node[key]
            if isinstance(value, str) and value.strip():
                texts[key] = value.strip()
            else:
                self.problem(node, f"{key}: expected non-empty text", key)
        return texts

    def _references(self, node: YMap, texts: dict[str, str]) -> None:
        """The waiver's id is new in this file; its rule and account exist."""
        waiver_id = texts.get("id")
        if waiver_id is not None:
            if waiver_id in self.seen:
                first = self.seen[waiver_id]
                self.problem(
                    node, f"duplicate waiver id {waiver_id!r} (first on line {first})", "id"
                )
            else:
                self.seen[waiver_id] = node.line_of("id")
        rule = texts.get("rule")
        if rule is not None and rule not in self.rule_ids:
            self.problem(
                node,
                f"unknown rule {rule!r}; expected a rule id of the loaded packs",
                "rule",
                did_you_mean(rule, self.rule_ids),
            )
        account = texts.get("account")
        if account is not None and account not in self.known_accounts:
            self.problem(
                node,
                f"unknown account {account!r}; expected an account id of {self.inventory_path}",
                "account",
                did_you_mean(account, self.account_ids),
            )

    def _dates(self, node: YMap) -> dict[str, date]:
        """``created`` and ``expires`` as dates, in order and at most ``max_days`` apart."""
        dates: dict[str, date] = {}
        for key in ("created", "expires"):
            if key not in node:
                continue
            parsed = _date(node[key])
            if parsed is None:
                self.problem(node, f"{key}: expected a date (YYYY-MM-DD), got {node[key]!r}", key)
            else:
                dates[key] = parsed
        if "created" not in dates or "expires" not in dates:
            return dates
        created, expires = dates["created"], dates["expires"]
        span = (expires - created).days
        if span < 0:
            self.problem(node, f"expires {expires} is before created {created}", "expires")
        elif span > self.max_days:
            self.problem(
                node,
                f"expires {expires} is {span} days after created {created}; "
                f"expected at most {self.max_days} days (param waivers.max_days)",
                "expires",
            )
        return dates
