"""Hostile-text helpers, one medium at a time."""

from __future__ import annotations

import re
import time

import pytest

from scanner.reports.sanitize import (
    clean_text,
    csv_cell,
    hidden,
    html_text,
    json_safe,
    json_text,
    markdown_text,
    strip_terminal,
    truncate,
    xml_text,
)

XML_CHAR = re.compile("^[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$")


def test_strip_terminal_removes_escapes_and_controls() -> None:
    text = "a\x1b[31mred\x1b[0m\x1b]0;title\x07b\x9b2Jc\x00d\te\nf\x7f"
    assert strip_terminal(text) == "aredbcd e f"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "' =1"),
        ("\r=1", "' =1"),
        ("  =1", "'  =1"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        ("x\x1b[31m\x00y", "xy"),
    ],
)
def test_csv_cell_neutralizes_formulas(raw: str, expected: str) -> None:
    assert csv_cell(raw) == expected


def test_markdown_text_defuses_markup_and_mentions() -> None:
    text = markdown_text("<script>x</script> [a](javascript:b) @team | *b* \x1b[1m`c`")
    assert "<" not in text and ">" not in text
    assert "@" not in text and "&#64;team" in text
    assert "\\[a\\](javascript:b)" in text
    assert "\\|" in text and "\\*b\\*" in text and "\\`c\\`" in text
    assert "\x1b" not in text


def test_xml_text_keeps_only_xml_characters() -> None:
    raw = "ok\x00\x01\x0b\x0c\x1b[31m\ufffe\uffff\ud800 é 😀\t\n"
    cleaned = xml_text(clean_text(raw))
    assert XML_CHAR.match(cleaned)
    assert cleaned.startswith("ok") and "é 😀" in cleaned


def test_clean_text_replaces_lone_surrogates() -> None:
    assert clean_text("a\ud800b").encode("utf-8") == "a\ufffdb".encode()


def test_bidi_overrides_are_shown_for_terminal_and_markdown() -> None:
    # "Trojan Source": U+202E makes what follows read right-to-left.
    hostile = "Copper Kettle \u202eofficial\u202c \u2066x\u2069"
    assert strip_terminal(hostile) == "Copper Kettle <U+202E>official<U+202C> <U+2066>x<U+2069>"
    assert "\u202e" not in markdown_text(hostile) and "&lt;U+202E&gt;" in markdown_text(hostile)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x1b]0;title\x07b", "ab"),  # OSC 0 (window title), BEL-terminated
        ("a\x1b]2;title\x1b\\b", "ab"),  # ... ST-terminated
        ("\x1b]8;;https://evil/\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink
        ("a\x9d0;title\x9cb", "ab"),  # 8-bit OSC and ST
        ("a\x9b31mb", "ab"),  # 8-bit CSI
        ("a\x1b[1;31mb\x1b[0m", "ab"),  # CSI colour
        ("a\x1bPq#0;2\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1b_apc\x1b\\b\x1b^pm\x1b\\c\x1bXsos\x1b\\d", "abcd"),  # APC, PM, SOS
        ("a\x90dcs\x9cb\x9fapc\x07c", "abc"),  # 8-bit DCS and APC
        ("a\x1b(Bb\x1b#8c\x1bcd", "abcd"),  # charset, DECALN, RIS
        ("a\x1b]0;no end", "a0;no end"),  # unterminated: the introducer goes, text stays
        ("a\x1b\x1b[0m[31mb", "a[31mb"),  # a sequence rebuilt by a removal is still inert
        ("n\x00u\x07l\x08l\x7f\x85\x9c", "null"),  # NUL, BEL, BS, DEL, NEL, ST
    ],
)
def test_strip_terminal_removes_every_sequence_and_control(raw: str, expected: str) -> None:
    assert strip_terminal(raw) == expected


