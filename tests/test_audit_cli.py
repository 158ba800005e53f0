"""``rollcall audit`` through the real entry point: exit codes, outputs, bad input, SSRF."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.cli.exitcodes import ExitCode
from scanner.cli.main import run
from scanner.sandbox import Sandbox, example_world_path, load_world

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = str(ROOT / "inventories" / "copper-kettle.yaml")
# An offline run does not make its live checks, so it is incomplete (exit 3) unless the user
# accepts that every account stays unverified: then it gates on what needs no network.
OFFLINE = [
    "audit",
    INVENTORY,
    "--offline",
    "--no-history",
    "--as-of",
    "2026-11-15",
    "--max-unverified",
    "1",
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(load_world(example_world_path())) as sb:
        yield sb


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [
        ("high", ExitCode.FINDINGS),
        ("never", ExitCode.CLEAN),
        # Offline, IDN-001 (critical) cannot be decided: it is `error`, never `fail`.
        ("critical", ExitCode.CLEAN),
    ],
)
def test_fail_on_decides_exit_code(
    fail_on: str, code: ExitCode, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*OFFLINE, "--fail-on", fail_on]) == code
    assert "Rollcall audit of Copper Kettle" in capsys.readouterr().out


def test_offline_run_is_incomplete_with_its_live_checks_not_evaluated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(OFFLINE[:-2]) == ExitCode.INCOMPLETE
    captured = capsys.readouterr()
    text = " ".join(captured.out.split())  # the table may wrap long lines at the terminal width
    summary = text[text.index("Summary:") :]
    # One account count everywhere: the undecided block, the summary line and stderr agree.
    assert "NOT EVALUATED (213 live checks on 60 accounts" in text
    assert "213 live checks not evaluated" in summary
    assert "· 60 accounts unverified · INCOMPLETE" in summary
    assert "NOT VERIFIED" not in text and " 0 accounts unverified" not in text
    assert captured.err == (
        "incomplete: the run was offline, so 213 live checks were not evaluated "
        "(60 of 60 accounts unverified, above --max-unverified 0.25)\n"
    )


def test_offline_discovery_is_refused_before_anything_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Discovery is all requests: an "offline" run that discovered would not be offline.
    assert run([*OFFLINE, "--discover"]) == ExitCode.BAD_INPUT
    captured = capsys.readouterr()
    assert "--offline sends no requests; it cannot run --discover" in captured.err
    assert captured.out == ""


def test_outputs_are_all_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    formats = ["json", "csv", "markdown", "html", "sarif", "junit", "table"]
    args = [f"--output={f}={tmp_path / ('out.' + f)}" for f in formats]
    assert run([*OFFLINE, "--format", "json", *args]) == ExitCode.FINDINGS
    printed = json.loads(capsys.readouterr().out)
    assert printed["run"]["offline"] is True
    for f in formats:
        assert (tmp_path / f"out.{f}").stat().st_size > 0, f
    assert not list(tmp_path.glob("*.tmp*")), "atomic writes leave no temporary files"


def test_unknown_output_format_is_bad_input_before_any_request(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.reset_counters()
    endpoints = [f"--endpoint={p}={u}" for p, u in sandbox.endpoints().items()]
    code = run(["audit", INVENTORY, "--no-history", "--output", "pdf=x.pdf", *endpoints])
    assert code == ExitCode.BAD_INPUT
    assert "pdf" in capsys.readouterr().err
    assert sandbox.requests == 0


def test_broken_rule_pack_is_bad_input_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "pack.yaml"
    text = (ROOT / "policies" / "default.yaml").read_text(encoding="utf-8")
    pack.write_text(text.replace("op: exists", "op: exsits", 1), encoding="utf-8")
    line = text[: text.index("op: exists")].count("\n") + 1
    assert run([*OFFLINE, "--policy", str(pack)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert f"{pack}:{line}" in err and "exists" in err
    assert "Traceback" not in err


def test_ssrf_inventory_url_is_refused_and_unverified(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for f in (ROOT / "inventories").glob("copper-kettle*"):
        shutil.copy(f, tmp_path / f.name)
    inventory = tmp_path / "copper-kettle.yaml"
    text = inventory.read_text(encoding="utf-8")
    anchor = "  - id: x-main\n    platform: x\n    handle: copperkettle\n"
    inventory.write_text(
        text.replace(anchor, anchor + "    url: http://169.254.169.254/latest/meta-data/\n"),
        encoding="utf-8",
    )
    endpoints = [f"--endpoint={p}={u}" for p, u in sandbox.endpoints().items()]
    out = tmp_path / "audit.json"
    run(
        [
            "audit",
            str(inventory),
            "--no-history",
            "--as-of",
            "2026-11-15",
            "--output",
            f"json={out}",
            "--fail-on",
            "never",
            *endpoints,
        ]
    )
    capsys.readouterr()
    report = json.loads(out.read_text(encoding="utf-8"))
    [account] = [a for a in report["accounts"] if a["id"] == "x-main"]
    assert account["observation"]["status"] == "error"
    assert account["observation"]["reason"]["code"] == "ssrf_refused"
    idn = [
        f for f in report["findings"] if f["account_id"] == "x-main" and f["rule_id"] == "IDN-001"
    ]
    assert [f["status"] for f in idn] == ["error"]


def test_bad_candidates_file_fails_before_the_crawl(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    candidates = tmp_path / "candidates.txt"
    candidates.write_text("x:copperkettle_hq\nmyspace:copperkettle\n", encoding="utf-8")
    sandbox.reset_counters()
    endpoints = [f"--endpoint={p}={u}" for p, u in sandbox.endpoints().items()]
    code = run(
        [
            "audit",
            INVENTORY,
            "--no-history",
            "--discover",
            "--candidates",
            str(candidates),
            *endpoints,
        ]
    )
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    assert f"{candidates}:2" in err
    assert sandbox.requests == 0


def test_unwritable_output_fails_before_the_crawl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    code = run([*OFFLINE, "--output", f"json={blocker / 'sub' / 'audit.json'}"])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    assert "cannot write" in err and "Traceback" not in err
