"""Reports: one formatter per format behind ``interface.Formatter``, plus the orphaned-page report
(``scanner.reports.orphans``) for the social media policy owner. ``humanize`` writes values for
people (it lives in ``scanner.humanize`` so the policy's messages can use it too)."""

from __future__ import annotations

from scanner import humanize
from scanner.reports import csv_report, html_report, json_report, junit, markdown, sarif, table
from scanner.reports.interface import (
    FORMATTERS,
    Formatter,
    ReportFormat,
    atomic_write,
    check_writable,
    file_suffix,
    formatter_for,
    register,
    write_outputs,
    write_text_atomic,
)

__all__ = [
    "FORMATTERS",
    "REPORT_FORMATS",
    "Formatter",
    "ReportFormat",
    "atomic_write",
    "check_writable",
    "file_suffix",
    "formatter_for",
    "humanize",
    "register",
    "write_outputs",
    "write_text_atomic",
]

# The modules above register themselves on import; this names them for linters.
_BUILTIN = (csv_report, html_report, json_report, junit, markdown, sarif, table)

REPORT_FORMATS: list[str] = [f.value for f in ReportFormat]
"""Format names in ReportFormat order (for click.Choice)."""
