"""Discovery on the long tail: the brand's own handles asked of every usable imported site
(WhatsMyName, Sherlock) with ``check``'s probe and politeness. A site can only say present,
absent or unverified (it shows no profile to classify), so its answers stay apart from the
classified pages; a present one raises DSC-005 (info): check by hand who holds it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from scanner.fetch import Clock, FetcherFactory
from scanner.matching import handle_name
from scanner.model import (
    JSON,
    Finding,
    FindingStatus,
    Inventory,
    Location,
    ObservationStatus,
    RuleInfo,
    SiteHit,
)
from scanner.platforms.sites import Site, handle_problem
from scanner.policy import Policy, fingerprint
from scanner.policy.builtin import rule_info
from scanner.runs.check import Answer, ask_sites
from scanner.runs.clock import SYSTEM_CLOCK

__all__ = [
    "DEFAULT_MAX_SITE_HANDLES",
    "SITE_RULE",
    "LongTail",
    "brand_handles",
    "long_tail",
    "max_site_handles",
    "site_finding",
    "site_pairs",
]

DEFAULT_MAX_SITE_HANDLES = 3
"""Brand handles asked of each site unless the pack's ``discovery.max_site_handles`` says
otherwise: 700 sites times a few handles is already a long run at one request a second a host."""

SITE_RULE = "DSC-005"
"""The finding a brand handle present on a site raises (severity info, scanner.policy.builtin)."""


@dataclass(frozen=True)
class LongTail:
    """Every site's answer (absent ones included, for counting), the findings of the present
    ones and the rule they come from (empty when none was raised)."""

    hits: tuple[SiteHit, ...] = ()
    findings: tuple[Finding, ...] = ()
    rules: tuple[RuleInfo, ...] = ()


def _collapsed(alias: str) -> str:
    """An alias as a handle: ``Copper Kettle Co.`` → ``copperkettleco``."""
    return "".join(c for c in alias.casefold() if c.isalnum())


def brand_handles(inventory: Inventory) -> tuple[str, ...]:
    """The brand's handles, most telling first: its name and aliases written as handles, then
    the name parts of its inventoried handles, most used first; case-folded, each once."""
    org = inventory.organization
    aliases = [_collapsed(a) for a in (org.name, *org.aliases)]
    used = Counter(handle_name(a.platform, a.handle).casefold() for a in inventory.accounts)
    ranked = sorted(used, key=lambda name: -used[name])  # stable: the first seen wins a tie
    return tuple(dict.fromkeys(h for h in (*aliases, *ranked) if h))


def max_site_handles(policy: Policy | None) -> int:
    """The pack's ``discovery.max_site_handles`` (validated at load time), else the default."""
    value = (
        policy.params("discovery.max_site_handles", DEFAULT_MAX_SITE_HANDLES) if policy else None
    )
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return DEFAULT_MAX_SITE_HANDLES


def site_pairs(handles: Sequence[str], sites: Sequence[Site], cap: int) -> list[tuple[Site, str]]:
    """Up to ``cap`` handles per site, the first ones it can have (a handle its pattern
    refuses is never sent, and leaves room for the next)."""
    pairs: list[tuple[Site, str]] = []
    for site in sites:
        fitting = [h for h in handles if handle_problem(site, h) is None]
        pairs += [(site, h) for h in fitting[:cap]]
    return pairs


def _hit(answer: Answer) -> SiteHit:
    return SiteHit(
        handle=answer.handle,
        site=answer.where,
        status=answer.status,
        url=answer.url,
        fetched_at=answer.fetched_at,
        signal=answer.signal,
        reason=answer.reason,
        http_status=answer.http_status,
        fetched_url=answer.final_url,
    )


def site_finding(hit: SiteHit, info: RuleInfo, inventory: Inventory) -> Finding:
    """DSC-005 for a brand handle a site says is present."""
    evidence: dict[str, JSON] = {
        "site": hit.site,
        "url": hit.url,
        "fetched_url": hit.fetched_url,
        "http_status": hit.http_status,
        "signal": hit.signal,
    }
    return Finding(
        rule_id=info.id,
        title=info.title,
        severity=info.severity,
        status=FindingStatus.FAIL,
        category=info.category,
        account_id=None,
        platform=None,
        handle=hit.handle,
        message=f"{hit.site}: the brand's handle {hit.handle!r} is registered there "
        "(owner unknown): check by hand",
        remediation=info.remediation,
        location=Location(inventory.path),
        fingerprint=fingerprint(info.id, hit.site, hit.handle, None),
        evidence=evidence,
    )


def long_tail(
    inventory: Inventory,
    policy: Policy | None,
    sites: Sequence[Site],
    fetchers: FetcherFactory,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> LongTail:
    """Ask every usable site in ``sites`` about the brand's handles (at most
    ``discovery.max_site_handles`` each); nothing is sent when there are no sites."""
    usable = [s for s in sites if s.usable]
    pairs = site_pairs(brand_handles(inventory), usable, max_site_handles(policy))
    if not pairs:
        return LongTail()
    hits = tuple(_hit(a) for a in ask_sites(pairs, fetchers, clock=clock))
    info = rule_info(SITE_RULE, policy)
    present = [h for h in hits if h.status is ObservationStatus.PRESENT]
    findings = tuple(site_finding(h, info, inventory) for h in present)
    return LongTail(hits, findings, (info,) if findings else ())
