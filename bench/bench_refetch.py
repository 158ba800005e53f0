"""Benchmark: bytes and requests of re-auditing an unchanged world with conditional requests.

Audits the example organization against the sandbox twice with one history database; the second
run sends If-None-Match / If-Modified-Since from the stored evidence and reuses a 304's stored
observation. Run by hand: ``.venv/bin/python bench/bench_refetch.py``. Target (issue 8): the
second run transfers at most 10% of the first run's bytes. Prints figures, asserts nothing.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path

from scanner.cli.common import execute_audit
from scanner.examples import example_inventory_path
from scanner.fetch import HostLimits
from scanner.model import AuditResult, Platform
from scanner.platforms import platform_fetch_config
from scanner.runs.audit import AuditOptions
from scanner.sandbox import Sandbox, example_world_path, load_world

TARGET = 0.10


def _audit(sandbox: Sandbox, history: Path) -> tuple[AuditResult, float]:
    options = AuditOptions(
        inventory=example_inventory_path(), as_of=sandbox.world.as_of, history=history
    )
    # The sandbox is a process on this machine: lift the per-host pacing (as the demo does).
    config = platform_fetch_config(
        endpoints=sandbox.endpoints(),
        host_limits={p.value: HostLimits(8, 0.0) for p in Platform},
    )
    start = time.perf_counter()
    result = execute_audit(options, config)
    return result, time.perf_counter() - start


def main() -> None:
    world = load_world(example_world_path())
    rows: list[tuple[str, int, int, str, int, float]] = []
    with tempfile.TemporaryDirectory() as tmp, Sandbox(world) as sandbox:
        history = Path(tmp) / "history.db"
        for label in ("first audit", "second audit"):
            sandbox.reset_counters()
            result, seconds = _audit(sandbox, history)
            statuses = Counter(status for _, _, status in sandbox.request_log)
            reused = sum(1 for a in result.accounts if a.observation and a.observation.not_modified)
            shown = " ".join(f"{k}={v}" for k, v in sorted(statuses.items()))
            rows.append((label, sandbox.requests, sandbox.bytes_sent, shown, reused, seconds))
    print(
        f"{'run':<13} {'requests':>8} {'bytes':>9}  {'statuses':<22} {'reused':>6} {'seconds':>7}"
    )
    for label, requests, sent, shown, reused, seconds in rows:
        print(f"{label:<13} {requests:>8} {sent:>9}  {shown:<22} {reused:>6} {seconds:>7.2f}")
    (_, req1, bytes1, *_), (_, req2, bytes2, *_) = rows
    ratio = bytes2 / bytes1 if bytes1 else float("nan")
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"second/first: requests {req2 / req1:.1%}, bytes {ratio:.1%}")
    print(f"target: bytes <= {TARGET:.0%} -> {verdict} the target")


if __name__ == "__main__":
    main()
