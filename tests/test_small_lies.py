"""The issue's "small lies", each through the real CLI: ``--output`` with a ``FORMAT=`` it does
not know or a folder that does not exist, input paths that are folders, devices or pipes, a bad
override blamed on the default pack, and temporary files a killed run leaves behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scanner.cli.main import run
from scanner.errors import OutputError, SourceError
from scanner.inputfile import PathKind, kind_message, path_kind, read_input
from scanner.policy import default_pack_path
from scanner.reports import interface
from scanner.reports.interface import atomic_write, remove_stale_temp_files
from tests.subprocess_cli import NO_HANG_SECONDS, run_cli

HOSTILE = Path(__file__).parent / "hostile_inputs"


@pytest.fixture
def org(tmp_path: Path) -> Path:
    """A valid inventory and roster in a fresh folder; returns the inventory."""
    for name in ("_inventory.yaml", "_roster.csv", "_request.yaml"):
        shutil.copy(HOSTILE / name, tmp_path / name)
    return tmp_path / "_inventory.yaml"


_cli = run_cli


# --------------------------------------------------------------------------- --output


def _output_commands(inventory: Path) -> dict[str, list[str]]:
    """Every command with --output, run without a request leaving this machine. Offline, the
    audit is incomplete unless --max-unverified accepts that; the orphans report has no such
    flag, so it ends 3 (incomplete), its file written all the same."""
    return {
        "audit": ["audit", str(inventory), "--offline", "--no-history", "--max-unverified", "1"],
        "report orphans": ["report", "orphans", str(inventory), "--offline", "--no-history"],
        "review": [
            "review",
            str(inventory.parent / "_request.yaml"),
            "--inventory",
            str(inventory),
            "--offline",
        ],
        # --output is parsed before anything is observed, so this never fetches.
        "discover": ["discover", str(inventory), "--max-candidates", "0"],
    }


COMMANDS = ["audit", "report orphans", "review", "discover"]
_OFFLINE_ORPHANS = 3
"""An offline orphans report could not check activity: incomplete (see ``_output_commands``)."""


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_format_prefix_is_refused_naming_the_known_ones(
    command: str, org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = org.parent / "out" / "x.csv"
    code = run([*_output_commands(org)[command], "--output", f"cvs={target}"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "unknown format 'cvs'" in err
    assert "csv" in err or "json" in err  # the formats this command writes are named
    assert not (org.parent / "out").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_output_folder_is_refused_not_created(
    command: str, org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fmt = "csv" if command == "report orphans" else "json"
    target = org.parent / "no-such-folder" / f"report.{fmt}"
    code = run([*_output_commands(org)[command], "--output", f"{fmt}={target}"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "does not exist; create it first" in err
    assert not target.parent.exists()


def test_report_orphans_format_prefix_writes_the_named_file(
    org: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The issue: exit 0 and a file `x.csv` inside a new folder `csv=out/`.
    (org.parent / "out").mkdir()
    monkeypatch.chdir(org.parent)
    code = run([*_output_commands(org)["report orphans"], "--output", "csv=out/x.csv"])
    assert code == _OFFLINE_ORPHANS, capsys.readouterr().err
    assert not Path("csv=out").exists()
    assert Path("out/x.csv").read_text(encoding="utf-8").startswith("rank,")
    # Like every command's --output (issue 17): the file as well as --format on stdout.
    assert capsys.readouterr().out.startswith("Orphaned pages:")


def test_report_orphans_missing_folder_is_bad_input(
    org: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(org.parent)
    code = run([*_output_commands(org)["report orphans"], "--output", "csv=out/x.csv"])
    assert code == 2
    assert "folder 'out' does not exist" in capsys.readouterr().err
    assert not Path("out").exists() and not Path("csv=out").exists()


@pytest.mark.parametrize(
    ("command", "name", "starts"),
    [
        ("audit", "audit.sarif", '{\n  "$schema"'),
        ("audit", "audit.junit.xml", "<?xml"),
        ("report orphans", "orphans.html", "<!DOCTYPE html>"),
        ("review", "review.json", "{"),
    ],
)
def test_plain_path_takes_the_format_its_ending_names(
    command: str, name: str, starts: str, org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = org.parent / name
    code = run([*_output_commands(org)[command], "--output", str(target)])
    expected = (_OFFLINE_ORPHANS,) if command == "report orphans" else (0, 1)
    assert code in expected, capsys.readouterr().err
    assert target.read_text(encoding="utf-8").startswith(starts)


def test_plain_path_without_a_known_ending_takes_the_format_flag(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = org.parent / "orphans.report"
    args = [*_output_commands(org)["report orphans"], "--format", "csv", "--output", str(target)]
    assert run(args) == _OFFLINE_ORPHANS, capsys.readouterr().err
    assert target.read_text(encoding="utf-8").startswith("rank,")


def test_output_that_is_a_folder_or_a_fifo_is_refused(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = org.parent / "pipe.json"
    os.mkfifo(fifo)
    for target, why in ((org.parent, "is a folder"), (fifo, "named pipe or socket")):
        code = run([*_output_commands(org)["audit"], "--output", f"json={target}"])
        assert code == 2
        assert why in capsys.readouterr().err


# --------------------------------------------------------------------------- input path kinds


def _roster_points_at(inventory: Path, target: Path) -> Path:
    text = inventory.read_text(encoding="utf-8").replace("_roster.csv", str(target))
    changed = inventory.with_name("pointing.yaml")
    changed.write_text(text, encoding="utf-8")
    return changed


def test_each_path_kind_has_its_own_message(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert path_kind(tmp_path) is PathKind.DIRECTORY
    assert path_kind(fifo) is PathKind.FIFO
    assert path_kind("/dev/zero") is PathKind.DEVICE
    assert path_kind(tmp_path / "nope") is PathKind.MISSING
    assert path_kind(tmp_path / "nope" / "deeper") is PathKind.MISSING
    messages = {kind_message(k) for k in PathKind if k is not PathKind.FILE}
    assert len(messages) == len(PathKind) - 1


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("folder", "is a folder; expected a file"),
        ("device", "is a device, not a file"),
        ("fifo", "is a named pipe (FIFO), not a file"),
        ("missing", "not found"),
    ],
)
def test_roster_path_kind_is_named_and_nothing_hangs(kind: str, message: str, org: Path) -> None:
    targets = {
        "folder": org.parent / "a-folder",
        "device": Path("/dev/zero"),
        "fifo": org.parent / "a-fifo.csv",
        "missing": org.parent / "no-such.csv",
    }
    target = targets[kind]
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)  # nobody writes to it: opening it for reading would block forever
    proc = _cli(["validate", str(_roster_points_at(org, target))], cwd=org.parent)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output
    assert "pointing.yaml:4" in output  # the roster line of the inventory
    assert message in output
    if kind != "missing":
        assert "not found" not in output


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{fifo}"],
        ["validate", "/dev/zero"],
        ["policy", "validate", "{fifo}"],
        ["policy", "validate", "/dev/zero"],
        ["policy", "validate", "--waivers", "{fifo}", "--inventory", "_inventory.yaml"],
        ["review", "{fifo}", "--inventory", "_inventory.yaml", "--offline"],
        ["audit", "_inventory.yaml", "--offline", "--no-history", "--config", "/dev/zero"],
        ["sandbox", "serve", "{fifo}"],
    ],
    ids=[
        "inventory-fifo",
        "inventory-zero",
        "pack-fifo",
        "pack-zero",
        "waivers",
        "request",
        "config",
        "world",
    ],
)
def test_no_input_is_read_from_a_pipe_or_device(args: list[str], org: Path) -> None:
    fifo = org.parent / "input.yaml"
    os.mkfifo(fifo)
    proc = _cli([a.replace("{fifo}", str(fifo)) for a in args], cwd=org.parent)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output
    assert "named pipe (FIFO)" in output or "is a device" in output


def test_unreadable_file_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, for whom file modes do not stop a read: make the check answer no.
    target = tmp_path / "roster.csv"
    target.write_text("email\n", encoding="utf-8")
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert path_kind(target) is PathKind.UNREADABLE
    with pytest.raises(SourceError, match="cannot be read \\(permission denied\\)"):
        read_input(target, max_bytes=100)


def test_read_stops_at_the_limit_even_if_the_file_grows(tmp_path: Path) -> None:
    target = tmp_path / "big.yaml"
    target.write_bytes(b"x" * 101)
    with pytest.raises(Exception, match="expected at most 100 bytes"):
        read_input(target, max_bytes=100)
    assert read_input(target, max_bytes=101) == b"x" * 101


# --------------------------------------------------------------------------- overrides


def test_bad_override_is_reported_against_the_organizations_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = tmp_path / "ours.yaml"
    ours.write_text("name: ours\noverrides:\n  params:\n    attest_days: -5\n", encoding="utf-8")
    code = run(["policy", "validate", str(default_pack_path()), str(ours)])
    err = capsys.readouterr().err
    assert code == 2
    (row,) = [r for r in err.splitlines() if r.startswith("error:")]
    assert row.startswith(f"error: {ours}:4: param 'attest_days' does not fit rule OWN-007")
    assert "expected a whole number of days (0 or more), got the number -5" in row
    assert f"{default_pack_path()}:" in row  # where the rule uses it, as context


# --------------------------------------------------------------------------- temporary files


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _aged(path: Path) -> Path:
    path.write_text("partial", encoding="utf-8")
    old = time.time() - 3600
    os.utime(path, (old, old))
    return path


def test_stale_temp_files_of_dead_runs_are_removed_on_write(tmp_path: Path) -> None:
    dead = _aged(tmp_path / f".audit.json.rollcall-tmp-{_dead_pid()}-0a1b2c3d.tmp")
    alive = _aged(tmp_path / f".audit.json.rollcall-tmp-{os.getppid()}-0a1b2c3d.tmp")
    fresh = tmp_path / f".audit.json.rollcall-tmp-{_dead_pid()}-0a1b2c3e.tmp"
    fresh.write_text("newer than this process", encoding="utf-8")
    other = _aged(tmp_path / ".audit.json.x1y2z3.tmp")  # not ours: never touched
    atomic_write(tmp_path / "audit.json", "{}\n")
    assert not dead.exists()
    assert alive.exists(), "a running process's write in progress is left alone"
    assert fresh.exists(), "only files older than this process are stale"
    assert other.exists()
    assert (tmp_path / "audit.json").read_text(encoding="utf-8") == "{}\n"
    assert remove_stale_temp_files(tmp_path / "missing") == []


def test_a_failed_write_removes_its_own_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write(tmp_path / "audit.json", "{}\n")
    assert list(tmp_path.iterdir()) == []


def test_temp_file_of_a_killed_run_is_cleaned_by_the_next_run(org: Path) -> None:
    out = org.parent / "reports"
    out.mkdir()
    # A run killed with SIGKILL between writing its temporary file and renaming it.
    stuck = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, time\n"
            "from scanner.reports import interface\n"
            "os.replace = lambda a, b: time.sleep(60)\n"
            f"interface.atomic_write({str(out / 'audit.json')!r}, 'partial')\n",
        ]
    )
    try:
        deadline = time.monotonic() + NO_HANG_SECONDS
        while not list(out.glob(".audit.json.rollcall-tmp-*.tmp")):
            assert time.monotonic() < deadline, "the stuck writer never wrote"
            time.sleep(0.05)
    finally:
        stuck.send_signal(signal.SIGKILL)
        stuck.wait()
    assert len(list(out.glob(".audit.json.rollcall-tmp-*.tmp"))) == 1
    proc = _cli(
        [*_output_commands(org)["audit"], "--output", f"json={out / 'audit.json'}"],
        cwd=org.parent,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["audit.json"]


def test_temp_names_are_recognisable() -> None:
    name = interface._temp_path(Path("."), Path("audit.json")).name
    assert interface._TEMP_NAME.match(name)
    assert name.startswith(".audit.json.rollcall-tmp-")
