"""Hostile-text helpers, one medium at a time."""

from __future__ import annotations

import re

import pytest

from scanner.reports.sanitize import clean_text, csv_cell, markdown_text, strip_terminal, xml_text

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


def test_bidi_overrides_are_removed_for_terminal_and_markdown() -> None:
    # "Trojan Source": U+202E makes what follows read right-to-left.
    hostile = "Copper Kettle \u202eofficial\u202c \u2066x\u2069"
    assert strip_terminal(hostile) == "Copper Kettle official x"
    assert "\u202e" not in markdown_text(hostile)
