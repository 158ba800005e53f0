"""Terminal tables that fit the terminal: the one layout every table Rollcall prints goes through.
Long cells wrap over several lines, lower-priority columns are dropped first, and display width
counts East Asian wide characters and emoji as the terminal draws them (wcwidth).

How a table is declared and printed::

    COLUMNS = (
        Column("rule"),                                  # priority 1: dropped last
        Column("handle", priority=3),                    # dropped before priority 2 columns
        Column("count", align=Align.RIGHT),
        Column("url", priority=2, overflow=Overflow.TRUNCATE),  # may be cut with "…"
        Column("message", min_width=30),                 # never narrower than 30 (else drop)
    )
    text = render_table(COLUMNS, rows, width)            # width: output_width(wide)

``rows`` are sequences of cells, one per column in declaration order; a cell is any value (None
prints empty) or a tuple/list of values, one line each. Every cell and header is sanitized for the
terminal here (:func:`strip_terminal`), so no table can forget it. ``width`` is the number of
display columns a line may use, or None for ``--wide``: every column, nothing wrapped or cut.

Several tables that should line up (the audit's severity groups) share one :func:`fit` of all
their rows and render each group with :meth:`Layout.render`; :meth:`Layout.note` says which
columns did not fit, once. Prose printed around tables wraps with :func:`wrap_text`.
"""

from __future__ import annotations

import enum
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TextIO, assert_never

from wcwidth import iter_graphemes
from wcwidth import width as _wc_width

from scanner.reports.sanitize import strip_terminal

__all__ = [
    "DEFAULT_WIDTH",
    "MIN_WIDTH",
    "Align",
    "Column",
    "Layout",
    "Overflow",
    "display_width",
    "fit",
    "output_width",
    "render_table",
    "terminal_width",
    "wrap_parts",
    "wrap_text",
]

DEFAULT_WIDTH = 100
"""Width when COLUMNS is unset and stdout is no terminal (a pipe, a CI log, a file): wide enough
for the usual tables without wrapping, narrow enough to read in a pager or a log viewer."""

MIN_WIDTH = 20
"""Narrower widths (a COLUMNS typo, a tiny pane) are laid out at this width."""

SEPARATOR = "  "
"""Between two columns, as tabulate's "simple" format writes it."""

ELLIPSIS = "…"


class Align(enum.Enum):
    LEFT = "left"
    RIGHT = "right"  # numbers, so their digits line up


class Overflow(enum.Enum):
    """What happens to a cell wider than its column."""

    WRAP = "wrap"  # over several lines; no text is lost (the default)
    TRUNCATE = "truncate"  # cut to one line ending in "…" (only where a prefix is enough: URLs)


@dataclass(frozen=True)
class Column:
    """One column of a table, declared once beside the table's code.

    ``priority``: 1 is essential, never dropped; when even the narrowest layout does not fit, the
    column with the highest number goes first (the rightmost of equals). ``min_width``: a column
    is not made narrower than this (nor, when it wraps, than its widest header word) while columns
    can still be dropped; a column whose content is narrower keeps its own width."""

    header: str
    priority: int = 1
    align: Align = Align.LEFT
    overflow: Overflow = Overflow.WRAP
    min_width: int = 10

    def __post_init__(self) -> None:
        if self.priority < 1 or self.min_width < 1:
            raise ValueError("priority and min_width start at 1")


