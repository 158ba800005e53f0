"""The terminal table layout: wrapping without loss, the order columns are dropped in, display
width of wide characters and emoji, cells wider than the whole line, and the width in force."""

from __future__ import annotations

import io

import pytest

from scanner.reports.layout import (
    DEFAULT_WIDTH,
    MIN_WIDTH,
    Align,
    Column,
    Overflow,
    display_width,
    fit,
    output_width,
    render_table,
    terminal_width,
    wrap_parts,
    wrap_text,
)

MESSAGE = (
    "owner mia.castellano@copperkettle.coffee is not active in the roster (found: yes, status:"
    " departed) and the backup owner is not set"
)
COLUMNS = (
    Column("rule"),
    Column("status"),
    Column("platform", priority=3),
    Column("handle", priority=2, min_width=14),
    Column("account", priority=4),
    Column("message", min_width=30),
)
ROWS = [
    ("OWN-002", "fail", "bluesky", "copperkettlecampus.bsky.social", "bsky-campus", MESSAGE),
    ("IDN-001", "waived", "mastodon", "copperkettle@mastodon.social", "masto-hr", "short"),
]


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _header(text: str) -> list[str]:
    return _lines(text)[0].split()


def test_display_width_counts_wide_characters_and_emoji() -> None:
    assert display_width("copper") == 6
    assert display_width("銅のやかん") == 10
    assert display_width("☕") == 2
    assert display_width("e\u0301") == 1  # a combining accent takes no cell of its own


def _column(text: str, header: str) -> str:
    """The non-space characters of one column's cells, top to bottom (ASCII tables only: a
    character index is a display column there)."""
    lines = _lines(text)
    start = lines[0].index(header)
    return "".join("".join(line[start:].split()) for line in lines[2:])


@pytest.mark.parametrize("width", range(MIN_WIDTH, 141, 7))
def test_no_line_is_wider_than_the_width_and_no_text_is_lost(width: int) -> None:
    assert all(display_width(line) <= width for line in _lines(render_table(COLUMNS, ROWS, width)))
    columns = [Column("rule"), Column("handle", priority=2, min_width=14), Column("message")]
    rows = [(r[0], r[3], r[5]) for r in ROWS]
    text = render_table(columns, rows, width, note=False)
    assert all(display_width(line) <= width for line in _lines(text))
    assert _column(text, "message") == "".join((MESSAGE + "short").split())
    assert "…" not in text


def test_a_long_cell_wraps_over_several_lines_at_spaces() -> None:
    text = render_table([Column("rule"), Column("message", min_width=20)], [("R", MESSAGE)], 40)
    start = _lines(text)[0].index("message")
    pieces = [line[start:] for line in _lines(text)[2:]]
    assert len(pieces) > 3
    assert " ".join(pieces) == MESSAGE


def test_columns_are_dropped_highest_priority_number_first() -> None:
    assert fit(COLUMNS, ROWS, 200).hidden == ()
    assert fit(COLUMNS, ROWS, 80).hidden == ("account",)
    assert fit(COLUMNS, ROWS, 66).hidden == ("platform", "account")
    assert fit(COLUMNS, ROWS, 50).hidden == ("platform", "handle", "account")
    # Priority 1 columns are never dropped: they share a line too narrow for them.
    narrow = fit(COLUMNS, ROWS, MIN_WIDTH)
    assert [COLUMNS[i].header for i in narrow.shown] == ["rule", "status", "message"]
    assert all(display_width(line) <= MIN_WIDTH for line in narrow.render(ROWS))


def test_equal_priorities_drop_the_rightmost_first() -> None:
    columns = [Column(h, priority=p, min_width=20) for h, p in (("a", 1), ("b", 2), ("c", 2))]
    rows = [("x" * 20, "y" * 20, "z" * 20)]
    assert fit(columns, rows, 44).hidden == ("c",)


def test_the_note_names_what_was_left_out_and_how_to_see_it() -> None:
    text = render_table(COLUMNS, ROWS, 80)
    assert _lines(text)[-1] == "(not shown at 80 columns: account; --wide shows all)"
    assert "not shown" not in render_table(COLUMNS, ROWS, 80, note=False)
    assert "not shown" not in render_table(COLUMNS, ROWS, 200)


def test_short_columns_keep_their_width_and_the_long_ones_share_the_rest() -> None:
    layout = fit(COLUMNS, ROWS, 100)
    widths = dict(zip((COLUMNS[i].header for i in layout.shown), layout.widths, strict=True))
    assert (widths["rule"], widths["status"], widths["platform"]) == (7, 6, 8)
    assert widths["handle"] > 14 and widths["message"] > 30
    assert sum(widths.values()) + 2 * (len(widths) - 1) == 100


def test_wide_shows_every_column_unwrapped() -> None:
    text = render_table(COLUMNS, ROWS, None)
    assert _header(text) == [c.header for c in COLUMNS]
    assert len(_lines(text)) == 2 + len(ROWS)
    assert MESSAGE in text


