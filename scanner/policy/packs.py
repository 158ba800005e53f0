"""Reading rule-pack files into one shared state: each pack's params, lists, raw rules and
overrides, in the order given, with every problem recorded at file:line. Nothing here builds a
Rule (see ``rules.py``) or applies an override (see ``overrides.py``)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import Problem, SourceError, ValidationError, did_you_mean
from scanner.inputfile import read_input
from scanner.policy.operators import describe_value
from scanner.policy.schema import ParamValue
from scanner.yamlsource import (
    MAX_FILE_BYTES,
    YList,
    YMap,
    decode_text,
    load_yaml_text,
    unknown_keys,
)

__all__ = [
    "MAX_NUMBER",
    "PackState",
    "Param",
    "RawRule",
    "flatten",
    "huge_number",
    "index_rules",
    "read_lists",
    "read_pack",
]

PACK_KEYS = ("name", "description", "params", "lists", "rules", "overrides")
OVERRIDE_KEYS = ("params", "rules", "lists")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9]{3}$")

MAX_NUMBER = 10**9
"""Larger numbers in a pack (days, counts, candidates) are typos; refused so that date and range
arithmetic never meets them."""


@dataclass
class Param:
    """A param's value and where it was last set (its default, or the override that changed it)."""

    value: ParamValue
    file: str
    line: int


@dataclass
class RawRule:
    """A rule's mapping as read, with its params as set so far (defaults, then overrides)."""

    node: YMap
    file: str
    pack: str
    params: dict[str, Param] = field(default_factory=dict)


@dataclass
class PackState:
    """Everything read from the packs so far and every problem found. Mutable on purpose: it
    accumulates across packs and is never handed out; ``load_policy`` builds frozen values."""

    problems: list[Problem] = field(default_factory=list)
    settings: dict[str, Param] = field(default_factory=dict)
    lists: dict[str, tuple[tuple[str, ...], str, int]] = field(default_factory=dict)
    raw_rules: list[RawRule] = field(default_factory=list)
    rule_sites: dict[str, tuple[str, int]] = field(default_factory=dict)
    overrides: list[tuple[YMap, str]] = field(default_factory=list)

    def problem(
        self,
        file: str,
        node: object,
        message: str,
        *,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        """Record a problem at ``node`` (a mapping, at ``key``'s line if given; a list; or a
        line number)."""
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
        self.problems.extend(unknown_keys(file, node, allowed, what))

    def param_value(self, path: str, name: str, value: object, line: int) -> ParamValue | None:
        """``value`` if a param may hold it (a plausible number, text or yes/no), else None with
        the problem recorded."""
        huge = huge_number(value)
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


def read_pack(state: PackState, path: str) -> str:
    """Read one pack into ``state``; return the sha256 of its bytes ("" if unreadable). The file
    is read once, so the hash is of exactly what was validated."""
    try:
        raw = read_input(path, max_bytes=MAX_FILE_BYTES)
        digest = hashlib.sha256(raw).hexdigest()
        data = load_yaml_text(decode_text(raw, path), path)
    except ValidationError as exc:
        state.problems.extend(exc.problems)
        return ""
    except SourceError as exc:
        state.problems.append(Problem(path, None, None, str(exc).removeprefix(f"{path}: ")))
        return ""
    _read_pack_data(state, path, data)
    return digest


def _read_pack_data(state: PackState, path: str, data: object) -> None:
    if not isinstance(data, YMap):
        state.problem(
            path, data if isinstance(data, YList) else 1, "expected a mapping with 'rules:'"
        )
        return
    state.unknown_keys(path, data, PACK_KEYS, "a rule pack")
    pack = data.get("name", Path(path).stem)
    if not isinstance(pack, str):
        state.problem(path, data, "name: expected text", key="name")
        pack = Path(path).stem
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            state.problem(path, data, f"{key}: expected text", key=key)
    if "params" in data:
        _read_settings(state, path, data, data["params"])
    if "lists" in data:
        read_lists(state, path, data, data["lists"])
    _read_rules(state, path, data, pack)
    if "overrides" in data:
        node = data["overrides"]
        if not isinstance(node, YMap):
            state.problem(path, data, "overrides: expected a mapping", key="overrides")
        else:
            state.unknown_keys(path, node, OVERRIDE_KEYS, "overrides")
            state.overrides.append((node, path))


def _read_rules(state: PackState, path: str, data: YMap, pack: str) -> None:
    rules = data.get("rules", YList())
    if not isinstance(rules, YList):
        state.problem(path, data, "rules: expected a list of rules", key="rules")
        return
    for index, node in enumerate(rules):
        if not isinstance(node, YMap):
            state.problem(
                path, rules.line_of(index), "expected a rule (a mapping with id, title, ...)"
            )
            continue
        state.raw_rules.append(RawRule(node, path, pack))


def flatten(node: YMap, prefix: str = "") -> Iterable[tuple[str, object, int]]:
    """``(dotted.name, value, line)`` for every leaf of a nested params mapping."""
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, YMap):
            yield from flatten(value, name + ".")
        else:
            yield name, value, node.line_of(key)


