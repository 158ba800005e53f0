"""Hostile-text hygiene shared by every report: fetched bios and names are written by strangers.

Each output medium has its own dangers: terminals obey ANSI escapes, spreadsheets run formulas,
XML 1.0 forbids most control characters, Markdown renders HTML and pings ``@people``.
"""

from __future__ import annotations

import re

__all__ = [
    "clean_text",
    "csv_cell",
    "markdown_text",
    "strip_terminal",
    "truncate",
    "xml_text",
]

# ECMA-48 sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte escapes,
# and the 8-bit C1 forms (0x9B CSI, 0x9D OSC) some terminals still honour.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]"
)
# C0 controls except tab and newline, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional overrides and isolates ("Trojan Source", CVE-2021-42574): a display name can use
# them to make the text after it read backwards on a terminal or in a PR comment.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# XML 1.0 Char production: everything outside it (C0 controls bar tab/LF/CR, surrogates,
# U+FFFE/U+FFFF) makes a document ill-formed, so it is removed rather than escaped.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Cells a spreadsheet would read as a formula (OWASP "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Inline-significant Markdown punctuation; every value is written mid-line, so line-start markers
# (#, -, +, 1.) cannot take effect and are left alone for readability.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")


def clean_text(value: str) -> str:
    """Text safe for any encoder: lone surrogates (unencodable in UTF-8) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def strip_terminal(value: str) -> str:
    """For terminals: drop ANSI escape sequences, then every remaining control character
    (newlines and tabs become spaces so one value stays on one line)."""
    text = _ANSI.sub("", clean_text(value))
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return _BIDI.sub("", _CONTROL.sub("", text))


def xml_text(value: str) -> str:
    """For XML and HTML: remove characters XML 1.0 forbids (and ANSI escapes, which are noise)."""
    return _XML_INVALID.sub("", _ANSI.sub("", value))


def csv_cell(value: str) -> str:
    """For spreadsheets: control characters removed (ANSI too), and a cell that would start a
    formula gets a leading apostrophe so Excel, LibreOffice and Sheets show it as text."""
    text = _ANSI.sub("", clean_text(value))
    # Decide on the raw text: a leading tab or CR is itself a trigger, and is removed below.
    risky = text.lstrip(" ").startswith(_FORMULA_START)
    text = _CONTROL.sub("", re.sub(r"[\t\r\n]+", " ", text))
    if risky or text.lstrip().startswith(_FORMULA_START):
        return "'" + text
    return text


def markdown_text(value: str) -> str:
    """For Markdown (a GitHub PR comment): one line, no escapes, HTML neutralized, Markdown
    punctuation backslash-escaped, and ``@`` written as an entity so a bio cannot ping anyone."""
    text = strip_terminal(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "&#64;")


def truncate(value: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis."""
    if len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)] + "…"
