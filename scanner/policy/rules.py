"""Building one Rule from its mapping in a pack: texts, severity, dates, scope, its ``assert`` or
``check``, the field its findings point at (``locate``) and the names its message may use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from scanner.errors import did_you_mean
from scanner.model import AccountStatus, Location, Platform, Severity
from scanner.policy.checks import CHECKS
from scanner.policy.conditions import ConditionParser, Resolver, leaves
from scanner.policy.fields import FIELDS
from scanner.policy.operators import describe_value
from scanner.policy.packs import PackState, RawRule
from scanner.policy.schema import Condition, ParamValue, Rule, Scope, template_fields
from scanner.yamlsource import YList, YMap

__all__ = ["build_rule"]

RULE_KEYS = (
    "id",
    "title",
    "severity",
    "category",
    "rationale",
    "scope",
    "assert",
    "check",
    "params",
    "message",
    "remediation",
    "references",
    "effective_from",
    "example",
    "locate",
)
REQUIRED_RULE_KEYS = ("id", "title", "severity", "category", "rationale", "message", "remediation")
TEXT_KEYS = ("title", "category", "rationale", "message", "remediation", "example")
SCOPE_KEYS = ("statuses", "platforms", "tags", "where")


@dataclass(frozen=True)
class _Settled:
    """What a rule's ``overrides.rules`` entry leaves of its severity, start date and state."""

    severity: Severity | None
    effective_from: date | None
    disabled: bool


def build_rule(state: PackState, raw: RawRule, override: tuple[YMap, str] | None) -> Rule | None:
    """The rule, validated in full, or None with every problem recorded in ``state``. A rule
    disabled by an override is validated too: it is dropped, never skipped."""
    node, path = raw.node, raw.file
    before = len(state.problems)
    state.unknown_keys(path, node, RULE_KEYS, "a rule")
    rule_id = node.get("id")
    if not isinstance(rule_id, str) or rule_id not in state.rule_sites:
        return None  # its id was reported by index_rules
    for key in REQUIRED_RULE_KEYS:
        if key not in node:
            state.problem(path, node, f"rule {rule_id}: missing required key {key!r}", key="id")
    texts = _texts(state, path, node, rule_id)
    references = _references(state, path, node, rule_id)
    settled = _settle(state, path, node, rule_id, override)
    parser = ConditionParser(state, path, Resolver(state, path, rule_id, raw.params))
    scope = _scope(state, path, node, parser)
    assertion, check = _body(state, path, node, rule_id, parser)
    locate = _locate(state, path, node, rule_id, assertion, check)
    params = {name: p.value for name, p in raw.params.items()}
    if "message" in texts:
        _check_template(state, path, node, rule_id, texts["message"], params, check is not None)
    if len(state.problems) > before or settled.severity is None or scope is None:
        return None
    if (assertion is None and check is None) or settled.disabled:
        return None
    return Rule(
        id=rule_id,
        title=texts["title"],
        severity=settled.severity,
        category=texts["category"],
        rationale=texts["rationale"],
        scope=scope,
        message=texts["message"],
        remediation=texts["remediation"],
        location=Location(path, node.line, node.column),
        pack=raw.pack,
        assert_=assertion,
        check=check,
        params=params,
        references=references,
        effective_from=settled.effective_from,
        example=texts.get("example", ""),
        locate=locate,
    )


