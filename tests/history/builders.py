"""Builders for AuditResult values used by the history tests and their subprocess workers.

Fingerprints are computed here from (rule, platform, handle, account) exactly as the model
documents, so the tests do not depend on the policy engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from scanner.model import (
    Account,
    AccountResult,
    AccountState,
    AccountStatus,
    AuditResult,
    Classification,
    Discovery,
    Finding,
    FindingStatus,
    Inventory,
    Location,
    Observation,
    ObservationStatus,
    Organization,
    Platform,
    Reason,
    Roster,
    RunInfo,
    Severity,
    Tri,
    WaiverRef,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PLATFORMS = (Platform.GITHUB, Platform.BLUESKY, Platform.MASTODON, Platform.X, Platform.YOUTUBE)


def fingerprint(
    rule_id: str, platform: Platform | None, handle: str | None, account_id: str
) -> str:
    key = "|".join(
        (rule_id, platform.value if platform else "", (handle or "").casefold(), account_id)
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def inventory(path: Path, n: int) -> Inventory:
    org = Organization(name="Copper Kettle Coffee Roasters", location=Location(str(path), 1))
    accounts = tuple(
        Account(
            id=f"acct-{i:05d}",
            platform=PLATFORMS[i % len(PLATFORMS)],
            handle=f"copperkettle{i}"
            if PLATFORMS[i % len(PLATFORMS)] is not Platform.MASTODON
            else f"copperkettle{i}@mastodon.social",
            status=AccountStatus.ACTIVE,
            location=Location(str(path), 10 + 12 * i),
            owner="ana@copperkettle.coffee",
        )
        for i in range(n)
    )
    return Inventory(
        path=str(path),
        sha256="0" * 64,
        organization=org,
        accounts=accounts,
        roster=Roster(people={}, source="roster.csv"),
    )


def observation(account: Account, i: int, fetched_at: datetime) -> Observation:
    """A varied observation: every fourth blocked, some with validators, rich fields otherwise."""
    if i % 4 == 3:
        return Observation(
            platform=account.platform,
            handle=account.handle,
            status=ObservationStatus.BLOCKED,
            url=f"http://127.0.0.1:9/{account.platform.value}/{account.handle}",
            fetched_at=fetched_at,
            reason=Reason("login_wall", "the platform showed its login page"),
            http_status=200,
            final_url=f"http://127.0.0.1:9/{account.platform.value}/login",
            signal="html:login_form",
        )
    return Observation(
        platform=account.platform,
        handle=account.handle,
        status=ObservationStatus.PRESENT,
        url=f"http://127.0.0.1:9/{account.platform.value}/{account.handle}",
        fetched_at=fetched_at,
        http_status=200,
        final_url=f"http://127.0.0.1:9/{account.platform.value}/{account.handle}",
        signal="json:id",
        display_name=f"Copper Kettle Coffee {i} ☕",
        bio="Small-batch coffee since 2012 · https://copperkettle.coffee",
        links=("https://copperkettle.coffee", "https://copperkettlecoffee.com/shop"),
        followers=1200 + i,
        verified=Tri.FALSE if i % 2 else Tri.UNKNOWN,
        created_at=datetime(2015, 3, 1, 10, 0, tzinfo=UTC),
        last_activity_at=datetime(2026, 10, 20, 9, 0, tzinfo=timezone(timedelta(hours=2))),
        no_activity_since=None,
        account_state=AccountState.ACTIVE,
        etag=f'W/"etag-{i}"' if i % 2 == 0 else None,
        last_modified="Sun, 01 Nov 2026 09:00:00 GMT" if i % 3 == 0 else None,
        body_sha256=hashlib.sha256(f"body-{i}".encode()).hexdigest(),
    )


def finding(
    account: Account,
    rule_id: str,
    *,
    status: FindingStatus = FindingStatus.FAIL,
    severity: Severity = Severity.HIGH,
    line: int | None = None,
    waiver: WaiverRef | None = None,
) -> Finding:
    return Finding(
        rule_id=rule_id,
        title=f"{rule_id} title",
        severity=severity,
        status=status,
        category="ownership",
        account_id=account.id,
        platform=account.platform,
        handle=account.handle,
        message=f"{rule_id} failed on {account.handle}",
        remediation="Assign an active owner.",
        location=Location(
            account.location.file, line if line is not None else account.location.line, 3
        ),
        fingerprint=fingerprint(rule_id, account.platform, account.handle, account.id),
        evidence={"owner": account.owner, "checked": ["owner.status"], "days": 12},
        waiver=waiver,
    )


def result(
    inv: Inventory,
    started_at: datetime,
    findings: Iterable[Finding] = (),
    *,
    observations: Mapping[str, Observation | None] | None = None,
    complete: bool = True,
    offline: bool = False,
    replay_of: int | None = None,
    discoveries: tuple[Discovery, ...] = (),
) -> AuditResult:
    """An AuditResult over ``inv``; observations default to :func:`observation` for each account."""
    accounts = []
    for i, a in enumerate(inv.accounts):
        if observations is not None:
            obs = observations.get(a.id)
        elif offline:
            obs = None
        else:
            obs = observation(a, i, started_at + timedelta(seconds=i % 60))
        accounts.append(
            AccountResult(
                account=a, profile_url=f"https://example.invalid/{a.handle}", observation=obs
            )
        )
    run = RunInfo(
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=3),
        tool_version="0.1.0",
        inventory_path=inv.path,
        inventory_sha256=inv.sha256,
        policy_packs=(("policies/default.yaml", "a" * 64),),
        complete=complete,
        as_of=started_at.date(),
        offline=offline,
        replay_of=replay_of,
    )
    return AuditResult(
        run=run,
        inventory=inv,
        accounts=tuple(accounts),
        findings=tuple(findings),
        rules=(),
        discoveries=discoveries,
    )


def discovery(inv: Inventory, at: datetime) -> Discovery:
    a = inv.accounts[0]
    obs = replace(observation(a, 0, at), handle="copperkettle-official", etag=None)
    return Discovery(
        platform=a.platform,
        handle="copperkettle-official",
        url="https://github.com/copperkettle-official",
        classification=Classification.ROGUE,
        score=87,
        matched_alias="Copper Kettle",
        matched_account_id=a.id,
        evidence=("display name matches alias 'Copper Kettle'", "links to no official domain"),
        observation=obs,
    )


def waiver() -> WaiverRef:
    return WaiverRef(
        id="W-1", expires=date(2027, 1, 31), reason="rebrand", approved_by="cfo@copperkettle.coffee"
    )
