"""Broken rule packs and waiver files are rejected through the CLI: exit 2, file:line, and the
"did you mean" where one applies. Each broken file's header says what is expected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.cli import policy as policy_cli
from scanner.cli.main import run
from scanner.policy import default_pack_path

from .helpers import load_fixture

HERE = Path(__file__).parent
BROKEN_PACKS = sorted((HERE / "broken").glob("*.yaml"))
BROKEN_WAIVERS = sorted((HERE / "broken_waivers").glob("*.yaml"))


def _header(path: Path) -> tuple[list[tuple[int, str]], list[str], bool]:
    expects: list[tuple[int, str]] = []
    hints: list[str] = []
    with_default = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"# expect: (\d+): (.+)$", line):
            expects.append((int(m.group(1)), m.group(2)))
        elif m := re.match(r"# expect-hint: (.+)$", line):
            hints.append(m.group(1))
        elif line.strip() == "# with: default":
            with_default = True
    assert expects, f"{path.name} has no '# expect:' header"
    return expects, hints, with_default


def test_there_are_at_least_ten_broken_packs_and_waiver_files() -> None:
    assert len(BROKEN_PACKS) >= 10
    assert len(BROKEN_WAIVERS) >= 5


@pytest.mark.parametrize("path", BROKEN_PACKS, ids=lambda p: p.stem)
def test_broken_pack_exits_2_with_file_line(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expects, hints, with_default = _header(path)
    packs = [str(default_pack_path())] if with_default else []
    code = run(["policy", "validate", *packs, str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    for line, text in expects:
        located = [row for row in err.splitlines() if f"{path}:{line}:" in row]
        assert located, f"no problem at {path.name}:{line} in:\n{err}"
        assert any(text in row for row in located), f"{text!r} not in:\n{err}"
    for hint in hints:
        assert hint in err
    assert "nothing was run" in err


@pytest.mark.parametrize("path", BROKEN_WAIVERS, ids=lambda p: p.stem)
def test_broken_waivers_exit_2_with_file_line(
    path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = load_fixture()
    monkeypatch.setattr(policy_cli, "_load_inventory", lambda p: fixture.inventory)
    expects, hints, _ = _header(path)
    code = run(
        [
            "policy",
            "validate",
            "--waivers",
            str(path),
            "--inventory",
            "inv.yaml",
            "--as-of",
            "2026-11-15",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    for line, text in expects:
        located = [row for row in err.splitlines() if f"{path}:{line}:" in row]
        assert located, f"no problem at {path.name}:{line} in:\n{err}"
        assert any(text in row for row in located), f"{text!r} not in:\n{err}"
    for hint in hints:
        assert hint in err


def test_valid_default_pack_exits_0_with_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "validate"]) == 0
    out = capsys.readouterr().out
    assert "30 rules" in out


def test_every_problem_of_a_file_is_reported_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "many.yaml"
    pack.write_text(
        "rules:\n"
        "  - id: OWN-201\n"
        "    title: A\n"
        "    severity: hgh\n"
        "    category: c\n"
        "    rationale: r\n"
        "    assert: {field: ownr, op: exists}\n"
        "    message: m\n"
        "    remediation: x\n"
        "  - id: OWN-202\n"
        "    title: B\n"
        "    severity: high\n"
        "    category: c\n"
        "    rationale: r\n"
        "    assert: {field: owner, op: exist}\n"
        "    message: m\n"
        "    remediation: x\n",
        encoding="utf-8",
    )
    assert run(["policy", "validate", str(pack)]) == 2
    err = capsys.readouterr().err
    assert f"{pack}:4:" in err and "did you mean 'high'?" in err
    assert f"{pack}:7:" in err and "did you mean 'owner'?" in err
    assert f"{pack}:15:" in err and "did you mean 'exists'?" in err
