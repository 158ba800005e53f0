"""Hostile-text hygiene for every people-facing output: fetched names, bios and links are written
by strangers. One function per medium; every renderer and every CLI printer goes through here.

Each medium has its own dangers: terminals obey escape sequences and C0/C1 controls, spreadsheets
run formulas, XML 1.0 forbids most control characters, Markdown renders HTML and pings ``@people``.
All of them are fooled by bidirectional controls and zero-width characters ("Trojan Source",
CVE-2021-42574; a zero-width space makes ``copper<ZWSP>kettle`` look like ``copperkettle``).

Invisible characters are *visibly escaped*, never silently removed, in every medium, JSON and
SARIF included: ``<U+202E>``. A report is evidence for someone judging impersonation, and an
invisible character in a name is itself a finding; removing it would make a lookalike read exactly
like the real name. The same rule holds for a zero-width joiner inside an emoji sequence: it is
shown as ``<U+200D>`` too, because it cannot be told apart from a hostile one in a single field.
The bytes the platform really sent survive only in the observation's ``body_sha256`` digest (and
in the history store, which is storage, not output). Control characters and escape sequences are
removed: they carry no text a reader needs.
"""

from __future__ import annotations

import html
import re

from scanner.model import JSON

__all__ = [
    "INVISIBLE",
    "clean_text",
    "csv_cell",
    "hidden",
    "html_text",
    "json_safe",
    "json_text",
    "markdown_text",
    "show_invisible",
    "strip_terminal",
    "truncate",
    "xml_text",
]

# ECMA-48 escape sequences, 7-bit and 8-bit (C1) forms. Removing them keeps their payload off the
# page; any introducer left over (an unterminated sequence) is a control character and goes with
# the control-character pass that always follows, so no live sequence can survive either way.
# - string sequences: OSC (ESC ] / 0x9D: window titles, OSC 8 hyperlinks, clipboard writes), DCS
#   (ESC P / 0x90), SOS (ESC X / 0x98), PM (ESC ^ / 0x9E), APC (ESC _ / 0x9F), ended by BEL, ST
#   (ESC \) or 0x9C. The payload may not contain another introducer, which keeps the scan linear
#   on a name made of thousands of introducers.
# - CSI (ESC [ / 0x9B) with parameter and intermediate bytes and a final byte (colours, cursor).
# - any other escape: ESC, intermediate bytes, a final byte (charset selection, DECALN, RIS).
_ESCAPE = re.compile(
    r"(?:\x1b[P\]X^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b[ -/]*[0-~]"
)
# Every C0 control, DEL and every C1 control (0x80-0x9F: 8-bit terminals read them as ESC forms).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same, sparing tab, LF and CR: line structure a JSON or XML encoder writes escaped.
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\t]")

INVISIBLE = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
"""Characters that change how text reads without showing themselves: the Arabic letter mark, the
Mongolian vowel separator, zero-width space/non-joiner/joiner, the LRM/RLM marks, bidi embeddings
and overrides (U+202A-202E), word joiner and invisible operators (U+2060-2064), bidi isolates
(U+2066-2069), the deprecated format controls (U+206A-206F) and the zero-width no-break space
(BOM, U+FEFF)."""

# XML 1.0 Char production: everything outside it (C0 controls bar tab/LF/CR, surrogates,
# U+FFFE/U+FFFF) makes a document ill-formed, so it is removed rather than escaped.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Cells a spreadsheet would read as a formula (OWASP "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A handle in the platform's own "@name" form, nothing else (see csv_cell).
_PLAIN_HANDLE = re.compile(r"@[\w.\-@]+")
# Inline-significant Markdown punctuation; every value is written mid-line, so line-start markers
# (#, -, +, 1.) cannot take effect and are left alone for readability.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")


def clean_text(value: str) -> str:
    """Text safe for any encoder: lone surrogates (unencodable in UTF-8) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def show_invisible(value: str) -> str:
    """Every invisible character written as its code point, e.g. ``<U+202E>``."""
    return INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)


def _neutral(value: str, controls: re.Pattern[str]) -> str:
    """The steps every medium shares: encodable, no escape sequences, no ``controls``, invisible
    characters shown. Controls go after sequences: cutting a sequence out can join two fragments
    into a new one, and without its ESC or C1 introducer no fragment can act."""
    text = _ESCAPE.sub("", clean_text(value))
    return show_invisible(controls.sub("", text))


def strip_terminal(value: str) -> str:
    """For terminals: no escape sequence, no control character (newlines and tabs become spaces
    so one value stays on one line), invisible characters shown."""
    return _neutral(_LINE_BREAK.sub(" ", value), _CONTROL)


def json_text(value: str) -> str:
    """For JSON and SARIF strings: like the terminal, but tab, LF and CR are kept (the encoder
    escapes them, and a bio's line breaks are part of what it says)."""
    return _neutral(value, _CONTROL_BUT_LINES)


def json_safe(value: JSON) -> JSON:
    """A JSON value with every string, keys included, passed through :func:`json_text`; order is
    kept. Whatever prints or writes JSON built from fetched data applies it to the whole document,
    so no field can be forgotten."""
    if isinstance(value, str):
        return json_text(value)
    if isinstance(value, dict):
        return {json_text(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def xml_text(value: str) -> str:
    """For XML: :func:`json_text`, then what XML 1.0 forbids (U+FFFE, U+FFFF) removed."""
    return _XML_INVALID.sub("", json_text(value))


def html_text(value: str) -> str:
    """For HTML text and attribute values: :func:`xml_text`, markup and quotes escaped."""
    return html.escape(xml_text(value), quote=True)


def csv_cell(value: str, *, handle: bool = False) -> str:
    """For spreadsheets: one line, no escapes or controls, invisible characters shown, and a cell
    that would start a formula gets a leading apostrophe so Excel, LibreOffice and Sheets show it
    as text.

    ``handle=True`` (the handle column only) keeps a handle in its platform's own ``@name`` form
    (YouTube, TikTok, Mastodon: ``@copperkettleschool``, ``@name@instance``) as it is, so joins by
    handle work: ``@`` followed only by letters, digits, ``_``, ``.``, ``-`` and ``@`` names no
    function, operator, reference or DDE target, so it cannot compute or run anything. Any other
    cell starting with ``@`` (``@SUM(A1)``) is guarded as usual."""
    text = _ESCAPE.sub("", clean_text(value))
    if handle and _PLAIN_HANDLE.fullmatch(text):
        return text
    # Decide on the raw text: a leading tab or CR is itself a trigger, and is removed below.
    risky = text.lstrip(" ").startswith(_FORMULA_START)
    text = _neutral(re.sub(r"[\t\r\n]+", " ", text), _CONTROL)
    if risky or text.lstrip().startswith(_FORMULA_START):
        return "'" + text
    return text


def markdown_text(value: str) -> str:
    """For Markdown (a GitHub PR comment): the terminal's cleaning, HTML neutralized, Markdown
    punctuation backslash-escaped, and ``@`` written as an entity so a bio cannot ping anyone."""
    text = strip_terminal(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "&#64;")


def hidden(value: str) -> bool:
    """True when ``value`` holds anything a reader would not see: an escape sequence, a control
    character other than tab/LF/CR, or an invisible character (a link made of such text is not
    offered as a link)."""
    return json_text(value) != value


def truncate(value: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis, never inside a visible escape."""
    if len(value) <= limit:
        return value
    cut = value[: max(limit - 1, 0)]
    start = cut.rfind("<U+", max(len(cut) - len("<U+10FFFF>"), 0))
    if start != -1 and ">" not in cut[start:]:
        cut = cut[:start]
    return cut + "…"
