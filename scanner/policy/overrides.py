"""``overrides:`` of later packs applied to what earlier packs set: lists, params by name (every
rule param and pack-level param so named) and per-rule changes. A value keeps its type."""

from __future__ import annotations

from scanner.errors import did_you_mean
from scanner.policy.operators import describe_value
from scanner.policy.packs import PackState, Param, flatten, read_lists
from scanner.policy.schema import ParamValue
from scanner.yamlsource import YMap

__all__ = ["RuleOverrides", "apply_overrides"]

RULE_OVERRIDE_KEYS = ("severity", "params", "effective_from", "enabled")

RuleOverrides = dict[str, tuple[YMap, str]]
"""Per rule id, its ``overrides.rules`` mapping and the file it came from."""


def apply_overrides(state: PackState) -> RuleOverrides:
    """Apply list and param overrides; return per-rule override nodes (their severity, dates and
    ``enabled`` apply when the rule is built; their params are applied here)."""
    rule_overrides: RuleOverrides = {}
    for node, path in state.overrides:
        if "lists" in node:
            read_lists(state, path, node, node["lists"], override=True)
    for node, path in state.overrides:
        if "params" in node:
            _override_params(state, path, node)
        if "rules" in node:
            _collect_rule_overrides(state, path, node, rule_overrides)
    _apply_rule_params(state, rule_overrides)
    return rule_overrides


def _override_params(state: PackState, path: str, node: YMap) -> None:
    params = node["params"]
    if not isinstance(params, YMap):
        state.problem(path, node, "overrides.params: expected a mapping", key="params")
        return
    for name, raw, line in flatten(params):
        value = state.param_value(path, name, raw, line)
        if value is not None:
            _override_param(state, path, name, value, line)


def _override_param(state: PackState, path: str, name: str, value: ParamValue, line: int) -> None:
    hit = False
    if name in state.settings:
        _set_param(state, state.settings, name, value, path, line)
        hit = True
    for raw in state.raw_rules:
        if name in raw.params:
            _set_param(state, raw.params, name, value, path, line)
            hit = True
    if not hit:
        known = set(state.settings) | {n for r in state.raw_rules for n in r.params}
        state.problem(
            path, line, f"overrides.params: unknown param {name!r}", hint=did_you_mean(name, known)
        )


def _collect_rule_overrides(
    state: PackState, path: str, node: YMap, rule_overrides: RuleOverrides
) -> None:
    rules = node["rules"]
    if not isinstance(rules, YMap):
        state.problem(
            path, node, "overrides.rules: expected a mapping of rule id: changes", key="rules"
        )
        return
    for rule_id, change in rules.items():
        if rule_id not in state.rule_sites:
            state.problem(
                path,
                rules,
                f"overrides.rules: unknown rule {rule_id!r}",
                key=rule_id,
                hint=did_you_mean(rule_id, state.rule_sites),
            )
            continue
        if not isinstance(change, YMap):
            state.problem(
                path, rules, f"overrides.rules.{rule_id}: expected a mapping", key=rule_id
            )
            continue
        state.unknown_keys(path, change, RULE_OVERRIDE_KEYS, f"overrides.rules.{rule_id}")
        rule_overrides[rule_id] = (change, path)


def _apply_rule_params(state: PackState, rule_overrides: RuleOverrides) -> None:
    """Rule-specific param overrides go into the raw rules now; the rest applies per rule."""
    by_id = {str(r.node.get("id")): r for r in state.raw_rules}
    for rule_id, (change, path) in rule_overrides.items():
        params = change.get("params")
        if params is None:
            continue
        if not isinstance(params, YMap):
            state.problem(path, change, "params: expected a mapping", key="params")
            continue
        raw = by_id[rule_id]
        for name, value in params.items():
            line = params.line_of(name)
            checked = state.param_value(path, name, value, line)
            if checked is None:
                continue
            if name not in raw.params:
                state.problem(
                    path,
                    line,
                    f"rule {rule_id} has no param {name!r}",
                    hint=did_you_mean(name, raw.params),
                )
                continue
            _set_param(state, raw.params, name, checked, path, line)


def _set_param(
    state: PackState,
    target: dict[str, Param],
    name: str,
    value: ParamValue,
    path: str,
    line: int,
) -> None:
    old = target[name].value
    if not _same_type(old, value):
        state.problem(
            path,
            line,
            f"param {name!r}: expected {_describe_type(old)} like the default {old!r}, "
            f"got {describe_value(value)}",
        )
        return
    target[name] = Param(value, path, line)


def _same_type(old: ParamValue, new: ParamValue) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool)
    if isinstance(old, int):
        return isinstance(new, int)
    if isinstance(old, float):
        return isinstance(new, (int, float))
    return isinstance(new, type(old))


def _describe_type(value: ParamValue) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    return "text"
