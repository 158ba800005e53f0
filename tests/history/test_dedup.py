"""Evidence stored once (issue 15): a re-audit of an unchanged world adds references, not rows,
and every run still reads back exactly what was recorded."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scanner.history import HistoryStore
from scanner.history.dedup import INSTANT_SQL, split_instant
from scanner.model import AuditResult, Inventory

from . import builders as b


@pytest.fixture
def inv(tmp_path: Path) -> Inventory:
    return b.inventory(tmp_path / "copper-kettle.yaml", 12)


def _weekly(inv: Inventory, weeks: int) -> AuditResult:
    findings = [b.finding(a, "OWN-002") for a in inv.accounts[:5]]
    return b.result(inv, b.T0 + timedelta(weeks=weeks), findings)


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_unchanged_evidence_is_stored_once(tmp_path: Path, inv: Inventory) -> None:
    db = tmp_path / "h.db"
    with HistoryStore.open(db) as store:
        for week in range(4):
            store.record(_weekly(inv, week))
    # Fetch times moved every week; what the platforms showed and the findings did not.
    assert _count(db, "stored_observations") == len(inv.accounts)
    assert _count(db, "stored_findings") == 5
    assert _count(db, "run_observations") == 4 * len(inv.accounts)
    assert _count(db, "observations") == 4 * len(inv.accounts)


def test_each_run_reads_back_what_was_recorded(tmp_path: Path, inv: Inventory) -> None:
    db = tmp_path / "h.db"
    results = [_weekly(inv, week) for week in range(3)]
    changed = replace(results[2].findings[0], message="a different message")
    results[2] = replace(results[2], findings=(changed, *results[2].findings[1:]))
    with HistoryStore.open(db) as store:
        ids = [store.record(r) for r in results]
        for run_id, result in zip(ids, results, strict=True):
            stored = store.load_run(run_id)
            expected = {a.account.id: a.observation for a in result.accounts}
            assert dict(stored.observations) == expected
            assert list(stored.observations) == list(expected)  # in the recorded order
            assert stored.findings == result.findings
    assert _count(db, "stored_findings") == 6


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 9, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 11, 1, 11, 0, 0, 5, tzinfo=timezone(timedelta(hours=2))),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_an_instant_stored_as_an_integer_reads_back_as_the_same_text(instant: datetime) -> None:
    text = instant.astimezone(UTC).isoformat(timespec="microseconds")
    us, fallback = split_instant(text)
    assert us is not None and fallback is None
    sql = "SELECT " + INSTANT_SQL.format(text=":text", us=":us")
    row = sqlite3.connect(":memory:").execute(sql, {"text": None, "us": us}).fetchone()
    assert row[0] == text


@pytest.mark.parametrize(
    "text", ["2026-11-01T09:00:00.000000", "1969-12-31T23:59:59.000000+00:00", "garbage+00:00"]
)
def test_an_instant_the_integer_cannot_hold_is_kept_as_text(text: str) -> None:
    assert split_instant(text) == (None, text)
