"""Load rule packs validate-first: every problem in every pack is collected with file:line and a
"did you mean", and nothing is returned unless all of them are clean. A malformed rule is never
skipped.

Packs merge in the order given. A later pack (typically the organization's own) adds rules and
may change earlier ones through ``overrides:`` — ``params`` (by name: every rule param and
pack-level param so named), ``rules: {ID: {severity, params, effective_from, enabled}}`` and
``lists``. Redefining a rule id, a param or a list outside ``overrides`` is an error.

The steps live beside this module: ``packs`` reads files, ``overrides`` applies changes,
``settings`` bounds the stage params, ``rules`` builds each rule with ``conditions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scanner.errors import ValidationError
from scanner.policy.overrides import apply_overrides
from scanner.policy.packs import PackState, index_rules, read_pack
from scanner.policy.rules import build_rule
from scanner.policy.schema import Policy, Rule
from scanner.policy.settings import check_stage_params

__all__ = ["default_pack_path", "load_policy"]


def default_pack_path() -> Path:
    """``policies/default.yaml`` of this checkout, else the copy the wheel carries
    (``scanner/_examples/policies``, see pyproject's force-include)."""
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent / "policies" / "default.yaml"
    if checkout.is_file():
        return checkout
    return package / "_examples" / "policies" / "default.yaml"


def load_policy(paths: str | Path | Sequence[str | Path]) -> Policy:
    """Load, validate and merge rule packs in order; raise ValidationError with every problem."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    names = [str(p) for p in paths] or [str(default_pack_path())]
    state = PackState()
    hashes = [(name, read_pack(state, name)) for name in names]
    index_rules(state)
    rule_overrides = apply_overrides(state)
    check_stage_params(state)
    rules: list[Rule] = []
    for raw in state.raw_rules:
        rule = build_rule(state, raw, rule_overrides.get(str(raw.node.get("id"))))
        if rule is not None:
            rules.append(rule)
    if state.problems:
        raise ValidationError(state.problems)
    if not rules:
        raise ValidationError.single(
            names[0], None, "no rules: expected at least one rule across the packs"
        )
    return Policy(
        rules=tuple(rules),
        settings={name: p.value for name, p in state.settings.items()},
        lists={name: items for name, (items, _, _) in state.lists.items()},
        packs=tuple(hashes),
    )
