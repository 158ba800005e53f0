"""The commands that print fetched text, run end to end against a sandbox whose every page has a
hostile display name, bio and links: `observe`, `discover`, `review`, `report orphans`, `audit`
(terminal table and every --output file) and `history`. Nothing a terminal would obey, and no
bidi or zero-width character, reaches stdout or a report."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, assert_never

import pytest
import yaml

from scanner.cli.main import run
from scanner.model import Platform
from scanner.reports import Document, ReportFormat, file_suffix, formats_for
from scanner.sandbox import Sandbox, World, example_world_path, load_world
from tests.reports.hostile import (
    C1_CSI,
    C1_OSC,
    CSI_COLOUR,
    HOSTILE_LINK,
    OSC8_LINK,
    OSC_TITLE,
    forbidden_in,
    forbidden_in_json,
    json_strings,
)

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-15"

# The bidi override and the zero-width space come first, so a column cut at 30 still shows them.
PAGE_NAME = (
    f"\u202eCopper\u200b Kettle {OSC_TITLE}{OSC8_LINK} {CSI_COLOUR} bell\x07 nul\x00"
    f" {C1_CSI}{C1_OSC} \u2066iso\u2069 alm\u061c lrm\u200e rlm\u200f \u200c\u200d\u2060\ufeff"
)
PAGE_BIO = f"Coffee \u2067since\u2068 2012 \x1bPq#0;2;0;0;0\x1b\\ {PAGE_NAME}"
# What the escape sequences carried. (Not the OSC 8 target: adapters extract URLs from bios, so
# it is a legitimate entry of an observation's links, as plain text.)
PAYLOAD = ("owned-title", "c1-title", "#0;2;0")
# Roster names are typed by people and exported by HR: the orphan report prints them.
PERSON_SUFFIX = f" {OSC_TITLE}\u202e\u200b"


def _hostile_world() -> World:
    world = load_world(example_world_path())
    accounts = tuple(
        dataclasses.replace(a, display_name=PAGE_NAME, bio=PAGE_BIO, links=(HOSTILE_LINK,))
        for a in world.accounts
    )
    return dataclasses.replace(world, accounts=accounts, _index={})


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(_hostile_world()) as sb:
        yield sb


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example organization cut to its first account on each platform (one request or two
    per host keeps the runs short), with hostile roster names. Returns the inventory path."""
    folder = tmp_path_factory.mktemp("hostile-org")
    for f in (ROOT / "inventories").glob("copper-kettle*"):
        shutil.copy(f, folder / f.name)
    inventory = folder / "copper-kettle.yaml"
    data = yaml.safe_load(inventory.read_text(encoding="utf-8"))
    first: dict[str, Any] = {}
    for account in data["accounts"]:
        first.setdefault(account["platform"], account)
    assert set(first) == {p.value for p in Platform}
    data["accounts"] = list(first.values())
    data["organization"].pop("waivers", None)  # they name accounts cut above
    inventory.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    roster = folder / "copper-kettle-roster.csv"
    rows = list(csv.DictReader(io.StringIO(roster.read_text(encoding="utf-8"))))
    for row in rows:
        row["name"] += PERSON_SUFFIX
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    roster.write_text(out.getvalue(), encoding="utf-8")
    return inventory


def _endpoints(sb: Sandbox) -> list[str]:
    return [f"--endpoint={p}={url}" for p, url in sb.endpoints().items()]


