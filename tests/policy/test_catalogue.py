"""Every rule id any command can emit is in the catalogue: `rules explain` explains it and
`rules list` lists it with the severity reports use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import scanner
from scanner.cli.main import run
from scanner.model import Severity
from scanner.policy import BUILTIN_RULES, catalogue, default_pack_path, load_policy

# A rule id is three capitals, a dash and three digits; SHA-256 (a hash name) only looks like one.
RULE_ID = re.compile(r"\b(?!SHA-)[A-Z]{3}-\d{3}\b")
PACKAGE = Path(scanner.__file__).parent


def _emitted_ids() -> set[str]:
    """Rule ids written in the package's code or in the default pack: everything a report can
    show under the default pack (the sandbox simulates platforms and emits no findings)."""
    ids: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "sandbox" in path.relative_to(PACKAGE).parts:
            continue
        ids |= set(RULE_ID.findall(path.read_text(encoding="utf-8")))
    ids |= set(RULE_ID.findall(default_pack_path().read_text(encoding="utf-8")))
    return ids


def test_the_code_emits_only_catalogued_ids() -> None:
    known = {info.id for info in catalogue(load_policy([default_pack_path()]))}
    emitted = _emitted_ids()
    assert emitted >= {"DSC-001", "INV-002", "REV-005", "WVR-001"}, "the scan found too little"
    assert emitted - known == set()


@pytest.mark.parametrize("rule_id", sorted(_emitted_ids()))
def test_rules_explain_knows_every_emitted_id(
    rule_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["rules", "explain", rule_id.lower()]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{rule_id}  ")
    severity = next(
        i.severity for i in catalogue(load_policy([default_pack_path()])) if i.id == rule_id
    )
    assert f"severity: {severity.value}" in out


def test_rules_list_shows_every_builtin_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rules", "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    ids = [r["id"] for r in listed]
    assert len(ids) == len(set(ids))
    assert set(BUILTIN_RULES) <= set(ids)
    for entry in listed:
        Severity(entry["severity"])  # a real severity, the same value reports use
