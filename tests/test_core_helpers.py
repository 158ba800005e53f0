"""The core's one-home helpers: the "did you mean" hint, unknown keys of a YAML mapping, the
finding order and the timestamp format (every layer uses these instead of its own copy)."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import scanner
from scanner.errors import did_you_mean
from scanner.history import codec
from scanner.model import (
    Finding,
    FindingStatus,
    Location,
    Observation,
    ObservationStatus,
    Platform,
    Severity,
    finding_order,
)
from scanner.serialize import iso, observation_fields
from scanner.yamlsource import load_yaml_text, unknown_keys

PACKAGE = Path(scanner.__file__).parent


def test_did_you_mean_names_the_near_miss_only() -> None:
    assert did_you_mean("tittle", ["id", "title", "severity"]) == "did you mean 'title'?"
    assert did_you_mean("zzz", ["id", "title"]) is None
    assert did_you_mean("x", []) is None


def test_unknown_keys_are_reported_at_their_line_with_a_hint() -> None:
    node = load_yaml_text("id: A\ntittle: B\nextra: C\n", "pack.yaml")
    problems = unknown_keys("pack.yaml", node, ("id", "title"), "a rule")
    assert [(p.line, p.column, p.hint) for p in problems] == [
        (2, 1, "did you mean 'title'?"),
        (3, 1, None),
    ]
    assert problems[0].message == "unknown key 'tittle' in a rule; expected one of id, title"


def test_no_module_writes_its_own_did_you_mean() -> None:
    # One helper (scanner.errors.did_you_mean): difflib is imported nowhere else.
    users = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and "difflib"
        in ([a.name for a in node.names] if isinstance(node, ast.Import) else [node.module])
    ]
    assert users == ["errors.py"]


def _finding(severity: Severity, rule: str, account: str | None, handle: str, fp: str) -> Finding:
    return Finding(
        rule_id=rule,
        title="t",
        severity=severity,
        status=FindingStatus.FAIL,
        category="c",
        account_id=account,
        platform=Platform.X,
        handle=handle,
        message="m",
        remediation="r",
        location=Location("inv.yaml", 1, 1),
        fingerprint=fp,
    )


def test_finding_order_is_severity_rule_account_handle_then_fingerprint() -> None:
    expected = [
        _finding(Severity.CRITICAL, "ZZZ-001", "b", "h", "9"),
        _finding(Severity.HIGH, "AAA-001", None, "a", "5"),
        _finding(Severity.HIGH, "AAA-001", None, "b", "1"),
        _finding(Severity.HIGH, "AAA-001", "a", "a", "2"),
        _finding(Severity.HIGH, "AAA-001", "a", "a", "3"),
        _finding(Severity.HIGH, "BBB-001", "a", "a", "0"),
        _finding(Severity.LOW, "AAA-001", "a", "a", "0"),
    ]
    shuffled = [expected[i] for i in (4, 6, 2, 0, 5, 3, 1)]
    assert sorted(shuffled, key=finding_order) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2026, 5, 27, 9, 30, tzinfo=UTC), "2026-05-27T09:30:00Z"),
        (
            datetime(2026, 5, 27, 11, 30, tzinfo=timezone(timedelta(hours=2))),
            "2026-05-27T09:30:00Z",
        ),
        (datetime(2026, 5, 27, 9, 30), "2026-05-27T09:30:00Z"),
        (date(2026, 5, 27), "2026-05-27"),
        (None, None),
    ],
)
def test_iso_writes_one_format(value: datetime | date | None, text: str | None) -> None:
    assert iso(value) == text


def test_history_stores_timestamps_as_the_reports_write_them() -> None:
    seen = datetime(2026, 5, 27, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    obs = Observation(
        platform=Platform.GITHUB,
        handle="copperkettle",
        status=ObservationStatus.PRESENT,
        url="https://github.com/copperkettle",
        fetched_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
        last_activity_at=seen,
    )
    stored = codec.observation_to_dict(obs)
    assert stored == observation_fields(obs)
    assert stored["last_activity_at"] == "2026-05-27T09:30:00Z"
    assert codec.observation_from_dict(stored) == obs
