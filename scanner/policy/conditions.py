"""Parsing a rule's conditions (``assert``, ``scope.where``): all/any/not over leaves ``{field, op,
value}``, with ``$params``, ``$org`` and list references resolved and every value checked by its
operator before anything runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.errors import did_you_mean
from scanner.model import Location
from scanner.policy.fields import FIELDS, ITEM_FIELD, FieldKind, FieldSource
from scanner.policy.operators import (
    OPERATORS,
    Operator,
    ValueKind,
    accepts_message,
    check_value,
    describe_value,
)
from scanner.policy.packs import PackState, Param, huge_number
from scanner.policy.schema import AllOf, AnyOf, Condition, FieldRef, Leaf, Not, OrgRef
from scanner.yamlsource import YList, YMap

__all__ = ["ConditionParser", "Resolver", "leaves"]

LEAF_KEYS = ("field", "op", "value")
COMBINATORS = ("all", "any", "not")


class _Bad:
    """The type of :data:`_BAD`."""


_BAD: Any = _Bad()
"""A value that could not be resolved or checked; its problem is already recorded."""


class Resolver:
    """Substitutes ``$params.x``, ``$<list>`` and ``$org.x`` in values, reporting unknown names."""

    def __init__(
        self, state: PackState, path: str, rule_id: str, params: Mapping[str, Param]
    ) -> None:
        self.state = state
        self.path = path
        self.rule_id = rule_id
        self.params = params
        self.used: list[tuple[str, Param]] = []
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
            return self._param(text, name.removeprefix("params."), node)
        if name.startswith("org."):
            spec = FIELDS.get(name)
            if spec is None or spec.source is not FieldSource.ORG:
                orgs = [n for n, s in FIELDS.items() if s.source is FieldSource.ORG]
                self.state.problem(
                    self.path,
                    node,
                    f"unknown organization field {text!r}",
                    key="value",
                    hint=did_you_mean(name, orgs),
                )
                return _BAD
            return OrgRef(name)
        if name in self.state.lists:
            return self.state.lists[name][0]
        self.state.problem(
            self.path,
            node,
            f"unknown reference {text!r}; expected $params.<name>, $org.<field> or a list name",
            key="value",
            hint=did_you_mean(name, self.state.lists),
        )
        return _BAD

    def _param(self, text: str, param: str, node: YMap) -> Any:
        site = self.params.get(param) or self.state.settings.get(param)
        if site is not None:
            self.used.append((param, site))
            return site.value
        self.state.problem(
            self.path,
            node,
            f"rule {self.rule_id}: unknown param {text!r}; expected one of the rule's params or "
            "the pack's",
            key="value",
            hint=did_you_mean(param, [*self.params, *self.state.settings]),
        )
        return _BAD


class ConditionParser:
    """Parses the conditions of one rule; problems go to the shared state at the rule's file."""

    def __init__(self, state: PackState, path: str, resolver: Resolver) -> None:
        self.state = state
        self.path = path
        self.resolver = resolver

    def condition(
        self, node: object, *, item: bool, parent: YMap | YList, key: str | int
    ) -> Condition | None:
        """The condition at ``parent[key]``; ``item`` inside ``any_item``/``all_items``."""
        if not isinstance(node, YMap):
            self.state.problem(
                self.path,
                _line_in(parent, key),
                f"{key}: expected a condition ({{field, op, value}} or all/any/not), "
                f"got {describe_value(node)}",
            )
            return None
        location = Location(self.path, node.line, node.column)
        combinators = [k for k in node if k in COMBINATORS]
        if combinators:
            return self._combination(node, combinators[0], location, item=item)
        return self._leaf(node, location, item=item)

    def _combination(
        self, node: YMap, name: str, location: Location, *, item: bool
    ) -> Condition | None:
        if len(node) != 1:
            self.state.problem(
                self.path,
                node,
                "a condition is either one of all/any/not or a leaf {field, op, value}; "
                f"got keys {', '.join(node)}",
            )
            return None
        body = node[name]
        if name == "not":
            inner = self.condition(body, item=item, parent=node, key="not")
            return None if inner is None else Not(inner, location)
        if not isinstance(body, YList) or not body:
            self.state.problem(
                self.path, node, f"{name}: expected a non-empty list of conditions", key=name
            )
            return None
        items = [
            self.condition(child, item=item, parent=body, key=index)
            for index, child in enumerate(body)
        ]
        if any(i is None for i in items):
            return None
        children = tuple(i for i in items if i is not None)
        return AllOf(children, location) if name == "all" else AnyOf(children, location)

    def _leaf(self, node: YMap, location: Location, *, item: bool) -> Leaf | None:
        unknown = [k for k in node if k not in LEAF_KEYS]
        for key in unknown:
            self.state.problem(
                self.path,
                node,
                f"unknown key {key!r} in a condition; expected field, op, value (or all/any/not)",
                key=key,
                hint=did_you_mean(key, [*LEAF_KEYS, *COMBINATORS]),
            )
        if unknown:
            return None
        field_name = node.get("field", ITEM_FIELD if item else None)
        kind = self._field_kind(node, field_name, item=item)
        op_name = node.get("op")
        op = self._operator(node, op_name)
        if op is None or kind is None:
            return None
        assert isinstance(field_name, str) and isinstance(op_name, str)
        message = accepts_message(op, field_name, kind)
        if message:
            self.state.problem(self.path, node, message, key="op")
            return None
        return self._with_value(node, location, field_name, op_name, op)

    def _field_kind(self, node: YMap, field_name: object, *, item: bool) -> FieldKind | None:
        """The kind of the leaf's field, else None with the problem recorded."""
        if item:
            if field_name == ITEM_FIELD:
                return FieldKind.TEXT
            self.state.problem(
                self.path,
                node,
                f"inside any_item/all_items the field is {ITEM_FIELD!r}; got {field_name!r}",
                key="field",
            )
            return None
        if not isinstance(field_name, str):
            where = "field" if "field" in node else None
            self.state.problem(self.path, node, "condition: missing 'field'", key=where)
            return None
        if field_name not in FIELDS:
            self.state.problem(
                self.path,
                node,
                f"unknown field {field_name!r}",
                key="field",
                hint=did_you_mean(field_name, FIELDS),
            )
            return None
        return FIELDS[field_name].kind

    def _operator(self, node: YMap, op_name: object) -> Operator | None:
        if not isinstance(op_name, str):
            where = "op" if "op" in node else None
            self.state.problem(self.path, node, "condition: missing 'op'", key=where)
            return None
        op = OPERATORS.get(op_name)
        if op is None:
            self.state.problem(
                self.path,
                node,
                f"unknown operator {op_name!r}; expected one of {', '.join(OPERATORS)}",
                key="op",
                hint=did_you_mean(op_name, OPERATORS),
            )
        return op

    def _with_value(
        self, node: YMap, location: Location, field_name: str, op_name: str, op: Operator
    ) -> Leaf | None:
        raw = node.get("value")
        if op.value is ValueKind.NONE:
            if "value" in node:
                self.state.problem(
                    self.path, node, f"operator {op_name!r} takes no value", key="value"
                )
                return None
            return Leaf(field_name, op_name, None, location, None)
        if "value" not in node:
            self.state.problem(self.path, node, f"operator {op_name!r} needs a value", key="op")
            return None
        if op.value is ValueKind.CONDITION:
            inner = self.condition(raw, item=True, parent=node, key="value")
            return None if inner is None else Leaf(field_name, op_name, inner, location, inner)
        value = self._checked_value(node, field_name, op_name, op, raw)
        return None if value is _BAD else Leaf(field_name, op_name, value, location, raw)

    def _checked_value(
        self, node: YMap, field_name: str, op_name: str, op: Operator, raw: object
    ) -> Any:
        """The leaf's value resolved, shaped and checked by its operator, else ``_BAD``."""
        huge = huge_number(raw)
        if huge is not None:
            self.state.problem(self.path, node, f"{field_name} {op_name}: {huge}", key="value")
            return _BAD
        self.resolver.used.clear()
        value = self.resolver.resolve(raw, node)
        if value is _BAD:
            return _BAD
        value = _shape(op.value, value)
        problem = check_value(op, value, _org_kind)
        if problem is not None:
            self._misfit(node, field_name, op_name, problem)
            return _BAD
        if op.value is ValueKind.WITHIN:
            return self._within(node, value)
        return value

    def _within(self, node: YMap, value: object) -> Any:
        """``within_days_of``'s value with its other field checked to be a date."""
        assert isinstance(value, dict)
        other = value["field"]
        spec = FIELDS.get(other) if isinstance(other, str) else None
        if spec is None or spec.kind is not FieldKind.DATE:
            dates = [n for n, s in FIELDS.items() if s.kind is FieldKind.DATE]
            self.state.problem(
                self.path,
                node,
                f"within_days_of: field {other!r} is not a date field",
                key="value",
                hint=did_you_mean(str(other), dates),
            )
            return _BAD
        return {"field": FieldRef(other), "days": value["days"]}

    def _misfit(self, node: YMap, field_name: str, op_name: str, problem: str) -> None:
        elsewhere = [(n, p) for n, p in self.resolver.used if p.file != self.path]
        if not elsewhere:
            self.state.problem(self.path, node, f"{field_name} {op_name}: {problem}", key="value")
            return
        # The value came from another pack (an organization's override): point there, where it
        # can be fixed, not at the rule that merely uses it.
        name, param = elsewhere[0]
        line = node.line_of("value")
        self.state.problem(
            param.file,
            param.line,
            f"param {name!r} does not fit rule {self.resolver.rule_id} ({field_name} {op_name} "
            f"at {self.path}:{line}): {problem}",
        )


def _line_in(parent: YMap | YList, key: str | int) -> int | None:
    if isinstance(parent, YMap) and isinstance(key, str):
        return parent.line_of(key)
    if isinstance(parent, YList) and isinstance(key, int):
        return parent.line_of(key)
    return None


def _org_kind(ref: OrgRef) -> FieldKind | None:
    spec = FIELDS.get(ref.field)
    return spec.kind if spec is not None else None


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


def leaves(condition: Condition | None) -> Iterable[Leaf]:
    """Every leaf of a condition tree, depth first."""
    if condition is None:
        return
    if isinstance(condition, Leaf):
        yield condition
    elif isinstance(condition, Not):
        yield from leaves(condition.item)
    else:
        for child in condition.items:
            yield from leaves(child)