def test_wide_characters_are_padded_by_display_width() -> None:
    rows = [("銅のやかん公式アカウント", "1"), ("copper", "2"), ("☕ kettle", "3")]
    columns = [Column("name", min_width=8), Column("n", align=Align.RIGHT)]
    wide = _lines(render_table(columns, rows, None))
    # Every row ends in the same terminal column: the wide name is not under-padded.
    assert len({display_width(line) for line in wide}) == 1
    narrow = _lines(render_table(columns, rows, MIN_WIDTH))
    assert all(display_width(line) <= MIN_WIDTH for line in narrow)
    names = "".join(line.rstrip("0123456789 ") for line in narrow[2:])
    assert names == "銅のやかん公式アカウントcopper☕ kettle"


def test_a_cell_longer_than_the_whole_width_is_broken_without_loss() -> None:
    url = "https://copperkettle.coffee/" + "a" * 150 + "/end"
    text = render_table([Column("link")], [(url,)], 30)
    pieces = _lines(text)[2:]
    assert all(display_width(p) <= 30 for p in pieces)
    assert "".join(pieces) == url
    assert pieces[0] == "https://copperkettle.coffee/"  # cut after punctuation where it can


def test_a_truncatable_column_is_cut_with_an_ellipsis() -> None:
    url = "https://copperkettle.coffee/" + "a" * 150
    columns = [Column("rule"), Column("url", overflow=Overflow.TRUNCATE, min_width=20)]
    lines = _lines(render_table(columns, [("IDN-003", url)], 40))
    assert len(lines) == 3
    assert lines[2].endswith("…") and display_width(lines[2]) == 40
    assert url in render_table(columns, [("IDN-003", url)], None)


def test_a_visible_escape_is_never_split_and_cells_are_sanitized() -> None:
    name = "copper\u200bkettle\u202e_hq \x1b]0;owned\x07\x1b[31mred"
    text = render_table([Column("a"), Column("name", min_width=10)], [("x" * 8, name)], MIN_WIDTH)
    assert "\x1b" not in text and "\u202e" not in text and "owned" not in text
    for escape in ("<U+200B>", "<U+202E>"):
        assert any(escape in line for line in _lines(text)), escape


def test_a_cell_may_be_several_lines() -> None:
    text = render_table([Column("k"), Column("v")], [("a", ("first", "second")), ("b", None)], 40)
    assert _lines(text)[2:] == ["a  first", "   second", "b"]


def test_rows_must_match_the_columns() -> None:
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        fit([Column("a"), Column("b"), Column("c")], [("x", "y")], 80)


def test_several_tables_share_one_layout() -> None:
    layout = fit(COLUMNS, ROWS, 80)
    first, second = layout.render(ROWS[:1]), layout.render(ROWS[1:])
    assert first[:2] == second[:2]  # same header, same column widths


def test_wrap_text_indents_continuation_lines_within_the_width() -> None:
    text = wrap_text("Summary: " + MESSAGE, 40, subsequent_indent="  ")
    lines = _lines(text)
    assert lines[0].startswith("Summary: ") and all(line.startswith("  ") for line in lines[1:])
    assert all(display_width(line) <= 40 for line in lines)
    assert " ".join(line.strip() for line in lines) == "Summary: " + MESSAGE
    assert wrap_text("  kept  as  is", 40) == "  kept  as  is"
    assert wrap_text("x" * 50, None) == "x" * 50


def test_wrap_parts_breaks_between_parts_only() -> None:
    parts = ["Summary: 62 accounts", "45 failing (2 critical, 16 high)", "1 account unverified"]
    assert wrap_parts(parts, None) == " · ".join(parts)
    assert _lines(wrap_parts(parts, 60)) == [
        "Summary: 62 accounts · 45 failing (2 critical, 16 high)",
        "  · 1 account unverified",
    ]
    for width in range(MIN_WIDTH, 80):
        lines = _lines(wrap_parts(parts, width))
        assert all(display_width(line) <= width for line in lines)
        if width >= 36:  # room for the longest part after "  · ": no part is ever cut
            assert all(any(p in line for line in lines) for p in parts[1:])


@pytest.mark.parametrize(
    ("columns", "tty", "expected"),
    [
        ("132", False, 132),
        ("132", True, 132),  # COLUMNS wins, as in shutil.get_terminal_size
        ("5", False, MIN_WIDTH),
        ("", False, DEFAULT_WIDTH),
        ("wide", False, DEFAULT_WIDTH),
        (None, False, DEFAULT_WIDTH),
    ],
)
def test_terminal_width(
    monkeypatch: pytest.MonkeyPatch, columns: str | None, tty: bool, expected: int
) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    assert terminal_width(Stream()) == expected
    assert output_width(False, Stream()) == expected
    assert output_width(True, Stream()) is None


@pytest.mark.parametrize("bad", [{"priority": 0}, {"min_width": 0}])
def test_column_rejects_nonsense(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        Column("x", **bad)
