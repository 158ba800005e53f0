"""The formatter registry, format names and atomic writing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.model import AuditResult
from scanner.reports import (
    RENDERERS,
    REPORT_FORMATS,
    Document,
    ReportFormat,
    atomic_write,
    file_suffix,
    format_names,
    formatter_for,
    write_outputs,
)


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_has_an_audit_renderer_and_suffix(
    fmt: ReportFormat, result: AuditResult
) -> None:
    formatter = formatter_for(fmt.value)
    assert formatter is RENDERERS[(Document.AUDIT, fmt)]
    assert file_suffix(fmt).startswith(".")
    text = formatter.render(result)
    assert text.endswith("\n")
    assert "\x00" not in text


def test_report_formats_lists_every_format() -> None:
    assert [f.value for f in ReportFormat] == REPORT_FORMATS
    assert format_names(Document.AUDIT) == REPORT_FORMATS


def test_unknown_format_suggests_the_closest() -> None:
    with pytest.raises(UsageError, match="did you mean 'sarif'"):
        formatter_for("sarf")


def test_write_outputs_writes_each_format(tmp_path: Path, result: AuditResult) -> None:
    (tmp_path / "out").mkdir()
    pairs = [(f.value, tmp_path / "out" / f"audit{file_suffix(f)}") for f in ReportFormat]
    written = write_outputs(result, pairs)
    assert written == [p for _, p in pairs]
    for fmt, path in pairs:
        assert path.read_bytes().decode("utf-8") == formatter_for(fmt).render(result, color=False)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for _, p in pairs)


def test_files_never_get_colour_even_on_a_terminal(
    tmp_path: Path, result: AuditResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    (path,) = write_outputs(result, [("table", tmp_path / "t.txt")])
    assert "\x1b[" not in path.read_text(encoding="utf-8")


def test_unknown_format_writes_nothing(tmp_path: Path, result: AuditResult) -> None:
    with pytest.raises(UsageError):
        write_outputs(result, [("json", tmp_path / "a.json"), ("pdf", tmp_path / "a.pdf")])
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old complete report", encoding="utf-8")

    def broken_replace(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # the user pressed Ctrl-C between write and rename

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "new report " * 1000)
    assert target.read_text(encoding="utf-8") == "old complete report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # temp file removed


def test_atomic_write_replaces_and_keeps_newlines(tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    atomic_write(target, "a,b\r\n1,2\r\n")
    atomic_write(target, "a,b\r\n3,4\r\n")
    assert target.read_bytes() == b"a,b\r\n3,4\r\n"


def test_atomic_write_gives_new_files_the_umask_mode_and_keeps_an_old_files_mode(
    tmp_path: Path,
) -> None:
    # mkstemp makes 0600 files; a report published for others must not silently become private.
    old = os.umask(0o022)
    try:
        fresh = atomic_write(tmp_path / "new.html", "x")
    finally:
        os.umask(old)
    assert fresh.stat().st_mode & 0o777 == 0o644
    kept = tmp_path / "kept.csv"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o640)
    atomic_write(kept, "new")
    assert kept.stat().st_mode & 0o777 == 0o640
