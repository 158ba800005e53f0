"""Credential health findings of an audit: CRD-001 once per dead credential (its accounts are
``error``/``credential_invalid``), CRD-002 for a credential that expires within 14 days.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from scanner.model import (
    JSON,
    Account,
    Finding,
    FindingStatus,
    Inventory,
    Observation,
)
from scanner.platforms.connectors import CREDENTIAL_INVALID, ApiRun, Credential
from scanner.policy import Policy
from scanner.policy.builtin import outside_finding, rule_info
from scanner.serialize import iso

__all__ = ["EXPIRY_WARNING", "credential_findings"]

EXPIRY_WARNING = timedelta(days=14)
"""How long before a credential's expiry CRD-002 warns."""


def credential_findings(
    inventory: Inventory,
    observations: Mapping[str, Observation | None],
    apis: ApiRun,
    policy: Policy,
    as_of: date,
) -> list[Finding]:
    """CRD-001 for every credential whose accounts ended ``credential_invalid`` (one finding
    per credential, listing them), CRD-002 for a live one expiring within 14 days."""
    dead: dict[Credential, list[Account]] = {}
    for account in inventory.accounts:
        obs = observations.get(account.id)
        if obs is None or obs.reason is None or obs.reason.code != CREDENTIAL_INVALID:
            continue
        credential = apis.access.credential(account.platform, account.credential)
        if credential is not None:
            dead.setdefault(credential, []).append(account)
    findings = [
        _finding("CRD-001", inventory, policy, credential, _dead_evidence(apis, credential, acc))
        for credential, acc in dead.items()
    ]
    for credential, expires in apis.expiring.items():
        left = expires.date() - as_of
        if credential in dead or not timedelta(0) <= left <= EXPIRY_WARNING:
            continue
        evidence: dict[str, JSON] = {
            "expires_at": iso(expires),
            "days_left": left.days,
            "message": f"expires on {expires.date().isoformat()} ({left.days} days left)",
        }
        findings.append(_finding("CRD-002", inventory, policy, credential, evidence))
    return findings


def _dead_evidence(
    apis: ApiRun, credential: Credential, accounts: list[Account]
) -> dict[str, JSON]:
    reason = apis.dead.get(credential)
    ids = [a.id for a in accounts]
    why = reason.text if reason is not None else "the API refused it"
    return {
        "accounts": list(ids),
        "reason": why,
        "message": f"{why}; {len(ids)} account(s) unverified: {', '.join(ids)}",
    }


def _finding(
    rule_id: str,
    inventory: Inventory,
    policy: Policy,
    credential: Credential,
    evidence: dict[str, JSON],
) -> Finding:
    info = rule_info(rule_id, policy)
    what = f"credential {credential.label} ({credential.api.value}, ${credential.env})"
    status = FindingStatus.FAIL if rule_id == "CRD-001" else FindingStatus.WARN
    facts: dict[str, JSON] = {
        "credential": credential.label,
        "api": credential.api.value,
        "env": credential.env,
        **evidence,
    }
    message = f"{what}: {evidence['message']}"
    key = (credential.api.value, credential.label)
    return outside_finding(info, status, message, facts, inventory.path, key=key)
