"""scanner.runs.audit receives its collaborators: fetchers per phase, the history store the caller
opened, and the clock; bad input fails before the store is opened or a fetcher is."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner.cli.common import open_history
from scanner.errors import SourceError, UsageError, ValidationError
from scanner.examples import example_inventory_path
from scanner.fetch.fake import FakeFetcher, FakeFetcherFactory
from scanner.history import HistoryStore
from scanner.model import ObservationStatus
from scanner.runs.audit import AuditOptions, audited_accounts, prepare_audit, run_audit
from tests.fetch.conftest import FakeClock

INVENTORY = example_inventory_path()
EPOCH = 1_800_000_000.0


def _run(
    options: AuditOptions, store: HistoryStore | None = None
) -> tuple[FakeFetcherFactory, datetime]:
    factory = FakeFetcher().factory()
    result = run_audit(
        prepare_audit(options), fetchers=factory, store=store, clock=FakeClock(epoch=EPOCH)
    )
    assert result.run.started_at == result.run.finished_at == datetime.fromtimestamp(EPOCH, UTC)
    for account in result.accounts:
        if account.observation is not None:
            # Nothing answered: every observed account is unverified, never absent.
            assert account.observation.status is ObservationStatus.ERROR
    return factory, result.run.started_at


def test_observe_and_discover_each_open_a_fetcher_sized_to_their_accounts() -> None:
    factory, _ = _run(AuditOptions(INVENTORY, use_history=False, discover=True))
    observed, discovered = factory.opened
    inventory = prepare_audit(AuditOptions(INVENTORY)).inventory
    assert sum(observed.values()) == len(audited_accounts(inventory))
    assert sum(discovered.values()) > 0
    assert factory.closed == 2
    assert factory.fetcher.unanswered == factory.fetcher.urls


def test_an_offline_audit_opens_no_fetcher_and_the_default_as_of_is_the_clocks_day() -> None:
    factory = FakeFetcher().factory()
    result = run_audit(
        prepare_audit(AuditOptions(INVENTORY, offline=True, use_history=False)),
        fetchers=factory,
        store=None,
        clock=FakeClock(epoch=EPOCH),
    )
    assert factory.opened == []
    assert result.run.as_of == datetime.fromtimestamp(EPOCH, UTC).date()


def test_the_run_records_into_the_store_it_was_given(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    with HistoryStore.open(db) as store:
        _run(AuditOptions(INVENTORY, use_history=True), store)
        (summary,) = store.runs()
    assert summary.id == 1


def test_bad_input_fails_before_the_history_is_opened(tmp_path: Path) -> None:
    broken = tmp_path / "inventory.yaml"
    broken.write_text("organization: [\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        prepare_audit(AuditOptions(broken))
    with pytest.raises(UsageError, match="--no-history"):
        prepare_audit(AuditOptions(INVENTORY, replay=1, use_history=False))
    with pytest.raises(UsageError, match="--discover"):
        prepare_audit(AuditOptions(INVENTORY, offline=True, discover=True))
    assert list(tmp_path.iterdir()) == [broken]


def test_a_replay_opens_the_history_without_creating_it(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    with pytest.raises(SourceError), open_history(AuditOptions(INVENTORY, history=db, replay=1)):
        pass
    assert not db.exists()
    with open_history(AuditOptions(INVENTORY, use_history=False, replay=1)) as store:
        assert store is None
    with pytest.raises(UsageError, match="--no-history"):
        run_audit(
            prepare_audit(AuditOptions(INVENTORY, replay=1, history=db)),
            fetchers=FakeFetcher().factory(),
            store=None,
        )
