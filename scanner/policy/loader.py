"""Load rule packs validate-first: every problem in every pack is collected with file:line and a
"did you mean", and nothing is returned unless all of them are clean. A malformed rule is never
skipped.

Packs merge in the order given. A later pack (typically the organization's own) adds rules and
may change earlier ones through ``overrides:`` — ``params`` (by name: every rule param and
pack-level param so named), ``rules: {ID: {severity, params, effective_from, enabled}}`` and
``lists``. Redefining a rule id, a param or a list outside ``overrides`` is an error.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scanner.errors import Problem, SourceError, ValidationError
from scanner.inputfile import read_input
from scanner.model import AccountStatus, Location, Platform, Severity
from scanner.policy.checks import CHECKS
from scanner.policy.fields import FIELDS, ITEM_FIELD, FieldKind, FieldSource
from scanner.policy.operators import (
    OPERATORS,
    ValueKind,
    accepts_message,
    check_value,
    describe_value,
)
from scanner.policy.schema import (
    AllOf,
    AnyOf,
    Condition,
    FieldRef,
    Leaf,
    Not,
    OrgRef,
    ParamValue,
    Policy,
    Rule,
    Scope,
)
from scanner.yamlsource import MAX_FILE_BYTES, YList, YMap, decode_text, load_yaml_text

__all__ = ["default_pack_path", "load_policy", "template_fields"]

PACK_KEYS = ("name", "description", "params", "lists", "rules", "overrides")
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
SCOPE_KEYS = ("statuses", "platforms", "tags", "where")
LEAF_KEYS = ("field", "op", "value")
COMBINATORS = ("all", "any", "not")
OVERRIDE_KEYS = ("params", "rules", "lists")
RULE_OVERRIDE_KEYS = ("severity", "params", "effective_from", "enabled")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9]{3}$")
# Pack params that discovery, waivers and the orphaned-page report read: (lowest, highest or
# None, whole numbers only). Checked here, with the line that set them, so a bad value fails
# `policy validate` instead of a later run; a name under these prefixes that is not listed is a
# typo, never a new setting.
STAGE_PARAMS: dict[str, tuple[int, int | None, bool]] = {
    "discovery.rogue_threshold": (0, 100, False),
    "discovery.unlisted_threshold": (0, 100, False),
    "discovery.duplicate_threshold": (0, 100, False),
    "discovery.disclaimer_penalty": (0, 100, False),
    "discovery.max_candidates": (0, None, True),
    "waivers.max_days": (1, None, True),
    "waivers.warn_days": (0, None, True),
    # Days to fix an orphaned page, by severity (scanner.reports.orphans.due_days).
    **{f"orphans.due_days.{s.value}": (0, None, True) for s in Severity},
}
STAGE_PREFIXES = frozenset(name.partition(".")[0] for name in STAGE_PARAMS)
TEMPLATE_FIELD = re.compile(r"\{([^{}]*)\}")


def default_pack_path() -> Path:
    """``policies/default.yaml`` of this checkout, else the copy the wheel carries
    (``scanner/_examples/policies``, see pyproject's force-include)."""
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent / "policies" / "default.yaml"
    if checkout.is_file():
        return checkout
    return package / "_examples" / "policies" / "default.yaml"


def _hint(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def template_fields(template: str) -> list[str]:
    """Names between braces in a message template (``{{`` and ``}}`` are literal braces)."""
    return TEMPLATE_FIELD.findall(template.replace("{{", "").replace("}}", ""))


@dataclass
class _Param:
    value: ParamValue
    file: str
    line: int


@dataclass
class _RawRule:
    node: YMap
    file: str
    pack: str
    params: dict[str, _Param] = field(default_factory=dict)


class _Loader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.settings: dict[str, _Param] = {}
        self.lists: dict[str, tuple[tuple[str, ...], str, int]] = {}
        self.raw_rules: list[_RawRule] = []
        self.rule_sites: dict[str, tuple[str, int]] = {}
        self.overrides: list[tuple[YMap, str]] = []

    # ------------------------------------------------------------------ problems

    def problem(
        self,
        file: str,
        node: object,
        message: str,
        *,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        line: int | None = None
        column: int | None = None
        if isinstance(node, YMap) and key is not None and key in node.key_lines:
            line, column = node.key_lines[key]
        elif isinstance(node, (YMap, YList)):
            line, column = node.line, node.column
        elif isinstance(node, int):
            line = node
        self.problems.append(Problem(file, line, column, message, hint))

    def unknown_keys(self, file: str, node: YMap, allowed: Sequence[str], what: str) -> None:
        for key in node:
            if key not in allowed:
                self.problem(
                    file,
                    node,
                    f"unknown key {key!r} in {what}; expected one of {', '.join(allowed)}",
                    key=key,
                    hint=_hint(key, allowed),
                )

    # ------------------------------------------------------------------ packs

    def read_pack(self, path: str) -> str:
        """Read one pack into the loader; return the sha256 of its bytes ("" if unreadable).
        The file is read once, so the hash is of exactly what was validated."""
        try:
            raw = read_input(path, max_bytes=MAX_FILE_BYTES)
            digest = hashlib.sha256(raw).hexdigest()
            data = load_yaml_text(decode_text(raw, path), path)
        except ValidationError as exc:
            self.problems.extend(exc.problems)
            return ""
        except SourceError as exc:
            self.problems.append(Problem(path, None, None, str(exc).removeprefix(f"{path}: ")))
            return ""
        self.read_pack_data(path, data)
        return digest

    def read_pack_data(self, path: str, data: object) -> None:
        if not isinstance(data, YMap):
            self.problem(
                path, data if isinstance(data, YList) else 1, "expected a mapping with 'rules:'"
            )
            return
        self.unknown_keys(path, data, PACK_KEYS, "a rule pack")
        pack = data.get("name", Path(path).stem)
        if not isinstance(pack, str):
            self.problem(path, data, "name: expected text", key="name")
            pack = Path(path).stem
        for key in ("name", "description"):
            if key in data and not isinstance(data[key], str):
                self.problem(path, data, f"{key}: expected text", key=key)
        if "params" in data:
            self.read_settings(path, data, data["params"])
        if "lists" in data:
            self.read_lists(path, data, data["lists"])
        rules = data.get("rules", YList())
        if not isinstance(rules, YList):
            self.problem(path, data, "rules: expected a list of rules", key="rules")
        else:
            for index, node in enumerate(rules):
                if not isinstance(node, YMap):
                    self.problem(
                        path,
                        rules.line_of(index),
                        "expected a rule (a mapping with id, title, ...)",
                    )
                    continue
                self.raw_rules.append(_RawRule(node, path, pack))
        if "overrides" in data:
            node = data["overrides"]
            if not isinstance(node, YMap):
                self.problem(path, data, "overrides: expected a mapping", key="overrides")
            else:
                self.unknown_keys(path, node, OVERRIDE_KEYS, "overrides")
                self.overrides.append((node, path))

    def flatten(self, path: str, node: YMap, prefix: str = "") -> Iterable[tuple[str, object, int]]:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, YMap):
                yield from self.flatten(path, value, name + ".")
            else:
                yield name, value, node.line_of(key)

    def param_value(self, path: str, name: str, value: object, line: int) -> ParamValue | None:
        huge = _huge_number(value)
        if huge is not None:
            self.problem(path, line, f"param {name!r}: {huge}")
            return None
        if isinstance(value, (bool, int, float, str)):
            return value
        self.problem(
            path,
            line,
            f"param {name!r}: expected a number, text or yes/no, got {describe_value(value)}",
        )
        return None

    def read_settings(self, path: str, parent: YMap, node: object) -> None:
        if not isinstance(node, YMap):
            self.problem(path, parent, "params: expected a mapping of name: value", key="params")
            return
        for name, raw, line in self.flatten(path, node):
            value = self.param_value(path, name, raw, line)
            if value is None:
                continue
            if name in self.settings:
                first = self.settings[name]
                self.problem(
                    path,
                    line,
                    f"param {name!r} is already defined at {first.file}:{first.line}",
                    hint="change it under overrides.params",
                )
                continue
            self.settings[name] = _Param(value, path, line)

    def read_lists(self, path: str, parent: YMap, node: object, *, override: bool = False) -> None:
        if not isinstance(node, YMap):
            self.problem(path, parent, "lists: expected a mapping of name: [items]", key="lists")
            return
        for name, items in node.items():
            line = node.line_of(name)
            if not isinstance(items, YList) or not all(isinstance(i, (str, int)) for i in items):
                self.problem(path, line, f"list {name!r}: expected a list of text values")
                continue
            if not override and name in self.lists:
                _, file, first = self.lists[name]
                self.problem(
                    path,
                    line,
                    f"list {name!r} is already defined at {file}:{first}",
                    hint="change it under overrides.lists",
                )
                continue
            if override and name not in self.lists:
                self.problem(
                    path,
                    line,
                    f"overrides.lists: unknown list {name!r}",
                    hint=_hint(name, self.lists),
                )
                continue
            self.lists[name] = (tuple(str(i) for i in items), path, line)

    # ------------------------------------------------------------------ overrides

    def apply_overrides(self) -> dict[str, tuple[YMap, str]]:
        """Apply list and param overrides; return per-rule override nodes (applied per rule)."""
        rule_overrides: dict[str, tuple[YMap, str]] = {}
        for node, path in self.overrides:
            if "lists" in node:
                self.read_lists(path, node, node["lists"], override=True)
        for node, path in self.overrides:
            if "params" in node:
                params = node["params"]
                if not isinstance(params, YMap):
                    self.problem(path, node, "overrides.params: expected a mapping", key="params")
                    continue
                for name, raw, line in self.flatten(path, params):
                    value = self.param_value(path, name, raw, line)
                    if value is None:
                        continue
                    self.override_param(path, name, value, line)
            if "rules" in node:
                rules = node["rules"]
                if not isinstance(rules, YMap):
                    self.problem(
                        path,
                        node,
                        "overrides.rules: expected a mapping of rule id: changes",
                        key="rules",
                    )
                    continue
                for rule_id, change in rules.items():
                    if rule_id not in self.rule_sites:
                        self.problem(
                            path,
                            rules,
                            f"overrides.rules: unknown rule {rule_id!r}",
                            key=rule_id,
                            hint=_hint(rule_id, self.rule_sites),
                        )
                        continue
                    if not isinstance(change, YMap):
                        self.problem(
                            path,
                            rules,
                            f"overrides.rules.{rule_id}: expected a mapping",
                            key=rule_id,
                        )
                        continue
                    self.unknown_keys(
                        path, change, RULE_OVERRIDE_KEYS, f"overrides.rules.{rule_id}"
                    )
                    rule_overrides[rule_id] = (change, path)
        # Rule-specific param overrides go into the raw rules now; the rest applies per rule.
        by_id = {str(r.node.get("id")): r for r in self.raw_rules}
        for rule_id, (change, path) in rule_overrides.items():
            params = change.get("params")
            if params is None:
                continue
            if not isinstance(params, YMap):
                self.problem(path, change, "params: expected a mapping", key="params")
                continue
            raw = by_id[rule_id]
            for name, value in params.items():
                line = params.line_of(name)
                checked = self.param_value(path, name, value, line)
                if checked is None:
                    continue
                if name not in raw.params:
                    self.problem(
                        path,
                        line,
                        f"rule {rule_id} has no param {name!r}",
                        hint=_hint(name, raw.params),
                    )
                    continue
                self.set_param(raw.params, name, checked, path, line)
        return rule_overrides

    def set_param(
        self, target: dict[str, _Param], name: str, value: ParamValue, path: str, line: int
    ) -> None:
        old = target[name].value
        if not _same_type(old, value):
            self.problem(
                path,
                line,
                f"param {name!r}: expected {_describe_type(old)} like the default {old!r}, "
                f"got {describe_value(value)}",
            )
            return
        target[name] = _Param(value, path, line)

    def override_param(self, path: str, name: str, value: ParamValue, line: int) -> None:
        hit = False
        if name in self.settings:
            self.set_param(self.settings, name, value, path, line)
            hit = True
        for raw in self.raw_rules:
            if name in raw.params:
                self.set_param(raw.params, name, value, path, line)
                hit = True
        if not hit:
            known = set(self.settings) | {n for r in self.raw_rules for n in r.params}
            self.problem(
                path, line, f"overrides.params: unknown param {name!r}", hint=_hint(name, known)
            )

    def check_stage_params(self) -> None:
        for name, param in self.settings.items():
            if name.partition(".")[0] not in STAGE_PREFIXES:
                continue
            if name not in STAGE_PARAMS:
                self.problem(
                    param.file,
                    param.line,
                    f"unknown param {name!r}; expected one of {', '.join(STAGE_PARAMS)}",
                    hint=_hint(name, STAGE_PARAMS),
                )
                continue
            low, high, whole = STAGE_PARAMS[name]
            value = param.value
            number = isinstance(value, int) if whole else isinstance(value, (int, float))
            if (
                isinstance(value, (bool, str))
                or not number
                or value < low
                or (high is not None and value > high)
            ):
                kind = "a whole number" if whole else "a number"
                bounds = f"from {low} to {high}" if high is not None else f"of {low} or more"
                self.problem(
                    param.file,
                    param.line,
                    f"param {name!r}: expected {kind} {bounds}, got {describe_value(value)}",
                )

    # ------------------------------------------------------------------ rules

    def index_rules(self) -> None:
        for raw in self.raw_rules:
            node, path = raw.node, raw.file
            rule_id = node.get("id")
            if not isinstance(rule_id, str) or not RULE_ID.fullmatch(rule_id):
                where = "id" if "id" in node else None
                self.problem(
                    path,
                    node,
                    f"rule id: expected an id like 'OWN-001' (letters, a dash, three digits), got {describe_value(rule_id)}",
                    key=where,
                )
                continue
            line = node.line_of("id")
            if rule_id in self.rule_sites:
                first_file, first_line = self.rule_sites[rule_id]
                self.problem(
                    path,
                    node,
                    f"duplicate rule id {rule_id!r} (first defined at {first_file}:{first_line}); "
                    "expected each id once across all packs",
                    key="id",
                    hint="change an existing rule under overrides.rules",
                )
                continue
            self.rule_sites[rule_id] = (path, line)
            params = node.get("params")
            if params is None:
                continue
            if not isinstance(params, YMap):
                self.problem(
                    path, node, "params: expected a mapping of name: default", key="params"
                )
                continue
            for name, value, pline in self.flatten(path, params):
                checked = self.param_value(path, name, value, pline)
                if checked is not None:
                    raw.params[name] = _Param(checked, path, pline)

    def build_rule(self, raw: _RawRule, override: tuple[YMap, str] | None) -> Rule | None:
        node, path = raw.node, raw.file
        before = len(self.problems)
        self.unknown_keys(path, node, RULE_KEYS, "a rule")
        rule_id = node.get("id")
        if not isinstance(rule_id, str) or rule_id not in self.rule_sites:
            return None
        for key in REQUIRED_RULE_KEYS:
            if key not in node:
                self.problem(path, node, f"rule {rule_id}: missing required key {key!r}", key="id")
        texts: dict[str, str] = {}
        for key in ("title", "category", "rationale", "message", "remediation", "example"):
            if key in node:
                value = node[key]
                if not isinstance(value, str) or not value.strip():
                    self.problem(
                        path,
                        node,
                        f"rule {rule_id}: {key}: expected non-empty text, got {describe_value(value)}",
                        key=key,
                    )
                else:
                    texts[key] = value.strip()
        severity = self.severity(path, node, node.get("severity"), rule_id)
        references: tuple[str, ...] = ()
        if "references" in node:
            refs = node["references"]
            if not isinstance(refs, YList) or not all(isinstance(r, str) for r in refs):
                self.problem(
                    path,
                    node,
                    f"rule {rule_id}: references: expected a list of text",
                    key="references",
                )
            else:
                references = tuple(refs)
        effective_from = self.effective(path, node, node.get("effective_from"), rule_id)
        params = {name: p.value for name, p in raw.params.items()}
        disabled = False
        if override is not None:
            change, opath = override
            if "severity" in change:
                severity = self.severity(opath, change, change["severity"], rule_id)
            if "effective_from" in change:
                effective_from = self.effective(opath, change, change["effective_from"], rule_id)
            enabled = change.get("enabled", True)
            if not isinstance(enabled, bool):
                self.problem(
                    opath,
                    change,
                    f"overrides.rules.{rule_id}.enabled: expected yes/no",
                    key="enabled",
                )
            # A disabled rule is still validated in full below: it is dropped, never skipped.
            disabled = enabled is False
        resolver = _Resolver(self, path, rule_id, raw.params)
        scope = self.scope(path, node, resolver)
        assertion: Condition | None = None
        check: str | None = None
        has_assert, has_check = "assert" in node, "check" in node
        if has_assert == has_check:
            self.problem(
                path,
                node,
                f"rule {rule_id}: expected exactly one of 'assert' (a condition) or 'check' (a built-in check)",
                key="id",
            )
        elif has_assert:
            assertion = self.condition(
                path, node["assert"], resolver, item=False, parent=node, key="assert"
            )
        else:
            check = node["check"]
            if not isinstance(check, str) or check not in CHECKS:
                self.problem(
                    path,
                    node,
                    f"rule {rule_id}: unknown check {check!r}; expected one of {', '.join(sorted(CHECKS))}",
                    key="check",
                    hint=_hint(str(check), CHECKS),
                )
                check = None
        locate = self.locate(path, node, rule_id, assertion, check)
        if "message" in texts:
            self.check_template(path, node, rule_id, texts["message"], params, check is not None)
        if len(self.problems) > before or severity is None or scope is None:
            return None
        if (assertion is None and check is None) or disabled:
            return None
        return Rule(
            id=rule_id,
            title=texts["title"],
            severity=severity,
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
            effective_from=effective_from,
            example=texts.get("example", ""),
            locate=locate,
        )

    def severity(self, path: str, node: YMap, value: object, rule_id: str) -> Severity | None:
        names = [s.value for s in Severity]
        if isinstance(value, str) and value in names:
            return Severity(value)
        if value is None and "severity" not in node:
            return None  # reported as missing
        self.problem(
            path,
            node,
            f"rule {rule_id}: unknown severity {value!r}; expected one of {', '.join(reversed(names))}",
            key="severity",
            hint=_hint(str(value), names),
        )
        return None

    def effective(self, path: str, node: YMap, value: object, rule_id: str) -> date | None:
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(
            path,
            node,
            f"rule {rule_id}: effective_from: expected a date (YYYY-MM-DD), got {describe_value(value)}",
            key="effective_from",
        )
        return None

    def scope(self, path: str, rule: YMap, resolver: _Resolver) -> Scope | None:
        node = rule.get("scope")
        if node is None:
            return Scope()
        if not isinstance(node, YMap):
            self.problem(
                path,
                rule,
                "scope: expected a mapping (statuses, platforms, tags, where)",
                key="scope",
            )
            return None
        self.unknown_keys(path, node, SCOPE_KEYS, "scope")
        statuses = self.enum_list(path, node, "statuses", [s.value for s in AccountStatus])
        platforms = self.enum_list(path, node, "platforms", [p.value for p in Platform])
        tags = node.get("tags", YList())
        if not isinstance(tags, YList) or not all(isinstance(t, str) for t in tags):
            self.problem(path, node, "scope.tags: expected a list of tags", key="tags")
            tags = YList()
        where: Condition | None = None
        if "where" in node:
            where = self.condition(
                path, node["where"], resolver, item=False, parent=node, key="where"
            )
        return Scope(
            statuses=frozenset(AccountStatus(s) for s in statuses)
            if "statuses" in node
            else Scope().statuses,
            platforms=frozenset(Platform(p) for p in platforms),
            tags=frozenset(tags),
            where=where,
        )

    def enum_list(self, path: str, node: YMap, key: str, names: list[str]) -> list[str]:
        if key not in node:
            return []
        value = node[key]
        if not isinstance(value, YList) or not value:
            self.problem(
                path, node, f"scope.{key}: expected a non-empty list of {', '.join(names)}", key=key
            )
            return []
        good = []
        for index, item in enumerate(value):
            if item in names:
                good.append(item)
            else:
                self.problem(
                    path,
                    value.line_of(index),
                    f"scope.{key}: unknown value {item!r}; expected one of {', '.join(names)}",
                    hint=_hint(str(item), names),
                )
        return good

    def locate(
        self, path: str, node: YMap, rule_id: str, assertion: Condition | None, check: str | None
    ) -> str | None:
        if "locate" in node:
            value = node["locate"]
            spec = FIELDS.get(value) if isinstance(value, str) else None
            if spec is None or spec.account_field is None:
                choices = [n for n, s in FIELDS.items() if s.account_field]
                self.problem(
                    path,
                    node,
                    f"rule {rule_id}: locate: expected an inventory field, got {describe_value(value)}",
                    key="locate",
                    hint=_hint(str(value), choices),
                )
                return None
            return spec.account_field
        if check is not None:
            return CHECKS[check].locate
        for leaf in _leaves(assertion):
            spec = FIELDS.get(leaf.field)
            if spec is not None and spec.account_field is not None:
                return spec.account_field
        return None

    def check_template(
        self,
        path: str,
        node: YMap,
        rule_id: str,
        template: str,
        params: Mapping[str, ParamValue],
        check: bool,
    ) -> None:
        names = list(FIELDS) + [f"params.{p}" for p in (*params, *self.settings)]
        names += ["rule.id", "rule.title"]
        for name in template_fields(template):
            if name in names or (check and name.startswith("evidence.")):
                continue
            self.problem(
                path,
                node,
                f"rule {rule_id}: message: unknown field {{{name}}}; expected a field, params.<name>, rule.id or rule.title",
                key="message",
                hint=_hint(name, names),
            )

    # ------------------------------------------------------------------ conditions

    def condition(
        self,
        path: str,
        node: object,
        resolver: _Resolver,
        *,
        item: bool,
        parent: YMap | YList,
        key: str | int,
    ) -> Condition | None:
        if not isinstance(node, YMap):
            line = (
                parent.line_of(key)
                if isinstance(parent, YMap) and isinstance(key, str)
                else (
                    parent.line_of(key)
                    if isinstance(parent, YList) and isinstance(key, int)
                    else None
                )
            )
            self.problem(
                path,
                line,
                f"{key}: expected a condition ({{field, op, value}} or all/any/not), got {describe_value(node)}",
            )
            return None
        location = Location(path, node.line, node.column)
        combinators = [k for k in node if k in COMBINATORS]
        if combinators:
            if len(node) != 1:
                self.problem(
                    path,
                    node,
                    f"a condition is either one of all/any/not or a leaf {{field, op, value}}; got keys {', '.join(node)}",
                )
                return None
            name = combinators[0]
            body = node[name]
            if name == "not":
                inner = self.condition(path, body, resolver, item=item, parent=node, key="not")
                return None if inner is None else Not(inner, location)
            if not isinstance(body, YList) or not body:
                self.problem(
                    path, node, f"{name}: expected a non-empty list of conditions", key=name
                )
                return None
            items = [
                self.condition(path, child, resolver, item=item, parent=body, key=index)
                for index, child in enumerate(body)
            ]
            if any(i is None for i in items):
                return None
            children = tuple(i for i in items if i is not None)
            return AllOf(children, location) if name == "all" else AnyOf(children, location)
        return self.leaf(path, node, location, resolver, item=item)

    def leaf(
        self, path: str, node: YMap, location: Location, resolver: _Resolver, *, item: bool
    ) -> Leaf | None:
        allowed = LEAF_KEYS
        unknown = [k for k in node if k not in allowed]
        for key in unknown:
            self.problem(
                path,
                node,
                f"unknown key {key!r} in a condition; expected field, op, value (or all/any/not)",
                key=key,
                hint=_hint(key, [*LEAF_KEYS, *COMBINATORS]),
            )
        if unknown:
            return None
        field_name = node.get("field", ITEM_FIELD if item else None)
        op_name = node.get("op")
        ok = True
        kind: FieldKind | None = None
        if item:
            if field_name != ITEM_FIELD:
                self.problem(
                    path,
                    node,
                    f"inside any_item/all_items the field is {ITEM_FIELD!r}; got {field_name!r}",
                    key="field",
                )
                ok = False
            kind = FieldKind.TEXT
        elif not isinstance(field_name, str):
            self.problem(
                path, node, "condition: missing 'field'", key="field" if "field" in node else None
            )
            ok = False
        elif field_name not in FIELDS:
            self.problem(
                path,
                node,
                f"unknown field {field_name!r}",
                key="field",
                hint=_hint(field_name, FIELDS),
            )
            ok = False
        else:
            kind = FIELDS[field_name].kind
        if not isinstance(op_name, str):
            self.problem(path, node, "condition: missing 'op'", key="op" if "op" in node else None)
            return None
        op = OPERATORS.get(op_name)
        if op is None:
            self.problem(
                path,
                node,
                f"unknown operator {op_name!r}; expected one of {', '.join(OPERATORS)}",
                key="op",
                hint=_hint(op_name, OPERATORS),
            )
            return None
        if not ok or kind is None:
            return None
        assert isinstance(field_name, str)
        message = accepts_message(op, field_name, kind)
        if message:
            self.problem(path, node, message, key="op")
            return None
        raw = node.get("value")
        if op.value is ValueKind.NONE:
            if "value" in node:
                self.problem(path, node, f"operator {op_name!r} takes no value", key="value")
                return None
            return Leaf(field_name, op_name, None, location, None)
        if "value" not in node:
            self.problem(path, node, f"operator {op_name!r} needs a value", key="op")
            return None
        if op.value is ValueKind.CONDITION:
            inner = self.condition(path, raw, resolver, item=True, parent=node, key="value")
            return None if inner is None else Leaf(field_name, op_name, inner, location, inner)
        huge = _huge_number(raw)
        if huge is not None:
            self.problem(path, node, f"{field_name} {op_name}: {huge}", key="value")
            return None
        resolver.used.clear()
        value = resolver.resolve(raw, node)
        if value is _BAD:
            return None
        value = _shape(op.value, value)
        problem = check_value(op, value, self.org_kind)
        if problem is None and op.value is ValueKind.WITHIN:
            assert isinstance(value, dict)
            other = value["field"]
            spec = FIELDS.get(other) if isinstance(other, str) else None
            if spec is None or spec.kind is not FieldKind.DATE:
                problem = f"within_days_of: field {other!r} is not a date field"
                hint = _hint(str(other), [n for n, s in FIELDS.items() if s.kind is FieldKind.DATE])
                self.problem(path, node, problem, key="value", hint=hint)
                return None
            value = {"field": FieldRef(other), "days": value["days"]}
        if problem is not None:
            elsewhere = [(n, p) for n, p in resolver.used if p.file != path]
            if elsewhere:
                # The value came from another pack (an organization's override): point there,
                # where it can be fixed, not at the rule that merely uses it.
                name, param = elsewhere[0]
                line = node.line_of("value")
                self.problem(
                    param.file,
                    param.line,
                    f"param {name!r} does not fit rule {resolver.rule_id} ({field_name} {op_name} "
                    f"at {path}:{line}): {problem}",
                )
            else:
                self.problem(path, node, f"{field_name} {op_name}: {problem}", key="value")
            return None
        return Leaf(field_name, op_name, value, location, raw)

    def org_kind(self, ref: OrgRef) -> FieldKind | None:
        spec = FIELDS.get(ref.field)
        return spec.kind if spec is not None else None


class _Bad:
    pass


_BAD: Any = _Bad()


class _Resolver:
    """Substitutes ``$params.x``, ``$<list>`` and ``$org.x`` in values, reporting unknown names."""

    def __init__(
        self, loader: _Loader, path: str, rule_id: str, params: Mapping[str, _Param]
    ) -> None:
        self.loader = loader
        self.path = path
        self.rule_id = rule_id
        self.params = params
        self.used: list[tuple[str, _Param]] = []
        """The params the last resolved value came from, with where each was set."""

    def resolve(self, value: object, node: YMap) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            return self.reference(value, node)
        if isinstance(value, YList):
            items = [self.resolve(v, node) for v in value]
            if any(i is _BAD for i in items):
                return _BAD
            # A $list inside a list splices in.
            flat: list[object] = []
            for raw, item in zip(value, items, strict=True):
                if isinstance(raw, str) and raw.startswith("$") and isinstance(item, tuple):
                    flat.extend(item)
                else:
                    flat.append(item)
            return flat
        if isinstance(value, YMap):
            out = {k: self.resolve(v, node) for k, v in value.items()}
            return _BAD if any(v is _BAD for v in out.values()) else out
        return value

    def reference(self, text: str, node: YMap) -> Any:
        name = text[1:]
        if name.startswith("params."):
            param = name.removeprefix("params.")
            site = self.params.get(param) or self.loader.settings.get(param)
            if site is not None:
                self.used.append((param, site))
                return site.value
            known = [*self.params, *self.loader.settings]
            self.loader.problem(
                self.path,
                node,
                f"rule {self.rule_id}: unknown param {text!r}; expected one of the rule's params or the pack's",
                key="value",
                hint=_hint(param, known),
            )
            return _BAD
        if name.startswith("org."):
            spec = FIELDS.get(name)
            if spec is None or spec.source is not FieldSource.ORG:
                orgs = [n for n, s in FIELDS.items() if s.source is FieldSource.ORG]
                self.loader.problem(
                    self.path,
                    node,
                    f"unknown organization field {text!r}",
                    key="value",
                    hint=_hint(name, orgs),
                )
                return _BAD
            return OrgRef(name)
        if name in self.loader.lists:
            return self.loader.lists[name][0]
        self.loader.problem(
            self.path,
            node,
            f"unknown reference {text!r}; expected $params.<name>, $org.<field> or a list name",
            key="value",
            hint=_hint(name, self.loader.lists),
        )
        return _BAD


def _shape(kind: ValueKind, value: object) -> object:
    """Normalize a resolved value to the shape the operator's builder takes."""
    if kind in (ValueKind.LIST, ValueKind.DOMAINS, ValueKind.RANGE) and isinstance(value, list):
        return tuple(value)
    if kind is ValueKind.SIMILAR:
        if isinstance(value, str):
            return {"to": (value,), "threshold": 85}
        if isinstance(value, dict):
            to = value.get("to")
            shaped = dict(value)
            shaped.setdefault("threshold", 85)
            if isinstance(to, str):
                shaped["to"] = (to,)
            elif isinstance(to, list):
                shaped["to"] = tuple(to)
            return shaped
    return value


def _leaves(condition: Condition | None) -> Iterable[Leaf]:
    if condition is None:
        return
    if isinstance(condition, Leaf):
        yield condition
    elif isinstance(condition, Not):
        yield from _leaves(condition.item)
    else:
        for child in condition.items:
            yield from _leaves(child)


MAX_NUMBER = 10**9
"""Larger numbers in a pack (days, counts, candidates) are typos; refused so that date and range
arithmetic never meets them."""


def _huge_number(value: object) -> str | None:
    """Why ``value`` (or a number inside it) is implausibly large, else None."""
    if isinstance(value, (list, tuple)):
        return next((h for h in map(_huge_number, value) if h is not None), None)
    if isinstance(value, Mapping):
        return next((h for h in map(_huge_number, value.values()) if h is not None), None)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if abs(value) <= MAX_NUMBER:
        return None
    shown = (
        f"{value:.3g}" if isinstance(value, float) else f"a number of {len(str(abs(value)))} digits"
    )
    return f"expected a number of at most {MAX_NUMBER:,}, got {shown}"


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


def load_policy(paths: str | Path | Sequence[str | Path]) -> Policy:
    """Load, validate and merge rule packs in order; raise ValidationError with every problem."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    names = [str(p) for p in paths]
    if not names:
        names = [str(default_pack_path())]
    loader = _Loader()
    hashes: list[tuple[str, str]] = []
    for name in names:
        hashes.append((name, loader.read_pack(name)))
    loader.index_rules()
    rule_overrides = loader.apply_overrides()
    loader.check_stage_params()
    rules: list[Rule] = []
    for raw in loader.raw_rules:
        rule = loader.build_rule(raw, rule_overrides.get(str(raw.node.get("id"))))
        if rule is not None:
            rules.append(rule)
    if loader.problems:
        raise ValidationError(loader.problems)
    if not rules:
        raise ValidationError.single(
            names[0], None, "no rules: expected at least one rule across the packs"
        )
    return Policy(
        rules=tuple(rules),
        settings={name: p.value for name, p in loader.settings.items()},
        lists={name: items for name, (items, _, _) in loader.lists.items()},
        packs=tuple(hashes),
    )
