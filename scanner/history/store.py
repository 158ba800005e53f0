"""HistoryStore: audit runs, their observations (the evidence) and findings in one SQLite file;
an observation or finding that did not change between runs is stored once (history.dedup).

A run is written in ONE ``BEGIN IMMEDIATE`` transaction after the audit finished, never as a
'running' row updated later: a process killed mid-write (SIGKILL, power loss) leaves no partial
run, and the WAL journal keeps every earlier run intact and the file consistent.
"""

from __future__ import annotations

import re
import sqlite3
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from scanner.errors import HistoryError, SourceError, UsageError
from scanner.history import codec
from scanner.history.access import AccessComparison, compare_access
from scanner.history.dedup import FINDING_FACTS, OBSERVATION_FACTS, intern, split_instant
from scanner.history.migrations import migrate
from scanner.model import (
    JSON,
    AuditResult,
    Baseline,
    Discovery,
    Finding,
    FindingStatus,
    Observation,
    ObservationStatus,
    Platform,
    RunInfo,
    Severity,
    finding_order,
    not_evaluated,
)
from scanner.serialize import iso

__all__ = [
    "DEFAULT_TIMEOUT",
    "HistoryStore",
    "RunDiff",
    "RunSummary",
    "StoredRun",
    "default_path",
    "history_path",
    "is_open",
]

DEFAULT_TIMEOUT = 30.0
"""Seconds a writer waits for another process's transaction before giving up (busy timeout)."""

RecordHook = Callable[[str], None]

HISTORY_SUFFIX = ".rollcall.db"
"""How a default history database is named: ``<inventory stem>.rollcall.db``."""


def default_path(inventory_path: str | Path) -> Path:
    """``<inventory dir>/<inventory stem>.rollcall.db``: beside the inventory, one history per
    inventory, and matched by the ``*.rollcall.db`` line of a typical .gitignore."""
    p = Path(inventory_path)
    return p.with_name(f"{p.stem}{HISTORY_SUFFIX}")


