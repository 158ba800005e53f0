"""Run the real CLI in a child process: exit codes, stderr and "no hang" as a user meets them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NO_HANG_SECONDS = 5
"""Every hostile input must be refused well within this (a hang fails the test)."""


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m scanner ARGS`` in ``cwd``; raises TimeoutExpired after NO_HANG_SECONDS."""
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=NO_HANG_SECONDS,
        check=False,
    )