def _printed(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = run(args)
    out, err = capsys.readouterr()
    assert code in (0, 1, 3), err  # findings or unverified pages are fine; bad input is not
    assert "Traceback" not in err
    assert forbidden_in(err, terminal=True) == []
    return out


def _assert_clean_terminal(out: str) -> None:
    assert forbidden_in(out, terminal=True) == []
    assert not [p for p in PAYLOAD if p in out], "escape payloads are removed"


def _assert_clean_json(out: str) -> list[str]:
    assert forbidden_in_json(out) == []
    strings = list(json_strings(json.loads(out)))
    assert not [p for s in strings for p in PAYLOAD if p in s]
    return strings


def test_observe_table(org: Path, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    out = _printed(["observe", str(org), *_endpoints(sandbox)], capsys)
    _assert_clean_terminal(out)  # wrapped to the width: cut between lines, still clean
    wide = _printed(["observe", str(org), "--wide", *_endpoints(sandbox)], capsys)
    _assert_clean_terminal(wide)
    assert "<U+202E>Copper<U+200B> Kettle" in wide, "the names were printed, made visible"


def test_observe_json(org: Path, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    out = _printed(["observe", str(org), "--format", "json", *_endpoints(sandbox)], capsys)
    strings = _assert_clean_json(out)
    assert any(s.startswith("<U+202E>Copper<U+200B> Kettle click me red") for s in strings)
    assert any("<U+2067>since<U+2068>" in s for s in strings), "bios too"


@pytest.fixture(scope="module")
def candidates(org: Path) -> Path:
    """Pages of the world outside the cut inventory: a rogue lookalike and two of ours."""
    path = org.parent / "candidates.txt"
    path.write_text(
        "x:copperkettle_hq\ngithub:copperkettle-data\nbluesky:copperkettleroastery.bsky.social\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_discover(
    fmt: str,
    org: Path,
    candidates: Path,
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["discover", str(org), "--max-candidates", "0", "--candidates", str(candidates)]
    out = _printed([*args, "--format", fmt, *_endpoints(sandbox)], capsys)
    if fmt == "json":
        strings = _assert_clean_json(out)
        assert any("<U+202E>Copper<U+200B> Kettle" in s for s in strings)
    else:
        _assert_clean_terminal(out)
        assert "x:copperkettle_hq" in out or "x,copperkettle_hq" in out
    if fmt == "csv":
        # The table shows one line of evidence (the classification); the CSV shows all of it,
        # links read from the hostile bios included.
        assert "<U+202E>gpj.exe<U+2069>" in out


def _request(folder: Path) -> Path:
    """A new X account whose handle is already taken by a page of the (hostile) world."""
    data = {
        "platform": "x",
        "handle": "CopperKettleCS",
        "display_name": "Copper Kettle Care",
        "department": "Customer Care",
        "owner": "liam.chen@copperkettle.coffee",
        "backup_owner": "sofia.rossi@copperkettle.coffee",
        "executive_sponsor": "marcus.oyelaran@copperkettle.coffee",
        "objective": "Answer order questions where customers already ask them",
        "metrics": ["response time", "resolved tickets", "repeat questions"],
        "approval_ticket": "SOC-2001",
        "justification": "Customers ask about orders on X every day.",
        "security": {
            "mfa": True,
            "credentials": "vault",
            "recovery_email": "social-admin@copperkettle.coffee",
        },
    }
    path = folder / "request.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["table", "json", "sarif"])
def test_review(fmt: str, org: Path, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["review", str(_request(org.parent)), "--inventory", str(org), "--as-of", AS_OF]
    out = _printed([*args, "--format", fmt, *_endpoints(sandbox)], capsys)
    if fmt == "table":
        _assert_clean_terminal(out)
    else:
        _assert_clean_json(out)
    # The reason quotes the live page's evidence (its bio's link), escaped.
    assert "U+202E" in out


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "csv"])
def test_report_orphans(
    fmt: str, org: Path, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "orphans", str(org), "--no-history", "--as-of", AS_OF, "--format", fmt]
    out = _printed([*args, *_endpoints(sandbox)], capsys)
    if fmt == "csv":
        out = out.replace("\r\n", "\n")
    _assert_clean_terminal(out)
    assert "U+202E" in out, "hostile roster names reached the report, escaped"


def test_audit_terminal_table_and_every_report_file(
    org: Path, sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "history.db"
    outputs = [f"--output={f.value}={tmp_path / ('audit' + file_suffix(f))}" for f in ReportFormat]
    args = ["audit", str(org), "--as-of", AS_OF, "--history", str(history), *outputs]
    out = _printed([*args, *_endpoints(sandbox)], capsys)
    _assert_clean_terminal(out)
    for fmt in ReportFormat:
        text = (tmp_path / f"audit{file_suffix(fmt)}").read_text(encoding="utf-8")
        if fmt in (ReportFormat.JSON, ReportFormat.SARIF):
            _assert_clean_json(text)
        else:
            assert forbidden_in(text) == [], fmt
            assert not [p for p in PAYLOAD if p in text], fmt
    # The JSON report carries every observed name and bio: they were there, and are escaped.
    report = (tmp_path / "audit.json").read_text(encoding="utf-8")
    assert "<U+202E>Copper<U+200B> Kettle" in report

    # The history keeps what the platforms sent; printing it goes through the sanitizer again.
    for sub in (["show", "1"], ["show", "1", "--format", "json"]):
        printed = _printed(["history", *sub, "--history", str(history)], capsys)
        if "json" in sub:
            assert "<U+202E>Copper<U+200B> Kettle" in "".join(_assert_clean_json(printed))
        else:
            _assert_clean_terminal(printed)


def _clean_file(path: Path, fmt: ReportFormat) -> None:
    text = path.read_text(encoding="utf-8")
    match fmt:
        case ReportFormat.JSON | ReportFormat.SARIF:
            assert forbidden_in_json(text) == [], path
        case ReportFormat.TABLE:
            assert forbidden_in(text, terminal=True) == [], path
        case ReportFormat.CSV | ReportFormat.MARKDOWN | ReportFormat.HTML | ReportFormat.JUNIT:
            assert forbidden_in(text) == [], path
        case _:
            assert_never(fmt)
    assert not [p for p in PAYLOAD if p in text], path


@pytest.mark.parametrize("command", ["observe", "discover", "review", "report orphans"])
def test_every_command_writes_every_format_it_offers_at_once(
    command: str,
    org: Path,
    candidates: Path,
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--output FORMAT=PATH`, once per format the document offers, in one run; each file is the
    format it names and carries nothing hostile."""
    args, document = {
        "observe": (["observe", str(org)], Document.OBSERVATIONS),
        "discover": (
            ["discover", str(org), "--max-candidates", "0", "--candidates", str(candidates)],
            Document.DISCOVERY,
        ),
        "review": (
            ["review", str(_request(org.parent)), "--inventory", str(org), "--as-of", AS_OF],
            Document.REVIEW,
        ),
        "report orphans": (
            ["report", "orphans", str(org), "--no-history", "--as-of", AS_OF],
            Document.ORPHANS,
        ),
    }[command]
    files = {f: tmp_path / f"out{file_suffix(f)}" for f in formats_for(document)}
    outputs = [f"--output={f.value}={path}" for f, path in files.items()]
    _printed([*args, *outputs, *_endpoints(sandbox)], capsys)
    for fmt, path in files.items():
        _clean_file(path, fmt)
        if fmt in {ReportFormat.JSON, ReportFormat.SARIF}:
            json.loads(path.read_text(encoding="utf-8"))
        if fmt is ReportFormat.JUNIT:
            ET.fromstring(path.read_bytes())
