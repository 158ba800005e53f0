"""Crash safety and concurrency on a real file, with real processes: SIGKILL inside the write
transaction leaves the previous runs and a consistent database; two writers both complete."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

from scanner.history import LATEST_VERSION, HistoryStore

WORKER = Path(__file__).parent / "record_worker.py"
ACCOUNTS = 3000


def _start(
    db: Path, inv: Path, mode: str, runs: int, go: Path | None = None
) -> subprocess.Popen[str]:
    args = [sys.executable, str(WORKER), str(db), str(inv), str(ACCOUNTS), mode, str(runs)]
    if go is not None:
        args.append(str(go))
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(stream: IO[str] | None, line: str) -> list[str]:
    assert stream is not None
    seen = []
    for raw in stream:
        seen.append(raw.strip())
        if raw.strip() == line:
            return seen
    raise AssertionError(f"worker ended before printing {line!r}: {seen}")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_inside_the_transaction_leaves_previous_runs_intact(tmp_path: Path) -> None:
    db, inv = tmp_path / "history.db", tmp_path / "copper-kettle.yaml"
    proc = _start(db, inv, "crash", runs=2)
    try:
        seen = _wait_for(proc.stdout, "inside")
        # The observations of run 3 are written but not committed; the WAL holds them.
        assert seen.count("recorded 1") == 1 and seen.count("recorded 2") == 1
        assert Path(f"{db}-wal").exists()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert [r[0] for r in conn.execute("SELECT id FROM runs ORDER BY id")] == [1, 2]
        assert conn.execute("SELECT COUNT(*) FROM observations WHERE run_id > 2").fetchone()[0] == 0
    finally:
        conn.close()

    with HistoryStore.open(db) as store:
        for run_id in (1, 2):
            stored = store.load_run(run_id)
            assert len(stored.observations) == ACCOUNTS
            assert len(stored.findings) == ACCOUNTS // 2
        # The database keeps working after the crash.
        assert [s.id for s in store.runs()] == [1, 2]


def test_two_writers_at_once_both_complete(tmp_path: Path) -> None:
    db, inv, go = tmp_path / "history.db", tmp_path / "copper-kettle.yaml", tmp_path / "go"
    # Both start on a file that does not exist yet, so they also race to create the schema.
    first = _start(db, inv, "hold", runs=2, go=go)
    second: subprocess.Popen[str] | None = None
    try:
        _wait_for(first.stdout, "inside")
        second = _start(db, inv, "plain", runs=2)
        _wait_for(second.stdout, "recording")
        time.sleep(0.2)  # let the second writer reach BEGIN IMMEDIATE and wait on the lock
        go.touch()
        assert second is not None
        for proc in (first, second):
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    finally:
        for leftover in (first, second):
            if leftover is not None and leftover.poll() is None:
                leftover.kill()
                leftover.communicate()

    with HistoryStore.open(db) as store:
        runs = store.runs()
        assert len(runs) == 4
        assert all(s.accounts == ACCOUNTS for s in runs)
        assert all(len(store.load_run(s.id).observations) == ACCOUNTS for s in runs)


def test_two_processes_creating_a_fresh_database(tmp_path: Path) -> None:
    db, inv = tmp_path / "fresh.db", tmp_path / "copper-kettle.yaml"
    procs = [_start(db, inv, "plain", runs=3) for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with HistoryStore.open(db) as store:
        assert len(store.runs()) == 6
    conn = sqlite3.connect(db)
    try:
        assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations")] == list(
            range(1, LATEST_VERSION + 1)
        )
    finally:
        conn.close()
