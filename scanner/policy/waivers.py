"""Waivers: a time-boxed, approved exception for one rule on one account.

An active waiver turns that finding's status to ``waived``; an expired one lets it fail again and
adds a ``WVR-001`` finding; one expiring soon adds a ``WVR-002`` warning. Every waiver must
expire, at most ``waivers.max_days`` (default 180) days after it was created.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from scanner.errors import Problem, SourceError, ValidationError
from scanner.model import Inventory, Location, WaiverRef
from scanner.policy.builtin import builtin_rule
from scanner.policy.schema import Policy
from scanner.yamlsource import YList, YMap, load_yaml

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


def _hint(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _int_param(policy: Policy, name: str, default: int) -> int:
    value = policy.params(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def load_waivers(path: str | Path, *, inventory: Inventory, policy: Policy, as_of: date) -> Waivers:
    """Load and validate a waivers file (a list, or a mapping with ``waivers:``) against the
    inventory's accounts and the policy's rules; raise ValidationError with every problem."""
    name = str(path)
    max_days = _int_param(policy, "waivers.max_days", DEFAULT_MAX_DAYS)
    warn_days = _int_param(policy, "waivers.warn_days", DEFAULT_WARN_DAYS)
    try:
        data = load_yaml(path)
    except SourceError as exc:
        raise ValidationError.single(name, None, str(exc).removeprefix(f"{name}: ")) from None
    problems: list[Problem] = []

    def problem(
        node: YMap | YList, message: str, key: str | None = None, hint: str | None = None
    ) -> None:
        if isinstance(node, YMap) and key is not None and key in node.key_lines:
            line, column = node.key_lines[key]
        else:
            line, column = node.line, node.column
        problems.append(Problem(name, line, column, message, hint))

    if isinstance(data, YMap):
        for key in data:
            if key != "waivers":
                problem(
                    data, f"unknown key {key!r}; expected 'waivers'", key, _hint(key, ["waivers"])
                )
        items = data.get("waivers", YList())
        if not isinstance(items, YList):
            problem(data, "waivers: expected a list of waivers", "waivers")
            raise ValidationError(problems)
    elif isinstance(data, YList):
        items = data
    else:
        raise ValidationError.single(
            name, 1, "expected a list of waivers (or a mapping with 'waivers:')"
        )

    rule_ids = list(policy.rule_ids)
    account_ids = [a.id for a in inventory.accounts]
    known_accounts = set(account_ids)
    waivers: list[Waiver] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(items):
        if not isinstance(node, YMap):
            problems.append(
                Problem(
                    name,
                    items.line_of(index),
                    None,
                    "expected a waiver (a mapping with id, rule, account, ...)",
                )
            )
            continue
        before = len(problems)
        for key in node:
            if key not in WAIVER_KEYS:
                problem(
                    node,
                    f"unknown key {key!r} in a waiver; expected one of {', '.join(WAIVER_KEYS)}",
                    key,
                    _hint(key, list(WAIVER_KEYS)),
                )
        for key in WAIVER_KEYS:
            if key not in node:
                what = (
                    "every waiver must expire"
                    if key == "expires"
                    else "expected it in every waiver"
                )
                problem(node, f"waiver is missing {key!r}; {what}")
        texts: dict[str, str] = {}
        for key in ("id", "rule", "account", "reason", "owner", "approved_by"):
            if key in node:
                value = node[key]
                if not isinstance(value, str) or not value.strip():
                    problem(node, f"{key}: expected non-empty text", key)
                else:
                    texts[key] = value.strip()
        waiver_id = texts.get("id")
        if waiver_id is not None:
            if waiver_id in seen:
                problem(
                    node,
                    f"duplicate waiver id {waiver_id!r} (first on line {seen[waiver_id]})",
                    "id",
                )
            else:
                seen[waiver_id] = node.line_of("id")
        rule = texts.get("rule")
        if rule is not None and rule not in rule_ids:
            problem(
                node,
                f"unknown rule {rule!r}; expected a rule id of the loaded packs",
                "rule",
                _hint(rule, rule_ids),
            )
        account = texts.get("account")
        if account is not None and account not in known_accounts:
            problem(
                node,
                f"unknown account {account!r}; expected an account id of {inventory.path}",
                "account",
                _hint(account, account_ids),
            )
        dates: dict[str, date] = {}
        for key in ("created", "expires"):
            if key in node:
                parsed = _date(node[key])
                if parsed is None:
                    problem(node, f"{key}: expected a date (YYYY-MM-DD), got {node[key]!r}", key)
                else:
                    dates[key] = parsed
        if "created" in dates and "expires" in dates:
            span = (dates["expires"] - dates["created"]).days
            if span < 0:
                problem(
                    node,
                    f"expires {dates['expires']} is before created {dates['created']}",
                    "expires",
                )
            elif span > max_days:
                problem(
                    node,
                    f"expires {dates['expires']} is {span} days after created {dates['created']}; "
                    f"expected at most {max_days} days (param waivers.max_days)",
                    "expires",
                )
        if len(problems) == before:
            waivers.append(
                Waiver(
                    id=texts["id"],
                    rule=texts["rule"],
                    account=texts["account"],
                    reason=texts["reason"],
                    owner=texts["owner"],
                    approved_by=texts["approved_by"],
                    created=dates["created"],
                    expires=dates["expires"],
                    location=Location(name, node.line, node.column),
                )
            )
    if problems:
        raise ValidationError(problems)
    return Waivers(path=name, items=tuple(waivers), as_of=as_of, warn_days=warn_days)
