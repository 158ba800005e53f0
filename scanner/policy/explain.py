"""Say what a rule checks in words, rendered from its condition tree (for ``rules explain`` and
the reports' rule descriptions)."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.policy.fields import FIELDS, ITEM_FIELD
from scanner.policy.operators import OPERATORS, ValueKind
from scanner.policy.schema import AllOf, AnyOf, Condition, FieldRef, Leaf, Not, OrgRef

__all__ = ["describe", "summary"]


def _field(name: str) -> str:
    if name == ITEM_FIELD:
        return "the item"
    spec = FIELDS.get(name)
    return f"{spec.doc} ({name})" if spec else name


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _value(leaf: Leaf) -> str:
    op = OPERATORS[leaf.op]
    value = leaf.value
    raw = leaf.raw
    ref = raw if isinstance(raw, str) and raw.startswith("$") else None
    if isinstance(value, OrgRef):
        text = str(value)
    elif op.value is ValueKind.CONDITION:
        assert isinstance(value, (Leaf, AllOf, AnyOf, Not))
        text = summary(value)
    elif op.value is ValueKind.RANGE:
        assert isinstance(value, tuple)
        low, high = value
        text = f"at least {low or 0}" if high is None else f"{low or 0} to {high}"
    elif op.value is ValueKind.WITHIN:
        assert isinstance(value, Mapping)
        other = value["field"]
        name = other.field if isinstance(other, FieldRef) else str(other)
        days_raw = raw.get("days") if isinstance(raw, Mapping) else None
        days = f"{value['days']}"
        if isinstance(days_raw, str):
            days += f" ({days_raw})"
        text = f"{days} days (before or after) of {_field(name)}"
        return text
    elif op.value is ValueKind.REGEX:
        pattern = value.get("pattern") if isinstance(value, Mapping) else value
        text = str(pattern) if isinstance(pattern, OrgRef) else repr(pattern)
        if isinstance(value, Mapping) and value.get("ignore_case"):
            text += " (ignoring case)"
    elif op.value is ValueKind.SIMILAR:
        assert isinstance(value, Mapping)
        to = value["to"]
        target = str(to) if isinstance(to, OrgRef) else ", ".join(repr(t) for t in to)
        text = f"{target} (score ≥ {value['threshold']})"
    elif isinstance(value, tuple):
        text = "[" + ", ".join(_scalar(v) for v in value) + "]"
    else:
        text = _scalar(value)
    if ref and not isinstance(value, OrgRef):
        text = f"{text} ({ref})"
    return text


def _leaf(leaf: Leaf) -> str:
    op = OPERATORS[leaf.op]
    if leaf.op == "older_than_days" and leaf.value == 0:
        # "more than 0 days before" is how a policy owner would never say "in the past".
        return f"{_field(leaf.field)} is before the audit date"
    return op.phrase.format(
        field=_field(leaf.field), value=_value(leaf) if op.value is not ValueKind.NONE else ""
    )


def describe(condition: Condition, indent: int = 0) -> list[str]:
    """The condition as indented lines, one per leaf."""
    pad = "  " * indent
    if isinstance(condition, Leaf):
        return [f"{pad}- {_leaf(condition)}"]
    if isinstance(condition, Not):
        return [f"{pad}- NOT:", *describe(condition.item, indent + 1)]
    head = "ALL of:" if isinstance(condition, AllOf) else "ANY of:"
    lines = [f"{pad}- {head}"]
    for child in condition.items:
        lines.extend(describe(child, indent + 1))
    return lines


def summary(condition: Condition) -> str:
    """The condition on one line."""
    if isinstance(condition, Leaf):
        return _leaf(condition)
    if isinstance(condition, Not):
        return f"not ({summary(condition.item)})"
    joiner = "; and " if isinstance(condition, AllOf) else "; or "
    return "(" + joiner.join(summary(c) for c in condition.items) + ")"
