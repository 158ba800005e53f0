"""The demo end to end: its findings equal the example organization's planted problems, both ways."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from scanner.cli.main import cli
from scanner.sandbox import DEMO_CREDENTIALS, Sandbox, example_world_path, load_world
from tests.subprocess_cli import run_cli

ROOT = Path(__file__).resolve().parent.parent
PLANTED = yaml.safe_load((ROOT / "inventories" / "copper-kettle-planted.yaml").read_text())
DISCOVERY_RULES = {"DSC-001", "DSC-002", "DSC-003", "DSC-004", "INV-002", "ACC-008"}
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


def test_controlled_accounts_missing_from_the_inventory_equal_the_planted_ones(
    demo: Any,
) -> None:
    """ACC-008 (issue 13): found with certainty from the credentials' own asset lists, in both
    directions, each with the listing that proves it."""
    _, report, _ = demo
    found = [f for f in report["findings"] if f["rule_id"] == "ACC-008"]
    assert {f"{f['platform']}:{f['handle']}" for f in found} == set(PLANTED["controlled_unlisted"])
    assert all(f["status"] == "fail" and f["evidence"]["via"] == "owned_pages" for f in found)


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


API_PLATFORMS = ("facebook", "instagram", "x", "linkedin", "tiktok", "threads", "youtube")


def test_demo_credentials_reveal_the_last_activity_on_every_api_platform(demo: Any) -> None:
    _, report, _ = demo
    present = [
        a
        for a in report["accounts"]
        if a["platform"] in API_PLATFORMS
        and (a["observation"] or {}).get("status") == "present"
        # A page outside the credential's reach (ACC-007) is seen only through its public page.
        and ((a["observation"] or {}).get("reason") or {}).get("code") != "api_out_of_reach"
    ]
    for platform in API_PLATFORMS:
        mine = [a for a in present if a["platform"] == platform]
        known = [a for a in mine if a["observation"]["last_activity_at"]]
        assert mine and len(known) >= 0.95 * len(mine), (platform, len(known), len(mine))
        # Seen through the owner API (the sandbox serves each under its endpoint name).
        apis = ("/meta-graph/", "/x-api/", "/linkedin-api/", "/tiktok-api/", "/threads-graph/")
        apis += ("/youtube-api/",)
        assert all(any(p in a["observation"]["url"] for p in apis) for a in mine), platform


def test_silent_and_intern_era_pages_are_found_on_the_brand_platforms(demo: Any) -> None:
    # The heart of the product, on the platforms only the owner APIs can date: silent pages
    # (ACT-001) on each, and pages gone quiet when their intern or contractor left (ACT-003).
    _, report, _ = demo
    platform_of = {a["id"]: a["platform"] for a in report["accounts"]}
    firing: dict[str, set[str]] = defaultdict(set)
    for f in report["findings"]:
        if f["status"] == "fail" and f["rule_id"] in ("ACT-001", "ACT-003"):
            firing[f["rule_id"]].add(platform_of[f["account_id"]])
    assert {"facebook", "instagram", "x", "linkedin", "tiktok"} <= firing["ACT-001"]
    assert {"instagram", "tiktok"} <= firing["ACT-003"]


def test_an_account_the_credential_cannot_reach_is_judged_by_its_public_page(demo: Any) -> None:
    # The Meta token's Business Managers do not list the retired ig-summer2025: the API cannot
    # tell, so its public page decides (gone, as planted), and the reason says why.
    _, report, _ = demo
    (summer,) = [a for a in report["accounts"] if a["id"] == "ig-summer2025"]
    observation = summer["observation"]
    assert observation["status"] == "absent"
    assert observation["reason"]["code"] == "api_out_of_reach"
    assert "observed through its public page instead" in observation["reason"]["text"]


def test_demo_with_an_expired_and_a_missing_token(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "demo",
            "--output-dir",
            str(tmp_path),
            "--expired-token",
            "ROLLCALL_META_TOKEN",
            "--without-token",
            "ROLLCALL_X_TOKEN",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    by_platform: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in report["accounts"]:
        if a["observation"]:
            by_platform[a["platform"]].append(a["observation"])
    meta = by_platform["facebook"] + by_platform["instagram"]
    assert meta and all(o["status"] == "error" for o in meta)
    assert all(o["reason"]["code"] == "credential_invalid" for o in meta)
    crd = [f for f in report["findings"] if f["rule_id"] == "CRD-001" and f["status"] == "fail"]
    assert len(crd) == 1, crd
    # Without the X token the public pages decide, and none of them is called absent for it.
    assert all(o["status"] != "absent" for o in by_platform["x"])
    assert "sandbox-meta-token" not in (tmp_path / "audit.json").read_text(encoding="utf-8")


def _audit_args(endpoints: dict[str, str], out: Path) -> list[str]:
    flags = [f for p, url in endpoints.items() for f in ("--endpoint", f"{p}={url}")]
    inventory = str(ROOT / "inventories" / "copper-kettle.yaml")
    return [
        "audit",
        inventory,
        *flags,
        "--as-of",
        "2026-11-15",
        "--no-history",
        "--output",
        f"json={out}",
    ]


def test_a_named_credential_without_any_config_is_observed_publicly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for env in DEMO_CREDENTIALS:
        monkeypatch.delenv(env, raising=False)
    out = tmp_path / "audit.json"
    with Sandbox(load_world(example_world_path())) as sandbox:
        result = CliRunner().invoke(cli, _audit_args(sandbox.endpoints(), out))
    assert result.exit_code != 2, result.output
    accounts = {a["id"]: a for a in json.loads(out.read_text(encoding="utf-8"))["accounts"]}
    for named in ("tt-baristas", "tt-pdx", "th-seattle", "th-pdx"):
        observation = accounts[named]["observation"]
        assert observation["status"] != "absent"
        assert "is not configured" in observation["reason"]["text"], observation


def test_a_config_without_the_named_credential_is_bad_input(tmp_path: Path) -> None:
    config = tmp_path / "rollcall.toml"
    config.write_text('[credentials.tiktok-barista]\napi = "tiktok-api"\nenv = "TT_B"\n')
    args = _audit_args({}, tmp_path / "audit.json") + ["--config", str(config)]
    result = run_cli(args, tmp_path)
    assert result.returncode == 2, result.stderr
    assert re.search(r"copper-kettle\.yaml:\d+: account tt-baristas", result.stderr)
    assert "did you mean 'tiktok-barista'?" in result.stderr
