"""HistoryStore end to end on real SQLite files: round trip, baselines, evidence look-ups, errors."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from scanner.errors import HistoryError, SourceError, UsageError
from scanner.history import HistoryStore, default_path, is_open
from scanner.model import (
    Finding,
    FindingStatus,
    Inventory,
    Observation,
    ObservationStatus,
    Platform,
    Severity,
)

from . import builders as b


@pytest.fixture
def inv(tmp_path: Path) -> Inventory:
    return b.inventory(tmp_path / "copper-kettle.yaml", 12)


def test_default_path_sits_beside_the_inventory() -> None:
    assert default_path("inventories/copper-kettle.yaml") == Path(
        "inventories/copper-kettle.rollcall.db"
    )


def test_is_open_covers_every_status() -> None:
    expected = {
        FindingStatus.PASS: False,
        FindingStatus.FAIL: True,
        FindingStatus.WAIVED: False,
        FindingStatus.ERROR: True,
        FindingStatus.WARN: True,
    }
    for status in FindingStatus:
        assert is_open(status) is expected[status]


def test_round_trip_gives_equal_values(tmp_path: Path, inv: Inventory) -> None:
    accounts = inv.accounts
    findings = [
        b.finding(accounts[0], "OWN-002"),
        b.finding(accounts[1], "SEC-002", severity=Severity.CRITICAL, status=FindingStatus.ERROR),
        b.finding(accounts[2], "PUR-001", status=FindingStatus.WAIVED, waiver=b.waiver()),
    ]
    observations: dict[str, Observation | None] = {
        a.id: b.observation(a, i, b.T0 + timedelta(seconds=i)) for i, a in enumerate(accounts)
    }
    observations[accounts[5].id] = None  # not observed
    result = b.result(
        inv, b.T0, findings, observations=observations, discoveries=(b.discovery(inv, b.T0),)
    )
    with HistoryStore.open(tmp_path / "h.db") as store:
        run_id = store.record(result)
        stored = store.load_run(run_id)

    expected = {k: v for k, v in observations.items() if v is not None}
    assert stored.observations == expected
    assert accounts[5].id not in stored.observations
    assert stored.accounts == len(accounts)
    assert stored.findings == tuple(findings)
    assert [dict(f.evidence) for f in stored.findings] == [dict(f.evidence) for f in findings]
    assert stored.discoveries == result.discoveries
    assert stored.run == replace(
        result.run, run_id=run_id, inventory_path=str(Path(inv.path).resolve())
    )


def _fail(inv: Inventory, index: int, rule: str, line_shift: int = 0) -> Finding:
    account = inv.accounts[index]
    return b.finding(account, rule, line=(account.location.line or 0) + line_shift)


def test_baseline_new_still_open_resolved_over_three_runs(tmp_path: Path, inv: Inventory) -> None:
    t1, t2, t3 = b.T0, b.T0 + timedelta(days=7), b.T0 + timedelta(days=14)
    run1 = b.result(
        inv, t1, [_fail(inv, 0, "OWN-002"), _fail(inv, 1, "ACT-001"), _fail(inv, 2, "SEC-002")]
    )
    # Run 2: every line moved (someone added accounts above), ACT-001 on account 1 was fixed,
    # SEC-002 is now waived, and a new finding appeared.
    run2 = b.result(
        inv,
        t2,
        [
            _fail(inv, 0, "OWN-002", line_shift=40),
            replace(_fail(inv, 2, "SEC-002", 40), status=FindingStatus.WAIVED, waiver=b.waiver()),
            _fail(inv, 3, "IDN-003", 40),
        ],
    )
    run3 = b.result(
        inv,
        t3,
        [
            _fail(inv, 0, "OWN-002", line_shift=90),
            replace(_fail(inv, 3, "IDN-003", 90), status=FindingStatus.ERROR),
            _fail(inv, 1, "ACT-001", 90),  # came back: a new streak
        ],
    )
    with HistoryStore.open(tmp_path / "h.db") as store:
        assert store.baseline_for(run1) is None
        id1 = store.record(run1)
        base2 = store.baseline_for(run2)
        id2 = store.record(run2)
        base3 = store.baseline_for(replace(run3, run=replace(run3.run, run_id=None)))
        id3 = store.record(run3)
        # Asking again after recording gives the same answer (the run itself is excluded).
        base3_after = store.baseline_for(replace(run3, run=replace(run3.run, run_id=id3)))

    fp = {
        f"{f.rule_id}:{f.account_id}": f.fingerprint for r in (run1, run2, run3) for f in r.findings
    }
    own, act, sec, idn = (
        fp["OWN-002:acct-00000"],
        fp["ACT-001:acct-00001"],
        fp["SEC-002:acct-00002"],
        fp["IDN-003:acct-00003"],
    )
    assert base2 is not None
    assert base2.previous_run_id == id1
    assert base2.new == (idn,)
    assert base2.still_open == (own,)
    # Fixed, and newly waived (accepted risk leaves the open set); ordered by severity, rule.
    assert [f.fingerprint for f in base2.resolved] == [act, sec]
    assert base2.first_seen == {own: t1, idn: t2}

    assert base3 is not None and base3 == base3_after
    assert base3.previous_run_id == id2
    assert base3.new == (act,)
    assert base3.still_open == (own, idn)  # error is still open: unverified is not fixed
    assert base3.resolved == ()
    assert base3.first_seen == {own: t1, idn: t2, act: t3}
    assert id3 > id2


def test_baseline_skips_incomplete_offline_and_replay_runs(tmp_path: Path, inv: Inventory) -> None:
    f = _fail(inv, 0, "OWN-002")
    g = _fail(inv, 1, "ACT-001")
    with HistoryStore.open(tmp_path / "h.db") as store:
        good = store.record(b.result(inv, b.T0, [f]))
        store.record(b.result(inv, b.T0 + timedelta(days=1), [f, g], complete=False))
        store.record(b.result(inv, b.T0 + timedelta(days=2), [g], offline=True))
        replay = store.record(b.result(inv, b.T0 + timedelta(days=3), [g], replay_of=good))
        current = b.result(inv, b.T0 + timedelta(days=7), [f])
        base = store.baseline_for(current)
        assert base is not None
        assert base.previous_run_id == good
        assert base.still_open == (f.fingerprint,)
        # A replay is compared with the run it replays, whatever ran in between.
        replayed = b.result(inv, b.T0 + timedelta(days=8), [g], replay_of=good)
        rb = store.baseline_for(replayed)
        assert rb is not None
        assert rb.previous_run_id == good
        assert rb.new == (g.fingerprint,)
        assert [x.fingerprint for x in rb.resolved] == [f.fingerprint]
        assert replay != good
        # Another inventory has no baseline.
        other = b.inventory(tmp_path / "other.yaml", 2)
        assert store.baseline_for(b.result(other, b.T0 + timedelta(days=9))) is None


def test_last_known_good_and_previous_observations(tmp_path: Path, inv: Inventory) -> None:
    a0 = inv.accounts[0]  # index 0: present, with an ETag and Last-Modified
    t2 = b.T0 + timedelta(days=7)
    first = b.result(inv, b.T0)
    blocked = replace(b.observation(inv.accounts[3], 3, t2), platform=a0.platform, handle=a0.handle)
    second_obs = {
        a.id: b.observation(a, i, t2) for i, a in enumerate(inv.accounts) if a.id != a0.id
    }
    second_obs[a0.id] = blocked
    second = b.result(inv, t2, observations=second_obs)
    with HistoryStore.open(tmp_path / "h.db") as store:
        store.record(first)
        store.record(second)
        lkg = store.last_known_good(a0.platform, a0.handle.upper())
        prev = store.previous_observations(inv.path)
        assert store.last_known_good(Platform.TIKTOK, "nobody") is None
        assert store.last_known_good(a0.platform.value, a0.handle) == lkg

    assert lkg is not None
    assert lkg.status is ObservationStatus.PRESENT
    assert lkg.fetched_at == first.accounts[0].observation.fetched_at  # type: ignore[union-attr]
    # Account 0 was blocked in run 2: its validators still come from run 1.
    assert prev[(a0.platform, a0.handle)].etag == 'W/"etag-0"'
    assert prev[(a0.platform, a0.handle)].fetched_at == b.T0
    # Index 1 has no validator at all; index 2 has an ETag and comes from the latest run.
    a1, a2 = inv.accounts[1], inv.accounts[2]
    assert (a1.platform, a1.handle) not in prev
    assert prev[(a2.platform, a2.handle)].fetched_at == t2
    assert all(o.status.verified for o in prev.values())


def test_runs_diff_and_trends(tmp_path: Path, inv: Inventory) -> None:
    t2 = b.T0 + timedelta(days=7)
    f = _fail(inv, 0, "OWN-002")
    g = b.finding(inv.accounts[1], "IDN-001", severity=Severity.CRITICAL)
    h = b.finding(inv.accounts[2], "ACT-001", severity=Severity.MEDIUM, status=FindingStatus.WARN)
    with HistoryStore.open(tmp_path / "h.db") as store:
        r1 = store.record(b.result(inv, b.T0, [f, h]))
        r2 = store.record(b.result(inv, t2, [g, h], offline=True))
        d = store.diff(r1, r2)
        runs = store.runs()
        trends = store.trends(inv.path)
        with pytest.raises(UsageError, match="no run 99"):
            store.run(99)

    assert [x.fingerprint for x in d.new] == [g.fingerprint]
    assert [x.fingerprint for x in d.resolved] == [f.fingerprint]
    assert [x.fingerprint for x in d.still_open] == [h.fingerprint]
    assert [s.id for s in runs] == [r1, r2]
    assert runs[0].observations["present"] == 9 and runs[0].observations["blocked"] == 3
    assert runs[1].observations["not_observed"] == 12
    assert [t["run_id"] for t in trends] == [r1, r2]
    assert trends[0]["open_findings"] == {
        "critical": 0,
        "high": 1,
        "medium": 1,
        "low": 0,
        "info": 0,
    }
    latest = trends[1]["open_findings"]
    assert isinstance(latest, dict) and latest["critical"] == 1
    assert trends[1]["offline"] is True


def test_unusable_databases_raise_history_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite, just a text file that happens to be long enough" * 20)
    with pytest.raises(HistoryError, match="not a SQLite database"):
        HistoryStore.open(junk)

    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
    conn.close()
    with pytest.raises(HistoryError, match="not a Rollcall history"):
        HistoryStore.open(foreign)

    newer = tmp_path / "newer.db"
    HistoryStore.open(newer).close()
    with sqlite3.connect(newer) as conn:
        conn.execute(
            "INSERT INTO schema_migrations VALUES (99, 'from the future', '2030-01-01T00:00:00')"
        )
    conn.close()
    with pytest.raises(HistoryError, match="schema version 99"):
        HistoryStore.open(newer)

    with pytest.raises(SourceError):
        HistoryStore.open(tmp_path / "missing.db", create=False)


def test_lock_held_beyond_timeout_is_history_error(tmp_path: Path, inv: Inventory) -> None:
    path = tmp_path / "h.db"
    HistoryStore.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with (
            HistoryStore.open(path, timeout=0.05) as store,
            pytest.raises(HistoryError, match="locked"),
        ):
            store.record(b.result(inv, b.T0))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with HistoryStore.open(path) as store:
        assert store.runs() == ()


def test_lone_surrogates_in_fetched_text_are_stored_as_replacement_characters(
    tmp_path: Path, inv: Inventory
) -> None:
    # json.loads('"\\ud800"') yields a lone surrogate: a hostile profile can send one, and
    # SQLite (UTF-8) would refuse it with UnicodeEncodeError, aborting the whole recording.
    account = inv.accounts[0]
    obs = replace(b.observation(account, 0, b.T0), bio="hi \ud800 there")
    bad = replace(b.finding(account, "OWN-002"), message="bio says \udcff")
    result = b.result(inv, b.T0, [bad], observations={account.id: obs})
    with HistoryStore.open(tmp_path / "h.db") as store:
        run_id = store.record(result)
        stored = store.load_run(run_id)
    assert stored.observations[account.id].bio == "hi \ufffd there"
    assert stored.findings[0].message == "bio says \ufffd"