def _read_settings(state: PackState, path: str, parent: YMap, node: object) -> None:
    if not isinstance(node, YMap):
        state.problem(path, parent, "params: expected a mapping of name: value", key="params")
        return
    for name, raw, line in flatten(node):
        value = state.param_value(path, name, raw, line)
        if value is None:
            continue
        if name in state.settings:
            first = state.settings[name]
            state.problem(
                path,
                line,
                f"param {name!r} is already defined at {first.file}:{first.line}",
                hint="change it under overrides.params",
            )
            continue
        state.settings[name] = Param(value, path, line)


def read_lists(
    state: PackState, path: str, parent: YMap, node: object, *, override: bool = False
) -> None:
    """A pack's ``lists:`` (new names only) or ``overrides.lists:`` (known names only)."""
    if not isinstance(node, YMap):
        state.problem(path, parent, "lists: expected a mapping of name: [items]", key="lists")
        return
    for name, items in node.items():
        line = node.line_of(name)
        if not isinstance(items, YList) or not all(isinstance(i, (str, int)) for i in items):
            state.problem(path, line, f"list {name!r}: expected a list of text values")
            continue
        if not override and name in state.lists:
            _, file, first = state.lists[name]
            state.problem(
                path,
                line,
                f"list {name!r} is already defined at {file}:{first}",
                hint="change it under overrides.lists",
            )
            continue
        if override and name not in state.lists:
            state.problem(
                path,
                line,
                f"overrides.lists: unknown list {name!r}",
                hint=did_you_mean(name, state.lists),
            )
            continue
        state.lists[name] = (tuple(str(i) for i in items), path, line)


def index_rules(state: PackState) -> None:
    """Check every rule id (form, uniqueness across packs) and read each rule's param defaults,
    so that overrides can name them before any rule is built."""
    for raw in state.raw_rules:
        node, path = raw.node, raw.file
        rule_id = node.get("id")
        if not isinstance(rule_id, str) or not RULE_ID.fullmatch(rule_id):
            state.problem(
                path,
                node,
                "rule id: expected an id like 'OWN-001' (letters, a dash, three digits), "
                f"got {describe_value(rule_id)}",
                key="id" if "id" in node else None,
            )
            continue
        if rule_id in state.rule_sites:
            first_file, first_line = state.rule_sites[rule_id]
            state.problem(
                path,
                node,
                f"duplicate rule id {rule_id!r} (first defined at {first_file}:{first_line}); "
                "expected each id once across all packs",
                key="id",
                hint="change an existing rule under overrides.rules",
            )
            continue
        state.rule_sites[rule_id] = (path, node.line_of("id"))
        _index_params(state, raw)


def _index_params(state: PackState, raw: RawRule) -> None:
    node, path = raw.node, raw.file
    params = node.get("params")
    if params is None:
        return
    if not isinstance(params, YMap):
        state.problem(path, node, "params: expected a mapping of name: default", key="params")
        return
    for name, value, line in flatten(params):
        checked = state.param_value(path, name, value, line)
        if checked is not None:
            raw.params[name] = Param(checked, path, line)


def huge_number(value: object) -> str | None:
    """Why ``value`` (or a number inside it) is implausibly large, else None."""
    if isinstance(value, (list, tuple)):
        return next((h for h in map(huge_number, value) if h is not None), None)
    if isinstance(value, Mapping):
        return next((h for h in map(huge_number, value.values()) if h is not None), None)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if abs(value) <= MAX_NUMBER:
        return None
    shown = (
        f"{value:.3g}" if isinstance(value, float) else f"a number of {len(str(abs(value)))} digits"
    )
    return f"expected a number of at most {MAX_NUMBER:,}, got {shown}"
