"""Orchestrate one audit: inventory → observe → evaluate (→ discover) → history. No printing.

Everything that can be validated is validated before the first request, so bad input never
costs a crawl. The result is one :class:`~scanner.model.AuditResult`; the CLI renders it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scanner import __version__, humanize
from scanner.errors import HistoryError, UsageError
from scanner.fetch import Clock, FetcherFactory
from scanner.history import HistoryStore, StoredRun
from scanner.inventory import load_inventory
from scanner.model import (
    Account,
    AccountResult,
    AuditResult,
    Discovery,
    Finding,
    Inventory,
    Observation,
    Platform,
    RunInfo,
    finding_order,
    not_evaluated,
    unverified_accounts,
)
from scanner.platforms import adapter_for, all_capabilities, handle_key
from scanner.platforms.connectors import ApiAccess, ApiRun
from scanner.platforms.sites import Site
from scanner.policy import (
    Policy,
    Waivers,
    default_pack_path,
    evaluate,
    load_policy,
    load_waivers,
)
from scanner.runs.access import list_owned, unlisted
from scanner.runs.clock import SYSTEM_CLOCK, now
from scanner.runs.discover import DiscoveryResult, OutsideCandidate, discover, read_candidates
from scanner.runs.health import credential_findings
from scanner.runs.observe import Target, observe

__all__ = [
    "AuditOptions",
    "NotRecorded",
    "PreparedAudit",
    "audited_accounts",
    "incomplete_reason",
    "load_rules",
    "prepare_audit",
    "run_audit",
    "unverified_fraction",
]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AuditOptions:
    """What to audit and how. ``history=None`` means the default file next to the inventory;
    ``use_history=False`` keeps no history at all (the caller opens the store, see
    :func:`run_audit`)."""

    inventory: Path
    policies: tuple[Path, ...] = ()
    offline: bool = False
    as_of: date | None = None
    history: Path | None = None
    use_history: bool = True
    discover: bool = False
    max_candidates: int | None = None
    """Lookalikes probed per alias and platform; None: the pack's discovery.max_candidates."""
    candidates_file: Path | None = None
    sites: tuple[Site, ...] = ()
    """Imported long-tail sites discovery asks about the brand's handles (none: no asking)."""
    replay: int | None = None
    max_unverified: float = 0.25


def load_rules(inventory: Inventory, policies: Sequence[Path]) -> tuple[Policy, tuple[Path, ...]]:
    """The packs named on the command line, else the inventory's, else the default pack."""
    if policies:
        paths = tuple(policies)
    elif inventory.organization.policies:
        paths = tuple(Path(p) for p in inventory.organization.policies)
    else:
        paths = (default_pack_path(),)
    return load_policy(paths), paths


def audited_accounts(inventory: Inventory) -> tuple[Account, ...]:
    """Accounts whose live profile matters (``Account.audited``)."""
    return tuple(a for a in inventory.accounts if a.audited)


def unverified_fraction(accounts: Sequence[AccountResult], findings: Iterable[Finding]) -> float:
    """Share of audited accounts the run could not verify (see ``unverified_accounts``). An
    offline run that asked for live facts leaves every such account unverified (1.0); one whose
    rules need nothing live, or an inventory of planned accounts only, has nothing unverified."""
    audited = sum(1 for a in accounts if a.account.audited)
    if not audited:
        return 0.0
    return len(unverified_accounts(accounts, findings)) / audited


def incomplete_reason(result: AuditResult, max_unverified: float) -> str:
    """Why ``result`` is incomplete, in one line for stderr (the CLI exits 3 with it)."""
    unverified = unverified_accounts(result.accounts, result.findings)
    audited = sum(1 for a in result.accounts if a.account.audited)
    share = f"{len(unverified)} of {humanize.count(audited, 'account')} unverified"
    limit = f"above --max-unverified {max_unverified:g}"
    if result.run.offline:
        skipped = sum(1 for f in result.findings if not_evaluated(f))
        return (
            f"incomplete: the run was offline, so {humanize.count(skipped, 'live check')} "
            f"{'was' if skipped == 1 else 'were'} not evaluated ({share}, {limit})"
        )
    return f"incomplete: {share} ({limit}), so the verdict cannot be trusted"


@dataclass(frozen=True)
class PreparedAudit:
    """An audit whose inputs were all read and validated; nothing was sent or written yet."""

    options: AuditOptions
    inventory: Inventory
    policy: Policy
    candidates: tuple[OutsideCandidate, ...] = ()


