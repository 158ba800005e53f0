"""The other documents built from an audit fixture (the hostile one included), so every
(document, format) pair renders deterministic data: discovery, review decision, observations,
orphaned pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, assert_never

from scanner.inventory.access import RosterIndex, declared_holders, review_access
from scanner.model import (
    AccessList,
    AuditResult,
    FindingStatus,
    Holder,
    HolderKind,
    Reason,
    Tri,
)
from scanner.reports import Document
from scanner.reports.observations import Observed, ObservedAccount
from scanner.reports.orphans import build
from scanner.runs.access import AccessRow, AccessSheet, Owned
from scanner.runs.credentials import Checked, CredentialReport, Health
from scanner.runs.discover import DiscoveryResult
from scanner.runs.review import (
    Decision,
    Effect,
    Liveness,
    ReviewItem,
    ReviewReason,
    ReviewResult,
)
from tests.reports.builders import INVENTORY, STARTED

_EFFECT = {
    FindingStatus.FAIL: Effect.BLOCKS,
    FindingStatus.ERROR: Effect.UNVERIFIED,
    FindingStatus.WARN: Effect.CONDITION,
}
_DECISION = {
    Effect.BLOCKS: Decision.REJECT,
    Effect.UNVERIFIED: Decision.NEEDS_REVIEW,
    Effect.CONDITION: Decision.APPROVE_WITH_CONDITIONS,
}


def discovery_of(result: AuditResult) -> DiscoveryResult:
    """The audit's discoveries and findings (every severity and status) as a discover run."""
    return DiscoveryResult(
        discoveries=result.discoveries,
        findings=result.findings,
        probed=3 * len(result.discoveries),
        rules=result.rules,
    )


def review_of(result: AuditResult) -> ReviewResult:
    """Each audited account reviewed as added, its open findings as the reasons."""
    items = []
    for a in result.accounts:
        reasons = tuple(
            ReviewReason(f.rule_id, f.severity, f.message, _EFFECT[f.status], f.location)
            for f in result.findings
            if f.account_id == a.account.id and f.status in _EFFECT
        )
        decision = max(
            (_DECISION[r.effect] for r in reasons), key=lambda d: d.rank, default=Decision.APPROVE
        )
        items.append(
            ReviewItem(a.account, "added", decision, reasons, Liveness.OURS, a.observation)
        )
    return ReviewResult(tuple(items), result.inventory, INVENTORY, STARTED, offline=False)


def observed_of(result: AuditResult) -> Observed:
    return Observed(
        tuple(
            ObservedAccount(a.account, a.observation)
            for a in result.accounts
            if a.observation is not None
        )
    )


def credentials_of(result: AuditResult) -> CredentialReport:
    """A credential check over the audit's accounts: one healthy, one dead, one unverified."""
    ids = tuple(a.account.id for a in result.accounts)
    dead = Reason("credential_invalid", "the Meta token is not valid (the token expired)")
    checked = (
        Checked("ROLLCALL_X_TOKEN", "x-api", "ROLLCALL_X_TOKEN", Health.HEALTHY, accounts=ids),
        Checked("bm2", "meta-graph", "META_BM2", Health.INVALID, dead, "json:error.code=190"),
        Checked(
            "ROLLCALL_YOUTUBE_API_KEY",
            "youtube-api",
            "ROLLCALL_YOUTUBE_API_KEY",
            Health.UNVERIFIED,
            Reason("quota_exceeded", "quota used up"),
        ),
    )
    return CredentialReport(STARTED, checked, with_inventory=True)


def access_of(result: AuditResult) -> AccessSheet:
    """Holders of the audit's accounts in turn declared, observed (an admin named as the page
    shows itself, without 2FA, and a partner business) and unknown; the discoveries as the
    controlled accounts the inventory misses, one credential's listing failed."""
    index = RosterIndex(result.inventory.roster)
    rows = []
    for i, a in enumerate(result.accounts):
        account = a.account
        name = a.observation.display_name if a.observation is not None else None
        if i % 3 == 0:
            rows.append(AccessRow(account, "declared", declared_holders(account, index)))
        elif i % 3 == 1:
            holders = (
                Holder(
                    HolderKind.PERSON,
                    "1001",
                    name,
                    account.owner,
                    "MANAGE",
                    True,
                    Tri.FALSE,
                    "assigned_users",
                ),
                Holder(
                    HolderKind.PARTNER,
                    "2002",
                    "Brightloop Agency",
                    None,
                    "ADVERTISE",
                    False,
                    via="agencies",
                ),
            )
            listed = AccessList(holders, f"https://api.test/{account.id}/assigned_users", STARTED)
            review = review_access(account, listed, index)
            rows.append(AccessRow(account, "observed", review.matches, review))
        else:
            why = Reason("access_unreadable", f"the API refused the list of {name or account.id}")
            rows.append(AccessRow(account, "unknown", (), reason=why))
    failed = (("bm2", Reason("api_error", "the listing failed")),)
    return AccessSheet(result.inventory, tuple(rows), Owned((), failed), result.discoveries)


def document_of(document: Document, result: AuditResult) -> Any:
    """``document`` built from the audit ``result``."""
    build_it: Callable[[AuditResult], Any]
    match document:
        case Document.AUDIT:
            return result
        case Document.OBSERVATIONS:
            build_it = observed_of
        case Document.DISCOVERY:
            build_it = discovery_of
        case Document.REVIEW:
            build_it = review_of
        case Document.ORPHANS:
            build_it = build
        case Document.CREDENTIALS:
            build_it = credentials_of
        case Document.ACCESS:
            build_it = access_of
        case _:
            assert_never(document)
    return build_it(result)
