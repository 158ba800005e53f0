"""`rollcall rules list|explain` and `rollcall policy validate` on good input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.cli.main import run
from scanner.policy import default_pack_path, load_policy


def test_rules_list_shows_every_default_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rules", "list"]) == 0
    out = capsys.readouterr().out
    for rule in load_policy(default_pack_path()).rules:
        assert rule.id in out
    assert "WVR-001" in out and "WVR-002" in out


def test_rules_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rules", "list", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_id = {row["id"]: row for row in data}
    assert by_id["IDN-001"]["severity"] == "critical"
    assert by_id["ACT-001"]["params"] == {"inactivity_days": 90}
    assert by_id["IDN-005"]["statuses"] == ["retired"]


def test_rules_explain_renders_the_condition_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rules", "explain", "own-003"]) == 0
    out = capsys.readouterr().out
    assert "OWN-003  Owner is permanent staff" in out
    assert "Why:" in out and "Compliant when:" in out
    assert "ANY of:" in out
    assert "the owner's role (owner.role) is 'employee'" in out
    assert "References:" in out and "ISO/IEC 27001:2022 A.5.9" in out
    assert "Example:" in out


def test_rules_explain_says_zero_days_as_before_the_audit_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["rules", "explain", "ACT-003"]) == 0
    out = capsys.readouterr().out
    assert "the owner's end date (owner.end_date) is before the audit date" in out
    assert "more than 0 days" not in out


def test_rules_explain_shows_params_and_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rules", "explain", "ACT-001"]) == 0
    out = capsys.readouterr().out
    assert "inactivity_days = 90" in out
    assert "90 ($params.inactivity_days)" in out
    assert run(["rules", "explain", "INV-001"]) == 0
    assert "duplicate_entries" in capsys.readouterr().out
    assert run(["rules", "explain", "WVR-001"]) == 0
    assert "Waiver expired" in capsys.readouterr().out


def test_rules_explain_unknown_id_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rules", "explain", "OWN-08"]) == 2
    assert "did you mean" in capsys.readouterr().err


def test_rules_list_with_an_org_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        "name: org\n"
        "rules:\n"
        "  - id: ORG-001\n"
        "    title: Tagged accounts have a URL\n"
        "    severity: info\n"
        "    category: inventory\n"
        "    rationale: r\n"
        "    scope: {tags: [brand]}\n"
        "    assert: {field: url, op: exists}\n"
        "    message: m\n"
        "    remediation: x\n"
        "overrides:\n  rules:\n    ACT-001: {severity: medium}\n",
        encoding="utf-8",
    )
    assert run(["rules", "list", "--policy", str(default_pack_path()), "--policy", str(org)]) == 0
    out = capsys.readouterr().out
    assert "ORG-001" in out and "tagged brand" in out
    assert any(line.startswith("ACT-001") and "medium" in line for line in out.splitlines())
    assert run(["policy", "validate", str(default_pack_path()), str(org)]) == 0
    assert "2 packs valid: 31 rules" in capsys.readouterr().out


def test_waivers_need_an_inventory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    waivers = tmp_path / "w.yaml"
    waivers.write_text("waivers: []\n", encoding="utf-8")
    assert run(["policy", "validate", "--waivers", str(waivers)]) == 2
    assert "--inventory" in capsys.readouterr().err


def test_example_organization_waivers_validate(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[2] / "inventories"
    code = run(
        [
            "policy",
            "validate",
            "--waivers",
            str(root / "copper-kettle-waivers.yaml"),
            "--inventory",
            str(root / "copper-kettle.yaml"),
            "--as-of",
            "2026-11-15",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "2 waivers" in captured.out


def test_readme_override_example_is_valid(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "policies" / "README.md").read_text(
        encoding="utf-8"
    )
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    pack = tmp_path / "my-org.yaml"
    pack.write_text(block.split("rules:\n  - id: ORG-001")[0], encoding="utf-8")
    policy = load_policy([default_pack_path(), pack])
    assert policy.params("discovery.rogue_threshold") == 90
    assert policy.params("ACT-001.inactivity_days") == 45
    assert policy.params("ACT-002.retirement_days") == 365
    assert policy.rule("IDN-002") is None
    assert policy.lists["vanity_metrics"][-1] == "impressions"
