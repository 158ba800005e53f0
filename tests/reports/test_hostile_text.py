"""Every document in every format (audit, orphaned pages, discovery, review, observations),
rendered from an audit whose names, bios, links, reasons and evidence are hostile: no escape
sequence, control, bidi or zero-width character survives, and what was invisible is shown as
``<U+XXXX>``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import assert_never

import pytest

from scanner.reports import Document, ReportFormat, formats_for, formatter_for, render
from scanner.reports.orphans import build, render_orphans
from tests.reports.documents import document_of
from tests.reports.hostile import (
    BIDI,
    HOSTILE_HANDLE,
    LEAKED_PAYLOAD,
    ZERO_WIDTH,
    forbidden_in,
    forbidden_in_json,
    hostile_result,
    json_strings,
)

# Formats that show the whole bio somewhere: every hidden character must appear escaped there.
SHOWS_BIOS = {
    ReportFormat.JSON,
    ReportFormat.CSV,
    ReportFormat.MARKDOWN,
    ReportFormat.HTML,
    ReportFormat.SARIF,
    ReportFormat.JUNIT,
}

ORPHAN_FORMATS = formats_for(Document.ORPHANS)


def _marks(text: str) -> set[str]:
    return {f"U+{ord(c):04X}" for c in (*BIDI, *ZERO_WIDTH) if f"U+{ord(c):04X}" in text}


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_report_format_carries_no_hostile_character(fmt: ReportFormat) -> None:
    text = formatter_for(fmt.value).render(hostile_result(), color=False)
    match fmt:
        case ReportFormat.TABLE:
            assert forbidden_in(text, terminal=True) == []
        case ReportFormat.JSON | ReportFormat.SARIF:
            # Neither raw in the file nor inside a parsed string: a consumer printing a field is
            # as safe as someone reading the file.
            assert forbidden_in_json(text) == []
        case ReportFormat.JUNIT:
            assert forbidden_in(text) == []
            parsed = ET.fromstring(text.encode("utf-8"))
            inner = "".join(parsed.itertext()) + "".join(
                v for el in parsed.iter() for v in el.attrib.values()
            )
            assert forbidden_in(inner) == []
        case ReportFormat.CSV | ReportFormat.MARKDOWN | ReportFormat.HTML:
            assert forbidden_in(text) == []
        case _:
            assert_never(fmt)
    assert not [p for p in LEAKED_PAYLOAD if p in text], "escape sequences leave their payload"
    # Hidden characters are shown, not dropped: the reader learns the name was crafted.
    assert "U+202E" in text and "U+200B" in text
    if fmt in SHOWS_BIOS:
        assert _marks(text) == {f"U+{ord(c):04X}" for c in (*BIDI, *ZERO_WIDTH)}


@pytest.mark.parametrize("fmt", [ReportFormat.JSON, ReportFormat.SARIF])
def test_machine_formats_escape_visibly_in_the_parsed_strings(fmt: ReportFormat) -> None:
    doc = json.loads(formatter_for(fmt.value).render(hostile_result(), color=False))
    strings = list(json_strings(doc))
    assert any("copper<U+200B>kettle" in s for s in strings)
    assert any("Copper Kettle click me red" in s for s in strings), "the visible text stays"


def test_discovered_handle_reads_as_crafted_in_every_format() -> None:
    """A zero-width space makes a lookalike handle read like the real one; escaped, it cannot."""
    result = hostile_result()
    assert result.discoveries[0].handle == HOSTILE_HANDLE
    for fmt in (ReportFormat.JSON, ReportFormat.HTML):
        text = formatter_for(fmt.value).render(result, color=False)
        assert "copper" + ("&lt;" if fmt is ReportFormat.HTML else "<") + "U+200B" in text


@pytest.mark.parametrize("fmt", list(ORPHAN_FORMATS))
def test_orphan_report_carries_no_hostile_character(fmt: ReportFormat) -> None:
    text = render_orphans(build(hostile_result()), fmt.value)
    assert forbidden_in(text) == []
    if fmt is ReportFormat.JSON:
        assert forbidden_in_json(text) == []
    assert not [p for p in LEAKED_PAYLOAD if p in text]
    assert "U+202E" in text, "the hostile reason reached the report, escaped"


def test_html_does_not_link_a_url_with_hidden_characters() -> None:
    text = formatter_for("html").render(hostile_result(), color=False)
    assert 'href="https://copperkettle.coffee/&lt;U+202E&gt;' not in text
    assert "gpj.exe" in text, "shown as text instead"


OTHER = [
    (d, f)
    for d in (Document.DISCOVERY, Document.REVIEW, Document.OBSERVATIONS, Document.ACCESS)
    for f in formats_for(d)
]


@pytest.mark.parametrize(("document", "fmt"), OTHER, ids=[f"{d}-{f}" for d, f in OTHER])
def test_other_documents_carry_no_hostile_character(document: Document, fmt: ReportFormat) -> None:
    text = render(document, document_of(document, hostile_result()), fmt.value)
    match fmt:
        case ReportFormat.TABLE:
            assert forbidden_in(text, terminal=True) == []
        case ReportFormat.JSON | ReportFormat.SARIF:
            assert forbidden_in_json(text) == []
        case ReportFormat.JUNIT:
            parsed = ET.fromstring(text.encode("utf-8"))
            inner = "".join(parsed.itertext()) + "".join(
                v for el in parsed.iter() for v in el.attrib.values()
            )
            assert forbidden_in(text) == [] and forbidden_in(inner) == []
        case ReportFormat.CSV | ReportFormat.MARKDOWN | ReportFormat.HTML:
            assert forbidden_in(text) == []
        case _:
            assert_never(fmt)
    assert not [p for p in LEAKED_PAYLOAD if p in text], "escape sequences leave their payload"
    assert "U+202E" in text, "the hostile text reached the document, escaped"
