"""Write tests/history/fixtures/v1.sqlite: a history database as schema version 1 left it.

Run from the repository root: ``.venv/bin/python tests/history/make_v1_fixture.py``. It applies
only migration 1 and inserts rows with version 1's columns by hand (no ``runs.accounts``, no
``discoveries``), so the committed file is what a first-release Rollcall wrote.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

from scanner.history.migrations import migrate

FIXTURE = Path(__file__).parent / "fixtures" / "v1.sqlite"
INVENTORY = "/srv/audits/inventories/copper-kettle.yaml"

_FIELDS = {
    "display_name": "Copper Kettle Coffee Roasters",
    "bio": "Small-batch coffee since 2012 · https://copperkettle.coffee",
    "links": ["https://copperkettle.coffee"],
    "followers": 1200,
    "verified": "false",
    "created_at": "2015-03-01T10:00:00+00:00",
    "last_activity_at": "2026-10-01T09:00:00+00:00",
    "no_activity_since": None,
    "account_state": "active",
}


def _run(conn: sqlite3.Connection, started: str, finished: str) -> int:
    cur = conn.execute(
        "INSERT INTO runs (started_at, finished_at, recorded_at, tool_version, inventory_path, "
        "inventory_sha256, policy_packs, complete, as_of, offline, replay_of) "
        "VALUES (?, ?, ?, '0.1.0', ?, ?, ?, 1, ?, 0, NULL)",
        (
            started,
            finished,
            finished,
            INVENTORY,
            "c" * 64,
            json.dumps([["policies/default.yaml", "d" * 64]]),
            started[:10],
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def _obs(
    conn: sqlite3.Connection,
    run_id: int,
    account: str,
    platform: str,
    handle: str,
    status: str,
    fetched: str,
    etag: str | None,
) -> None:
    conn.execute(
        "INSERT INTO observations (run_id, account_id, platform, handle, handle_key, status, "
        "reason_code, reason_text, http_status, url, final_url, fetched_at, signal, etag, "
        "last_modified, body_sha256, fields, not_modified) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 0)",
        (
            run_id,
            account,
            platform,
            handle,
            handle.casefold(),
            status,
            "login_wall" if status == "blocked" else None,
            "the platform showed its login page" if status == "blocked" else None,
            200,
            f"https://example.invalid/{platform}/{handle}",
            f"https://example.invalid/{platform}/{handle}",
            fetched,
            "json:id" if status == "present" else "html:login_form",
            etag,
            "e" * 64,
            json.dumps(
                _FIELDS
                if status == "present"
                else {
                    **dict.fromkeys(_FIELDS),
                    "links": [],
                    "verified": "unknown",
                    "account_state": "unknown",
                }
            ),
        ),
    )


def _finding(
    conn: sqlite3.Connection,
    run_id: int,
    fp: str,
    rule: str,
    account: str,
    platform: str,
    handle: str,
    line: int,
) -> None:
    conn.execute(
        "INSERT INTO findings (run_id, fingerprint, rule_id, title, severity, status, category, "
        "account_id, platform, handle, message, remediation, location, evidence, waiver) "
        "VALUES (?, ?, ?, ?, 'high', 'fail', 'ownership', ?, ?, ?, ?, ?, ?, ?, NULL)",
        (
            run_id,
            fp,
            rule,
            f"{rule} title",
            account,
            platform,
            handle,
            f"{rule} failed on {handle}",
            "Assign an active owner.",
            json.dumps({"file": "inventories/copper-kettle.yaml", "line": line, "column": 3}),
            json.dumps({"owner": "former.intern@copperkettle.coffee"}),
        ),
    )


def build(path: Path) -> None:
    """Write a version-1 database with two runs to ``path`` (replacing it)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, target=1)
        conn.execute("BEGIN")
        r1 = _run(conn, "2026-10-01T09:00:00.000000+00:00", "2026-10-01T09:03:00.000000+00:00")
        _obs(
            conn,
            r1,
            "gh-main",
            "github",
            "copperkettle",
            "present",
            "2026-10-01T09:00:05.000000+00:00",
            'W/"v1"',
        )
        _obs(
            conn,
            r1,
            "ig-main",
            "instagram",
            "CopperKettle",
            "blocked",
            "2026-10-01T09:00:06.000000+00:00",
            None,
        )
        _finding(conn, r1, "fp-own-002-ig", "OWN-002", "ig-main", "instagram", "CopperKettle", 40)
        _finding(conn, r1, "fp-act-001-gh", "ACT-001", "gh-main", "github", "copperkettle", 20)
        r2 = _run(conn, "2026-11-01T09:00:00.000000+00:00", "2026-11-01T09:03:00.000000+00:00")
        _obs(
            conn,
            r2,
            "gh-main",
            "github",
            "copperkettle",
            "present",
            "2026-11-01T09:00:05.000000+00:00",
            'W/"v2"',
        )
        _obs(
            conn,
            r2,
            "ig-main",
            "instagram",
            "CopperKettle",
            "blocked",
            "2026-11-01T09:00:06.000000+00:00",
            None,
        )
        _finding(conn, r2, "fp-own-002-ig", "OWN-002", "ig-main", "instagram", "CopperKettle", 44)
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    finally:
        conn.close()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE
    target.parent.mkdir(parents=True, exist_ok=True)
    build(target)
    print(f"wrote {target}")
