"""The history database's schema as an ordered list of migrations, each applied in its own
transaction and recorded in ``schema_migrations``. Never edit a shipped migration: append one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from scanner.errors import HistoryError
from scanner.history.dedup import (
    FINDING_FACTS,
    INSTANT_SQL,
    OBSERVATION_FACTS,
    intern,
    split_instant,
)

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "applied_versions",
    "migrate",
]

Step = str | Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class Migration:
    """One schema change. Steps are single SQL statements or callables, run in order inside one
    transaction (``executescript`` is avoided because it commits on its own)."""

    version: int
    description: str
    steps: Sequence[Step]


_V1 = Migration(
    1,
    "runs, observations and findings",
    (
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            inventory_path TEXT NOT NULL,
            inventory_sha256 TEXT NOT NULL,
            policy_packs TEXT NOT NULL,
            complete INTEGER NOT NULL CHECK (complete IN (0, 1)),
            as_of TEXT NOT NULL,
            offline INTEGER NOT NULL CHECK (offline IN (0, 1)),
            replay_of INTEGER REFERENCES runs(id) ON DELETE SET NULL
        )
        """,
        """
        CREATE TABLE observations (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            account_id TEXT NOT NULL,
            platform TEXT NOT NULL,
            handle TEXT NOT NULL,
            handle_key TEXT NOT NULL,
            status TEXT NOT NULL,
            reason_code TEXT,
            reason_text TEXT,
            http_status INTEGER,
            url TEXT NOT NULL,
            final_url TEXT,
            fetched_at TEXT NOT NULL,
            signal TEXT,
            etag TEXT,
            last_modified TEXT,
            body_sha256 TEXT,
            fields TEXT NOT NULL,
            not_modified INTEGER NOT NULL CHECK (not_modified IN (0, 1)),
            PRIMARY KEY (run_id, account_id)
        )
        """,
        """
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            fingerprint TEXT NOT NULL,
            rule_id TEXT NOT NULL,
            title TEXT NOT NULL,
            severity TEXT NOT NULL,
            status TEXT NOT NULL,
            category TEXT NOT NULL,
            account_id TEXT,
            platform TEXT,
            handle TEXT,
            message TEXT NOT NULL,
            remediation TEXT NOT NULL,
            location TEXT NOT NULL,
            evidence TEXT NOT NULL,
            waiver TEXT
        )
        """,
        "CREATE INDEX findings_run ON findings (run_id)",
    ),
)


def _backfill_account_counts(conn: sqlite3.Connection) -> None:
    # Version 1 did not record how many accounts a run covered; the observations it stored are
    # the best count available (offline runs stored none, so they stay at 0).
    conn.execute(
        "UPDATE runs SET accounts = (SELECT COUNT(*) FROM observations o WHERE o.run_id = runs.id)"
    )


_V2 = Migration(
    2,
    "discoveries table, runs.accounts, lookup indexes",
    (
        """
        CREATE TABLE discoveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            platform TEXT NOT NULL,
            handle TEXT NOT NULL,
            url TEXT NOT NULL,
            classification TEXT NOT NULL,
            score INTEGER NOT NULL,
            matched_alias TEXT,
            matched_account_id TEXT,
            evidence TEXT NOT NULL,
            observation TEXT NOT NULL
        )
        """,
        "CREATE INDEX discoveries_run ON discoveries (run_id)",
        "ALTER TABLE runs ADD COLUMN accounts INTEGER NOT NULL DEFAULT 0",
        _backfill_account_counts,
        "CREATE INDEX runs_inventory ON runs (inventory_path, started_at)",
        "CREATE INDEX findings_fingerprint ON findings (fingerprint, run_id)",
        "CREATE INDEX observations_handle ON observations (platform, handle_key, fetched_at)",
    ),
)


def _observations_view(*, access: bool = False) -> str:
    """The ``observations`` view over the digested tables; ``access`` (version 4) adds the time
    each run read the account's access list (``run_access``)."""
    fetched = INSTANT_SQL.format(text="o.fetched_text", us="o.fetched_us")
    facts = ", ".join(f"s.{c} AS {c}" for c in OBSERVATION_FACTS)
    read = INSTANT_SQL.format(text="a.fetched_text", us="a.fetched_us")
    return (
        f"CREATE VIEW observations AS SELECT o.run_id AS run_id, o.seq AS seq, {facts}, "
        f"{fetched} AS fetched_at, o.not_modified AS not_modified"
        + (f", {read} AS access_fetched_at" if access else "")
        + " FROM run_observations o JOIN stored_observations s ON s.id = o.observation_id"
        + (" LEFT JOIN run_access a ON a.run_id = o.run_id AND a.seq = o.seq" if access else "")
    )


def _findings_view() -> str:
    facts = ", ".join(f"s.{c} AS {c}" for c in FINDING_FACTS)
    return (
        f"CREATE VIEW findings AS SELECT r.run_id AS run_id, r.seq AS seq, {facts} "
        "FROM run_findings r JOIN stored_findings s ON s.id = r.finding_id"
    )


def _move_observations(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        f"SELECT run_id, fetched_at, not_modified, {', '.join(OBSERVATION_FACTS)} "
        "FROM observations ORDER BY run_id, rowid"
    ).fetchall()
    seq: dict[int, int] = {}
    for run_id, fetched_at, not_modified, *facts in rows:
        stored = intern(conn, "stored_observations", OBSERVATION_FACTS, facts)
        n = seq[run_id] = seq.get(run_id, -1) + 1
        conn.execute(
            "INSERT INTO run_observations (run_id, seq, observation_id, fetched_us, fetched_text,"
            " not_modified) VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, n, stored, *split_instant(str(fetched_at)), not_modified),
        )


