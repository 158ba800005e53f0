"""Safe, line-aware YAML loading for every input file (inventories, rosters, rule packs, waivers,
worlds, review requests).

Mappings load as :class:`YMap` and sequences as :class:`YList`: plain ``dict``/``list`` that also
remember the line and column of themselves, of each key and of each item, so validation errors
and findings can point at ``file:line:column``. Loading refuses what a hostile or broken file
could do: Python tags (only YAML's safe types are built), duplicate keys, alias expansion beyond
a budget ("billion laughs"), nesting deeper than a limit, files over a size limit, tabs used for
indentation, non-UTF-8 bytes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, Protocol

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scanner.errors import Problem, ValidationError, did_you_mean
from scanner.inputfile import read_input

__all__ = [
    "INVALID",
    "MAX_ALIAS_EXPANSION",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "YList",
    "YMap",
    "line_of",
    "load_yaml",
    "decode_text",
    "load_yaml_text",
    "read_text",
    "unknown_keys",
]

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Inputs are hand-written lists; anything larger is a mistake or an attack."""

MAX_ALIAS_EXPANSION = 10_000
"""How many nodes alias expansion may add in total before we call it a billion-laughs file."""

MAX_DEPTH = 50
"""Deepest nesting of mappings and sequences. Real inputs nest under ten levels (a rule's
all/any/not a few more); composing and building recurse once per level, so a limit keeps an
800-byte ``[[[[...`` file from exhausting Python's stack."""


class _Invalid:
    """The type of :data:`INVALID`."""

    def __repr__(self) -> str:
        return "<invalid>"


INVALID: Final = _Invalid()
"""Stands for a value that could not be built; its problem is already reported (see
``load_yaml_text(..., problems=...)``)."""


class YMap(dict[str, Any]):
    """A YAML mapping that remembers where it and each of its keys stand (1-based)."""

    line: int
    column: int
    key_lines: dict[str, tuple[int, int]]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, (self.line, self.column))[0]

    def column_of(self, key: str) -> int:
        return self.key_lines.get(key, (self.line, self.column))[1]


class YList(list[Any]):
    """A YAML sequence that remembers where it and each of its items stand (1-based)."""

    line: int
    column: int
    item_lines: list[tuple[int, int]]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index][0]
        return self.line


def line_of(value: object, default: int | None = None) -> int | None:
    """Line of a loaded mapping or sequence, else ``default``."""
    line = getattr(value, "line", None)
    return line if isinstance(line, int) else default


def unknown_keys(file: str, node: YMap, allowed: Sequence[str], what: str) -> list[Problem]:
    """One problem per key of ``node`` outside ``allowed``, at the key's line, with a "did you
    mean" for a near miss: ``unknown key 'tittle' in a rule; expected one of id, title, ...``."""
    return [
        Problem(
            file,
            *node.key_lines.get(key, (node.line, node.column)),
            f"unknown key {key!r} in {what}; expected one of {', '.join(allowed)}",
            did_you_mean(key, allowed),
        )
        for key in node
        if key not in allowed
    ]


