"""One run reports every problem of an inventory and its roster, sorted by line: a value YAML
cannot build (a date that does not exist, a forbidden tag) no longer hides the others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.cli.exitcodes import ExitCode
from scanner.cli.main import run
from scanner.errors import ValidationError
from scanner.inventory import load_inventory

INVENTORY = """\
organization:
  name: Example Org
  domains: [example.org]
  roster: roster.yaml
accounts:
  - id: x-main
    platform: x
    handle: example
    status: active
    created: 2026-02-30
  - id: ig-main
    platform: instagram
    handle: example
    status: actve
  - id: fb-main
    platform: facebook
    handle: example.page
    status: active
    last_attested: 2026-13-01
    departmnt: Marketing
  - id: gh-main
    platform: github
    status: active
  - id: tt-main
    platform: tiktok
    handle: !!python/object/apply:os.system ["echo pwned"]
    status: active
    owner: not-an-email
    security: {mfa: maybe}
    metrics: [sign-ups, 2026-02-29, replies]
"""

ROSTER = """\
people:
  - email: ana@example.org
    name: Ana
    role: employee
    status: active
    start_date: 2021-02-29
  - email: ben@example.org
    name: Ben
    role: manager
    status: active
"""

# line: what the problem on it says (one problem per line, nothing else)
EXPECTED_INVENTORY = {
    10: "bad YAML value '2026-02-30'",
    14: "accounts[1].status: expected one of active, planned, retired, got 'actve'",
    19: "bad YAML value '2026-13-01'",
    20: "accounts[2].departmnt: unknown key",
    21: "accounts[3].handle: missing",
    26: "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    28: "accounts[4].owner: expected an email address",
    29: "accounts[4].security.mfa: expected true or false, got 'maybe'",
    30: "bad YAML value '2026-02-29'",
}
EXPECTED_ROSTER = {
    6: "bad YAML value '2021-02-29'",
    9: "people[1].role: expected one of",
}


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    (tmp_path / "roster.yaml").write_text(ROSTER, encoding="utf-8")
    path = tmp_path / "inventory.yaml"
    path.write_text(INVENTORY, encoding="utf-8")
    return path


def test_every_problem_is_reported_together(inventory: Path) -> None:
    with pytest.raises(ValidationError) as info:
        load_inventory(inventory)
    problems = info.value.problems
    by_file: dict[str, dict[int, str]] = {}
    for p in problems:
        assert p.line is not None, p
        assert p.line not in by_file.setdefault(p.file, {}), f"two problems on one line: {p}"
        by_file[p.file][p.line] = str(p)
    roster = str(inventory.parent / "roster.yaml")
    assert set(by_file) == {str(inventory), roster}
    for file, expected in ((str(inventory), EXPECTED_INVENTORY), (roster, EXPECTED_ROSTER)):
        assert sorted(by_file[file]) == sorted(expected), by_file[file]
        for line, fragment in expected.items():
            assert fragment in by_file[file][line]


def test_the_cli_prints_them_sorted_by_line_and_exits_2(
    inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["validate", str(inventory)])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    assert "Traceback" not in err
    located = re.findall(rf"^error: {re.escape(str(inventory))}:(\d+):", err, re.MULTILINE)
    assert [int(n) for n in located] == sorted(EXPECTED_INVENTORY)
    total = len(EXPECTED_INVENTORY) + len(EXPECTED_ROSTER)
    assert f"rollcall: {total} problems found; nothing was run" in err
