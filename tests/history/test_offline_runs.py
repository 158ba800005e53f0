"""Offline runs in the history: their live checks are not open findings, never new nor resolved,
and an offline run is never a baseline's previous run nor part of a finding's age."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from scanner.history import HistoryStore
from scanner.model import NOT_OBSERVED_EVIDENCE, Finding, FindingStatus, Inventory, Severity

from . import builders as b


@pytest.fixture
def inv(tmp_path: Path) -> Inventory:
    return b.inventory(tmp_path / "copper-kettle.yaml", 6)


def _fail(inv: Inventory, i: int, rule: str, severity: Severity = Severity.HIGH) -> Finding:
    return b.finding(inv.accounts[i], rule, severity=severity)


def _not_made(finding: Finding) -> Finding:
    """The same check as the offline evaluator writes it: error, the profile not observed."""
    return replace(
        finding, status=FindingStatus.ERROR, evidence={"observation": NOT_OBSERVED_EVIDENCE}
    )


def _open(**counts: int) -> dict[str, int]:
    return {s.value: counts.get(s.value, 0) for s in sorted(Severity, reverse=True)}


def _blocked(finding: Finding) -> Finding:
    """The same check on a profile that was fetched and could not be read: unverified, open."""
    return replace(finding, status=FindingStatus.ERROR, evidence={"observation": "blocked"})


def test_checks_an_offline_run_did_not_make_are_counted_apart_not_as_open(
    tmp_path: Path, inv: Inventory
) -> None:
    own = _fail(inv, 0, "OWN-002")
    act = _fail(inv, 1, "ACT-001", Severity.MEDIUM)
    idn = _fail(inv, 2, "IDN-001", Severity.CRITICAL)
    with HistoryStore.open(tmp_path / "h.db") as store:
        live = store.record(b.result(inv, b.T0, [own, act, _blocked(idn)]))
        offline = store.record(
            b.result(
                inv, b.T0 + timedelta(days=1), [own, _not_made(act), _not_made(idn)], offline=True
            )
        )
        runs = {s.id: s for s in store.runs()}
        trends = {t["run_id"]: t for t in store.trends(inv.path)}

    # A blocked profile is an open, unverified finding; a check never made is not evaluated.
    assert runs[live].open_by_severity == _open(critical=1, high=1, medium=1)
    assert runs[live].not_evaluated == 0
    assert runs[offline].open_by_severity == _open(high=1)
    assert runs[offline].not_evaluated == 2
    assert runs[offline].findings["error"] == 2  # the stored statuses are unchanged
    assert runs[offline].to_dict()["not_evaluated"] == 2
    assert trends[offline]["offline"] is True and trends[live]["offline"] is False
    assert trends[offline]["not_evaluated"] == 2
    assert trends[offline]["open_findings"] == runs[offline].open_by_severity


def test_diff_with_an_offline_run_counts_checks_not_made_as_neither_new_nor_resolved(
    tmp_path: Path, inv: Inventory
) -> None:
    own = _fail(inv, 0, "OWN-002")
    act = _fail(inv, 1, "ACT-001", Severity.MEDIUM)
    idn = _fail(inv, 2, "IDN-001", Severity.CRITICAL)
    sec = _fail(inv, 3, "SEC-001")
    with HistoryStore.open(tmp_path / "h.db") as store:
        live = store.record(b.result(inv, b.T0, [own, act, sec]))
        # Offline: the roster rule still fails, SEC-001 (no network needed) is fixed, the live
        # checks ACT-001 and IDN-001 were not made.
        offline = store.record(
            b.result(
                inv, b.T0 + timedelta(days=1), [own, _not_made(act), _not_made(idn)], offline=True
            )
        )
        forward = store.diff(live, offline)
        backward = store.diff(offline, live)

    assert forward.new == ()  # IDN-001 was not made: not new
    assert [f.fingerprint for f in forward.still_open] == [own.fingerprint, act.fingerprint]
    assert [f.fingerprint for f in forward.resolved] == [sec.fingerprint]
    assert [f.fingerprint for f in forward.not_evaluated] == [idn.fingerprint]
    assert backward.resolved == ()  # IDN-001 was never seen open, so nothing was fixed
    assert [f.fingerprint for f in backward.new] == [sec.fingerprint]
    assert [f.fingerprint for f in backward.not_evaluated] == [idn.fingerprint]
    listed = forward.to_dict()["not_evaluated"]
    assert isinstance(listed, list) and len(listed) == 1
    assert isinstance(listed[0], dict) and listed[0]["fingerprint"] == idn.fingerprint


def test_offline_runs_are_never_a_baseline_nor_part_of_a_findings_age(
    tmp_path: Path, inv: Inventory
) -> None:
    own = _fail(inv, 0, "OWN-002")
    idn = _fail(inv, 2, "IDN-001", Severity.CRITICAL)
    roster = _fail(inv, 4, "OWN-001")  # a roster rule: an offline run can see it
    t1, t2, t3, t4 = (b.T0 + timedelta(days=d) for d in (0, 7, 14, 21))
    with HistoryStore.open(tmp_path / "h.db") as store:
        first_offline = b.result(inv, t1, [own, _not_made(idn)], offline=True)
        assert store.baseline_for(first_offline) is None
        store.record(first_offline)
        # The first live run has no previous LIVE run: no baseline, however many offline runs.
        first_live = b.result(inv, t2, [own, idn])
        assert store.baseline_for(first_live) is None
        live = store.record(first_live)

        second_offline = b.result(inv, t3, [own, roster, _not_made(idn)], offline=True)
        own_base = store.baseline_for(second_offline)
        store.record(second_offline)
        after = store.baseline_for(b.result(inv, t4, [own, idn, roster]))

    # The offline run compared itself: what it saw is new; the check it did not make stays open.
    assert own_base is not None and own_base.previous_run_id == live
    assert own_base.new == (roster.fingerprint,)
    assert set(own_base.still_open) == {own.fingerprint, idn.fingerprint}
    assert own_base.resolved == ()
    # The next live run compares with the previous LIVE run, and ages skip the offline runs: OWN-002
    # was open offline at t1 but its age starts at t2; OWN-001 is new now, not since t3.
    assert after is not None and after.previous_run_id == live
    assert after.new == (roster.fingerprint,)
    assert after.still_open == (own.fingerprint, idn.fingerprint)
    assert after.first_seen == {own.fingerprint: t2, idn.fingerprint: t2, roster.fingerprint: t4}
