"""The policy engine's values: a rule pack after validation, as frozen dataclasses.

A rule's ``assert`` is a condition tree (``all`` / ``any`` / ``not`` over leaves ``{field, op,
value}``) describing the *compliant* state; ``scope`` says which accounts the rule applies to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeAlias

from scanner.model import AccountStatus, Location, Platform, RuleInfo, Severity

__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "FieldRef",
    "Leaf",
    "Not",
    "OrgRef",
    "ParamValue",
    "Policy",
    "Rule",
    "Scope",
    "template_fields",
]

ParamValue: TypeAlias = "int | float | str | bool"
TEMPLATE_FIELD = re.compile(r"\{([^{}]*)\}")


def template_fields(template: str) -> list[str]:
    """Names between braces in a rule's message template (``{{`` and ``}}`` are literal braces);
    the loader checks them, the evaluator fills them."""
    return TEMPLATE_FIELD.findall(template.replace("{{", "").replace("}}", ""))


@dataclass(frozen=True)
class OrgRef:
    """A value written as ``$org.<field>``: resolved per inventory when the policy is compiled."""

    field: str

    def __str__(self) -> str:
        return f"$org.{self.field.removeprefix('org.')}"


@dataclass(frozen=True)
class FieldRef:
    """A value naming another field (``within_days_of``'s ``field``), resolved per account."""

    field: str


@dataclass(frozen=True)
class Leaf:
    """``{field, op, value}``. ``value`` has lists and ``$params`` resolved; ``raw`` keeps the
    value as written (``$params.inactivity_days``) for ``rules explain``."""

    field: str
    op: str
    value: object
    location: Location
    raw: object = None


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]
    location: Location


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]
    location: Location


@dataclass(frozen=True)
class Not:
    item: Condition
    location: Location


Condition: TypeAlias = "Leaf | AllOf | AnyOf | Not"


@dataclass(frozen=True)
class Scope:
    """Which accounts a rule applies to. Empty ``platforms``/``tags`` mean "all"."""

    statuses: frozenset[AccountStatus] = frozenset({AccountStatus.ACTIVE})
    platforms: frozenset[Platform] = frozenset()
    tags: frozenset[str] = frozenset()
    where: Condition | None = None


@dataclass(frozen=True)
class Rule:
    """One validated rule. Exactly one of ``assert_`` (a condition) and ``check`` (the name of a
    built-in cross-account check, e.g. ``duplicate_entries``) is set."""

    id: str
    title: str
    severity: Severity
    category: str
    rationale: str
    scope: Scope
    message: str
    remediation: str
    location: Location
    pack: str
    assert_: Condition | None = None
    check: str | None = None
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    references: tuple[str, ...] = ()
    effective_from: date | None = None
    example: str = ""
    locate: str | None = None
    """Account field whose line a finding points at (``security.mfa``); None = the account."""

    def info(self, description: str = "") -> RuleInfo:
        return RuleInfo(
            id=self.id,
            title=self.title,
            severity=self.severity,
            category=self.category,
            rationale=self.rationale,
            remediation=self.remediation,
            references=self.references,
            description=description,
        )


@dataclass(frozen=True)
class Policy:
    """Validated rule packs merged in order, with overrides applied.

    ``settings`` holds pack-level params flattened to dotted names (``discovery.rogue_threshold``);
    read them with :meth:`params`, which also answers ``RULE-ID.name`` for a rule's own params.
    """

    rules: tuple[Rule, ...]
    settings: Mapping[str, ParamValue] = field(default_factory=dict)
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    packs: tuple[tuple[str, str], ...] = ()
    """(path as given, sha256 of its bytes) for each pack, in load order."""

    def params(self, name: str, default: ParamValue | None = None) -> ParamValue | None:
        """A pack-level param (``discovery.rogue_threshold``) or a rule's (``ACT-001.inactivity_days``)."""
        if name in self.settings:
            return self.settings[name]
        rule_id, sep, param = name.partition(".")
        if sep:
            rule = self.rule(rule_id)
            if rule is not None and param in rule.params:
                return rule.params[param]
        return default

    def rule(self, rule_id: str) -> Rule | None:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        return None

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)