def prepare_audit(options: AuditOptions) -> PreparedAudit:
    """Read and check everything an audit needs before the history store is opened (by the
    caller, next) and the first request is sent: bad input never costs a crawl, nor leaves
    an empty history behind."""
    if options.offline and options.discover and options.replay is None:
        # Discovery is nothing but requests: an offline run that discovered would not be one.
        raise UsageError("--offline sends no requests; it cannot run --discover")
    inventory = load_inventory(options.inventory)
    policy, _ = load_rules(inventory, options.policies)
    if options.replay is not None:
        if options.discover:
            raise UsageError("--replay re-evaluates stored observations; it cannot run --discover")
        if not options.use_history:
            raise UsageError("--replay needs the history store; drop --no-history")
    # Read the candidates file now: a mistake in it must fail before the crawl, not after.
    candidates = read_candidates(options.candidates_file) if options.candidates_file else ()
    return PreparedAudit(options, inventory, policy, candidates)


def run_audit(
    prepared: PreparedAudit,
    *,
    fetchers: FetcherFactory,
    store: HistoryStore | None,
    clock: Clock = SYSTEM_CLOCK,
    progress: Progress | None = None,
    access: ApiAccess | None = None,
) -> AuditResult:
    """Run one audit and return its result, recorded in ``store`` unless it is None (the caller
    opened it, for a replay without creating it, and closes it). Every phase that fetches opens
    its fetcher from ``fetchers``; ``clock`` says when the run started and ended. ``access``
    names the owner-API credentials (:meth:`ApiAccess.from_config`); None observes every
    account publicly."""
    options, inventory, policy = prepared.options, prepared.inventory, prepared.policy
    if access is not None:
        access.check(inventory.accounts)  # an unknown credential name fails before any request
    apis = ApiRun(clock, access) if access is not None else None
    started = now(clock)
    replayed = _replayed_run(options, store)
    # A replay judges the stored evidence as of the day it was gathered (unless --as-of says
    # otherwise), so what differs from the replayed run is the rule change, not the calendar.
    as_of = options.as_of or (replayed.run.as_of if replayed is not None else started.date())
    observations = _observations(
        options, inventory, replayed, store, fetchers, clock, progress, apis
    )
    # What a run can show: the public pages' fields, and the owner APIs' where a credential is
    # loaded (a rule on a field nothing here shows does not apply).
    can_show = access.capabilities() if access else all_capabilities()
    waivers = _waivers(inventory, policy, as_of)
    evaluation = evaluate(
        inventory, observations, policy, waivers, as_of=as_of, capabilities=can_show
    )
    found = _discover(prepared, fetchers, clock, apis)
    health = credential_findings(inventory, observations, apis, policy, as_of) if apis else []
    owned, controlled = _controlled(prepared, fetchers, apis, replayed is not None)
    findings: list[Finding] = [*evaluation.findings, *found.findings, *health, *owned]
    accounts = _account_results(inventory, observations, store)
    # A replay sends no requests but judges real stored evidence: it is offline only when
    # the run it replays was (it has no live evidence), and a replay of a run that could not
    # verify enough stays incomplete (exit 3, as it was). An offline run is held to
    # --max-unverified like any other: its live checks were not made, so by default it is
    # incomplete (exit 3) unless its rules asked for nothing live.
    run = RunInfo(
        started_at=started,
        finished_at=now(clock),
        tool_version=__version__,
        inventory_path=str(options.inventory),
        inventory_sha256=inventory.sha256,
        policy_packs=policy.packs,
        complete=unverified_fraction(accounts, findings) <= options.max_unverified,
        as_of=as_of,
        offline=replayed.run.offline if replayed is not None else options.offline,
        replay_of=options.replay,
    )
    result = AuditResult(
        run=run,
        inventory=inventory,
        accounts=accounts,
        findings=tuple(sorted(findings, key=finding_order)),
        rules=evaluation.rules,
        passed=evaluation.passed,
        discoveries=_with_controlled(found.discoveries, controlled),
        site_hits=found.sites,
    )
    return result if store is None else _record(store, result, options)


def _controlled(
    prepared: PreparedAudit, fetchers: FetcherFactory, apis: ApiRun | None, replay: bool
) -> tuple[list[Finding], list[Discovery]]:
    """ACC-008 and its certain ``unlisted_official`` discoveries: the accounts the run's
    credentials control that the inventory does not list (nothing offline or in a replay)."""
    if apis is None or prepared.options.offline or replay:
        return [], []
    return unlisted(prepared.inventory, list_owned(fetchers, apis), prepared.policy)


