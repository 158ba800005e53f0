"""Audit history: runs, their evidence and findings in SQLite; baselines, diffs, trends, replay.

``with HistoryStore.open(default_path(inventory)) as store: run_id = store.record(result)``.
"""

from __future__ import annotations

from scanner.errors import HistoryError
from scanner.history.access import AccessChange, AccessChangeKind, AccessComparison, AccessSkip
from scanner.history.migrations import LATEST_VERSION, MIGRATIONS, Migration, migrate
from scanner.history.store import (
    DEFAULT_TIMEOUT,
    HistoryStore,
    RunDiff,
    RunSummary,
    StoredRun,
    default_path,
    history_path,
    is_open,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "AccessChange",
    "AccessChangeKind",
    "AccessComparison",
    "AccessSkip",
    "LATEST_VERSION",
    "MIGRATIONS",
    "HistoryError",
    "HistoryStore",
    "Migration",
    "RunDiff",
    "RunSummary",
    "StoredRun",
    "default_path",
    "history_path",
    "is_open",
    "migrate",
]
