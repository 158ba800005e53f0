"""The process exit codes; their meaning never changes with flags."""

from __future__ import annotations

import enum

__all__ = ["ExitCode"]


class ExitCode(enum.IntEnum):
    CLEAN = 0
    FINDINGS = 1
    BAD_INPUT = 2
    INCOMPLETE = 3
    STORAGE = 4
    """The history database could not be opened, read or written (the input was fine)."""