def _with_controlled(
    found: Sequence[Discovery], controlled: Sequence[Discovery]
) -> tuple[Discovery, ...]:
    """Discovery's pages, where a controlled account replaces a fuzzy verdict on the same
    page (its proof is certain)."""
    sure = {(d.platform, handle_key(d.platform, d.handle)) for d in controlled}
    kept = [d for d in found if (d.platform, handle_key(d.platform, d.handle)) not in sure]
    return (*kept, *controlled)


def _waivers(inventory: Inventory, policy: Policy, as_of: date) -> Waivers | None:
    """The inventory's waivers file, checked against the inventory and the rules (if any)."""
    path = inventory.organization.waivers
    return load_waivers(path, inventory=inventory, policy=policy, as_of=as_of) if path else None


def _discover(
    prepared: PreparedAudit, fetchers: FetcherFactory, clock: Clock, apis: ApiRun | None
) -> DiscoveryResult:
    """Discovery when the audit asked for it (else nothing found, nothing probed), through the
    run's owner-API credentials where they batch."""
    if not prepared.options.discover:
        return DiscoveryResult((), ())
    return discover(
        prepared.inventory,
        prepared.policy,
        fetchers,
        max_candidates=prepared.options.max_candidates,
        candidates=prepared.candidates,
        clock=clock,
        sites=prepared.options.sites,
        apis=apis,
    )


def _account_results(
    inventory: Inventory,
    observations: Mapping[str, Observation | None],
    store: HistoryStore | None,
) -> tuple[AccountResult, ...]:
    return tuple(
        AccountResult(
            account=a,
            profile_url=a.url or adapter_for(a.platform).profile_url(a.handle),
            observation=observations.get(a.id),
            last_known_good=_last_known_good(store, observations.get(a.id)),
        )
        for a in inventory.accounts
    )


class NotRecorded(HistoryError):
    """The audit ran but the history store could not record it: ``result`` is the whole result
    (without run id, baseline or trends), so the caller can still write every report before it
    reports the storage failure (exit 4). Nothing computed is lost."""

    def __init__(self, cause: HistoryError, result: AuditResult) -> None:
        super().__init__(str(cause))
        self.result = result


def _record(store: HistoryStore, result: AuditResult, options: AuditOptions) -> AuditResult:
    """Record ``result``; the recorded result carries its run id, baseline and trends."""
    try:
        baseline = store.baseline_for(result)
        run_id = store.record(result)
    except HistoryError as exc:
        raise NotRecorded(exc, result) from exc
    return dataclasses.replace(
        result,
        run=dataclasses.replace(result.run, run_id=run_id),
        baseline=baseline,
        trends=store.trends(str(options.inventory)),
    )


def _replayed_run(options: AuditOptions, store: HistoryStore | None) -> StoredRun | None:
    """The stored run ``--replay`` names (the store was opened without creating it: a missing
    file was bad input, never a new empty database)."""
    if options.replay is None:
        return None
    if store is None:
        raise UsageError("--replay needs the history store; drop --no-history")
    return store.load_run(options.replay)


def _observations(
    options: AuditOptions,
    inventory: Inventory,
    replayed: StoredRun | None,
    store: HistoryStore | None,
    fetchers: FetcherFactory,
    clock: Clock,
    progress: Progress | None,
    apis: ApiRun | None,
) -> dict[str, Observation | None]:
    accounts = audited_accounts(inventory)
    if replayed is not None:
        return {a.id: replayed.observations.get(a.id) for a in accounts}
    if options.offline:
        return {a.id: None for a in accounts}
    previous: Mapping[tuple[Platform, str], Observation] = (
        store.previous_observations(str(options.inventory)) if store is not None else {}
    )
    targets = [
        Target(
            platform=a.platform,
            handle=a.handle,
            url=a.url,
            previous=previous.get((a.platform, a.handle)),
            credential=a.credential,
        )
        for a in accounts
    ]
    seen = observe(targets, fetchers, progress=progress, clock=clock, apis=apis)
    return {a.id: o for a, o in zip(accounts, seen, strict=True)}


def _last_known_good(store: HistoryStore | None, obs: Observation | None) -> Observation | None:
    if store is None or obs is None or obs.status.verified:
        return None
    return store.last_known_good(obs.platform.value, obs.handle)
