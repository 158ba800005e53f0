"""Discovery asks the imported long-tail sites about the brand's handles (issue 14, item 4),
over real sockets to the generated sites' local server: a present handle is listed (owner
unknown), absent ones counted, a WAF or login-wall site is unverified and never absent."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.cli.main import run
from scanner.inventory import load_inventory
from scanner.model import Inventory, ObservationStatus, Reason, SiteHit
from scanner.platforms.sites import load_sites, sites_path
from scanner.policy import default_pack_path, load_policy
from scanner.policy.builtin import rule_info
from scanner.reports import Document, format_names, render
from scanner.reports.json_report import report_schema
from scanner.runs.discover import DiscoveryResult
from scanner.runs.longtail import SITE_RULE, brand_handles, site_finding, site_pairs
from scanner.sandbox import Sandbox, load_world
from tests.platforms.sites import world

COUNT = 21
"""Sites 0 (WAF) and 10 (login wall) cannot answer; ``alice`` exists on every third site."""

INVENTORY = """\
organization:
  name: Alice
  aliases: [ALICE Co]
  domains: [alice.example]
  roster: roster.csv
  approved_platforms: [x]
accounts:
  - id: x-main
    platform: x
    handle: alice
    display_name: Alice
    status: active
    department: Marketing
    owner: ada@alice.example
  - id: x-help
    platform: x
    handle: Alice_Help
    display_name: Alice Help
    status: active
    department: Support
    owner: ada@alice.example
"""

WORLD = """\
name: alice
as_of: 2026-11-15
accounts:
  - {platform: x, handle: alice, display_name: Alice}
  - {platform: x, handle: Alice_Help, display_name: Alice Help}
