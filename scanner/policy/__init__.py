"""The policy engine: validate-first YAML rule packs, evaluation against an inventory and its
observations, and waivers. This module is the interface; the implementation sits beside it."""

from __future__ import annotations

from scanner.policy.builtin import BUILTIN_RULES, builtin_rule, catalogue, rule_info
from scanner.policy.evaluator import Capabilities, Evaluation, evaluate, rule_infos
from scanner.policy.explain import describe, summary
from scanner.policy.fields import FIELDS, FieldKind, FieldSpec
from scanner.policy.fingerprint import fingerprint
from scanner.policy.loader import default_pack_path, load_policy
from scanner.policy.operators import OPERATORS, Operator
from scanner.policy.schema import AllOf, AnyOf, Condition, Leaf, Not, Policy, Rule, Scope
from scanner.policy.waivers import WAIVER_RULES, Waiver, Waivers, load_waivers

__all__ = [
    "BUILTIN_RULES",
    "FIELDS",
    "OPERATORS",
    "WAIVER_RULES",
    "AllOf",
    "AnyOf",
    "Capabilities",
    "Condition",
    "Evaluation",
    "FieldKind",
    "FieldSpec",
    "Leaf",
    "Not",
    "Operator",
    "Policy",
    "Rule",
    "Scope",
    "Waiver",
    "Waivers",
    "builtin_rule",
    "catalogue",
    "default_pack_path",
    "describe",
    "evaluate",
    "fingerprint",
    "load_policy",
    "load_waivers",
    "rule_info",
    "rule_infos",
    "summary",
]
