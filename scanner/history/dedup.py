"""Evidence stored once: observation and finding rows are kept by content digest, and each run
only references them (with the fetch time, the one thing that changes every week)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

__all__ = [
    "FINDING_FACTS",
    "INSTANT_SQL",
    "OBSERVATION_FACTS",
    "digest",
    "intern",
    "split_instant",
]

OBSERVATION_FACTS = (
    "account_id",
    "platform",
    "handle",
    "handle_key",
    "status",
    "reason_code",
    "reason_text",
    "http_status",
    "url",
    "final_url",
    "signal",
    "etag",
    "last_modified",
    "body_sha256",
    "fields",
)
"""Columns of ``stored_observations``: an observation without its run and how it was fetched
(the time, and whether a 304 confirmed it: every week after the first, in an unchanged world)."""

FINDING_FACTS = (
    "fingerprint",
    "rule_id",
    "title",
    "severity",
    "status",
    "category",
    "account_id",
    "platform",
    "handle",
    "message",
    "remediation",
    "location",
    "evidence",
    "waiver",
)
"""Columns of ``stored_findings``: a finding without its run."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SUFFIX = "+00:00"

INSTANT_SQL = (
    "COALESCE({text}, strftime('%Y-%m-%dT%H:%M:%S', {us} / 1000000, 'unixepoch')"
    " || printf('.%06d" + _SUFFIX + "', {us} % 1000000))"
)
"""SQL that turns the pair written by :func:`split_instant` back into the stored text."""


def digest(values: Sequence[object]) -> bytes:
    """16 bytes naming a row's content (sha256, truncated): equal values, equal digest."""
    text = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).digest()[:16]


def intern(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], values: Sequence[object]
) -> int:
    """The id of the row of ``table`` holding ``values``, inserted if no row holds them yet."""
    key = digest(values)
    row = conn.execute(f"SELECT id FROM {table} WHERE digest = ?", (key,)).fetchone()
    if row is not None:
        return int(row[0])
    marks = ", ".join("?" for _ in range(len(columns) + 1))
    cur = conn.execute(
        f"INSERT INTO {table} (digest, {', '.join(columns)}) VALUES ({marks})", (key, *values)
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def split_instant(text: str) -> tuple[int | None, str | None]:
    """A stored fixed-width UTC time as microseconds since 1970 (8 bytes, not 32), or the text
    itself when the integer could not give it back exactly (a naive time, a year before 1970)."""
    if not text.endswith(_SUFFIX):
        return None, text
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return None, text
    if instant.year < 1970 or instant.isoformat(timespec="microseconds") != text:
        return None, text
    return (instant - _EPOCH) // timedelta(microseconds=1), None