"""

ROSTER = """\
email,name,department,role,status,start_date,end_date,policy_acknowledged
ada@alice.example,Ada Quill,Marketing,employee,active,2020-01-06,,2026-01-10
"""

PACE = "[limits.default]\nconcurrency = 16\nmin_interval = 0\n"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with world.serve() as url:
        yield url


@pytest.fixture
def org(tmp_path: Path) -> Path:
    (tmp_path / "pace.toml").write_text(PACE)
    (tmp_path / "world.yaml").write_text(WORLD)
    (tmp_path / "roster.csv").write_text(ROSTER)
    path = tmp_path / "alice.yaml"
    path.write_text(INVENTORY)
    world.HEALED.clear()
    return path


def _import(org: Path, base: str) -> None:
    assert run(["sites", "import", str(world.wmn_file(org.parent / "w.json", COUNT, base))]) == 0


def _discover(org: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> Any:
    flags = ["--allow-private-network", "--config", str(org.parent / "pace.toml")]
    code = run(["discover", str(org), "--max-candidates", "0", "--format", "json", *flags, *extra])
    out, err = capsys.readouterr()
    assert code == 0, err  # DSC-005 is info: below the default --fail-on high
    return json.loads(out)


def _index(site: str) -> int:
    found = re.search(r":Site (\d+)$", site)
    assert found, site
    return int(found[1])


def test_brand_handles_are_aliases_then_inventoried_names_each_once(org: Path) -> None:
    assert brand_handles(load_inventory(org)) == ("alice", "aliceco", "alice_help")


def test_at_most_max_site_handles_per_site_and_only_ones_the_site_can_have(
    org: Path, base: str
) -> None:
    _import(org, base)
    sites = load_sites(sites_path()).usable()
    assert len(site_pairs(["a", "b", "c", "d"], sites, 3)) == 3 * COUNT
    strict = [s.__class__(**{**s.__dict__, "handle_pattern": "^[a-z]+$"}) for s in sites[:1]]
    assert [h for _, h in site_pairs(["a_b", "c", "d"], strict, 1)] == ["c"]


def test_discover_lists_present_counts_absent_and_never_reads_a_waf_absent(
    org: Path, base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(org, base)
    capsys.readouterr()
    doc = _discover(org, capsys)
    answers = doc["sites"]
    assert len(answers) == 3 * COUNT  # three brand handles (the default cap) on every site
    for a in answers:
        i = _index(a["site"])
        if world.mode(i) != "ok":
            assert a["state"] == "blocked", a  # a WAF or login wall: unverified, never absent
        else:
            expected = "present" if world.exists(i, a["handle"]) else "absent"
            assert a["state"] == expected, a
    present = {(_index(a["site"]), a["handle"]) for a in answers if a["state"] == "present"}
    assert present == {(i, "alice") for i in range(COUNT) if i % 3 == 0 and world.mode(i) == "ok"}
    blocked = 3 * sum(world.mode(i) != "ok" for i in range(COUNT))
    assert doc["summary"]["sites"] == {
        "asked": 3 * COUNT,
        "present": len(present),
        "absent": 3 * COUNT - len(present) - blocked,
        "unverified": blocked,
    }
    dsc = [f for f in doc["findings"] if f["rule_id"] == "DSC-005"]
    assert len(dsc) == len(present) and {f["severity"] for f in dsc} == {"info"}
    assert "(owner unknown): check by hand" in dsc[0]["message"]
    # The evidence names the URL whose answer decided, beside the page people open.
    assert all(f["evidence"]["fetched_url"].startswith("http://127.0.0.1") for f in dsc)
    assert not any(d for d in doc["discoveries"])  # never classified rogue or unlisted


def test_table_and_markdown_show_a_long_tail_part(
    org: Path, base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(org, base)
    flags = ["--allow-private-network", "--config", str(org.parent / "pace.toml")]
    md = org.parent / "d.md"
    args = ["discover", str(org), "--max-candidates", "0", "--wide", *flags]
    args += ["--output", f"markdown={md}"]
    assert run(args) == 0
    table = capsys.readouterr().out.split("w.json;", 1)[1]
    assert "Long-tail sites: Asked 21 sites about 3 brand handles: 6 present" in table
    assert "registered here (owner unknown)" in table
    assert "login page" in table  # an unverified site is listed with its reason
    text = md.read_text()
    assert "## Long-tail sites" in text and "| present | whatsmyname:Site 3 |" in text


def test_no_sites_skips_them_and_without_a_list_nothing_changes(
    org: Path, base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _discover(org, capsys)  # nothing imported: no site asked, no new key
    assert "sites" not in before and "sites" not in before["summary"]
    assert run(["discover", str(org), "--max-candidates", "0", "--sites"]) == 2
    assert "no site list imported yet" in capsys.readouterr().err
    _import(org, base)
    capsys.readouterr()
    assert _discover(org, capsys, "--no-sites") == before


def test_max_site_handles_is_a_validated_pack_param(
    org: Path, base: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = default_pack_path().read_text(encoding="utf-8")
    assert "max_site_handles: 3 " in shipped
    pack = tmp_path / "pack.yaml"
    pack.write_text(shipped.replace("max_site_handles: 3 ", "max_site_handles: 1 "))
    assert load_policy([pack]).params("discovery.max_site_handles") == 1
    _import(org, base)
    capsys.readouterr()
    doc = _discover(org, capsys, "--policy", str(pack))
    assert {a["handle"] for a in doc["sites"]} == {"alice"} and len(doc["sites"]) == COUNT
    pack.write_text(shipped.replace("max_site_handles: 3 ", "max_site_handles: -1 "))
    assert run(["discover", str(org), "--max-candidates", "0", "--policy", str(pack)]) == 2
    assert "max_site_handles" in capsys.readouterr().err


def test_audit_discover_carries_the_sites_in_json_and_html(
    org: Path, base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(org, base)
    html = org.parent / "a.html"
    flags = ["--allow-private-network", "--config", str(org.parent / "pace.toml")]
    capsys.readouterr()
    with Sandbox(load_world(org.parent / "world.yaml")) as sandbox:
        for platform, url in sandbox.endpoints().items():
            flags += ["--endpoint", f"{platform}={url}"]
        args = ["audit", str(org), "--discover", "--max-candidates", "1", "--no-history"]
        run([*args, "--format", "json", "--output", f"html={html}", *flags])
    out, err = capsys.readouterr()
    assert out.startswith("{"), err
    doc = json.loads(out)
    jsonschema.Draft202012Validator(report_schema()).validate(doc)
    present = [a for a in doc["sites"] if a["state"] == ObservationStatus.PRESENT.value]
    assert len(present) == 6 and {a["handle"] for a in present} == {"alice"}
    assert 'id="long-tail-sites"' in html.read_text() and "Long-tail sites" in html.read_text()
    assert run(["audit", str(org), "--sites", "--offline", "--no-history"]) == 2
    assert "add --discover" in capsys.readouterr().err


def _hostile_result(inv: Inventory) -> DiscoveryResult:
    at = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
    hits = (
        SiteHit("alice", "whatsmyname:Forum", ObservationStatus.PRESENT, "http://f.test/a", at),
        SiteHit("alice", "sherlock:Absent", ObservationStatus.ABSENT, "http://a.test/alice", at),
        SiteHit(
            "alice",
            "whatsmyname:Walled\x1b[31m",
            ObservationStatus.BLOCKED,
            "http://w.test/alice",
            at,
            "login_wall:status:200",
            Reason("login_wall", '=HYPERLINK("x") Walled showed a login page\x1b[2J'),
        ),
    )
    info = rule_info(SITE_RULE, None)
    findings = (site_finding(hits[0], info, inv),)
    return DiscoveryResult((), findings, 0, (info,), hits)


def test_every_format_shows_the_long_tail_part_sanitized(org: Path) -> None:
    result = _hostile_result(load_inventory(org))
    outputs = {f: render(Document.DISCOVERY, result, f) for f in format_names(Document.DISCOVERY)}
    assert "\x1b" not in "".join(outputs.values())
    summary = "Asked 3 sites about 1 brand handle: 1 present, 1 absent, 1 unverified"
    assert f"Long-tail sites: {summary}" in outputs["table"]
    assert "sherlock:Absent" not in outputs["table"]  # absent answers are only counted
    assert "## Long-tail sites" in outputs["markdown"]
    rows = list(csv.reader(io.StringIO(outputs["csv"])))
    assert [r[3] for r in rows[1:]] == ["site_present", "site_blocked"]
    assert not rows[2][7].startswith("=")  # the formula guard
    doc = json.loads(outputs["json"])
    assert [a["state"] for a in doc["sites"]] == ["present", "absent", "blocked"]
    sarif = json.loads(outputs["sarif"])["runs"][0]
    assert [(r["ruleId"], r["level"]) for r in sarif["results"]] == [("DSC-005", "note")]
    assert "DSC-005" in outputs["junit"]
