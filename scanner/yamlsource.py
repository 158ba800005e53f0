"""Safe, line-aware YAML loading for every input file (inventories, rosters, rule packs, waivers,
worlds, review requests).

Mappings load as :class:`YMap` and sequences as :class:`YList`: plain ``dict``/``list`` that also
remember the line and column of themselves, of each key and of each item, so validation errors
and findings can point at ``file:line:column``. Values are built straight from libyaml's parser
events (PyYAML's pure-Python parser when libyaml is missing); no node tree is kept. Loading
refuses what a hostile or broken file could do: Python tags (only YAML's safe types are built),
duplicate keys, aliases expanding beyond a node budget ("billion laughs"), nesting deeper than a
limit, files over a (configurable) size limit, tabs used for indentation, non-UTF-8 bytes.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import yaml
from yaml.nodes import ScalarNode

from scanner.errors import Problem, UsageError, ValidationError, did_you_mean
from scanner.inputfile import read_input

try:
    from yaml import CSafeLoader as _Parser
except ImportError:  # PyYAML built without libyaml: the same events, at pure-Python speed
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

__all__ = [
    "INVALID",
    "ItemHook",
    "MAX_ALIAS_EXPANSION",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_FILE_BYTES_ENV",
    "YList",
    "YMap",
    "line_of",
    "load_yaml",
    "decode_text",
    "load_yaml_text",
    "max_file_bytes",
    "read_text",
    "unknown_keys",
]

MAX_FILE_BYTES = 48 * 1024 * 1024
"""Default size limit of an input file. It admits a 100,000-account inventory (about 460 bytes
an account with every field filled: 46 MB) and refuses a runaway export; what a small hostile
file can do is bounded by the node and depth limits below, not by bytes."""

MAX_FILE_BYTES_ENV = "ROLLCALL_MAX_INPUT_BYTES"
"""Environment variable that sets another size limit (whole bytes), for a bigger organization."""

MAX_ALIAS_EXPANSION = 10_000
"""How many nodes alias expansion may add in total before we call it a billion-laughs file."""

MAX_DEPTH = 50
"""Deepest nesting of mappings and sequences. Real inputs nest under ten levels (a rule's
all/any/not a few more); a limit keeps an 800-byte ``[[[[...`` file from building a value that
every later reader would recurse through."""


def max_file_bytes() -> int:
    """The input size limit: :data:`MAX_FILE_BYTES_ENV` when set, else :data:`MAX_FILE_BYTES`."""
    raw = os.environ.get(MAX_FILE_BYTES_ENV, "").strip().replace("_", "")
    if not raw:
        return MAX_FILE_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise UsageError(
            f"{MAX_FILE_BYTES_ENV}={raw!r}: expected a whole number of bytes of at least 1 "
            f"(the default is {MAX_FILE_BYTES:,})"
        )
    return int(raw)


_EMPTY: Final = object()
"""What the builder holds before a document is found (a file of comments only)."""


class _Invalid:
    """The type of :data:`INVALID`."""

    def __repr__(self) -> str:
        return "<invalid>"


INVALID: Final = _Invalid()
"""Stands for a value that could not be built; its problem is already reported (see
``load_yaml_text(..., problems=...)``)."""


class YMap(dict[str, Any]):
    """A YAML mapping that remembers where it and each of its keys stand (1-based)."""

    __slots__ = ("line", "column", "key_lines")  # no per-instance __dict__: 100,000s of them

    line: int
    column: int
    key_lines: dict[str, tuple[int, int]]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, (self.line, self.column))[0]

    def column_of(self, key: str) -> int:
        return self.key_lines.get(key, (self.line, self.column))[1]


class YList(list[Any]):
    """A YAML sequence that remembers where it and each of its items stand (1-based)."""

    __slots__ = ("line", "column", "item_lines")

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


def read_text(path: str | Path, *, max_bytes: int | None = None) -> str:
    """Read a UTF-8 text file (a BOM is accepted and dropped) of at most ``max_bytes`` (default
    :func:`max_file_bytes`); SourceError when the path is not a readable regular file (see
    :func:`scanner.inputfile.read_input`)."""
    limit = max_file_bytes() if max_bytes is None else max_bytes
    return decode_text(read_input(path, max_bytes=limit), str(path))


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


def load_yaml(path: str | Path, *, max_bytes: int | None = None) -> Any:
    """Load one YAML document from ``path`` with locations; see :func:`load_yaml_text`."""
    return load_yaml_text(read_text(path, max_bytes=max_bytes), str(path))


ItemHook = Callable[[int, Any, tuple[int, int]], Any]
"""Called with (index, value, (line, column)) for each item of a top-level list as soon as the
item is built; the list keeps what it returns (see :func:`load_yaml_text`)."""


def load_yaml_text(
    text: str,
    name: str,
    *,
    problems: list[Problem] | None = None,
    items: Mapping[str, ItemHook] | None = None,
) -> Any:
    """Parse YAML text into YMap/YList/scalars; raise ValidationError naming ``name:line``.

    With ``problems``, a value that cannot be built (a bad date, a forbidden tag, a duplicate
    key) is appended there instead and stands as :data:`INVALID`, so a validator can go on and
    report every other problem of the file in the same run; broken syntax still raises.
    ``items`` maps a top-level key (``accounts``) to a hook that turns each item of its list
    into what the caller keeps, so 50,000 accounts are never all held as mappings at once."""
    if "\t" in text:  # the line scan costs a pass over the file; most files have no tab at all
        _reject_tab_indentation(text, name)
    builder = _Builder(name, items or {})
    parser = _Parser(text)
    try:
        value = builder.run(iter(parser.get_event, None))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = exc.problem or exc.context or "malformed YAML"
        raise ValidationError.single(name, line, f"YAML syntax error: {what}", column=col) from None
    except yaml.YAMLError as exc:
        raise ValidationError.single(name, None, f"YAML error: {exc}") from None
    finally:
        parser.dispose()
    if value is _EMPTY:
        raise ValidationError.single(name, 1, "file is empty; expected a YAML mapping")
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
    """Where an event starts (PyYAML's pure-Python and C marks both have these)."""

    line: int
    column: int


def _syntax_error(name: str, mark: _Mark | None, what: str) -> ValidationError:
    line, column = _at(mark)
    return ValidationError.single(name, line, f"YAML syntax error: {what}", column=column)


def _too_deep(name: str, mark: _Mark | None) -> ValidationError:
    return ValidationError.single(
        name,
        mark.line + 1 if mark else None,
        f"mappings and lists nest deeper than {MAX_DEPTH} levels; expected plain data",
        column=mark.column + 1 if mark else None,
    )


_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_SAFE_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    _MERGE,
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:pairs",
}
_RESOLVER: Final = yaml.resolver.Resolver()


class _Key(enum.Enum):
    """Where a mapping frame stands between its keys and values."""

    NONE = "none"  # the next value is a key
    MERGE = "merge"  # the key was ``<<``: the next value is merged in


# (key, key's 1-based line and column, value) for one entry of a mapping being built
_Pair = tuple[Any, tuple[int, int], Any]


@dataclass(slots=True)
class _Frame:
    """A mapping or sequence being built; ``invalid`` when it (or an ancestor) has a refused
    tag, so its children are read past without being built or reported."""

    value: YMap | YList
    anchor: str | None
    invalid: bool
    size: int = 1
    height: int = 1
    key: Any = _Key.NONE
    key_at: tuple[int, int] = (0, 0)
    own: list[_Pair] = field(default_factory=list)
    merged: list[_Pair] = field(default_factory=list)
    hook: ItemHook | None = None


@dataclass(frozen=True, slots=True)
class _Anchored:
    """A built anchor: what an alias stands for, its node count and nesting height."""

    value: Any
    size: int
    height: int
    complete: bool


def _at(mark: _Mark | None) -> tuple[int, int]:
    """1-based (line, column) of a parser mark (the parsers always set one)."""
    assert mark is not None
    return (mark.line + 1, mark.column + 1)


class _Builder:
    """Builds located values straight from parser events: no node tree is kept, only a line and
    column per key and item. Counts nodes that aliases expand to, and nesting depth, as it goes
    (an explicit stack, so a deep file never recurses)."""

    def __init__(self, name: str, items: Mapping[str, ItemHook]) -> None:
        self.name = name
        self.items = items
        self.problems: list[Problem] = []
        self.budget = MAX_ALIAS_EXPANSION
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchored] = {}
        self.result: Any = _EMPTY
        self.document = False
        self._constructor = yaml.constructor.SafeConstructor()

    def run(self, events: Iterable[yaml.Event]) -> Any:
        handlers: dict[type[yaml.Event], Callable[[Any], None]] = {
            yaml.ScalarEvent: self._scalar,
            yaml.MappingStartEvent: self._start,
            yaml.SequenceStartEvent: self._start,
            yaml.MappingEndEvent: self._end,
            yaml.SequenceEndEvent: self._end,
            yaml.AliasEvent: self._alias,
            yaml.DocumentStartEvent: self._document,
        }
        for event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)
        return self.result

    def _problem(self, at: tuple[int, int], message: str) -> None:
        self.problems.append(Problem(self.name, at[0], at[1], message))

    def _document(self, event: yaml.DocumentStartEvent) -> None:
        if self.document:
            # What PyYAML's composer says for a second document.
            raise _syntax_error(self.name, event.start_mark, "but found another document")
        self.document = True

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and top.invalid:
            if event.anchor is not None:
                self.anchors[event.anchor] = _Anchored(INVALID, 1, 0, True)
            return
        tag = event.tag
        if tag is None or tag == "!":
            tag = _RESOLVER.resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        if (
            tag == _MERGE
            and top is not None
            and top.key is _Key.NONE
            and isinstance(top.value, YMap)
        ):
            top.key = _Key.MERGE
            top.key_at = _at(event.start_mark)
            top.size += 1
            return
        value = self._construct(tag, event)
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchored(value, 1, 0, True)
        self._add(value, _at(event.start_mark), 1, 0)

    def _construct(self, tag: str, event: yaml.ScalarEvent) -> Any:
        if tag == _STR:
            return event.value
        at = _at(event.start_mark)
        if tag not in _SAFE_TAGS:
            self._problem(at, f"YAML tag {tag!r} is not allowed; expected plain data")
            return INVALID
        node = ScalarNode(tag, event.value, style=event.style)
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self._problem(at, f"bad YAML value: {exc.problem}")
        except ValueError as exc:
            if tag == "tag:yaml.org,2002:int":
                # Python refuses to read an int of more than 4,300 digits (a denial-of-service
                # guard since 3.11): nobody writes one on purpose.
                self._problem(
                    at,
                    f"number of {len(event.value):,} digits ({event.value[:12]}…) is too large; "
                    "expected a plausible number (quote it if it is text)",
                )
            else:
                # PyYAML builds `2026-02-30` as a date and lets datetime's ValueError escape.
                self._problem(at, f"bad YAML value {event.value!r}: {exc}; expected a real date")
        finally:
            self._constructor.constructed_objects.clear()  # it would keep every scalar alive
        return INVALID

    def _start(self, event: yaml.MappingStartEvent | yaml.SequenceStartEvent) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise _too_deep(self.name, event.start_mark)
        is_map = isinstance(event, yaml.MappingStartEvent)
        value: YMap | YList = YMap() if is_map else YList()
        value.line, value.column = _at(event.start_mark)
        if isinstance(value, YMap):
            value.key_lines = {}
        else:
            value.item_lines = []
        invalid = bool(self.stack) and self.stack[-1].invalid
        tag = event.tag
        if not invalid and tag is not None and tag != "!" and tag not in _SAFE_TAGS:
            self._problem(
                _at(event.start_mark), f"YAML tag {tag!r} is not allowed; expected plain data"
            )
            invalid = True
        self.stack.append(_Frame(value, event.anchor, invalid, hook=self._hook(value, invalid)))
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchored(value, 1, 1, False)

    def _hook(self, value: YMap | YList, invalid: bool) -> ItemHook | None:
        """The caller's hook when ``value`` is the list of a top-level key it asked for (the
        first one: a repeated key is reported, its list left alone)."""
        if invalid or not isinstance(value, YList) or len(self.stack) != 1:
            return None
        root = self.stack[0]
        if not isinstance(root.value, YMap) or not isinstance(root.key, str):
            return None
        if any(key == root.key for key, _, _ in root.own):
            return None
        return self.items.get(root.key)

    def _end(self, event: yaml.MappingEndEvent | yaml.SequenceEndEvent) -> None:
        frame = self.stack.pop()
        if isinstance(frame.value, YMap) and not frame.invalid:
            self._assemble(frame, frame.value)
        value = INVALID if frame.invalid else frame.value
        if frame.anchor is not None:
            self.anchors[frame.anchor] = _Anchored(value, frame.size, frame.height, True)
        parent_invalid = bool(self.stack) and self.stack[-1].invalid
        if frame.invalid and parent_invalid:
            self.stack[-1].size += frame.size
            return
        self._add(value, (frame.value.line, frame.value.column), frame.size, frame.height)

    def _alias(self, event: yaml.AliasEvent) -> None:
        anchored = self.anchors.get(event.anchor or "")
        if anchored is None:
            raise _syntax_error(
                self.name, event.start_mark, f"found undefined alias {event.anchor!r}"
            )
        if self.stack and self.stack[-1].invalid:
            return
        # An anchor used inside itself nests forever; one used deep down adds its own depth.
        if not anchored.complete or len(self.stack) + anchored.height > MAX_DEPTH:
            raise _too_deep(self.name, event.start_mark)
        self.budget -= anchored.size
        if self.budget < 0:
            line, column = _at(event.start_mark)
            raise ValidationError.single(
                self.name,
                line,
                f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes "
                "(a 'billion laughs' document); expected plain data",
                column=column,
            )
        self._add(anchored.value, _at(event.start_mark), anchored.size, anchored.height)

    def _add(self, value: Any, at: tuple[int, int], size: int, height: int) -> None:
        """Put a built value in its place: the document, a list item, a key or a value."""
        if not self.stack:
            self.result = value
            return
        frame = self.stack[-1]
        frame.size += size
        frame.height = max(frame.height, height + 1)
        if frame.invalid:
            return
        if isinstance(frame.value, YList):
            if frame.hook is not None:
                value = frame.hook(len(frame.value), value, at)
            frame.value.append(value)
            frame.value.item_lines.append(at)
        elif frame.key is _Key.NONE:
            frame.key, frame.key_at = value, at
        elif frame.key is _Key.MERGE:
            self._merge(frame, value, at)
            frame.key = _Key.NONE
        else:
            frame.own.append((frame.key, frame.key_at, value))
            frame.key = _Key.NONE

    def _merge(self, frame: _Frame, value: Any, at: tuple[int, int]) -> None:
        """``<<: *base`` or ``<<: [*a, *b]``: the sources' entries, explicit keys win later."""
        if isinstance(value, YList):
            sources = list(zip(value, value.item_lines, strict=True))
        else:
            sources = [(value, at)]
        for source, source_at in sources:
            if isinstance(source, YMap):
                frame.merged.extend(
                    (key, source.key_lines.get(key, source_at), item)
                    for key, item in source.items()
                )
            elif source is not INVALID:  # an invalid one is already reported
                self._problem(source_at, "merge key '<<' expects a mapping")

    def _assemble(self, frame: _Frame, result: YMap) -> None:
        """Fill the mapping: merged entries first unless a key of its own overrides them, then
        its own; a key that is not plain text or comes twice is a problem at its line."""
        own_keys = {str(key) for key, _, _ in frame.own if _plain(key)}
        merged = [pair for pair in frame.merged if str(pair[0]) not in own_keys]
        for key, at, value in (*merged, *frame.own):
            if key is INVALID:  # already reported
                continue
            if not _plain(key):
                self._problem(at, "mapping key must be a plain value")
                continue
            # Every account repeats the same keys: one string each, not one per account.
            skey = sys.intern(key if isinstance(key, str) else str(key))
            if skey in result.key_lines:
                first = result.key_lines[skey][0]
                self._problem(
                    at,
                    f"duplicate key {skey!r} (first defined on line {first}); "
                    "expected each key once",
                )
                continue
            result.key_lines[skey] = at
            result[skey] = value


def _plain(key: Any) -> bool:
    return key is not INVALID and isinstance(key, Hashable) and not isinstance(key, (YMap, YList))
