"""Every command that produces a document takes ``--output FORMAT=PATH`` for exactly the formats
its document offers: an unknown format, or a path whose ending names a format the command does
not write, is bad input (exit 2) with a message naming the choices, before any request."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.cli.main import run
from scanner.reports import Document, format_names

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = str(ROOT / "inventories" / "copper-kettle.yaml")
REQUEST = str(ROOT / "inventories" / "copper-kettle.yaml")  # never read: the flags fail first

COMMANDS = {
    "audit": (["audit", INVENTORY], Document.AUDIT),
    "observe": (["observe", INVENTORY], Document.OBSERVATIONS),
    "discover": (["discover", INVENTORY], Document.DISCOVERY),
    "review": (["review", REQUEST, "--inventory", INVENTORY], Document.REVIEW),
    "report orphans": (["report", "orphans", INVENTORY], Document.ORPHANS),
    "access": (["access", INVENTORY], Document.ACCESS),
}


def _fails(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = run(args)
    _, err = capsys.readouterr()
    assert code == 2, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_unknown_output_format_is_bad_input_naming_the_choices(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, document = COMMANDS[command]
    err = _fails([*args, "--output", f"pdf={tmp_path / 'x.pdf'}"], capsys)
    assert "unknown format 'pdf'" in err
    assert f"one of {', '.join(format_names(document))}" in err
    assert list(tmp_path.iterdir()) == [], "nothing was written"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_unknown_stdout_format_is_bad_input(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args, _ = COMMANDS[command]
    err = _fails([*args, "--format", "pdf"], capsys)
    assert "'pdf' is not one of" in err


def test_a_path_naming_a_format_the_command_does_not_write_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The orphaned-page report has no SARIF: a table written to `orphans.sarif` would pass for
    # one. (FORMAT=PATH says what the file is; a bare path's ending must agree with the command.)
    args, document = COMMANDS["report orphans"]
    err = _fails([*args, "--output", str(tmp_path / "orphans.sarif")], capsys)
    assert "names the sarif format, which this command does not write" in err
    assert ", ".join(format_names(document)) in err