def _texts(state: PackState, path: str, node: YMap, rule_id: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for key in TEXT_KEYS:
        if key not in node:
            continue
        value = node[key]
        if isinstance(value, str) and value.strip():
            texts[key] = value.strip()
            continue
        state.problem(
            path,
            node,
            f"rule {rule_id}: {key}: expected non-empty text, got {describe_value(value)}",
            key=key,
        )
    return texts


def _references(state: PackState, path: str, node: YMap, rule_id: str) -> tuple[str, ...]:
    if "references" not in node:
        return ()
    refs = node["references"]
    if isinstance(refs, YList) and all(isinstance(r, str) for r in refs):
        return tuple(refs)
    state.problem(
        path, node, f"rule {rule_id}: references: expected a list of text", key="references"
    )
    return ()


def _settle(
    state: PackState,
    path: str,
    node: YMap,
    rule_id: str,
    override: tuple[YMap, str] | None,
) -> _Settled:
    severity = _severity(state, path, node, node.get("severity"), rule_id)
    effective_from = _effective(state, path, node, node.get("effective_from"), rule_id)
    if override is None:
        return _Settled(severity, effective_from, disabled=False)
    change, opath = override
    if "severity" in change:
        severity = _severity(state, opath, change, change["severity"], rule_id)
    if "effective_from" in change:
        effective_from = _effective(state, opath, change, change["effective_from"], rule_id)
    enabled = change.get("enabled", True)
    if not isinstance(enabled, bool):
        state.problem(
            opath, change, f"overrides.rules.{rule_id}.enabled: expected yes/no", key="enabled"
        )
    return _Settled(severity, effective_from, disabled=enabled is False)


def _severity(
    state: PackState, path: str, node: YMap, value: object, rule_id: str
) -> Severity | None:
    names = [s.value for s in Severity]
    if isinstance(value, str) and value in names:
        return Severity(value)
    if value is None and "severity" not in node:
        return None  # reported as missing
    state.problem(
        path,
        node,
        f"rule {rule_id}: unknown severity {value!r}; expected one of {', '.join(reversed(names))}",
        key="severity",
        hint=did_you_mean(str(value), names),
    )
    return None


def _effective(state: PackState, path: str, node: YMap, value: object, rule_id: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    state.problem(
        path,
        node,
        f"rule {rule_id}: effective_from: expected a date (YYYY-MM-DD), got {describe_value(value)}",
        key="effective_from",
    )
    return None


def _scope(state: PackState, path: str, rule: YMap, parser: ConditionParser) -> Scope | None:
    node = rule.get("scope")
    if node is None:
        return Scope()
    if not isinstance(node, YMap):
        state.problem(
            path, rule, "scope: expected a mapping (statuses, platforms, tags, where)", key="scope"
        )
        return None
    state.unknown_keys(path, node, SCOPE_KEYS, "scope")
    statuses = _enum_list(state, path, node, "statuses", [s.value for s in AccountStatus])
    platforms = _enum_list(state, path, node, "platforms", [p.value for p in Platform])
    tags = node.get("tags", YList())
    if not isinstance(tags, YList) or not all(isinstance(t, str) for t in tags):
        state.problem(path, node, "scope.tags: expected a list of tags", key="tags")
        tags = YList()
    where: Condition | None = None
    if "where" in node:
        where = parser.condition(node["where"], item=False, parent=node, key="where")
    return Scope(
        statuses=frozenset(AccountStatus(s) for s in statuses)
        if "statuses" in node
        else Scope().statuses,
        platforms=frozenset(Platform(p) for p in platforms),
        tags=frozenset(tags),
        where=where,
    )


def _enum_list(state: PackState, path: str, node: YMap, key: str, names: list[str]) -> list[str]:
    if key not in node:
        return []
    value = node[key]
    if not isinstance(value, YList) or not value:
        state.problem(
            path, node, f"scope.{key}: expected a non-empty list of {', '.join(names)}", key=key
        )
        return []
    good = []
    for index, item in enumerate(value):
        if item in names:
            good.append(item)
        else:
            state.problem(
                path,
                value.line_of(index),
                f"scope.{key}: unknown value {item!r}; expected one of {', '.join(names)}",
                hint=did_you_mean(str(item), names),
            )
    return good


def _body(
    state: PackState, path: str, node: YMap, rule_id: str, parser: ConditionParser
) -> tuple[Condition | None, str | None]:
    """The rule's ``assert`` condition or ``check`` name (exactly one of them)."""
    has_assert, has_check = "assert" in node, "check" in node
    if has_assert == has_check:
        state.problem(
            path,
            node,
            f"rule {rule_id}: expected exactly one of 'assert' (a condition) or 'check' "
            "(a built-in check)",
            key="id",
        )
        return None, None
    if has_assert:
        return parser.condition(node["assert"], item=False, parent=node, key="assert"), None
    check = node["check"]
    if isinstance(check, str) and check in CHECKS:
        return None, check
    state.problem(
        path,
        node,
        f"rule {rule_id}: unknown check {check!r}; expected one of {', '.join(sorted(CHECKS))}",
        key="check",
        hint=did_you_mean(str(check), CHECKS),
    )
    return None, None


def _locate(
    state: PackState,
    path: str,
    node: YMap,
    rule_id: str,
    assertion: Condition | None,
    check: str | None,
) -> str | None:
    """The inventory field a finding points at: ``locate:`` if given, else the check's, else the
    first inventory field the assertion reads."""
    if "locate" in node:
        value = node["locate"]
        spec = FIELDS.get(value) if isinstance(value, str) else None
        if spec is None or spec.account_field is None:
            choices = [n for n, s in FIELDS.items() if s.account_field]
            state.problem(
                path,
                node,
                f"rule {rule_id}: locate: expected an inventory field, got {describe_value(value)}",
                key="locate",
                hint=did_you_mean(str(value), choices),
            )
            return None
        return spec.account_field
    if check is not None:
        return CHECKS[check].locate
    for leaf in leaves(assertion):
        spec = FIELDS.get(leaf.field)
        if spec is not None and spec.account_field is not None:
            return spec.account_field
    return None


def _check_template(
    state: PackState,
    path: str,
    node: YMap,
    rule_id: str,
    template: str,
    params: Mapping[str, ParamValue],
    check: bool,
) -> None:
    names = list(FIELDS) + [f"params.{p}" for p in (*params, *state.settings)]
    names += ["rule.id", "rule.title"]
    for name in template_fields(template):
        if name in names or (check and name.startswith("evidence.")):
            continue
        state.problem(
            path,
            node,
            f"rule {rule_id}: message: unknown field {{{name}}}; expected a field, "
            "params.<name>, rule.id or rule.title",
            key="message",
            hint=did_you_mean(name, names),
        )
