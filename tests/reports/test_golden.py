"""Golden files per document and format on the deterministic fixture audit (fixed times). A deliberate change
of output: regenerate with ``ROLLCALL_UPDATE_GOLDEN=1 pytest tests/reports/test_golden.py`` and
review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.reports import (
    Document,
    ReportFormat,
    file_suffix,
    formats_for,
    formatter_for,
    render,
)
from scanner.reports.orphans import build, render_orphans
from tests.reports.builders import audit_result
from tests.reports.documents import document_of

GOLDEN = Path(__file__).parent / "golden"

ORPHAN_FORMATS = formats_for(Document.ORPHANS)


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    data = text.encode("utf-8")
    if os.environ.get("ROLLCALL_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"missing golden {path}; run with ROLLCALL_UPDATE_GOLDEN=1"
    assert data.decode("utf-8") == path.read_bytes().decode("utf-8"), (
        f"{name} differs from its golden file"
    )


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_audit_report_golden(fmt: ReportFormat) -> None:
    _check(f"audit{file_suffix(fmt)}", formatter_for(fmt.value).render(audit_result(), color=False))


@pytest.mark.parametrize("fmt", list(ORPHAN_FORMATS))
def test_orphans_report_golden(fmt: ReportFormat) -> None:
    _check(f"orphans{file_suffix(fmt)}", render_orphans(build(audit_result()), fmt.value))


OTHER = [
    (d, f)
    for d in (Document.OBSERVATIONS, Document.DISCOVERY, Document.REVIEW, Document.ACCESS)
    for f in formats_for(d)
]


@pytest.mark.parametrize(("document", "fmt"), OTHER, ids=[f"{d}-{f}" for d, f in OTHER])
def test_other_document_golden(document: Document, fmt: ReportFormat) -> None:
    """The observations, discovery and review documents built from the fixture audit."""
    text = render(document, document_of(document, audit_result()), fmt.value)
    _check(f"{document.value}{file_suffix(fmt)}", text)
