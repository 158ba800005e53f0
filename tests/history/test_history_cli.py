"""`rollcall history list|show|diff`, table and JSON, through the click group itself.

Errors surface as Rollcall exceptions, which the root (scanner/cli/main.py) maps to exit codes:
InputError (unknown run, missing file, bad flags) → 2, HistoryError (a RunError) → 4.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from scanner.cli.exitcodes import ExitCode
from scanner.cli.history import command
from scanner.cli.main import run as main_run
from scanner.errors import HistoryError, InputError, RunError, SourceError, UsageError
from scanner.history import HistoryStore, default_path
from scanner.model import Severity

from . import builders as b


def run(argv: list[str]) -> int:
    assert argv[0] == "history"
    result = command.main(args=argv[1:], prog_name="rollcall history", standalone_mode=False)
    assert isinstance(result, int)
    return result


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, Path]:
    inv_path = tmp_path / "copper-kettle.yaml"
    inv = b.inventory(inv_path, 6)
    keep = b.finding(inv.accounts[0], "OWN-002")
    fixed = b.finding(inv.accounts[1], "ACT-001", severity=Severity.MEDIUM)
    added = b.finding(inv.accounts[2], "IDN-001", severity=Severity.CRITICAL)
    db = default_path(inv_path)
    with HistoryStore.open(db) as store:
        store.record(b.result(inv, b.T0, [keep, fixed]))
        store.record(b.result(inv, b.T0 + timedelta(days=7), [keep, added]))
    return db, inv_path


def test_list_table_and_json(
    history: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, inv_path = history
    assert run(["history", "list", "--inventory", str(inv_path), "--wide"]) == 0
    out = capsys.readouterr().out
    assert "RUN" in out and "copper-kettle.yaml" in out and "high=1" in out

    assert run(["history", "list", "--history", str(db), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in data] == [1, 2]
    assert data[1]["open_by_severity"]["critical"] == 1
    assert data[0]["observations"]["blocked"] == 1


def test_show(history: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db, _ = history
    assert run(["history", "show", "2", "--history", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("run 2: complete")
    assert "IDN-001" in out and "OWN-002" in out

    assert run(["history", "show", "1", "--history", str(db), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["run"]["run_id"] == 1
    assert len(data["observations"]) == 6
    assert {f["rule_id"] for f in data["findings"]} == {"OWN-002", "ACT-001"}


def test_diff(history: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db, _ = history
    assert run(["history", "diff", "1", "2", "--history", str(db)]) == 0
    out = capsys.readouterr().out
    assert "1 new, 1 resolved, 1 still open" in out
    assert run(["history", "diff", "1", "2", "--history", str(db), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f["rule_id"] for f in data["new"]] == ["IDN-001"]
    assert [f["rule_id"] for f in data["resolved"]] == ["ACT-001"]
    assert [f["rule_id"] for f in data["still_open"]] == ["OWN-002"]


def test_errors(
    history: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, inv_path = history
    with pytest.raises(UsageError, match="no run 9"):
        run(["history", "show", "9", "--history", str(db)])
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    with pytest.raises(UsageError, match="run `rollcall audit INVENTORY` first, or give --history"):
        run(["history", "list"])
    with pytest.raises(UsageError, match="not both"):
        run(["history", "list", "--history", str(db), "--inventory", str(inv_path)])
    with pytest.raises(SourceError, match="no history database here"):
        run(["history", "list", "--history", str(tmp_path / "missing.db")])

    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"\x00garbage that is no SQLite header" * 200)
    with pytest.raises(HistoryError, match="not a SQLite database") as info:
        run(["history", "list", "--history", str(corrupt)])
    # A RunError, not an InputError: the CLI gives it its own exit code (below).
    assert isinstance(info.value, RunError) and not isinstance(info.value, InputError)


def test_an_unusable_history_database_exits_4_not_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"\x00garbage that is no SQLite header" * 200)
    inventory = Path(__file__).parents[2] / "inventories" / "copper-kettle.yaml"
    for argv in (
        ["history", "list", "--history", str(corrupt)],
        ["audit", str(inventory), "--offline", "--history", str(corrupt)],
    ):
        assert main_run(argv) == ExitCode.STORAGE == 4
        err = capsys.readouterr().err
        assert err.startswith("rollcall: storage: ") and "not a SQLite database" in err
        assert "Traceback" not in err


def test_show_and_diff_strip_terminal_escapes_from_stored_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A stored message can quote a fetched bio; an OSC sequence would retitle the terminal.
    inv = b.inventory(tmp_path / "copper-kettle.yaml", 2)
    hostile = replace(
        b.finding(inv.accounts[0], "PRF-001"),
        message="bio reads \x1b]0;pwned\x07\x1b[31mred\x1b[0m",
    )
    db = tmp_path / "h.db"
    with HistoryStore.open(db) as store:
        store.record(b.result(inv, b.T0, []))
        store.record(b.result(inv, b.T0 + timedelta(days=1), [hostile]))
    assert run(["history", "show", "2", "--history", str(db)]) == 0
    assert run(["history", "diff", "1", "2", "--history", str(db)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "bio reads red" in out


def test_without_flags_uses_the_one_default_database_below_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rollcall history show 2` where `rollcall audit inventories/x.yaml` was run finds
    inventories/x.rollcall.db: the file audit wrote by default (README, history section)."""
    folder = tmp_path / "inventories"
    folder.mkdir()
    inv = b.inventory(folder / "copper-kettle.yaml", 3)
    with HistoryStore.open(default_path(folder / "copper-kettle.yaml")) as store:
        store.record(b.result(inv, b.T0, [b.finding(inv.accounts[0], "OWN-002")]))
        store.record(b.result(inv, b.T0 + timedelta(days=7), []))
    monkeypatch.chdir(tmp_path)
    assert run(["history", "show", "2"]) == 0
    assert capsys.readouterr().out.startswith("run 2: complete")
    assert run(["history", "diff", "1", "2"]) == 0
    assert "0 new, 1 resolved, 0 still open" in capsys.readouterr().out

    # A second history beside it: the command does not guess, it names both.
    other = b.inventory(tmp_path / "other.yaml", 1)
    with HistoryStore.open(default_path(tmp_path / "other.yaml")) as store:
        store.record(b.result(other, b.T0, []))
    with pytest.raises(UsageError, match=r"2 history databases found \(other.rollcall.db, "):
        run(["history", "list"])
    assert run(["history", "list", "--inventory", "other.yaml"]) == 0


@pytest.mark.parametrize("command_name", ["audit", "report orphans"])
def test_a_run_the_history_cannot_record_still_writes_its_reports(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command_name: str,
) -> None:
    # The crawl is done when the store fails (a full disk, a locked file): the reports are
    # written and printed first, then the storage failure is exit 4 with its own message.
    def full_disk(self: HistoryStore, result: object) -> int:
        raise HistoryError(f"{self.path}: database or disk is full")

    monkeypatch.setattr(HistoryStore, "record", full_disk)
    inventory = Path(__file__).parents[2] / "inventories" / "copper-kettle.yaml"
    report = tmp_path / "report.json"
    argv = [
        *command_name.split(),
        str(inventory),
        "--offline",
        "--as-of",
        "2026-11-15",
        "--history",
        str(tmp_path / "h.db"),
        "--output",
        f"json={report}",
    ]
    assert main_run(argv) == ExitCode.STORAGE
    out, err = capsys.readouterr()
    assert "disk is full" in err and "Traceback" not in err
    assert out.strip()  # the terminal report was printed
    assert json.loads(report.read_text(encoding="utf-8"))  # and the file written