def terminal_width(stream: TextIO | None = None) -> int:
    """The width tables printed to ``stream`` (default stdout) may use: COLUMNS when it is a
    positive number (the shell's convention, which wins as in :func:`shutil.get_terminal_size`),
    else the terminal's width when ``stream`` is a terminal, else :data:`DEFAULT_WIDTH`. Never
    less than :data:`MIN_WIDTH`."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    out = sys.stdout if stream is None else stream
    try:
        if out.isatty():
            return max(os.get_terminal_size(out.fileno()).columns, MIN_WIDTH)
    except (AttributeError, ValueError, OSError):  # a replaced stdout without a real descriptor
        pass
    return DEFAULT_WIDTH


def output_width(wide: bool, stream: TextIO | None = None) -> int | None:
    """What a command passes as ``width``: None (no limit) with ``--wide``, else the terminal's."""
    return None if wide else terminal_width(stream)


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: 2 for East Asian wide characters and emoji, 0 for combining
    marks and other zero-width characters."""
    return int(_wc_width(text))


# A visibly escaped invisible character (sanitize.show_invisible) is one unit: never split.
_ESCAPED = re.compile(r"<U\+[0-9A-F]{4,6}>")
# Preferred places to break a word too long for its column: after these, as in a URL or an email.
_BREAK_AFTER = frozenset("/-_.@,:;?&=+")


def _units(word: str) -> Iterator[str]:
    """Grapheme clusters (an emoji sequence or a letter with its accents stays whole), with each
    ``<U+XXXX>`` escape kept as one unit."""
    position = 0
    for match in _ESCAPED.finditer(word):
        yield from iter_graphemes(word[position : match.start()])
        yield match.group()
        position = match.end()
    yield from iter_graphemes(word[position:])


def _break_word(word: str, width: int, rest: int) -> list[str]:
    """A word too wide for one line in pieces that fit (``width`` for the first, ``rest`` for the
    others), cut after punctuation where that keeps at least half of a line (``copperkettle@`` /
    ``mastodon.social``), else where the line is full."""
    pieces: list[str] = []
    units: list[str] = []
    used = 0
    for unit in _units(word):
        size = display_width(unit)
        if pieces:
            width = rest
        if units and used + size > width:
            cut = len(units)
            for i in range(len(units) - 1, 0, -1):
                if units[i - 1][-1] in _BREAK_AFTER:
                    if display_width("".join(units[:i])) * 2 >= width:
                        cut = i
                    break
            pieces.append("".join(units[:cut]).rstrip(" "))
            units = units[cut:]
            while units and units[0] == " ":  # no line starts with the space it broke at
                units.pop(0)
            used = display_width("".join(units))
        units.append(unit)
        used += size
    if units:
        pieces.append("".join(units))
    return pieces


_WORD = re.compile(r"( *)([^ ]+)")


def _wrap(text: str, width: int, rest: int | None = None) -> list[str]:
    """Word-wrap one line of text to ``width`` display cells (``rest`` for the lines after the
    first, default the same). Spacing inside a line is kept (so is a leading indent); the spaces
    where a line breaks are dropped."""
    later = width if rest is None else rest
    lines: list[str] = []
    current = ""
    for gap, word in _WORD.findall(text):
        limit = later if lines else width
        candidate = current + gap + word if current or not lines else word
        if display_width(candidate) <= limit:
            current = candidate
            continue
        if current and display_width(word) > later:  # it must be cut anyway: fill this line first
            *full, current = _break_word(candidate, limit, later)
            lines.extend(full)
            continue
        if current:
            lines.append(current)
            limit = later
            candidate = word
        if display_width(candidate) <= limit:
            current = candidate
        else:
            *full, current = _break_word(candidate, limit, later)
            lines.extend(full)
    if current or not lines:
        lines.append(current)
    return lines


def _truncate(text: str, width: int) -> str:
    """One line of at most ``width`` cells, ending in "…" when something was cut."""
    if display_width(text) <= width:
        return text
    kept: list[str] = []
    used = display_width(ELLIPSIS)
    for unit in _units(text):
        size = display_width(unit)
        if used + size > width:
            break
        kept.append(unit)
        used += size
    return "".join(kept) + ELLIPSIS


def wrap_text(
    text: str, width: int | None, *, indent: str = "", subsequent_indent: str = ""
) -> str:
    """Prose printed beside tables, sanitized for the terminal and wrapped at spaces to ``width``
    (None: one line); the first line starts with ``indent``, the others with
    ``subsequent_indent``."""
    clean = strip_terminal(text)
    if width is None:
        return indent + clean
    first = max(width - display_width(indent), 1)
    rest = max(width - display_width(subsequent_indent), 1)
    head, *tail = _wrap(clean, first, rest)
    return "\n".join([indent + head, *(subsequent_indent + line for line in tail)])


def wrap_parts(
    parts: Sequence[str], width: int | None, *, sep: str = " · ", subsequent_indent: str = "  "
) -> str:
    """``parts`` joined by ``sep`` and wrapped between parts, never inside one (a summary's
    "1 account unverified" stays whole); a continuation line starts with ``subsequent_indent``
    and the separator. A part too long for any line wraps at its spaces."""
    clean = [strip_terminal(p) for p in parts]
    if width is None:
        return sep.join(clean)
    rest = max(width - display_width(subsequent_indent), 1)
    lines: list[str] = []
    current = ""
    for part in clean:
        limit = rest if lines else width
        candidate = current + sep + part if current else part
        if current and display_width(candidate) > limit:
            lines.append(current)
            current, limit = sep.lstrip() + part, rest
        else:
            current = candidate
        if display_width(current) > limit:  # one part wider than a line: wrap it alone
            *full, current = _wrap(current, limit, rest)
            lines.extend(full)
    lines.append(current)
    return "\n".join([lines[0], *(subsequent_indent + line for line in lines[1:])])


def _cell_lines(value: object) -> list[str]:
    """A cell's text lines, terminal-safe: a tuple or list is one line per item."""
    items: Iterable[object] = value if isinstance(value, tuple | list) else (value,)
    return [strip_terminal("" if item is None else str(item)) for item in items] or [""]


