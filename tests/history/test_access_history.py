"""Access lists in history (issue 13 item 5): stored with each run (an unchanged list once),
read back into Observation.access, and compared by `history diff` (granted, revoked, role)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from scanner.cli.history import command
from scanner.history import AccessChangeKind, HistoryStore, codec
from scanner.history.dedup import OBSERVATION_FACTS, intern, split_instant
from scanner.history.migrations import LATEST_VERSION, migrate
from scanner.history.store import _observation_facts
from scanner.model import (
    AccessList,
    AuditResult,
    Holder,
    HolderKind,
    Inventory,
    Observation,
    Reason,
    Tri,
)

from . import builders as b

ANA = Holder(
    HolderKind.PERSON, "1001", "Ana Souza", "ana@copperkettle.coffee", "MANAGE", True, Tri.TRUE,
    "assigned_users",
)  # fmt: skip
INTERN = Holder(
    HolderKind.PERSON, "1002", "Jamie Intern", None, "MANAGE", True, Tri.FALSE, "roles"
)  # fmt: skip
EDITOR = Holder(HolderKind.PERSON, "1003", "Lee Park", None, "CREATE_CONTENT", False)
AGENCY = Holder(
    HolderKind.PARTNER, "777000", "Brightside\x1b[31m Agency", None, "MANAGE", True, via="agencies"
)  # fmt: skip
DENIED = Reason("permission_denied", "the token lacks business_management")


def _access(
    at: datetime, *holders: Holder, reason: Reason | None = None, gaps: tuple[Reason, ...] = ()
) -> AccessList:
    return AccessList(
        holders=holders,
        url="http://127.0.0.1:9/v19.0/1234/assigned_users?fields=id,name,tasks",
        fetched_at=at + timedelta(seconds=2),
        reason=reason,
        gaps=gaps,
    )


@pytest.fixture
def inv(tmp_path: Path) -> Inventory:
    return b.inventory(tmp_path / "copper-kettle.yaml", 5)


def _with_access(inv: Inventory, at: datetime, lists: dict[int, AccessList]) -> AuditResult:
    """A run at ``at`` whose accounts ``i`` carry ``lists[i]`` (every account present)."""
    observations: dict[str, Observation | None] = {}
    for i, a in enumerate(inv.accounts):
        obs = b.observation(a, 0, at + timedelta(seconds=i))
        observations[a.id] = replace(obs, access=lists.get(i))
    return b.result(inv, at, observations=observations)


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_access_lists_round_trip_and_are_stored_once(tmp_path: Path, inv: Inventory) -> None:
    db = tmp_path / "h.db"
    weeks = [b.T0 + timedelta(weeks=w) for w in range(4)]
    results = [
        _with_access(
            inv,
            at,
            {
                0: _access(at, ANA, INTERN, AGENCY, gaps=(Reason("no_2fa", "two-factor hidden"),)),
                1: _access(at, reason=DENIED),
                2: _access(at),  # read, and nobody holds it: not the same as unknown
            },
        )
        for at in weeks
    ]
    with HistoryStore.open(db) as store:
        ids = [store.record(r) for r in results]
        for run_id, result in zip(ids, results, strict=True):
            stored = store.load_run(run_id).observations
            assert stored == {a.account.id: a.observation for a in result.accounts}
        prev = store.previous_observations(inv.path)
        a0 = inv.accounts[0]
        latest = prev[(a0.platform, a0.handle)].access
        assert latest is not None and latest.fetched_at == weeks[-1] + timedelta(seconds=2)
        lkg = store.last_known_good(a0.platform, a0.handle)
        assert lkg is not None and lkg.access is not None and lkg.access.holders[2] == AGENCY

    loaded = results[0].accounts[1].observation
    assert loaded is not None and loaded.access is not None and not loaded.access.known
    # Holders, reasons and gaps did not change in four weeks: one stored row per account.
    assert _count(db, "stored_observations") == len(inv.accounts)
    assert _count(db, "run_observations") == 4 * len(inv.accounts)
    # Each run keeps when each of the three lists was read; accounts without one cost nothing.
    assert _count(db, "run_access") == 4 * 3


def _two_runs(db: Path, inv: Inventory) -> tuple[int, int]:
    t1, t2 = b.T0, b.T0 + timedelta(weeks=1)
    promoted = replace(EDITOR, role="MANAGE, CREATE_CONTENT", admin=True)
    with HistoryStore.open(db) as store:
        r1 = store.record(
            _with_access(
                inv, t1, {0: _access(t1, ANA, INTERN, EDITOR), 1: _access(t1, ANA), 3: _access(t1)}
            )
        )
        r2 = store.record(
            _with_access(
                inv,
                t2,
                {
                    0: _access(t2, ANA, promoted, AGENCY),
                    1: _access(t2, reason=DENIED),
                    2: _access(t2, ANA),
                    3: _access(t2),
                },
            )
        )
    return r1, r2


def test_diff_shows_access_granted_revoked_and_changed(tmp_path: Path, inv: Inventory) -> None:
    db = tmp_path / "h.db"
    r1, r2 = _two_runs(db, inv)
    with HistoryStore.open(db) as store:
        access = store.diff(r1, r2).access
        backward = store.diff(r2, r1).access

    a0 = inv.accounts[0].id
    got = [(c.kind, c.account_id, c.holder.key) for c in access.changes]
    assert got == [
        (AccessChangeKind.GRANTED, a0, AGENCY.key),
        (AccessChangeKind.REVOKED, a0, INTERN.key),
        (AccessChangeKind.ROLE_CHANGED, a0, EDITOR.key),
    ]
    role = access.changes[2]
    assert role.before == EDITOR and role.holder.admin
    # Accounts 0 and 3 were read in both runs; 1 was unknown in run 2, 2 not read in run 1;
    # account 4 has no list in either run (a platform that lists none) and is not mentioned.
    assert access.compared == 2
    skipped = {(s.account_id, s.run_id, s.reason) for s in access.not_compared}
    assert skipped == {(inv.accounts[1].id, r2, DENIED), (inv.accounts[2].id, r1, None)}
    assert {(c.kind, c.holder.key) for c in backward.changes} == {
        (AccessChangeKind.ROLE_CHANGED, EDITOR.key),
        (AccessChangeKind.REVOKED, AGENCY.key),
        (AccessChangeKind.GRANTED, INTERN.key),
    }


def _cli(argv: list[str]) -> int:
    result = command.main(args=argv, prog_name="rollcall history", standalone_mode=False)
    assert isinstance(result, int)
    return result


def test_history_diff_prints_and_dumps_access(
    tmp_path: Path, inv: Inventory, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.db"
    r1, r2 = _two_runs(db, inv)
    a0, a1, a2 = (a.id for a in inv.accounts[:3])
    assert _cli(["diff", str(r1), str(r2), "--history", str(db), "--wide"]) == 0
    out = capsys.readouterr().out
    assert "ACCESS (2 accounts compared: 1 granted, 1 revoked, 1 role changed)" in out
    assert f"granted: {a0} Brightside Agency [partner business] (MANAGE)" in out
    assert f"revoked: {a0} Jamie Intern (MANAGE)" in out
    assert f"role changed: {a0} Lee Park (CREATE_CONTENT → MANAGE, CREATE_CONTENT)" in out
    assert f"access not compared: {a1} unknown in run {r2} (permission_denied: " in out
    assert f"access not compared: {a2} not read in run {r1}" in out
    assert "\x1b" not in out

    assert _cli(["diff", str(r1), str(r2), "--history", str(db), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["access"]
    assert data["compared"] == 2
    assert [(c["change"], c["holder"]["name"]) for c in data["changes"]] == [
        ("granted", "Brightside Agency"),
        ("revoked", "Jamie Intern"),
        ("role_changed", "Lee Park"),
    ]
    assert data["changes"][2]["before"]["role"] == "CREATE_CONTENT"
    assert {(s["account_id"], s["why"]) for s in data["not_compared"]} == {
        (a1, "unknown"),
        (a2, "not_read"),
    }


def test_without_access_lists_the_diff_has_no_access_section(
    tmp_path: Path, inv: Inventory, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.db"
    with HistoryStore.open(db) as store:
        r1 = store.record(b.result(inv, b.T0))
        r2 = store.record(b.result(inv, b.T0 + timedelta(weeks=1)))
    assert _cli(["diff", str(r1), str(r2), "--history", str(db)]) == 0
    assert "ACCESS" not in capsys.readouterr().out


def test_a_version_3_database_migrates_and_keeps_its_evidence_digests(
    tmp_path: Path, inv: Inventory
) -> None:
    """A run stored by schema version 3 reads back without an access list, and the same
    observation recorded after the upgrade reuses its stored row (no access key, same digest)."""
    db = tmp_path / "h.db"
    a0 = inv.accounts[0]
    obs = b.observation(a0, 0, b.T0)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        assert migrate(conn, target=3) == [1, 2, 3]
        conn.execute(
            "INSERT INTO runs (started_at, finished_at, recorded_at, tool_version, inventory_path,"
            " inventory_sha256, policy_packs, complete, as_of, offline, replay_of, accounts) "
            "VALUES (?, ?, ?, '0.1.0', ?, ?, '[]', 1, '2026-11-01', 0, NULL, 1)",
            (b.T0.isoformat(), b.T0.isoformat(), b.T0.isoformat(), inv.path, "0" * 64),
        )
        # What version 3 wrote: the extracted fields alone in the digested JSON.
        v3_facts = (*_observation_facts(a0.id, obs)[:-1], codec.dumps(codec.extracted_to_dict(obs)))
        stored = intern(conn, "stored_observations", OBSERVATION_FACTS, v3_facts)
        conn.execute(
            "INSERT INTO run_observations (run_id, seq, observation_id, fetched_us, fetched_text,"
            " not_modified) VALUES (1, 0, ?, ?, ?, 0)",
            (stored, *split_instant(b.T0.isoformat(timespec="microseconds"))),
        )
    finally:
        conn.close()

    one = replace(inv, accounts=inv.accounts[:1])
    t2 = b.T0 + timedelta(weeks=1)
    with HistoryStore.open(db) as store:
        old = store.load_run(1).observations[a0.id]
        assert old == obs and old.access is None
        again = store.record(b.result(one, t2, observations={a0.id: replace(obs, fetched_at=t2)}))
        assert _count(db, "stored_observations") == 1
        listed = replace(obs, fetched_at=t2, access=_access(t2, ANA))
        r3 = store.record(b.result(one, t2, observations={a0.id: listed}))
        assert store.load_run(r3).observations[a0.id] == listed
        skip = store.diff(1, r3).access.not_compared
        assert [(s.run_id, s.reason) for s in skip] == [(1, None)]
        assert store.diff(again, r3).access.compared == 0
    conn = sqlite3.connect(db)
    try:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
        assert versions == list(range(1, LATEST_VERSION + 1)) and LATEST_VERSION == 4
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_a_list_read_only_in_part_is_not_compared(tmp_path: Path, inv: Inventory) -> None:
    """Holders on the pages a run did not read would read as revoked: such a list is skipped."""
    t1, t2 = b.T0, b.T0 + timedelta(weeks=1)
    cut = Reason("access_truncated", "more than 20 pages; the rest was not read")
    with HistoryStore.open(tmp_path / "h.db") as store:
        r1 = store.record(_with_access(inv, t1, {0: _access(t1, ANA, INTERN)}))
        r2 = store.record(_with_access(inv, t2, {0: _access(t2, ANA, gaps=(cut,))}))
        access = store.diff(r1, r2).access
    assert access.changes == ()
    assert [(s.account_id, s.run_id, s.reason) for s in access.not_compared] == [
        (inv.accounts[0].id, r2, cut)
    ]
