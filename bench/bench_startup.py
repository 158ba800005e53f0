"""Benchmark: how long ``rollcall`` takes to start, against ``python -c 'import click'``.

Runs each command N times in fresh interpreters (this one's) and keeps the best time of each;
reports ``rollcall --version`` and ``rollcall --help`` against importing click alone (target for
``--version``: <= 1.5x) and a bare interpreter, and ``rollcall validate --help``, which loads one
command. Run by hand: ``.venv/bin/python bench/bench_startup.py [N]``. Prints figures, asserts
nothing.
"""

from __future__ import annotations

import subprocess
import sys
import time

RUNS = 15
TARGET = 1.5

_ROLLCALL = "from scanner.cli.main import main; main()"
COMMANDS: tuple[tuple[str, list[str]], ...] = (
    ("python (bare interpreter)", ["-c", "pass"]),
    ("python -c 'import click'", ["-c", "import click"]),
    ("rollcall --version", ["-c", _ROLLCALL, "--version"]),
    ("rollcall --help", ["-c", _ROLLCALL, "--help"]),
    ("rollcall validate --help", ["-c", _ROLLCALL, "validate", "--help"]),
)


def best_of(runs: int, args: list[str]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    times = {label: best_of(runs, args) for label, args in COMMANDS}
    click_s = times["python -c 'import click'"]
    print(f"best of {runs} runs each")
    for label, seconds in times.items():
        print(f"{label:<28} {seconds * 1000:7.1f} ms  {seconds / click_s:5.2f}x import click")
    ratio = times["rollcall --version"] / click_s
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"target: rollcall --version <= {TARGET}x import click -> {verdict} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