def _move_findings(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        f"SELECT run_id, {', '.join(FINDING_FACTS)} FROM findings ORDER BY run_id, id"
    ).fetchall()
    seq: dict[int, int] = {}
    for run_id, *facts in rows:
        stored = intern(conn, "stored_findings", FINDING_FACTS, facts)
        n = seq[run_id] = seq.get(run_id, -1) + 1
        conn.execute(
            "INSERT INTO run_findings (run_id, seq, finding_id) VALUES (?, ?, ?)",
            (run_id, n, stored),
        )


# A weekly audit of an unchanged world stored every observation and finding again (about 1 KB
# an account a week). Rows are now stored once by content digest; a run keeps a reference per
# account (and the fetch time, as an integer). The old tables become views of the same name
# and columns, so every query reads them as before.
_V3 = Migration(
    3,
    "observations and findings stored once by digest; runs reference them",
    (
        """
        CREATE TABLE stored_observations (
            id INTEGER PRIMARY KEY,
            digest BLOB NOT NULL UNIQUE,
            account_id TEXT NOT NULL,
            platform TEXT NOT NULL,
            handle TEXT NOT NULL,
            handle_key TEXT NOT NULL,
            status TEXT NOT NULL,
            reason_code TEXT,
            reason_text TEXT,
            http_status INTEGER,
            url TEXT NOT NULL,
            final_url TEXT,
            signal TEXT,
            etag TEXT,
            last_modified TEXT,
            body_sha256 TEXT,
            fields TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE run_observations (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            observation_id INTEGER NOT NULL REFERENCES stored_observations(id),
            fetched_us INTEGER,
            fetched_text TEXT,
            not_modified INTEGER NOT NULL CHECK (not_modified IN (0, 1)),
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE stored_findings (
            id INTEGER PRIMARY KEY,
            digest BLOB NOT NULL UNIQUE,
            fingerprint TEXT NOT NULL,
            rule_id TEXT NOT NULL,
            title TEXT NOT NULL,
            severity TEXT NOT NULL,
            status TEXT NOT NULL,
            category TEXT NOT NULL,
            account_id TEXT,
            platform TEXT,
            handle TEXT,
            message TEXT NOT NULL,
            remediation TEXT NOT NULL,
            location TEXT NOT NULL,
            evidence TEXT NOT NULL,
            waiver TEXT
        )
        """,
        """
        CREATE TABLE run_findings (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            finding_id INTEGER NOT NULL REFERENCES stored_findings(id),
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID
        """,
        _move_observations,
        _move_findings,
        "DROP INDEX observations_handle",
        "DROP INDEX findings_run",
        "DROP INDEX findings_fingerprint",
        "DROP TABLE observations",
        "DROP TABLE findings",
        _observations_view(),
        _findings_view(),
        # last_known_good and previous_observations look an account up by platform and handle.
        "CREATE INDEX stored_observations_handle ON stored_observations (platform, handle_key)",
        "CREATE INDEX run_observations_stored ON run_observations (observation_id)",
    ),
)


# Issue 13: who holds access to an account is stored with each run. The list itself (holders,
# the listing call, reason, gaps) joins the digested ``fields`` JSON of stored_observations, so
# an unchanged list is stored once and an observation without one keeps its version-3 digest.
# Only the time the list was read changes every week: a row of its own, for the observations
# that have a list (a column on run_observations cost every observation bytes in every run).
_V4 = Migration(
    4,
    "access lists: in the stored observation's fields, their read time per run in run_access",
    (
        """
        CREATE TABLE run_access (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            fetched_us INTEGER,
            fetched_text TEXT,
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID
        """,
        "DROP VIEW observations",
        _observations_view(access=True),
    ),
)

MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3, _V4)
LATEST_VERSION = MIGRATIONS[-1].version

_BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


def applied_versions(conn: sqlite3.Connection) -> set[int]:
    rows = conn.execute("SELECT version FROM schema_migrations").fetchall()
    return {int(r[0]) for r in rows}


def _user_tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return {str(r[0]) for r in rows}


def _up_to_date(conn: sqlite3.Connection, known: set[int], wanted: set[int]) -> bool:
    """Lock-free check so opening an up-to-date database never waits for a writer."""
    if "schema_migrations" not in _user_tables(conn):
        return False
    done = applied_versions(conn)
    return wanted <= done and done <= known


def migrate(
    conn: sqlite3.Connection,
    *,
    target: int = LATEST_VERSION,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> list[int]:
    """Bring the schema up to ``target``; returns the versions applied now.

    The connection must be in autocommit mode (``isolation_level=None``): each migration runs in
    its own ``BEGIN IMMEDIATE`` transaction, and the applied set is re-read after the lock is
    taken so two processes opening a fresh database at once do not both apply version 1.
    """
    known = {m.version for m in migrations}
    wanted = {m.version for m in migrations if m.version <= target}
    if _up_to_date(conn, known, wanted):
        return []
    applied_now: list[int] = []
    for migration in sorted(migrations, key=lambda m: m.version):
        if migration.version > target:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            tables = _user_tables(conn)
            if "schema_migrations" not in tables and tables:
                raise HistoryError(
                    "not a Rollcall history database (it has tables but no schema_migrations)"
                )
            conn.execute(_BOOTSTRAP)
            done = applied_versions(conn)
            newer = sorted(v for v in done if v not in known)
            if newer:
                raise HistoryError(
                    f"history database has schema version {max(newer)}, newer than this "
                    f"version of Rollcall knows (up to {max(known)}); upgrade Rollcall"
                )
            if migration.version in done:
                conn.execute("COMMIT")
                continue
            for step in migration.steps:
                if isinstance(step, str):
                    conn.execute(step)
                else:
                    step(conn)
            conn.execute(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.description, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied_now.append(migration.version)
    return applied_now
