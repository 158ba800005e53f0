"""Pack params (``discovery.*``, ``waivers.*``, ``orphans.*``): every one is documented in
policies/README.md with the default the shipped pack gives it, and the orphans report's fallback
due days are the shipped pack's."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.model import Severity
from scanner.policy import default_pack_path, load_policy
from scanner.policy.settings import STAGE_PARAMS
from scanner.reports.orphans import DEFAULT_DUE_DAYS

DOC = Path(__file__).resolve().parents[2] / "policies" / "README.md"
ROW = re.compile(r"^\| `(?P<name>[\w.]+)` \| (?P<default>[^|]+) \|", re.MULTILINE)


def test_every_pack_param_is_documented_with_the_shipped_default() -> None:
    section = DOC.read_text("utf-8").split("\n## Pack params\n")[1].split("\n## ")[0]
    documented = {m["name"]: m["default"].strip() for m in ROW.finditer(section)}
    shipped = load_policy([default_pack_path()]).settings
    assert set(documented) == set(STAGE_PARAMS)
    assert {name: str(shipped[name]) for name in STAGE_PARAMS} == documented


def test_the_orphans_fallback_due_days_are_the_shipped_ones() -> None:
    shipped = load_policy([default_pack_path()]).settings
    assert {s: shipped[f"orphans.due_days.{s.value}"] for s in Severity} == dict(DEFAULT_DUE_DAYS)
