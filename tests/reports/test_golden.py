"""Golden files per format on the deterministic fixture audit (fixed times). A deliberate change
of output: regenerate with ``ROLLCALL_UPDATE_GOLDEN=1 pytest tests/reports/test_golden.py`` and
review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.reports import ReportFormat, file_suffix, formatter_for
from scanner.reports.orphans import OrphanFormat, build, orphan_suffix, render_orphans
from tests.reports.builders import audit_result

GOLDEN = Path(__file__).parent / "golden"
ORPHAN_SUFFIX = {kind: orphan_suffix(kind) for kind in OrphanFormat}


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


@pytest.mark.parametrize("fmt", list(OrphanFormat))
def test_orphans_report_golden(fmt: OrphanFormat) -> None:
    _check(f"orphans{ORPHAN_SUFFIX[fmt]}", render_orphans(build(audit_result()), fmt.value))
