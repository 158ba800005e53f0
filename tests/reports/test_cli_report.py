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

    def fake_execute_audit(options: Any, config: Any, progress: Any = None) -> Any:
        seen.append((options, config))
        return audit_result()

    monkeypatch.setattr(report_cli, "execute_audit", fake_execute_audit)
    return seen


def test_a_table_on_stdout_by_default(calls: list[Any]) -> None:
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
        env={"COLUMNS": "80"},
    )
    assert out.exit_code == 0, out.output
    assert out.output.startswith("Orphaned pages: Copper Kettle Coffee Roasters (as of 2026-11-15)")
    assert "&lt;" not in out.output and "**" not in out.output  # no Markdown on a terminal
    assert max(len(line) for line in out.output.splitlines()) <= 80
    ((options, config),) = calls
    assert options.inventory == Path("inv.yaml") and options.offline is True
    assert str(options.as_of) == "2026-11-15"
    assert config.endpoints["x"] == "http://127.0.0.1:9/x"


def test_markdown_only_when_asked(calls: list[Any]) -> None:
    out = CliRunner().invoke(report_cli.command, ["orphans", "inv.yaml", "--format", "markdown"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("# Orphaned pages: Copper Kettle Coffee Roasters")


def test_wide_shows_every_column(calls: list[Any]) -> None:
    narrow = CliRunner().invoke(report_cli.command, ["orphans", "inv.yaml"], env={"COLUMNS": "80"})
    wide = CliRunner().invoke(
        report_cli.command, ["orphans", "inv.yaml", "--wide"], env={"COLUMNS": "80"}
    )
    header = [line for line in narrow.output.splitlines() if line.lstrip().startswith("# ")]
    assert "--wide shows all" in narrow.output and "department" not in header[0]
    header = [line for line in wide.output.splitlines() if line.lstrip().startswith("# ")]
    assert "--wide shows all" not in wide.output and header[0].rstrip().endswith("department")


def test_html_to_a_file(calls: list[Any], tmp_path: Path) -> None:
    target = tmp_path / "orphans.html"
    out = CliRunner().invoke(
        report_cli.command,
        ["orphans", "inv.yaml", "--format", "html", "--output", str(target), "--discover"],
    )
    assert out.exit_code == 0, out.output
    # Like every command's --output: the file is written, and --format is printed as well.
    assert target.read_text(encoding="utf-8") == out.output
    assert out.output.startswith("<!DOCTYPE html>")
    assert calls[0][0].discover is True


def test_bad_date_is_bad_input(calls: list[Any]) -> None:
    out = CliRunner().invoke(report_cli.command, ["orphans", "inv.yaml", "--as-of", "15/11/2026"])
    assert out.exit_code == 2
    assert calls == []


@pytest.fixture
def audit_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """``rollcall audit`` with its run replaced by the fixture audit."""
    from scanner.cli import audit as audit_cli
    from scanner.cli.exitcodes import ExitCode

    seen: list[Any] = []

    def fake_run_and_render(options: Any, fmt: str, *args: Any, **kwargs: Any) -> Any:
        seen.append((options, fmt))
        return audit_result(), ExitCode.FINDINGS

    monkeypatch.setattr(audit_cli, "run_and_render", fake_run_and_render)
    return seen


@pytest.mark.parametrize(
    ("fmt", "start"),
    [
        (None, "Orphaned pages: Copper Kettle Coffee Roasters (as of 2026-11-15)"),
        ("markdown", "# Orphaned pages: Copper Kettle Coffee Roasters"),
        ("html", "<!DOCTYPE html>"),
        ("csv", "rank,urgency,severity,"),
    ],
)
def test_audit_report_orphans_prints_the_format_asked(
    audit_calls: list[Any], fmt: str | None, start: str
) -> None:
    from scanner.cli import audit as audit_cli

    args = ["inv.yaml", "--report", "orphans", *(["--format", fmt] if fmt else [])]
    out = CliRunner().invoke(audit_cli.command, args, env={"COLUMNS": "120"})
    assert out.exit_code == 0, out.output  # click's runner drops the code a command returns
    assert out.output.startswith(start)
    if fmt is None:
        assert max(len(line) for line in out.output.splitlines()) <= 120


def test_audit_report_orphans_refuses_a_format_it_has_not(audit_calls: list[Any]) -> None:
    from scanner.cli import audit as audit_cli

    out = CliRunner().invoke(
        audit_cli.command, ["inv.yaml", "--report", "orphans", "--format", "sarif"]
    )
    assert out.exit_code == 2
    assert "--report orphans prints table, json, csv, markdown, html, not sarif" in out.output
    assert audit_calls == []  # refused before the audit


@pytest.mark.parametrize("wide", [False, True])
def test_a_table_file_is_laid_out_like_every_commands(
    calls: list[Any], tmp_path: Path, wide: bool
) -> None:
    """At 100 columns whatever the terminal, as the audit's table files; --wide keeps all."""
    target = tmp_path / "orphans.txt"
    args = ["orphans", "inv.yaml", "--output", str(target), *(["--wide"] if wide else [])]
    out = CliRunner().invoke(report_cli.command, args, env={"COLUMNS": "60"})
    assert out.exit_code == 0, out.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("Orphaned pages:")
    header = next(line for line in text.splitlines() if line.lstrip().startswith("# "))
    if wide:
        assert "--wide shows all" not in text and header.rstrip().endswith("department")
    else:
        assert max(len(line) for line in text.splitlines()) == 100


def test_an_offline_report_is_incomplete_unless_max_unverified_allows_it() -> None:
    # Offline, no activity can be checked: the report is still produced, but the run is
    # incomplete (exit 3, with the reason on stderr) unless the user accepts that share.
    inventory = str(Path(__file__).resolve().parents[2] / "inventories" / "copper-kettle.yaml")
    args = ["orphans", inventory, "--offline", "--no-history", "--as-of", "2026-11-15"]
    strict = CliRunner().invoke(report_cli.command, args, standalone_mode=False)
    assert strict.return_value == 3, strict.output
    assert "incomplete: the run was offline" in strict.stderr
    assert strict.stdout.startswith("Orphaned pages: Copper Kettle Coffee Roasters")
    lenient = CliRunner().invoke(
        report_cli.command, [*args, "--max-unverified", "1"], standalone_mode=False
    )
    assert lenient.return_value == 0, lenient.output
    assert lenient.stderr == ""
