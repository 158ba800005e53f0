"""One rendering interface for every document: each (document, format) pair renders, machine
formats parse, SARIF validates with severities mapped to levels, and the writer is shared."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import assert_never

import pytest

from scanner.errors import UsageError
from scanner.reports import (
    RENDERERS,
    Document,
    ReportFormat,
    file_suffix,
    formats_for,
    render,
    renderer_for,
    write_documents,
)
from tests.reports.builders import audit_result
from tests.reports.documents import discovery_of, document_of, review_of
from tests.reports.test_sarif import _validate

PAIRS = sorted(
    RENDERERS, key=lambda k: (list(Document).index(k[0]), list(ReportFormat).index(k[1]))
)
# The formats each document offers: a change here is a change to every command's --output.
OFFERED = {
    Document.AUDIT: set(ReportFormat),
    Document.OBSERVATIONS: {"table", "json", "csv", "markdown"},
    Document.DISCOVERY: {"table", "json", "csv", "markdown", "sarif", "junit"},
    Document.REVIEW: {"table", "json", "markdown", "sarif", "junit"},
    Document.ORPHANS: {"table", "json", "csv", "markdown", "html"},
    Document.CREDENTIALS: {"table", "json"},
    Document.ACCESS: {"table", "json", "csv"},
}


@pytest.mark.parametrize("document", list(Document))
def test_every_document_has_a_table_and_the_formats_that_fit_it(document: Document) -> None:
    assert set(formats_for(document)) == OFFERED[document]
    assert ReportFormat.TABLE in formats_for(document)


@pytest.mark.parametrize(("document", "fmt"), PAIRS, ids=[f"{d}-{f}" for d, f in PAIRS])
def test_every_renderer_renders_a_well_formed_document(
    document: Document, fmt: ReportFormat
) -> None:
    text = render(document, document_of(document, audit_result()), fmt.value)
    assert text.endswith("\n") and "\x00" not in text
    match fmt:
        case ReportFormat.JSON | ReportFormat.SARIF:
            assert json.loads(text)
        case ReportFormat.JUNIT:
            assert ET.fromstring(text.encode("utf-8")).tag == "testsuites"
        case ReportFormat.CSV:
            rows = list(csv.reader(io.StringIO(text, newline="")))
            assert len(rows) > 1 and len({len(r) for r in rows}) == 1
        case ReportFormat.TABLE | ReportFormat.MARKDOWN | ReportFormat.HTML:
            assert text.strip()
        case _:
            assert_never(fmt)


@pytest.mark.parametrize("document", [Document.DISCOVERY, Document.REVIEW])
def test_findings_documents_write_valid_sarif_with_levels_by_severity(document: Document) -> None:
    doc = json.loads(render(document, document_of(document, audit_result()), "sarif"))
    _validate(doc)
    results = doc["runs"][0]["results"]
    assert results, "the fixture's findings reach the log"
    levels = {r["level"] for r in results}
    assert "error" in levels and levels - {"error"}, f"not everything is an error: {levels}"
    for r in results:
        if r["properties"]["severity"] in {"low", "info"}:
            assert r["level"] in {"note", "none"}


def test_discovery_sarif_and_junit_carry_every_finding() -> None:
    result = discovery_of(audit_result())
    sarif = json.loads(render(Document.DISCOVERY, result, "sarif"))
    listed = [f for f in result.findings if f.status.value != "pass"]
    assert len(sarif["runs"][0]["results"]) == len(listed)
    assert sarif["runs"][0]["tool"]["driver"]["name"] == "rollcall discover"
    root = ET.fromstring(render(Document.DISCOVERY, result, "junit").encode("utf-8"))
    assert int(root.attrib["tests"]) == len(result.findings)
    failed = sum(1 for f in result.findings if f.status.value == "fail")
    assert int(root.attrib["failures"]) == failed


def test_review_junit_fails_blocking_reasons_and_errors_unverified_ones() -> None:
    result = review_of(audit_result())
    root = ET.fromstring(render(Document.REVIEW, result, "junit").encode("utf-8"))
    reasons = [r for item in result.items for r in item.reasons]
    assert int(root.attrib["tests"]) == len(reasons)
    assert int(root.attrib["failures"]) == sum(1 for r in reasons if r.effect.value == "blocks")
    assert int(root.attrib["errors"]) == sum(1 for r in reasons if r.effect.value == "unverified")


def test_a_format_a_document_does_not_offer_names_the_document_and_suggests() -> None:
    with pytest.raises(UsageError, match="unknown orphans report format 'sarif'; expected one of"):
        renderer_for(Document.ORPHANS, "sarif")
    with pytest.raises(UsageError, match="did you mean 'junit'"):
        renderer_for(Document.REVIEW, "junti")


def test_write_documents_writes_several_formats_at_once(tmp_path: Path) -> None:
    result = review_of(audit_result())
    pairs = [(f.value, tmp_path / f"review{file_suffix(f)}") for f in formats_for(Document.REVIEW)]
    written = write_documents(Document.REVIEW, result, pairs)
    assert written == [p for _, p in pairs]
    for fmt, path in pairs:
        assert path.read_text(encoding="utf-8") == render(Document.REVIEW, result, fmt)


def test_write_documents_checks_every_format_before_writing(tmp_path: Path) -> None:
    result = discovery_of(audit_result())
    with pytest.raises(UsageError):
        write_documents(
            Document.DISCOVERY,
            result,
            [("json", tmp_path / "d.json"), ("html", tmp_path / "d.html")],
        )
    assert list(tmp_path.iterdir()) == []
