"""Real-life broken inventories and rosters: each one exits 2 with file:line and no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.cli.main import run

BROKEN = Path(__file__).parent / "broken"

# inventory file → (file the message must name, a fragment the message must contain)
CASES: dict[str, tuple[str, str]] = {
    "typo-key.yaml": ("typo-key.yaml", "did you mean 'owner'?"),
    "wrong-date.yaml": ("wrong-date.yaml", "expected a real date"),
    "duplicate-id.yaml": ("duplicate-id.yaml", "duplicate account id 'ig-main' (first on line 7)"),
    "duplicate-key.yaml": ("duplicate-key.yaml", "duplicate key 'owner'"),
    "tab-indent.yaml": ("tab-indent.yaml", "tab character used for indentation"),
    "unknown-platform.yaml": ("unknown-platform.yaml", "did you mean 'x'?"),
    "missing-accounts.yaml": ("missing-accounts.yaml", "accounts: missing"),
    "bom-misspelled-header.csv": ("bom-misspelled-header.csv", "unknown column 'ownr'"),
    "extra-cells.csv": ("extra-cells.csv", "row has 7 cells but the header has 6 columns"),
    "billion-laughs.yaml": ("billion-laughs.yaml", "billion laughs"),
    "python-tag.yaml": ("python-tag.yaml", "is not allowed"),
    "latin1.yaml": ("latin1.yaml", "not valid UTF-8"),
    "missing-roster.yaml": ("missing-roster.yaml", "'no-such-roster.csv' not found"),
    "empty.yaml": ("empty.yaml", "file is empty"),
    "handle-forms.yaml": ("handle-forms.yaml", "expected u/name for a user or r/name"),
    "bad-values.yaml": ("bad-values.yaml", "security.credentials: expected one of vault"),
    "bad-roster.yaml": ("bad-roster.roster.csv", "is listed twice"),
    "roster-missing-column.yaml": ("roster-missing-column.roster.csv", "missing column 'role'"),
    "bad-organization.yaml": ("bad-organization.yaml", "did you mean 'departments'?"),
    "no-companion.csv": ("no-companion.csv", "no-companion.org.yaml"),
    "account-not-mapping.yaml": ("account-not-mapping.yaml", "expected a mapping (one account)"),
    "syntax-error.yaml": ("syntax-error.yaml", "YAML syntax error"),
}


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run(["validate", str(path)])
    out, err = capsys.readouterr()
    return code, out + err


def test_every_broken_file_has_a_case() -> None:
    inventories = {
        p.name
        for p in BROKEN.iterdir()
        if not p.name.startswith("_") and ".roster." not in p.name and ".org." not in p.name
    }
    assert inventories == set(CASES)
    assert len(CASES) >= 15


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_inventory_exits_2_with_location(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    named_file, fragment = CASES[name]
    code, output = _validate(BROKEN / name, capsys)
    assert code == 2, output
    assert "Traceback" not in output
    assert re.search(rf"{re.escape(named_file)}:\d+", output), output
    assert fragment in output, output


def test_all_problems_reported_in_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, output = _validate(BROKEN / "bad-values.yaml", capsys)
    assert code == 2
    for field in (
        "status",
        "owner",
        "security.mfa",
        "security.credentials",
        "security.recovery_email",
    ):
        assert f"accounts[0].{field}: expected" in output
    assert "5 problems found" in output


def test_fifty_megabyte_inventory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "huge.yaml"
    with big.open("wb") as f:
        chunk = b"# padding line of an exported spreadsheet gone wrong\n" * 20_000
        while f.tell() < 50 * 1024 * 1024:
            f.write(chunk)
    code, output = _validate(big, capsys)
    assert code == 2
    assert "Traceback" not in output
    assert re.search(r"huge\.yaml:1\b", output), output
    assert "expected at most" in output
