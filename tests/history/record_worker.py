"""Subprocess worker for the crash and concurrency tests (run as a script, not collected).

    record_worker.py DB INVENTORY ACCOUNTS MODE RUNS [GO_FILE]

MODE ``crash``: record RUNS complete runs, then start one more and, inside its transaction
(after the observations were written), print ``inside`` and sleep until killed.
MODE ``hold``: record RUNS runs; in the first one, print ``inside`` inside the transaction and
wait until GO_FILE exists, so another process has to wait on the busy timeout.
MODE ``plain``: record RUNS runs. Every finished run prints ``recorded <id>``.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import builders as b  # type: ignore[import-not-found]  # noqa: E402

from scanner.history import HistoryStore  # noqa: E402


def main() -> None:
    db, inventory_path, n, mode, runs = (
        sys.argv[1],
        sys.argv[2],
        int(sys.argv[3]),
        sys.argv[4],
        int(sys.argv[5]),
    )
    go = Path(sys.argv[6]) if len(sys.argv) > 6 else None
    inv = b.inventory(Path(inventory_path), n)
    findings = [b.finding(a, "OWN-002") for a in inv.accounts[::2]]
    state = {"held": False}

    def hook(stage: str) -> None:
        if stage != "observations":
            return
        if mode == "crash" and state["held"]:
            print("inside", flush=True)
            time.sleep(120)
        if mode == "hold" and not state["held"]:
            state["held"] = True
            print("inside", flush=True)
            while go is not None and not go.exists():
                time.sleep(0.01)

    with HistoryStore.open(db, during_record=hook) as store:
        for i in range(runs + (1 if mode == "crash" else 0)):
            if mode == "crash" and i == runs:
                state["held"] = True
            print("recording", flush=True)
            run_id = store.record(b.result(inv, b.T0 + timedelta(days=i), findings))
            print(f"recorded {run_id}", flush=True)


if __name__ == "__main__":
    main()
