"""The CLI's promises: every command has help and is in the README; exit codes are stable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scanner import __version__
from scanner.cli.exitcodes import ExitCode
from scanner.cli.main import cli, run

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    # list_commands/get_command, not .commands: the top group loads its commands lazily.
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        full = f"{prefix}{name}"
        found.append((full, cmd))
        if isinstance(cmd, click.Group):
            found.extend(_commands(cmd, f"{full} "))
    return found


ALL = _commands(cli)


@pytest.mark.parametrize(("name", "cmd"), ALL, ids=[n for n, _ in ALL])
def test_every_command_has_help_and_is_documented(name: str, cmd: click.Command) -> None:
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert (cmd.help or "").strip(), f"{name} has no help text"
    top = name.split()[0]
    assert f"rollcall {top}" in README, f"`rollcall {top}` is not in the README"


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


HEAVY = ("numpy", "rapidfuzz", "httpx")


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_do_not_load_the_audit_stack(args: list[str]) -> None:
    # A fresh interpreter: this test process has imported everything already.
    probe = (
        "import sys\n"
        "from scanner.cli.main import run\n"
        f"code = run({args!r})\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print('LOADED', loaded, code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "LOADED [] 0" in proc.stdout, proc.stdout


def test_help_lists_every_command_with_its_own_short_help() -> None:
    # The lazy listing reads help from source; it must say what the loaded command says.
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = dict(
        re.findall(r"^  (\S+)\s+(.+)$", result.output.split("Commands:")[1], re.MULTILINE)
    )
    ctx = click.Context(cli)
    assert set(listed) == set(cli.list_commands(ctx))
    for name, short in listed.items():
        cmd = cli.get_command(ctx, name)
        assert cmd is not None
        assert short.rstrip(".") in cmd.get_short_help_str(200), name


def test_python_dash_m_runs_without_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scanner", "validate", "does-not-exist.yaml"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == ExitCode.BAD_INPUT
    assert "does-not-exist.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_unknown_flag_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "--no-such-flag"]) == ExitCode.BAD_INPUT


def test_every_exit_code_is_in_the_readme() -> None:
    table = README.split("### Exit codes", 1)[1]
    for code in ExitCode:
        assert re.search(rf"^\| {code.value} \|", table, re.M), code


def test_quickstart_is_two_commands_and_ci_runs_the_test_one_verbatim() -> None:
    quick = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)\n```", quick, re.S)
    assert len(blocks) == 2 and all("\n" not in b for b in blocks), blocks
    assert "rollcall demo" in blocks[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1] in ci


def test_readme_demo_output_is_real(tmp_path: Path) -> None:
    block = README.split("$ rollcall demo\n", 1)[1].split("```", 1)[0].strip()
    result = CliRunner().invoke(cli, ["demo", "--output-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert block in result.output


def test_demo_into_an_unwritable_folder_is_bad_input_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert run(["demo", "--output-dir", str(blocker / "sub")]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "cannot write" in err
    assert "Traceback" not in err