@dataclass(frozen=True)
class Layout:
    """Which columns a table shows and how wide each is (None: unlimited, ``--wide``)."""

    columns: tuple[Column, ...]
    shown: tuple[int, ...]
    widths: tuple[int | None, ...]
    width: int | None

    @property
    def hidden(self) -> tuple[str, ...]:
        """Headers of the columns that did not fit, in declaration order."""
        return tuple(c.header for i, c in enumerate(self.columns) if i not in self.shown)

    def note(self) -> str | None:
        """One line saying which columns were left out and how to see them, else None."""
        if not self.hidden:
            return None
        text = f"(not shown at {self.width} columns: {', '.join(self.hidden)}; --wide shows all)"
        return wrap_text(text, self.width)

    def render(self, rows: Iterable[Sequence[object]], *, header: bool = True) -> list[str]:
        """The table's lines: header, a rule of dashes, then each row (one or several lines)."""
        return list(self.lines(rows, header=header))

    def lines(self, rows: Iterable[Sequence[object]], *, header: bool = True) -> Iterator[str]:
        """:meth:`render` one line at a time, for a table too big to hold (rows may be a
        generator: nothing is kept)."""
        if header:
            yield from self._row([c.header for c in self.columns])
            yield SEPARATOR.join("-" * self._width_of(i) for i in self.shown).rstrip()
        for row in rows:
            yield from self._row(row)

    def _width_of(self, index: int) -> int:
        width = self.widths[self.shown.index(index)]
        assert width is not None, "an unlimited layout's widths are filled in by fit()"
        return width

    def _row(self, row: Sequence[object]) -> list[str]:
        if len(row) != len(self.columns):
            raise ValueError(f"a row has {len(row)} cells for {len(self.columns)} columns")
        cells: list[list[str]] = []
        for index in self.shown:
            column, width = self.columns[index], self._width_of(index)
            lines = _cell_lines(row[index])
            match column.overflow:
                case Overflow.WRAP:
                    cells.append([part for line in lines for part in _wrap(line, width)])
                case Overflow.TRUNCATE:
                    cells.append([_truncate(line, width) for line in lines])
                case _:
                    assert_never(column.overflow)
        out = []
        for n in range(max(len(c) for c in cells)):
            parts = []
            for index, cell in zip(self.shown, cells, strict=True):
                text = cell[n] if n < len(cell) else ""
                pad = " " * (self._width_of(index) - display_width(text))
                right = self.columns[index].align is Align.RIGHT
                parts.append(pad + text if right else text + pad)
            out.append(SEPARATOR.join(parts).rstrip())
        return out


def _naturals(columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> list[int]:
    """Each column's natural width (its widest line, header included), in one pass over
    ``rows`` that keeps none of them."""
    natural = [display_width(strip_terminal(c.header)) for c in columns]
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns")
        for i, cell in enumerate(row):
            for line in _cell_lines(cell):
                natural[i] = max(natural[i], display_width(line))
    return natural


def _narrowest(column: Column, natural: int) -> int:
    header_word = max((display_width(w) for w in column.header.split()), default=0)
    floor = column.min_width
    if column.overflow is Overflow.WRAP:
        floor = max(floor, header_word)
    return min(natural, floor)


def fit(columns: Sequence[Column], rows: Iterable[Sequence[object]], width: int | None) -> Layout:
    """Lay ``rows`` out in ``width`` display cells (None: every column at its natural width).

    Every column first gets its narrowest width; while even that does not fit, the column with
    the highest ``priority`` number is dropped (priority 1 columns never are: if they alone do not
    fit, they share the line, each wrapping as much as it must). What is left over goes in equal
    shares to the columns that want more, each up to its natural width, so short columns never
    wrap while a long message takes the rest."""
    cols = tuple(columns)
    natural = _naturals(cols, rows)
    if width is None:
        return Layout(cols, tuple(range(len(cols))), tuple(natural), None)
    width = max(width, MIN_WIDTH)
    narrow = {i: _narrowest(c, natural[i]) for i, c in enumerate(cols)}
    shown = list(range(len(cols)))

    def needed(indexes: list[int]) -> int:
        return sum(narrow[i] for i in indexes) + len(SEPARATOR) * (len(indexes) - 1)

    droppable = [i for i in shown if cols[i].priority > 1]
    while droppable and needed(shown) > width:
        drop = max(droppable, key=lambda i: (cols[i].priority, i))
        droppable.remove(drop)
        shown.remove(drop)
    if needed(shown) <= width:
        given = {i: narrow[i] for i in shown}
    else:  # the essential columns alone are too wide: they share the line from (almost) nothing
        given = {i: min(2, natural[i]) for i in shown}  # 2: room for one wide character
    spare = max(width - len(SEPARATOR) * (len(shown) - 1) - sum(given.values()), 0)
    wanting = [i for i in shown if natural[i] > given[i]]
    while spare > 0 and wanting:
        share = max(spare // len(wanting), 1)
        for i in wanting:
            extra = min(share, natural[i] - given[i], spare)
            given[i] += extra
            spare -= extra
        wanting = [i for i in wanting if natural[i] > given[i]]
    return Layout(cols, tuple(shown), tuple(given[i] for i in shown), width)


def render_table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    width: int | None,
    *,
    note: bool = True,
) -> str:
    """The whole table fitted to ``width`` (see :func:`fit`), with a closing line naming any
    column left out when ``note`` is set. No trailing newline."""
    table = [tuple(row) for row in rows]
    layout = fit(columns, table, width)
    lines = layout.render(table)
    hidden = layout.note() if note else None
    if hidden:
        lines.append(hidden)
    return "\n".join(lines)
