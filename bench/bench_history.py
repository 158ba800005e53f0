"""Benchmark: history database size after a year of weekly audits of an unchanged world.

Audits the example organization against the sandbox once, scales that result to 5,000 accounts
(each example account copied under new ids), then records it 52 times, one week apart, as the
weekly audits of an unchanged world would: new run and fetch times, 304 Not Modified from the
second week for profiles with a validator, the same evidence.
Reports the size after 52 runs against the size after the first (target <= 3x), and the time of
``history list`` and ``history diff`` on that database (target: list <= 1 s). Run by hand:
``.venv/bin/python bench/bench_history.py [ACCOUNTS] [WEEKS]``. Prints figures, asserts nothing.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from scanner.cli.common import execute_audit
from scanner.cli.main import cli
from scanner.examples import example_inventory_path
from scanner.fetch import HostLimits
from scanner.history import HistoryStore
from scanner.model import AccountResult, AuditResult, Finding, Observation, Platform
from scanner.platforms import platform_fetch_config
from scanner.runs.audit import AuditOptions
from scanner.sandbox import Sandbox, example_world_path, load_world

ACCOUNTS = 5_000
WEEKS = 52
SIZE_TARGET = 3.0
LIST_TARGET_SECONDS = 1.0


def example_result() -> AuditResult:
    """One real audit of the example organization against the sandbox, with no history."""
    world = load_world(example_world_path())
    with Sandbox(world) as sandbox:
        options = AuditOptions(
            inventory=example_inventory_path(), as_of=world.as_of, use_history=False
        )
        config = platform_fetch_config(
            endpoints=sandbox.endpoints(),
            host_limits={p.value: HostLimits(8, 0.0) for p in Platform},
        )
        return execute_audit(options, config)


def _copy_finding(f: Finding, suffix: str) -> Finding:
    account = None if f.account_id is None else f"{f.account_id}-{suffix}"
    fingerprint = hashlib.sha256(f"{f.fingerprint}:{suffix}".encode()).hexdigest()[:16]
    return replace(f, account_id=account, fingerprint=fingerprint)


def scaled(result: AuditResult, accounts: int) -> AuditResult:
    """``result`` with its accounts (and their findings) copied until there are ``accounts``."""
    out: list[AccountResult] = []
    findings: list[Finding] = []
    copy = 0
    while len(out) < accounts:
        suffix = f"c{copy}"
        for ar in result.accounts[: accounts - len(out)]:
            account = replace(ar.account, id=f"{ar.account.id}-{suffix}")
            out.append(replace(ar, account=account))
            findings.extend(
                _copy_finding(f, suffix) for f in result.findings if f.account_id == ar.account.id
            )
        copy += 1
    return replace(result, accounts=tuple(out), findings=tuple(findings), discoveries=())


def _refetched(obs: Observation, shift: timedelta) -> Observation:
    # From the second week on, a profile with a validator comes back 304 Not Modified.
    again = shift > timedelta(0) and (obs.etag is not None or obs.last_modified is not None)
    access = obs.access and replace(obs.access, fetched_at=obs.access.fetched_at + shift)
    return replace(
        obs,
        fetched_at=obs.fetched_at + shift,
        not_modified=obs.not_modified or again,
        access=access,
    )


def week_later(result: AuditResult, weeks: int) -> AuditResult:
    """The same world audited ``weeks`` later: new run and fetch times, the same evidence."""
    shift = timedelta(weeks=weeks)
    run = replace(
        result.run,
        started_at=result.run.started_at + shift,
        finished_at=result.run.finished_at + shift,
        as_of=result.run.as_of + shift,
    )
    accounts = tuple(
        replace(ar, observation=_refetched(ar.observation, shift))
        if ar.observation is not None
        else ar
        for ar in result.accounts
    )
    return replace(result, run=run, accounts=accounts)


def _size(path: Path) -> int:
    """Bytes on disk of the database and its WAL journal (closed stores checkpoint)."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _timed_cli(args: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        outcome = CliRunner().invoke(cli, args)
        best = min(best, time.perf_counter() - start)
        if outcome.exit_code != 0:
            raise SystemExit(f"rollcall {' '.join(args)} failed: {outcome.output}")
    return best


def main() -> None:
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else ACCOUNTS
    weeks = int(sys.argv[2]) if len(sys.argv) > 2 else WEEKS
    base = scaled(example_result(), accounts)
    observed = sum(1 for a in base.accounts if a.observation is not None)
    print(f"{accounts:,} accounts ({observed:,} observed), {len(base.findings):,} findings a run")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "history.rollcall.db"
        sizes: list[int] = []
        start = time.perf_counter()
        for week in range(weeks):
            with HistoryStore.open(db) as store:
                store.record(week_later(base, week))
            sizes.append(_size(db))
        record_seconds = (time.perf_counter() - start) / weeks
        list_seconds = _timed_cli(["history", "list", "--history", str(db)])
        diff_seconds = _timed_cli(["history", "diff", "1", str(weeks), "--history", str(db)])
    first, last = sizes[0], sizes[-1]
    print(f"size after run 1: {first / 1e6:8.2f} MB")
    print(f"size after run {weeks}: {last / 1e6:8.2f} MB  ({last / first:.2f}x the first)")
    print(f"record: {record_seconds:.2f} s a run; history list {list_seconds:.2f} s; ", end="")
    print(f"history diff 1 {weeks}: {diff_seconds:.2f} s")
    size_ok = "meets" if last / first <= SIZE_TARGET else "misses"
    list_ok = "meets" if list_seconds <= LIST_TARGET_SECONDS else "misses"
    print(f"target: size <= {SIZE_TARGET:.0f}x -> {size_ok}; list <= 1 s -> {list_ok}")


if __name__ == "__main__":
    main()