def read_text(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file (a BOM is accepted and dropped); SourceError when the path is not
    a readable regular file (see :func:`scanner.inputfile.read_input`)."""
    return decode_text(read_input(path, max_bytes=max_bytes), str(path))


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 bytes to text, BOM dropped; a located problem at the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError.single(
            name,
            line,
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "expected UTF-8 text: re-save it as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


def load_yaml(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Load one YAML document from ``path`` with locations; see :func:`load_yaml_text`."""
    return load_yaml_text(read_text(path, max_bytes=max_bytes), str(path))


def load_yaml_text(text: str, name: str, *, problems: list[Problem] | None = None) -> Any:
    """Parse YAML text into YMap/YList/scalars; raise ValidationError naming ``name:line``.

    With ``problems``, a value that cannot be built (a bad date, a forbidden tag, a duplicate
    key) is appended there instead and stands as :data:`INVALID`, so a validator can go on and
    report every other problem of the file in the same run; broken syntax still raises."""
    _reject_tab_indentation(text, name)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except _TooDeep as exc:
        raise _too_deep(name, exc.mark) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = exc.problem or exc.context or "malformed YAML"
        raise ValidationError.single(name, line, f"YAML syntax error: {what}", column=col) from None
    except yaml.YAMLError as exc:
        raise ValidationError.single(name, None, f"YAML error: {exc}") from None
    if node is None:
        raise ValidationError.single(name, 1, "file is empty; expected a YAML mapping")
    builder = _Builder(name)
    value = builder.build(node)
    if problems is not None:
        problems.extend(builder.problems)
    elif builder.problems:
        raise ValidationError(builder.problems)
    return value


def _reject_tab_indentation(text: str, name: str) -> None:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            problems.append(
                Problem(
                    name,
                    number,
                    len(line) - len(stripped) + 1,
                    "tab character used for indentation; expected spaces (YAML forbids tabs)",
                )
            )
    if problems:
        raise ValidationError(problems)


class _Mark(Protocol):
    """Where an event or node starts (PyYAML's pure-Python and C marks both have these)."""

    line: int
    column: int


def _too_deep(name: str, mark: _Mark | None) -> ValidationError:
    return ValidationError.single(
        name,
        mark.line + 1 if mark else None,
        f"mappings and lists nest deeper than {MAX_DEPTH} levels; expected plain data",
        column=mark.column + 1 if mark else None,
    )


class _TooDeep(yaml.YAMLError):
    def __init__(self, mark: _Mark | None) -> None:
        super().__init__("nesting too deep")
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """SafeLoader whose resolver we use for scalar tags; construction is done by _Builder.
    Composing counts nesting and stops at MAX_DEPTH, before the recursion gets deep."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if not isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:pairs",
}


class _Builder:
    """Turns composed nodes into located values, counting alias expansion as it goes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.budget = MAX_ALIAS_EXPANSION
        self.depth = 0
        self._seen: set[int] = set()
        self._constructor = yaml.constructor.SafeConstructor()

    def _problem(self, node: Node, message: str) -> None:
        self.problems.append(
            Problem(self.name, node.start_mark.line + 1, node.start_mark.column + 1, message)
        )

    def _spend(self, node: Node) -> bool:
        # A node visited a second time is an alias being expanded: charge for it.
        if id(node) in self._seen:
            self.budget -= 1
            if self.budget < 0:
                raise ValidationError.single(
                    self.name,
                    node.start_mark.line + 1,
                    f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes "
                    "(a 'billion laughs' document); expected plain data",
                    column=node.start_mark.column + 1,
                )
        else:
            self._seen.add(id(node))
        return True

    def build(self, node: Node) -> Any:
        self._spend(node)
        if node.tag not in _SAFE_TAGS:
            self._problem(node, f"YAML tag {node.tag!r} is not allowed; expected plain data")
            return INVALID
        if isinstance(node, (MappingNode, SequenceNode)):
            # Composing stopped at MAX_DEPTH, but an alias can put a deep anchor inside another
            # (and an anchor can even contain itself): count again while building.
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise _too_deep(self.name, node.start_mark)
                return self._collection(node)
            finally:
                self.depth -= 1
        assert isinstance(node, ScalarNode)
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self._problem(node, f"bad YAML value: {exc.problem}")
            return INVALID
        except ValueError as exc:
            if node.tag == "tag:yaml.org,2002:int":
                # Python refuses to read an int of more than 4,300 digits (a denial-of-service
                # guard since 3.11): nobody writes one on purpose.
                self._problem(
                    node,
                    f"number of {len(node.value):,} digits ({node.value[:12]}…) is too large; "
                    "expected a plausible number (quote it if it is text)",
                )
                return INVALID
            # PyYAML builds `2026-02-30` as a date and lets datetime's ValueError escape.
            self._problem(node, f"bad YAML value {node.value!r}: {exc}; expected a real date")
            return INVALID

    def _collection(self, node: MappingNode | SequenceNode) -> YMap | YList:
        if isinstance(node, MappingNode):
            return self._mapping(node)
        items = YList(self.build(child) for child in node.value)
        items.line = node.start_mark.line + 1
        items.column = node.start_mark.column + 1
        items.item_lines = [(c.start_mark.line + 1, c.start_mark.column + 1) for c in node.value]
        return items

    def _mapping(self, node: MappingNode) -> YMap:
        result = YMap()
        result.line = node.start_mark.line + 1
        result.column = node.start_mark.column + 1
        result.key_lines = {}
        for key_node, value_node in self._flatten(node):
            key = self.build(key_node)
            if key is INVALID:  # already reported
                continue
            if not isinstance(key, Hashable) or isinstance(key, (YMap, YList)):
                self._problem(key_node, "mapping key must be a plain value")
                continue
            skey = str(key) if not isinstance(key, str) else key
            if skey in result.key_lines:
                first = result.key_lines[skey][0]
                self._problem(
                    key_node,
                    f"duplicate key {skey!r} (first defined on line {first}); "
                    "expected each key once",
                )
                continue
            result.key_lines[skey] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[skey] = self.build(value_node)
        return result

    def _flatten(self, node: MappingNode) -> Iterator[tuple[Node, Node]]:
        """Yield key/value pairs, expanding ``<<`` merge keys (explicit keys win)."""
        merged: list[tuple[Node, Node]] = []
        own: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._spend(value_node)
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if isinstance(source, MappingNode):
                        # A chain of merges recurses once per link: it counts as nesting.
                        self.depth += 1
                        try:
                            if self.depth > MAX_DEPTH:
                                raise _too_deep(self.name, source.start_mark)
                            merged.extend(self._flatten(source))
                        finally:
                            self.depth -= 1
                    else:
                        self._problem(source, "merge key '<<' expects a mapping")
            else:
                own.append((key_node, value_node))
        own_keys = {k.value for k, _ in own if isinstance(k, ScalarNode)}
        yield from (
            (k, v) for k, v in merged if not (isinstance(k, ScalarNode) and k.value in own_keys)
        )
        yield from own
