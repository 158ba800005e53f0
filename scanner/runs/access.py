"""The access review's run side (issue 13): the accounts the organization's credentials
control (ACC-008, and discovery's ``unlisted_official`` found with certainty), and who holds
every inventoried account (``rollcall access``). No printing.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scanner.fetch import Clock, Fetcher, FetcherFactory
from scanner.inventory.access import (
    AccessReview,
    HolderMatch,
    RosterIndex,
    declared_holders,
    review_access,
)
from scanner.model import (
    JSON,
    Account,
    Classification,
    Discovery,
    Finding,
    FindingStatus,
    Inventory,
    Observation,
    ObservationStatus,
    OwnedAccount,
    Platform,
    Reason,
    RuleInfo,
)
from scanner.platforms import adapter_for, all_specs, handle_key
from scanner.platforms.connectors import (
    CREDENTIAL_INVALID,
    ApiRun,
    Credential,
    Session,
    connector_for,
)
from scanner.policy import Policy
from scanner.policy.builtin import outside_finding, rule_info
from scanner.runs.observe import Target, observe
from scanner.serialize import iso

__all__ = [
    "AccessRow",
    "AccessSheet",
    "Owned",
    "access_sheet",
    "list_owned",
    "unlisted",
]

UNLISTED_RULE = "ACC-008"


@dataclass(frozen=True)
class Owned:
    """What the credentials control, and the listings that failed (credential label, why)."""

    accounts: tuple[OwnedAccount, ...] = ()
    problems: tuple[tuple[str, Reason], ...] = ()


def _listers(apis: ApiRun) -> list[tuple[Platform, Credential]]:
    """Each platform with an owner API and connector, with each loaded credential of it."""
    out = []
    for platform, spec in all_specs().items():
        if spec.api is None or connector_for(platform) is None:
            continue
        for credential in apis.access.credentials:
            if credential.api is spec.api.endpoint and apis.access.usable(credential):
                out.append((platform, credential))
    return out


async def _owned_async(fetcher: Fetcher, apis: ApiRun) -> Owned:
    async def one(platform: Platform, credential: Credential) -> tuple[OwnedAccount, ...] | Reason:
        connector = connector_for(platform)
        assert connector is not None
        session = Session.open(platform, credential, fetcher.for_account(), apis)
        return await connector.owned(session)

    listers = _listers(apis)
    answers = await asyncio.gather(*(one(p, c) for p, c in listers))
    accounts: list[OwnedAccount] = []
    problems: list[tuple[str, Reason]] = []
    for (_, credential), answer in zip(listers, answers, strict=True):
        if isinstance(answer, Reason):
            problems.append((credential.label, answer))
        else:
            accounts.extend(answer)
    return Owned(tuple(accounts), tuple(problems))


def list_owned(fetchers: FetcherFactory, apis: ApiRun) -> Owned:
    """Every account the run's loaded credentials control, one listing per credential and
    platform (a Meta token lists both its Pages and its Instagram accounts)."""
    listers = _listers(apis)
    if not listers:
        return Owned()
    counts = Counter(p.value for p, _ in listers)

    async def run() -> Owned:
        async with fetchers(counts) as fetcher:
            return await _owned_async(fetcher, apis)

    return asyncio.run(run())


def _keys(account: Account) -> set[str]:
    return {handle_key(account.platform, account.handle)}


def _listed(inventory: Inventory) -> set[tuple[Platform, str]]:
    return {(a.platform, k) for a in inventory.accounts for k in _keys(a)}


def _is_listed(owned: OwnedAccount, listed: set[tuple[Platform, str]]) -> bool:
    names = (owned.handle, owned.native_id)
    return any((owned.platform, handle_key(owned.platform, n)) in listed for n in names if n)


def unlisted(
    inventory: Inventory, owned: Owned, policy: Policy | None
) -> tuple[list[Finding], list[Discovery]]:
    """ACC-008 and an ``unlisted_official`` discovery for each controlled account the
    inventory does not list (by handle or platform id), once per account."""
    listed = _listed(inventory)
    info = rule_info(UNLISTED_RULE, policy)
    findings: list[Finding] = []
    found: list[Discovery] = []
    seen: set[tuple[Platform, str]] = set()
    for acct in owned.accounts:
        key = (acct.platform, handle_key(acct.platform, acct.handle))
        if key in seen or _is_listed(acct, listed):
            continue
        seen.add(key)
        evidence = {
            "credential": acct.credential,
            "via": acct.via,
            "url": acct.url,
            "fetched_at": iso(acct.fetched_at),
            "native_id": acct.native_id,
            "name": acct.name,
        }
        named = f" ({acct.name})" if acct.name else ""
        message = (
            f"{acct.platform.value} account {acct.handle}{named} is controlled by credential "
            f"{acct.credential} ({acct.via}) but is not in the inventory"
        )
        findings.append(
            outside_finding(
                info,
                FindingStatus.FAIL,
                message,
                evidence,
                inventory.path,
                platform=acct.platform,
                handle=acct.handle,
            )
        )
        found.append(_discovery(acct))
    findings.extend(_unlisted_unknown(inventory, owned, info))
    return findings, found


def _unlisted_unknown(inventory: Inventory, owned: Owned, info: RuleInfo) -> list[Finding]:
    """ACC-008 unverified for each credential whose listing failed: what it controls is
    unknown, never "nothing". A dead credential already has its CRD-001 and nothing more."""
    out = []
    for label, reason in owned.problems:
        if reason.code == CREDENTIAL_INVALID:
            continue
        message = (
            f"{info.title}: not verified; the accounts credential {label} controls could not "
            f"be listed ({reason.text})"
        )
        evidence: dict[str, JSON] = {"credential": label, "reason": reason.code}
        evidence["text"] = reason.text
        out.append(
            outside_finding(
                info, FindingStatus.ERROR, message, evidence, inventory.path, key=(None, label)
            )
        )
    return out


def _discovery(acct: OwnedAccount) -> Discovery:
    endpoint = all_specs()[acct.platform].api
    api = endpoint.endpoint.value if endpoint is not None else "api"
    url = adapter_for(acct.platform).profile_url(acct.handle)
    obs = Observation(
        platform=acct.platform,
        handle=acct.handle,
        status=ObservationStatus.PRESENT,
        url=acct.url,
        fetched_at=acct.fetched_at,
        signal=f"{api}:{acct.via}",
        display_name=acct.name,
    )
    why = f"controlled by the organization: listed by {acct.via} of credential {acct.credential}"
    return Discovery(
        platform=acct.platform,
        handle=acct.handle,
        url=url,
        classification=Classification.UNLISTED_OFFICIAL,
        score=100,
        matched_alias=None,
        matched_account_id=None,
        evidence=(why,),
        observation=obs,
    )


# --------------------------------------------------------------------------- rollcall access


@dataclass(frozen=True)
class AccessRow:
    """One account's holders for the policy owner's review: observed (the platform's list,
    matched to the roster), declared (the inventory's owner and backup stand in where the
    platform lists none) or unknown (``reason``: the list could not be read)."""

    account: Account
    source: str
    holders: tuple[HolderMatch, ...]
    review: AccessReview | None = None
    reason: Reason | None = None
    observation: Observation | None = None


@dataclass(frozen=True)
class AccessSheet:
    """Every inventoried account's holders, and the accounts the credentials control that the
    inventory does not list."""

    inventory: Inventory
    rows: tuple[AccessRow, ...]
    owned: Owned
    unlisted: tuple[Discovery, ...]

    @property
    def complete(self) -> bool:
        """Whether every list that should have been read was, whole."""
        return (
            not self.partial
            and not self.owned.problems
            and all(r.source != "unknown" for r in self.rows)
        )

    @property
    def partial(self) -> tuple[AccessRow, ...]:
        """Rows whose list was read only in part (pages left unread, rows in a state the API
        does not document): shown, but not the whole truth."""
        return tuple(
            r for r in self.rows if r.review is not None and r.review.access.partial is not None
        )


def _lists_holders(account: Account, apis: ApiRun | None) -> bool:
    api = all_specs()[account.platform].api
    if apis is None or api is None or "access" not in api.extracts:
        return False
    credential = apis.access.credential(account.platform, account.credential)
    return credential is not None and apis.access.usable(credential)


def _row(account: Account, obs: Observation | None, index: RosterIndex) -> AccessRow:
    if obs is None:
        return AccessRow(account, "declared", declared_holders(account, index))
    access = obs.access
    if access is None or access.reason is not None:
        why = access.reason if access is not None else obs.reason
        why = why or Reason("access_unlisted", f"the account is {obs.status.value}; no list read")
        return AccessRow(account, "unknown", (), None, why, obs)
    review = review_access(account, access, index)
    return AccessRow(account, "observed", review.matches, review, None, obs)


def access_sheet(
    inventory: Inventory,
    fetchers: FetcherFactory,
    apis: ApiRun | None,
    *,
    clock: Clock,
    accounts: Iterable[Account] | None = None,
) -> AccessSheet:
    """Who holds each account (active and retired ones; planned ones hold nothing yet):
    observed through the owner API where a loaded credential lists holders, else declared."""
    chosen = [a for a in (accounts or inventory.accounts) if a.audited]
    live = [a for a in chosen if _lists_holders(a, apis)]
    seen: Sequence[Observation] = ()
    if live:
        targets = [Target(a.platform, a.handle, a.url, None, a.credential) for a in live]
        seen = observe(targets, fetchers, clock=clock, apis=apis)
    observed: Mapping[str, Observation] = {a.id: o for a, o in zip(live, seen, strict=True)}
    index = RosterIndex(inventory.roster)
    rows = tuple(_row(a, observed.get(a.id), index) for a in chosen)
    owned = list_owned(fetchers, apis) if apis is not None else Owned()
    _, found = unlisted(inventory, owned, None)
    return AccessSheet(inventory, rows, owned, tuple(found))