@pytest.mark.parametrize(
    "char",
    [
        "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u061c", "\u200e", "\u200f", "\u200b", "\u200c", "\u200d", "\u2060",
        "\ufeff",
    ],
)  # fmt: skip
def test_every_medium_shows_invisible_characters(char: str) -> None:
    mark = f"<U+{ord(char):04X}>"
    raw = f"copper{char}kettle"
    assert strip_terminal(raw) == f"copper{mark}kettle"
    assert json_text(raw) == f"copper{mark}kettle"
    assert xml_text(raw) == f"copper{mark}kettle"
    assert csv_cell(raw) == f"copper{mark}kettle"
    assert html_text(raw) == f"copper&lt;U+{ord(char):04X}&gt;kettle"
    assert markdown_text(raw) == f"copper&lt;U+{ord(char):04X}&gt;kettle"


def test_zero_width_joiner_in_an_emoji_is_shown_too() -> None:
    # One rule for every untrusted field: a legitimate ZWJ cannot be told from a hostile one.
    assert strip_terminal("dev 👩\u200d💻") == "dev 👩<U+200D>💻"


def test_json_text_keeps_line_structure_but_no_other_control() -> None:
    assert json_text("line one\nline two\ttab\r\n\x1b[31m\x00\x9b") == (
        "line one\nline two\ttab\r\n"
    )


def test_json_safe_cleans_keys_and_values_and_keeps_order() -> None:
    doc = json_safe({"b\u202e": ["\x1b]0;t\x07x", 1, None], "a": {"k": "\u200by"}})
    assert doc == {"b<U+202E>": ["x", 1, None], "a": {"k": "<U+200B>y"}}
    assert isinstance(doc, dict) and list(doc) == ["b<U+202E>", "a"]


def test_csv_formula_guard_holds_after_cleaning() -> None:
    # Removing an escape in front of "=" must not hand the spreadsheet a formula.
    assert csv_cell("\x1b[31m=1+1") == "'=1+1"
    assert csv_cell("\u200b=1+1") == "<U+200B>=1+1"  # starts with text, not a formula


def test_sanitizers_are_idempotent() -> None:
    raw = "\x1b\x1b[0m[31m \u202e\x9d0;t\x9c end\u200b"
    for fn in (strip_terminal, json_text, xml_text):
        assert fn(fn(raw)) == fn(raw)


def test_hidden_tells_plain_text_from_crafted_text() -> None:
    assert not hidden("https://copperkettle.coffee/menu")
    assert hidden("https://copperkettle.coffee/\u202egpj.exe")
    assert hidden("https://x\x1b]8;;y\x07")


def test_truncate_never_splits_a_visible_escape() -> None:
    assert truncate("abc<U+202E>def", 7) == "abc…"
    assert truncate("abc<U+202E>def", 12) == "abc<U+202E>…"


@pytest.mark.parametrize(
    "raw",
    ["\x9d" * 200_000, "\x1b]" * 100_000, "\x1b[" + "0" * 200_000, "\x1bP" * 100_000],
)
def test_pathological_input_does_not_hang(raw: str) -> None:
    # Every sequence pattern stops at the next introducer, so cleaning stays linear; the bound
    # only proves "did not hang" (quadratic scanning of these would take minutes).
    started = time.monotonic()
    assert strip_terminal(raw).isprintable()
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("@copperkettleschool", "@copperkettleschool"),  # YouTube, TikTok: the platform's form
        ("@copperkettle@mastodon.social", "@copperkettle@mastodon.social"),
        ("@copper_kettle.pdx-2", "@copper_kettle.pdx-2"),
        ("@SUM(A1)", "'@SUM(A1)"),  # a function call is no handle
        ("@x+1", "'@x+1"),
        ("@x =1", "'@x =1"),
        ("@x!A1", "'@x!A1"),
        ("@cmd|' /C calc'!A0", "'@cmd|' /C calc'!A0"),  # DDE
        ("@", "'@"),
        ("@copper\u200bkettle", "'@copper<U+200B>kettle"),  # hidden characters: guarded, shown
        ("@copper\nkettle", "'@copper kettle"),
        ("=1+1", "'=1+1"),  # the handle column guards every other formula as before
        ("-copperkettle", "'-copperkettle"),
    ],
)
def test_csv_handle_cell_keeps_a_plain_at_handle_only(raw: str, expected: str) -> None:
    assert csv_cell(raw, handle=True) == expected
    # Outside the handle column the guard applies to "@" as to any formula start.
    assert csv_cell(raw).startswith("'")
