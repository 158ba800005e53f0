"""``rollcall report orphans``: flags reach AuditOptions, the report lands on stdout or in a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.reports.builders import audit_result

report_cli = pytest.importorskip("scanner.cli.report", reason="needs the audit pipeline modules")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []

    def fake_run_audit(options: Any, progress: Any = None) -> Any:
        seen.append(options)
        return audit_result()

    monkeypatch.setattr(report_cli, "run_audit", fake_run_audit)
    return seen


def test_markdown_on_stdout(calls: list[Any]) -> None:
    out = CliRunner().invoke(
        report_cli.command,
        [
            "orphans",
            "inv.yaml",
            "--offline",
            "--as-of",
            "2026-11-15",
            "--endpoint",
            "x=http://127.0.0.1:9/x",
        ],
    )
    assert out.exit_code == 0, out.output
    assert out.output.startswith("# Orphaned pages: Copper Kettle Coffee Roasters")
    (options,) = calls
    assert options.inventory == Path("inv.yaml") and options.offline is True
    assert str(options.as_of) == "2026-11-15"
    assert options.fetch.endpoints["x"] == "http://127.0.0.1:9/x"


def test_html_to_a_file(calls: list[Any], tmp_path: Path) -> None:
    target = tmp_path / "orphans.html"
    out = CliRunner().invoke(
        report_cli.command,
        ["orphans", "inv.yaml", "--format", "html", "--output", str(target), "--discover"],
    )
    assert out.exit_code == 0, out.output
    assert out.output == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert calls[0].discover is True


def test_bad_date_is_bad_input(calls: list[Any]) -> None:
    out = CliRunner().invoke(report_cli.command, ["orphans", "inv.yaml", "--as-of", "15/11/2026"])
    assert out.exit_code == 2
    assert calls == []
