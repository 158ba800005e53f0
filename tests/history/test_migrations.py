"""A database written by schema version 1 (the committed fixture) migrates forward and keeps its data."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from scanner.history import LATEST_VERSION, MIGRATIONS, HistoryStore
from scanner.model import ObservationStatus, Platform

from . import builders as b
from .make_v1_fixture import FIXTURE, INVENTORY, build


def _schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()
    finally:
        conn.close()
    return [(str(n), str(s)) for n, s in rows]


def test_fixture_matches_its_script(tmp_path: Path) -> None:
    rebuilt = tmp_path / "v1.sqlite"
    build(rebuilt)
    assert _schema(rebuilt) == _schema(FIXTURE)
    assert "discoveries" not in {name for name, _ in _schema(FIXTURE)}


def test_versions_are_ordered_and_unique() -> None:
    versions = [m.version for m in MIGRATIONS]
    assert versions == sorted(set(versions)) == list(range(1, LATEST_VERSION + 1))


def test_v1_fixture_migrates_forward(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    shutil.copy(FIXTURE, db)
    with HistoryStore.open(db) as store:
        runs = store.runs()
        assert [s.id for s in runs] == [1, 2]
        # runs.accounts (new in version 2) was backfilled from the stored observations.
        assert [s.accounts for s in runs] == [2, 2]
        old = store.load_run(1)
        gh = old.observations["gh-main"]
        assert gh.status is ObservationStatus.PRESENT
        assert gh.etag == 'W/"v1"'
        assert gh.display_name == "Copper Kettle Coffee Roasters"
        assert gh.fetched_at == datetime(2026, 10, 1, 9, 0, 5, tzinfo=UTC)
        assert old.observations["ig-main"].reason is not None
        assert old.discoveries == ()
        d = store.diff(1, 2)
        assert [f.rule_id for f in d.resolved] == ["ACT-001"]
        assert [f.rule_id for f in d.still_open] == ["OWN-002"]
        assert store.last_known_good(Platform.GITHUB, "CopperKettle") is not None
        prev = store.previous_observations(INVENTORY)
        assert prev[(Platform.GITHUB, "copperkettle")].etag == 'W/"v2"'

        # A version-2 run recorded on top compares with the version-1 history.
        inv = b.inventory(Path(INVENTORY), 1)
        f = replace(b.finding(inv.accounts[0], "OWN-002"), fingerprint="fp-own-002-ig")
        now = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
        current = b.result(inv, now, [f], discoveries=(b.discovery(inv, now),))
        base = store.baseline_for(current)
        assert base is not None
        assert base.previous_run_id == 2
        assert base.still_open == ("fp-own-002-ig",)
        assert base.first_seen["fp-own-002-ig"] == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
        run_id = store.record(current)
        assert len(store.load_run(run_id).discoveries) == 1

    conn = sqlite3.connect(db)
    try:
        assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations")] == list(
            range(1, LATEST_VERSION + 1)
        )
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
