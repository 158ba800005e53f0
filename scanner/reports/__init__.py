"""Reports: every document Rollcall produces (audit, observations, discovery, review, orphaned
pages) renders through one registry (``interface``), one module per document family; ``humanize``
writes values for people (in ``scanner.humanize`` so the policy's messages can use it too)."""

from __future__ import annotations

from scanner import humanize
from scanner.reports import (
    access,
    credentials,
    csv_report,
    discovery,
    html_report,
    json_report,
    junit,
    markdown,
    observations,
    orphans,
    review,
    sarif,
    table,
)
from scanner.reports.interface import (
    RENDERERS,
    Document,
    Formatter,
    Renderer,
    ReportFormat,
    atomic_write,
    check_writable,
    file_suffix,
    formats_for,
    formatter_for,
    register,
    render,
    renderer_for,
    write_documents,
    write_outputs,
    write_text_atomic,
)

__all__ = [
    "RENDERERS",
    "REPORT_FORMATS",
    "Document",
    "Formatter",
    "Renderer",
    "ReportFormat",
    "atomic_write",
    "check_writable",
    "file_suffix",
    "format_names",
    "formats_for",
    "formatter_for",
    "humanize",
    "register",
    "render",
    "renderer_for",
    "write_documents",
    "write_outputs",
    "write_text_atomic",
]

# The modules above register their renderers on import; this names them for linters.
_BUILTIN = (
    access,
    credentials,
    csv_report,
    discovery,
    html_report,
    json_report,
    junit,
    markdown,
    observations,
    orphans,
    review,
    sarif,
    table,
)


def format_names(document: Document) -> list[str]:
    """The format names ``document`` renders in, in ReportFormat order (for click.Choice)."""
    return [f.value for f in formats_for(document)]


REPORT_FORMATS: list[str] = format_names(Document.AUDIT)
"""The audit's format names (every format)."""