def history_path(
    history: str | Path | None,
    inventory: str | Path | None,
    *,
    search: Path | None = None,
) -> Path:
    """The history database a command uses; ``rollcall audit`` and ``rollcall history`` both
    ask here. ``history`` when given, else :func:`default_path` of ``inventory``; with neither,
    the one default database (``*.rollcall.db``) in ``search`` or a folder directly inside it,
    so ``rollcall history list`` run where ``rollcall audit`` was run finds that audit's runs."""
    if history is not None:
        return Path(history)
    if inventory is not None:
        return default_path(inventory)
    if search is None:
        raise UsageError("give --history PATH or --inventory INVENTORY")
    found = [
        p
        for pattern in (f"*{HISTORY_SUFFIX}", f"*/*{HISTORY_SUFFIX}")
        for p in sorted(search.glob(pattern))
        if p.is_file()
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UsageError(
            f"no history database (*{HISTORY_SUFFIX}) in {search} or a folder inside it: "
            "run `rollcall audit INVENTORY` first, or give --history PATH or --inventory INVENTORY"
        )
    names = ", ".join(str(p.relative_to(search)) for p in found)
    raise UsageError(
        f"{len(found)} history databases found ({names}): "
        "choose one with --inventory INVENTORY or --history PATH"
    )


def is_open(status: FindingStatus) -> bool:
    """Whether a finding with this status counts as open for baselines, diffs and trends.

    ``error`` is open: the rule could not be verified, which is not a fix. ``waived`` is not:
    the risk was accepted, so a finding that gets waived leaves the open set ("resolved").
    """
    match status:
        case FindingStatus.FAIL | FindingStatus.WARN | FindingStatus.ERROR:
            return True
        case FindingStatus.PASS | FindingStatus.WAIVED:
            return False
        case _:
            typing.assert_never(status)


_OPEN_SQL = tuple(s.value for s in FindingStatus if is_open(s))
_OPEN_IN = ",".join("?" for _ in _OPEN_SQL)


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class RunSummary:
    """One stored run with its counts, as ``history list`` shows it."""

    run: RunInfo
    accounts: int
    observations: Mapping[str, int] = field(default_factory=dict)
    """Observation status → count; ``not_observed`` counts accounts with no observation."""
    findings: Mapping[str, int] = field(default_factory=dict)
    """Finding status → count."""
    open_by_severity: Mapping[str, int] = field(default_factory=dict)
    """Open findings (:func:`is_open`) by severity, live checks the run never made left out."""
    not_evaluated: int = 0
    """``error`` findings that are live checks the run never made (``model.not_evaluated``):
    every live check of an offline run. Not open, so not in ``open_by_severity``."""

    @property
    def id(self) -> int:
        assert self.run.run_id is not None
        return self.run.run_id

    def to_dict(self) -> dict[str, JSON]:
        return {
            **codec.run_info_to_dict(self.run),
            "accounts": self.accounts,
            "observations": dict(self.observations),
            "findings": dict(self.findings),
            "open_by_severity": dict(self.open_by_severity),
            "not_evaluated": self.not_evaluated,
        }


@dataclass(frozen=True)
class StoredRun:
    """Everything a run stored: enough to replay it under another policy with zero requests.

    ``observations`` maps account id → Observation; accounts that were not observed (offline)
    are missing, so ``observations.get(account.id)`` gives evaluate's ``None``.
    """

    run: RunInfo
    accounts: int
    observations: Mapping[str, Observation]
    findings: tuple[Finding, ...]
    discoveries: tuple[Discovery, ...] = ()

    def to_dict(self) -> dict[str, JSON]:
        return {
            "run": codec.run_info_to_dict(self.run),
            "accounts": self.accounts,
            "observations": {k: codec.observation_to_dict(v) for k, v in self.observations.items()},
            "findings": [codec.finding_to_dict(f) for f in self.findings],
            "discoveries": [codec.discovery_to_dict(d) for d in self.discoveries],
        }


@dataclass(frozen=True)
class RunDiff:
    """Open findings of run ``b`` compared with run ``a`` (by fingerprint)."""

    a: RunInfo
    b: RunInfo
    new: tuple[Finding, ...]
    """Open in b, not open in a (b's findings)."""
    still_open: tuple[Finding, ...]
    """Open in both (b's findings)."""
    resolved: tuple[Finding, ...]
    """Open in a, not open in b (a's findings)."""
    not_evaluated: tuple[Finding, ...] = ()
    """Live checks one run never made (an offline run) that would otherwise count as new or
    resolved: not knowing is neither (see :class:`_Open`)."""
    access: AccessComparison = AccessComparison()
    """Holders granted, revoked or with another role, per account (scanner.history.access)."""

    def to_dict(self) -> dict[str, JSON]:
        return {
            "a": codec.run_info_to_dict(self.a),
            "b": codec.run_info_to_dict(self.b),
            "new": [codec.finding_to_dict(f) for f in self.new],
            "still_open": [codec.finding_to_dict(f) for f in self.still_open],
            "resolved": [codec.finding_to_dict(f) for f in self.resolved],
            "not_evaluated": [codec.finding_to_dict(f) for f in self.not_evaluated],
            "access": self.access.to_dict(),
        }


# --------------------------------------------------------------------------- helpers


def _resolve(inventory_path: str | Path) -> str:
    return str(Path(inventory_path).resolve())


def _sortable(dt: datetime) -> str:
    """Fixed-width UTC text so SQL ORDER BY sorts instants. Aware values are stored in UTC (equal
    to the original as datetimes); naive ones are kept as they are."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.isoformat(timespec="microseconds")


def _instant(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Open:
    """One run's open findings by fingerprint (in the run's order), and which of them are live
    checks the run never made (``model.not_evaluated``: an offline run's)."""

    findings: dict[str, Finding]
    skipped: frozenset[str]

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> _Open:
        found: dict[str, Finding] = {}
        skipped: set[str] = set()
        for f in findings:
            if is_open(f.status) and f.fingerprint not in found:
                found[f.fingerprint] = f
                if not_evaluated(f):
                    skipped.add(f.fingerprint)
        return cls(found, frozenset(skipped))


@dataclass(frozen=True)
class _Comparison:
    """Run ``after`` against run ``before``. A check one run did not make is neither new nor
    resolved (not knowing is not a change), so it goes to ``not_evaluated``; open in both, it
    stays open: an unverified finding is not a fix."""

    new: tuple[Finding, ...]
    still_open: tuple[Finding, ...]
    resolved: tuple[Finding, ...]
    not_evaluated: tuple[Finding, ...]

    @classmethod
    def of(cls, before: _Open, after: _Open) -> _Comparison:
        appeared = [(fp, f) for fp, f in after.findings.items() if fp not in before.findings]
        gone = [(fp, f) for fp, f in before.findings.items() if fp not in after.findings]
        return cls(
            new=tuple(f for fp, f in appeared if fp not in after.skipped),
            still_open=tuple(f for fp, f in after.findings.items() if fp in before.findings),
            resolved=tuple(f for fp, f in gone if fp not in before.skipped),
            not_evaluated=tuple(f for fp, f in appeared if fp in after.skipped)
            + tuple(f for fp, f in gone if fp in before.skipped),
        )


_RUN_COLUMNS = (
    "id, started_at, finished_at, tool_version, inventory_path, inventory_sha256, "
    "policy_packs, complete, as_of, offline, replay_of, accounts"
)

_OBS_COLUMNS = (
    "account_id, platform, handle, status, reason_code, reason_text, http_status, url, "
    "final_url, fetched_at, signal, etag, last_modified, body_sha256, fields, not_modified, "
    "access_fetched_at"
)


def _run_from_row(row: sqlite3.Row) -> RunInfo:
    packs = codec.loads(row["policy_packs"])
    if not isinstance(packs, list):
        raise HistoryError("history database holds malformed policy_packs")
    pairs: list[tuple[str, str]] = []
    for item in packs:
        if not isinstance(item, list) or len(item) != 2:
            raise HistoryError("history database holds malformed policy_packs")
        pairs.append((str(item[0]), str(item[1])))
    started = codec.parse_datetime(row["started_at"])
    finished = codec.parse_datetime(row["finished_at"])
    as_of = codec.parse_date(row["as_of"])
    if started is None or finished is None or as_of is None:
        raise HistoryError(f"history database holds an incomplete run row (run {row['id']})")
    return RunInfo(
        started_at=started,
        finished_at=finished,
        tool_version=row["tool_version"],
        inventory_path=row["inventory_path"],
        inventory_sha256=row["inventory_sha256"],
        policy_packs=tuple(pairs),
        complete=bool(row["complete"]),
        as_of=as_of,
        offline=bool(row["offline"]),
        run_id=int(row["id"]),
        replay_of=None if row["replay_of"] is None else int(row["replay_of"]),
    )


def _observation_from_row(row: sqlite3.Row) -> Observation:
    fields = codec.loads(row["fields"])
    if not isinstance(fields, dict):
        raise HistoryError("history database holds malformed observation fields")
    access = fields.get("access")
    if isinstance(access, dict):
        # Stored once by digest without its time; the run keeps when it was read.
        fields["access"] = {**access, "fetched_at": row["access_fetched_at"]}
    reason: JSON = None
    if row["reason_code"] is not None:
        reason = {"code": row["reason_code"], "text": row["reason_text"] or ""}
    data: dict[str, JSON] = {
        **fields,
        "platform": row["platform"],
        "handle": row["handle"],
        "status": row["status"],
        "reason": reason,
        "http_status": row["http_status"],
        "url": row["url"],
        "final_url": row["final_url"],
        "fetched_at": row["fetched_at"],
        "signal": row["signal"],
        "etag": row["etag"],
        "last_modified": row["last_modified"],
        "body_sha256": row["body_sha256"],
        "not_modified": bool(row["not_modified"]),
    }
    return codec.observation_from_dict(data)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(row: tuple[object, ...]) -> tuple[object, ...]:
    """SQLite stores UTF-8 and refuses lone surrogates (UnicodeEncodeError, not sqlite3.Error);
    a hostile JSON profile can carry one (``"\\ud800"`` decodes to it), and so can a file name
    decoded with surrogateescape. They become U+FFFD rather than abort the recording."""
    return tuple(_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for v in row)


def _observation_facts(account_id: str, obs: Observation) -> tuple[object, ...]:
    """The columns of ``stored_observations`` (dedup.OBSERVATION_FACTS order)."""
    return (
        account_id,
        obs.platform.value,
        obs.handle,
        obs.handle.casefold(),
        obs.status.value,
        None if obs.reason is None else obs.reason.code,
        None if obs.reason is None else obs.reason.text,
        obs.http_status,
        obs.url,
        obs.final_url,
        obs.signal,
        obs.etag,
        obs.last_modified,
        obs.body_sha256,
        codec.dumps(_stored_fields(obs)),
    )


def _stored_fields(obs: Observation) -> dict[str, JSON]:
    """The ``fields`` JSON: what the platform showed and, when the run read one, the access
    list without its read time. No ``access`` key without a list, so an observation keeps the
    digest it had before access lists were stored (schema version 3)."""
    fields = codec.extracted_to_dict(obs)
    if obs.access is not None:
        fields["access"] = codec.access_facts(obs.access)
    return fields


def _finding_facts(f: Finding) -> tuple[object, ...]:
    """The columns of ``stored_findings`` (dedup.FINDING_FACTS order)."""
    d = codec.finding_to_dict(f)
    return (
        f.fingerprint,
        f.rule_id,
        f.title,
        f.severity.value,
        f.status.value,
        f.category,
        f.account_id,
        None if f.platform is None else f.platform.value,
        f.handle,
        f.message,
        f.remediation,
        codec.dumps(d["location"]),
        codec.dumps(d["evidence"]),
        None if f.waiver is None else codec.dumps(d["waiver"]),
    )


def _write_observations(
    conn: sqlite3.Connection, run_id: int, observed: Sequence[tuple[str, Observation]]
) -> None:
    """Each observation stored once by content (see scanner.history.dedup); the run keeps a
    reference, the fetch time and whether a 304 confirmed it, and when its access list (if
    any) was read."""
    for seq, (account_id, obs) in enumerate(observed):
        facts = _storable(_observation_facts(account_id, obs))
        stored = intern(conn, "stored_observations", OBSERVATION_FACTS, facts)
        conn.execute(
            "INSERT INTO run_observations (run_id, seq, observation_id, fetched_us, "
            "fetched_text, not_modified) VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, seq, stored, *split_instant(_sortable(obs.fetched_at)), obs.not_modified),
        )
        if obs.access is not None:
            conn.execute(
                "INSERT INTO run_access (run_id, seq, fetched_us, fetched_text) VALUES (?, ?, ?, ?)",
                (run_id, seq, *split_instant(_sortable(obs.access.fetched_at))),
            )


def _write_findings(conn: sqlite3.Connection, run_id: int, findings: Sequence[Finding]) -> None:
    """Each finding stored once by content; the run keeps a reference, in the run's order."""
    for seq, finding in enumerate(findings):
        facts = _storable(_finding_facts(finding))
        stored = intern(conn, "stored_findings", FINDING_FACTS, facts)
        conn.execute(
            "INSERT INTO run_findings (run_id, seq, finding_id) VALUES (?, ?, ?)",
            (run_id, seq, stored),
        )


@dataclass
class _RunCounts:
    """Per-run counts behind :class:`RunSummary`, keyed by run id; filled by
    :func:`_count_runs` (mutable only while it reads)."""

    accounts: dict[int, int] = field(default_factory=dict)
    observations: dict[int, dict[str, int]] = field(default_factory=dict)
    findings: dict[int, dict[str, int]] = field(default_factory=dict)
    open_by_severity: dict[int, dict[str, int]] = field(default_factory=dict)
    not_evaluated: dict[int, int] = field(default_factory=dict)

    def summary(self, run: RunInfo) -> RunSummary:
        assert run.run_id is not None
        rid = run.run_id
        seen = self.observations.get(rid, {})
        counts = {s.value: seen.get(s.value, 0) for s in ObservationStatus}
        counts["not_observed"] = max(0, self.accounts.get(rid, 0) - sum(counts.values()))
        found = self.findings.get(rid, {})
        open_ = self.open_by_severity.get(rid, {})
        return RunSummary(
            run=run,
            accounts=self.accounts.get(rid, 0),
            observations=counts,
            findings={
                s.value: found.get(s.value, 0) for s in FindingStatus if s is not FindingStatus.PASS
            },
            open_by_severity={s.value: open_.get(s.value, 0) for s in reversed(Severity)},
            not_evaluated=self.not_evaluated.get(rid, 0),
        )


def _count_runs(conn: sqlite3.Connection, ids: Sequence[int]) -> _RunCounts:
    """Accounts, observations by status, findings by status and open findings by severity of
    the runs ``ids``, counted in SQL."""
    marks = ",".join("?" for _ in ids)
    out = _RunCounts()
    for row in conn.execute(f"SELECT id, accounts FROM runs WHERE id IN ({marks})", ids):
        out.accounts[int(row[0])] = int(row[1])
    for row in conn.execute(
        f"SELECT run_id, status, COUNT(*) FROM observations WHERE run_id IN ({marks}) "
        "GROUP BY run_id, status",
        ids,
    ):
        out.observations.setdefault(int(row[0]), {})[str(row[1])] = int(row[2])
    for row in conn.execute(
        f"SELECT run_id, status, severity, COUNT(*) FROM findings "
        f"WHERE run_id IN ({marks}) GROUP BY run_id, status, severity",
        ids,
    ):
        rid, status, severity, n = int(row[0]), str(row[1]), str(row[2]), int(row[3])
        by_status = out.findings.setdefault(rid, {})
        by_status[status] = by_status.get(status, 0) + n
        if status in _OPEN_SQL:
            by_sev = out.open_by_severity.setdefault(rid, {})
            by_sev[severity] = by_sev.get(severity, 0) + n
    # Live checks a run never made are not open: decoded and judged by the one definition
    # (model.not_evaluated), only among `error` rows, the few it can be.
    for row in conn.execute(
        f"SELECT * FROM findings WHERE run_id IN ({marks}) AND status = ?",
        [*ids, FindingStatus.ERROR.value],
    ):
        f = _finding_from_row(row)
        if not_evaluated(f):
            rid = int(row["run_id"])
            out.not_evaluated[rid] = out.not_evaluated.get(rid, 0) + 1
            by_sev = out.open_by_severity.setdefault(rid, {})
            by_sev[f.severity.value] = by_sev.get(f.severity.value, 0) - 1
    return out


def _finding_from_row(row: sqlite3.Row) -> Finding:
    data: dict[str, JSON] = {
        "fingerprint": row["fingerprint"],
        "rule_id": row["rule_id"],
        "title": row["title"],
        "severity": row["severity"],
        "status": row["status"],
        "category": row["category"],
        "account_id": row["account_id"],
        "platform": row["platform"],
        "handle": row["handle"],
        "message": row["message"],
        "remediation": row["remediation"],
        "location": codec.loads(row["location"]),
        "evidence": codec.loads(row["evidence"]),
        "waiver": None if row["waiver"] is None else codec.loads(row["waiver"]),
    }
    return codec.finding_from_dict(data)


def _discovery_row(run_id: int, d: Discovery) -> tuple[object, ...]:
    return (
        run_id,
        d.platform.value,
        d.handle,
        d.url,
        d.classification.value,
        d.score,
        d.matched_alias,
        d.matched_account_id,
        codec.dumps(list(d.evidence)),
        codec.dumps(codec.observation_to_dict(d.observation)),
    )


def _discovery_from_row(row: sqlite3.Row) -> Discovery:
    return codec.discovery_from_dict(
        {
            "platform": row["platform"],
            "handle": row["handle"],
            "url": row["url"],
            "classification": row["classification"],
            "score": row["score"],
            "matched_alias": row["matched_alias"],
            "matched_account_id": row["matched_account_id"],
            "evidence": codec.loads(row["evidence"]),
            "observation": codec.loads(row["observation"]),
        }
    )


# --------------------------------------------------------------------------- store


class HistoryStore:
    """The history database. Use ``with HistoryStore.open(path) as store:``.

    Every sqlite3 failure surfaces as HistoryError (a RunError: the CLI exits 4): not a database,
    a schema newer than this tool, a lock held beyond the busy timeout, a malformed page.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        timeout: float,
        during_record: RecordHook | None = None,
    ) -> None:
        self._conn = conn
        self.path = path
        self.timeout = timeout
        self._during_record = during_record

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        during_record: RecordHook | None = None,
    ) -> HistoryStore:
        """Open (and create or migrate) the history at ``path``.

        ``create=False`` refuses a missing file (SourceError, exit 2) instead of creating one;
        read-only commands use it. ``during_record`` is called inside the write transaction of
        :meth:`record` with the stage just written ("observations", "findings",
        "discoveries"): a seam for crash tests.
        """
        p = Path(path)
        if not p.exists():
            if not create:
                raise SourceError(
                    str(p),
                    "no history database here (record one with `rollcall audit --history PATH`)",
                )
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise HistoryError(
                    f"{p}: cannot create the history directory: {exc.strerror}"
                ) from exc
        elif p.is_dir():
            raise HistoryError(f"{p}: is a directory, not a history database")
        conn: sqlite3.Connection | None = None
        try:
            # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves, so the sqlite3
            # module never opens implicit transactions behind our back.
            conn = sqlite3.connect(p, timeout=timeout, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            _enable_wal(conn, p, timeout)
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)
        except HistoryError:
            if conn is not None:
                conn.close()
            raise
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise _history_error(p, exc, timeout) from exc
        return cls(conn, p, timeout=timeout, during_record=during_record)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self._conn
        except sqlite3.Error as exc:
            raise _history_error(self.path, exc, self.timeout) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._guard() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _hook(self, stage: str) -> None:
        if self._during_record is not None:
            self._during_record(stage)

    # ----------------------------------------------------------------- writing

    def record(self, result: AuditResult) -> int:
        """Store a finished audit; returns its run id. ``result.run.run_id`` is ignored; the
        inventory path is stored resolved, so runs from another working directory still match."""
        run = result.run
        observed = [
            (ar.account.id, ar.observation) for ar in result.accounts if ar.observation is not None
        ]
        run_values = (
            _sortable(run.started_at),
            _sortable(run.finished_at),
            datetime.now(UTC).isoformat(timespec="microseconds"),
            run.tool_version,
            _resolve(run.inventory_path),
            run.inventory_sha256,
            codec.dumps([[p, h] for p, h in run.policy_packs]),
            int(run.complete),
            run.as_of.isoformat(),
            int(run.offline),
            run.replay_of,
            len(result.accounts),
        )
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO runs (started_at, finished_at, recorded_at, tool_version, "
                "inventory_path, inventory_sha256, policy_packs, complete, as_of, offline, "
                "replay_of, accounts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _storable(run_values),
            )
            run_id = cur.lastrowid
            assert run_id is not None
            _write_observations(conn, run_id, observed)
            self._hook("observations")
            _write_findings(conn, run_id, result.findings)
            self._hook("findings")
            conn.executemany(
                "INSERT INTO discoveries (run_id, platform, handle, url, classification, score, "
                "matched_alias, matched_account_id, evidence, observation) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_storable(_discovery_row(run_id, d)) for d in result.discoveries),
            )
            self._hook("discoveries")
        return run_id

    # ----------------------------------------------------------------- runs

    def _run_rows(self, where: str = "", params: Sequence[object] = ()) -> list[RunInfo]:
        with self._guard() as conn:
            rows = conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs {where} ORDER BY started_at, id", params
            ).fetchall()
        return [_run_from_row(r) for r in rows]

    def _run_info(self, run_id: int) -> RunInfo:
        runs = self._run_rows("WHERE id = ?", (run_id,))
        if not runs:
            with self._guard() as conn:
                ids = [int(r[0]) for r in conn.execute("SELECT id FROM runs ORDER BY id")]
            known = f"runs {ids[0]}–{ids[-1]}" if ids else "no runs yet"
            raise UsageError(f"no run {run_id} in {self.path} ({known})")
        return runs[0]

    def _summaries(self, runs: Sequence[RunInfo]) -> tuple[RunSummary, ...]:
        if not runs:
            return ()
        ids = [r.run_id for r in runs if r.run_id is not None]
        with self._guard() as conn:
            counts = _count_runs(conn, ids)
        return tuple(counts.summary(run) for run in runs)

    def runs(self, inventory_path: str | Path | None = None) -> tuple[RunSummary, ...]:
        """Every stored run, oldest first (optionally only those of one inventory)."""
        if inventory_path is None:
            return self._summaries(self._run_rows())
        return self._summaries(
            self._run_rows("WHERE inventory_path = ?", (_resolve(inventory_path),))
        )

    def run(self, run_id: int) -> RunSummary:
        """One run's summary; an unknown id is a UsageError (exit 2)."""
        return self._summaries([self._run_info(run_id)])[0]

    def _findings(self, run_id: int) -> tuple[Finding, ...]:
        with self._guard() as conn:
            rows = conn.execute(
                "SELECT * FROM findings WHERE run_id = ? ORDER BY seq", (run_id,)
            ).fetchall()
        return tuple(_finding_from_row(r) for r in rows)

    def _observations(self, run_id: int, *, with_access: bool = False) -> dict[str, Observation]:
        """A run's observations by account id, in the recorded order; ``with_access``: only
        those that carry an access list (``_stored_fields`` writes the key only then)."""
        where = " AND instr(fields, '\"access\":') > 0" if with_access else ""
        with self._guard() as conn:
            rows = conn.execute(
                f"SELECT {_OBS_COLUMNS} FROM observations WHERE run_id = ?{where} ORDER BY seq",
                (run_id,),
            ).fetchall()
        return {str(r["account_id"]): _observation_from_row(r) for r in rows}

    def load_run(self, run_id: int) -> StoredRun:
        """A stored run with its observations by account id, findings and discoveries: replay
        evaluates these again with zero network requests."""
        info = self._run_info(run_id)
        with self._guard() as conn:
            accounts = int(
                conn.execute("SELECT accounts FROM runs WHERE id = ?", (run_id,)).fetchone()[0]
            )
            disc_rows = conn.execute(
                "SELECT * FROM discoveries WHERE run_id = ? ORDER BY id", (run_id,)
            ).fetchall()
        return StoredRun(
            run=info,
            accounts=accounts,
            observations=self._observations(run_id),
            findings=self._findings(run_id),
            discoveries=tuple(_discovery_from_row(r) for r in disc_rows),
        )

    # ----------------------------------------------------------------- comparisons

    def _open(self, run_id: int) -> _Open:
        return _Open.of(self._findings(run_id))

    def _baseline_runs(self, inventory_path: str, exclude: int | None) -> list[RunInfo]:
        """Runs a baseline may compare with, newest first: complete, online, not replays."""
        runs = self._run_rows(
            "WHERE inventory_path = ? AND complete = 1 AND offline = 0 AND replay_of IS NULL",
            (inventory_path,),
        )
        runs = [r for r in runs if r.run_id != exclude]
        runs.sort(key=lambda r: (_instant(r.started_at), r.run_id or 0), reverse=True)
        return runs

    def baseline_for(self, result: AuditResult) -> Baseline | None:
        """Compare ``result`` with the previous audit of the same inventory; None when there is
        none. Works whether or not ``result`` was recorded already.

        The previous audit is the latest *complete, online, non-replay* run of the same resolved
        inventory path that started before ``result``. A replay (``run.replay_of`` set) is
        compared with the run it replays instead, so a policy owner sees what a rule change adds
        and removes. ``first_seen`` has an entry for every open fingerprint of ``result``: the
        start of its current streak (see :meth:`_first_seen`). An offline run is never the
        previous audit nor part of a streak; compared itself, its live checks that it did not
        make are neither new nor resolved (:class:`_Comparison`).
        """
        run = result.run
        inventory = _resolve(run.inventory_path)
        history = [
            r
            for r in self._baseline_runs(inventory, run.run_id)
            if _instant(r.started_at) < _instant(run.started_at)
        ]
        previous: RunInfo
        if run.replay_of is not None:
            previous = self._run_info(run.replay_of)
            history = [previous] + [
                r
                for r in history
                if r.run_id != previous.run_id
                and _instant(r.started_at) < _instant(previous.started_at)
            ]
        elif history:
            previous = history[0]
        else:
            return None
        assert previous.run_id is not None

        compared = _Comparison.of(self._open(previous.run_id), _Open.of(result.findings))
        new = tuple(f.fingerprint for f in compared.new)
        still_open = tuple(f.fingerprint for f in compared.still_open)
        resolved = tuple(sorted(compared.resolved, key=finding_order))
        first_seen = dict.fromkeys(new, run.started_at)
        first_seen.update(self._first_seen(still_open, history))
        return Baseline(
            previous_run_id=previous.run_id,
            previous_started_at=previous.started_at,
            new=new,
            still_open=still_open,
            resolved=resolved,
            first_seen=first_seen,
        )

    def _first_seen(
        self, fingerprints: Sequence[str], history: Sequence[RunInfo]
    ) -> dict[str, datetime]:
        """Start of each fingerprint's current streak: walking the baseline runs from the newest
        back, the earliest run reached before the first run in which the fingerprint was NOT
        open. A finding that was fixed and came back starts a new streak (it is "new" again), so
        its age is that of the current occurrence, never of an older one."""
        if not fingerprints or not history:
            return {}
        ids = [r.run_id for r in history]
        marks = ",".join("?" for _ in ids)
        wanted = set(fingerprints)
        open_in: dict[int, set[str]] = {}
        with self._guard() as conn:
            for row in conn.execute(
                f"SELECT run_id, fingerprint FROM findings WHERE run_id IN ({marks}) "
                f"AND status IN ({_OPEN_IN})",
                [*ids, *_OPEN_SQL],
            ):
                if row[1] in wanted:
                    open_in.setdefault(int(row[0]), set()).add(str(row[1]))
        out: dict[str, datetime] = {}
        for fp in fingerprints:
            for r in history:
                assert r.run_id is not None
                if fp not in open_in.get(r.run_id, set()):
                    break
                out[fp] = r.started_at
        return out

    def diff(self, a: int, b: int) -> RunDiff:
        """Open findings of run ``b`` against run ``a``, by fingerprint. Live checks a run did
        not make (an offline run) are neither new nor resolved: they are ``not_evaluated``.
        Access lists are compared per account (scanner.history.access)."""
        run_a, run_b = self._run_info(a), self._run_info(b)
        compared = _Comparison.of(self._open(a), self._open(b))
        return RunDiff(
            a=run_a,
            b=run_b,
            new=tuple(sorted(compared.new, key=finding_order)),
            still_open=tuple(sorted(compared.still_open, key=finding_order)),
            resolved=tuple(sorted(compared.resolved, key=finding_order)),
            not_evaluated=tuple(sorted(compared.not_evaluated, key=finding_order)),
            access=compare_access(
                a,
                self._observations(a, with_access=True),
                b,
                self._observations(b, with_access=True),
            ),
        )

    # ----------------------------------------------------------------- evidence

    def last_known_good(self, platform: Platform | str, handle: str) -> Observation | None:
        """The latest ``present`` observation of this account in any stored run (handles compare
        case-folded), shown as context when today's observation is blocked or an error. The
        platform may be given by name."""
        platform = Platform(platform)
        with self._guard() as conn:
            row = conn.execute(
                f"SELECT {_OBS_COLUMNS} FROM observations WHERE platform = ? AND handle_key = ? "
                "AND status = ? ORDER BY fetched_at DESC, run_id DESC LIMIT 1",
                (platform.value, handle.casefold(), ObservationStatus.PRESENT.value),
            ).fetchone()
        return None if row is None else _observation_from_row(row)

    def previous_observations(
        self, inventory_path: str | Path
    ) -> dict[tuple[Platform, str], Observation]:
        """For conditional re-fetching: per (platform, handle) of this inventory's runs, the
        latest verified (present/absent) observation that carries a validator (ETag or
        Last-Modified). A 304 answer to those validators proves that observation still holds,
        even when a later fetch without validators intervened. Replays are skipped."""
        with self._guard() as conn:
            rows = conn.execute(
                f"SELECT {_OBS_COLUMNS} FROM ("
                f"  SELECT o.*, ROW_NUMBER() OVER ("
                "    PARTITION BY o.platform, o.handle ORDER BY o.fetched_at DESC, o.run_id DESC"
                "  ) AS rn FROM observations o JOIN runs r ON r.id = o.run_id"
                "  WHERE r.inventory_path = ? AND r.replay_of IS NULL"
                "  AND o.status IN (?, ?)"
                "  AND (o.etag IS NOT NULL OR o.last_modified IS NOT NULL)"
                ") WHERE rn = 1",
                (
                    _resolve(inventory_path),
                    ObservationStatus.PRESENT.value,
                    ObservationStatus.ABSENT.value,
                ),
            ).fetchall()
        out: dict[tuple[Platform, str], Observation] = {}
        for row in rows:
            obs = _observation_from_row(row)
            out[(obs.platform, obs.handle)] = obs
        return out

    def trends(self, inventory_path: str | Path) -> tuple[dict[str, JSON], ...]:
        """Per run of this inventory (oldest first, replays excluded): open findings by severity
        and accounts by observation state. JSON-ready. An offline run is listed, marked
        ``offline``, so a chart can show it without drawing it as a change: its open counts
        leave out the live checks it did not make (``not_evaluated``), so they are not
        comparable with a live run's."""
        out: list[dict[str, JSON]] = []
        for s in self.runs(inventory_path):
            if s.run.replay_of is not None:
                continue
            out.append(
                {
                    "run_id": s.id,
                    "started_at": iso(s.run.started_at),
                    "as_of": s.run.as_of.isoformat(),
                    "complete": s.run.complete,
                    "offline": s.run.offline,
                    "accounts": s.accounts,
                    "open_findings": dict(s.open_by_severity),
                    "not_evaluated": s.not_evaluated,
                    "observations": dict(s.observations),
                }
            )
        return tuple(out)


def _enable_wal(conn: sqlite3.Connection, path: Path, timeout: float) -> None:
    """Switch to WAL (persistent: a no-op once the file is in WAL mode).

    SQLite answers SQLITE_BUSY to the switch without consulting the busy handler when another
    connection has the new file open at that moment (two audits creating one history), so the
    switch is retried here until the timeout.
    """
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
            continue
        if str(mode).lower() != "wal":
            raise HistoryError(f"{path}: cannot switch the database to WAL mode (got {mode})")
        return


def _history_error(path: Path, exc: sqlite3.Error, timeout: float) -> HistoryError:
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return HistoryError(
            f"{path}: the history database stayed locked by another process for {timeout:g}s"
        )
    if "not a database" in text:
        return HistoryError(f"{path}: not a SQLite database (is this a Rollcall history file?)")
    if isinstance(exc, sqlite3.DatabaseError) and "malformed" in text:
        return HistoryError(f"{path}: the history database is corrupted ({text})")
    return HistoryError(f"{path}: history database error: {text}")
