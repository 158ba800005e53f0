"""The demo end to end: its findings equal the example organization's planted problems, both ways."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from scanner.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
PLANTED = yaml.safe_load((ROOT / "inventories" / "copper-kettle-planted.yaml").read_text())
DISCOVERY_RULES = {"DSC-001", "DSC-002", "INV-002"}
WAIVER_RULES = {"WVR-001", "WVR-002"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    return out, report, result.output


def _by_account(report: dict[str, Any], status: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for f in report["findings"]:
        rule = f["rule_id"]
        if f["status"] == status and rule not in DISCOVERY_RULES | WAIVER_RULES:
            found[f["account_id"]].add(rule)
    return found


def test_every_planted_problem_is_found_and_nothing_else(demo: Any) -> None:
    _, report, _ = demo
    found = _by_account(report, "fail")
    expected = {k: set(v) for k, v in PLANTED["findings"].items()}
    missing = {
        a: sorted(r - found.get(a, set())) for a, r in expected.items() if r - found.get(a, set())
    }
    extra = {
        a: sorted(r - expected.get(a, set()))
        for a, r in found.items()
        if r - expected.get(a, set())
    }
    assert not missing, f"planted but not found: {missing}"
    assert not extra, f"found but not planted: {extra}"
    assert {a["id"] for a in report["accounts"]} == set(expected)


def test_waivers_and_expiry_warnings(demo: Any) -> None:
    _, report, _ = demo
    waived = dict(_by_account(report, "waived"))
    assert waived == {k: set(v) for k, v in PLANTED["waived"].items()}
    warned = {f["account_id"] for f in report["findings"] if f["rule_id"] == "WVR-002"}
    assert warned == set(PLANTED["warnings"])


def test_discoveries_equal_the_planted_pages(demo: Any) -> None:
    _, report, _ = demo
    classified = {
        f"{d['platform']}:{d['handle']}": d["classification"]
        for d in report["discoveries"]
        if d["classification"] not in ("unrelated", "unverified")
    }
    assert classified == PLANTED["discoveries"]
    duplicates = {f["account_id"] for f in report["findings"] if f["rule_id"] == "INV-002"}
    planted_pairs = PLANTED["inventory_duplicates"]
    assert duplicates and all(any(a in pair for pair in planted_pairs) for a in duplicates), (
        duplicates
    )


def test_demo_writes_every_report_and_a_history(demo: Any) -> None:
    out, report, output = demo
    for name in (
        "audit.html",
        "audit.json",
        "audit.md",
        "audit.csv",
        "audit.sarif",
        "audit.junit.xml",
        "orphans.md",
        "orphans.html",
        "orphans.csv",
        "history.sqlite",
    ):
        assert (out / name).stat().st_size > 0, name
    assert report["run"]["complete"] is True
    assert "Copper Kettle Coffee Roasters" in output
    assert "127.0.0.1" in report["accounts"][0]["observation"]["url"]
