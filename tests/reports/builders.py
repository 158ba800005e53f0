"""A realistic, deterministic AuditResult for the report tests: eight accounts in every
observation state, findings of every status (waived included), discoveries, a baseline, trends,
and a hostile bio (script, onerror, ANSI, CSV formula, NUL and other XML-forbidden characters)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime

from scanner.model import (
    JSON,
    Account,
    AccountResult,
    AccountState,
    AccountStatus,
    AuditResult,
    Baseline,
    Classification,
    Discovery,
    Finding,
    FindingStatus,
    Inventory,
    Location,
    Observation,
    ObservationStatus,
    Organization,
    Person,
    PersonStatus,
    Platform,
    Reason,
    Role,
    Roster,
    RuleInfo,
    RunInfo,
    Severity,
    Tri,
    WaiverRef,
)

AS_OF = date(2026, 11, 15)
STARTED = datetime(2026, 11, 15, 8, 0, tzinfo=UTC)
FETCHED = datetime(2026, 11, 15, 8, 1, tzinfo=UTC)
INVENTORY = "inventories/copper-kettle.yaml"
ROSTER = "inventories/copper-kettle-roster.csv"

HOSTILE_BIO = (
    "Fresh beans daily <script>document.title='pwned';window.__pwned=1</script>"
    '<img src=x onerror="window.__pwned=2"> \x1b[31mRED\x1b[0m\x1b]0;owned\x07 '
    '=HYPERLINK("http://evil.example/x","click") @everyone [link](javascript:alert(1)) '
    "nul\x00 vt\x0b bell\x07 fffe\ufffe | pipe * star _under_"
)
HOSTILE_NAME = '=HYPERLINK("http://evil.example","Copper Kettle")\x1b[2J'

ORG = Organization(
    name="Copper Kettle Coffee Roasters",
    location=Location(INVENTORY, 1),
    aliases=("Copper Kettle", "CopperKettle"),
    domains=("copperkettle.coffee", "copperkettlecoffee.com"),
    policy_owner="maya.ortiz@copperkettle.coffee",
    roster=ROSTER,
    departments=("Marketing", "Retail", "People"),
)


def _person(
    n: int,
    email: str,
    name: str,
    department: str,
    role: Role = Role.EMPLOYEE,
    status: PersonStatus = PersonStatus.ACTIVE,
    end: date | None = None,
) -> Person:
    return Person(
        email=email,
        name=name,
        department=department,
        role=role,
        status=status,
        location=Location(ROSTER, n),
        start_date=date(2020, 1, 6),
        end_date=end,
        policy_acknowledged=date(2026, 2, 1),
    )


PEOPLE = (
    _person(2, "maya.ortiz@copperkettle.coffee", "Maya Ortiz", "Communications"),
    _person(3, "sam.reed@copperkettle.coffee", "Sam Reed", "Marketing"),
    _person(4, "ben.cho@copperkettle.coffee", "Ben Cho", "Marketing"),
    _person(5, "vera.lang@copperkettle.coffee", "Vera Lang", "Marketing"),
    _person(
        6,
        "ivy.tran@copperkettle.coffee",
        "Ivy Tran",
        "Marketing",
        Role.INTERN,
        end=date(2026, 11, 30),
    ),
    _person(
        7,
        "dan.moss@copperkettle.coffee",
        "Dan Moss",
        "Retail",
        status=PersonStatus.DEPARTED,
        end=date(2026, 5, 31),
    ),
    _person(
        8,
        "carla.diaz@copperkettle.coffee",
        "Carla Diaz",
        "Retail",
        Role.CONTRACTOR,
        end=date(2026, 9, 30),
    ),
    _person(
        9,
        "otto.king@copperkettle.coffee",
        "Otto King",
        "Retail",
        status=PersonStatus.DEPARTED,
        end=date(2025, 12, 31),
    ),
    _person(10, "pia.ng@copperkettle.coffee", "Pia Ng", "People"),
)
ROSTER_VALUE = Roster(people={p.key: p for p in PEOPLE}, source=ROSTER)


def _account(
    n: int,
    account_id: str,
    platform: Platform,
    handle: str,
    *,
    status: AccountStatus = AccountStatus.ACTIVE,
    department: str | None = "Marketing",
    owner: str | None = "sam.reed@copperkettle.coffee",
    backup: str | None = "ben.cho@copperkettle.coffee",
    sponsor: str | None = "vera.lang@copperkettle.coffee",
) -> Account:
    line = 10 + 14 * n
    return Account(
        id=account_id,
        platform=platform,
        handle=handle,
        status=status,
        location=Location(INVENTORY, line),
        department=department,
        owner=owner,
        backup_owner=backup,
        executive_sponsor=sponsor,
        objective="Announce new harvests and drive café visits",
        metrics=("click-throughs", "café visits", "followers"),
        lines={"owner": line + 4, "security.mfa": line + 9},
    )


ACCOUNTS = (
    _account(0, "gh-main", Platform.GITHUB, "copperkettle"),
    _account(1, "x-main", Platform.X, "CopperKettle", owner="ivy.tran@copperkettle.coffee"),
    _account(
        2,
        "ig-retail",
        Platform.INSTAGRAM,
        "copperkettle.shop",
        department="Retail",
        owner="dan.moss@copperkettle.coffee",
        backup=None,
    ),
    _account(
        3,
        "tt-popup",
        Platform.TIKTOK,
        "copperkettlepopup",
        department="Retail",
        owner="carla.diaz@copperkettle.coffee",
        backup="dan.moss@copperkettle.coffee",
        sponsor="otto.king@copperkettle.coffee",
    ),
    _account(
        4, "bsky-old", Platform.BLUESKY, "copperkettle.bsky.social", status=AccountStatus.RETIRED
    ),
    _account(
        5,
        "masto-hr",
        Platform.MASTODON,
        "copperkettle@mastodon.social",
        department="People",
        owner=None,
        backup=None,
        sponsor="pia.ng@copperkettle.coffee",
    ),
    _account(6, "yt-planned", Platform.YOUTUBE, "@copperkettle", status=AccountStatus.PLANNED),
    _account(7, "reddit-sub", Platform.REDDIT, "r/copperkettle", department=None),
)
INVENTORY_VALUE = Inventory(
    path=INVENTORY,
    sha256="a" * 64,
    organization=ORG,
    accounts=ACCOUNTS,
    roster=ROSTER_VALUE,
)


def _obs(
    platform: Platform,
    handle: str,
    status: ObservationStatus,
    *,
    last: datetime | None = None,
    display_name: str | None = "Copper Kettle Coffee Roasters",
    bio: str | None = "Small-batch coffee since 2012 · https://copperkettle.coffee",
    reason: Reason | None = None,
    fetched: datetime = FETCHED,
    http_status: int | None = 200,
) -> Observation:
    present = status is ObservationStatus.PRESENT
    return Observation(
        platform=platform,
        handle=handle,
        status=status,
        url=f"http://127.0.0.1:8080/{platform.value}/{handle}",
        fetched_at=fetched,
        reason=reason,
        http_status=http_status,
        final_url=f"http://127.0.0.1:8080/{platform.value}/{handle}" if present else None,
        signal="json:id" if present else (reason.code if reason else None),
        display_name=display_name if present else None,
        bio=bio if present else None,
        links=("https://copperkettle.coffee",) if present else (),
        followers=1200 if present else None,
        verified=Tri.FALSE if present else Tri.UNKNOWN,
        created_at=datetime(2015, 3, 1, 10, 0, tzinfo=UTC) if present else None,
        last_activity_at=last,
        account_state=AccountState.ACTIVE if present else AccountState.UNKNOWN,
        etag='W/"abc"' if present else None,
        body_sha256=hashlib.sha256(handle.encode()).hexdigest() if present else None,
    )


P = ObservationStatus
OBSERVATIONS: Mapping[str, Observation | None] = {
    "gh-main": _obs(
        Platform.GITHUB, "copperkettle", P.PRESENT, last=datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    ),
    "x-main": _obs(
        Platform.X,
        "CopperKettle",
        P.BLOCKED,
        reason=Reason("login_wall", "X showed its login page"),
        http_status=200,
    ),
    "ig-retail": _obs(
        Platform.INSTAGRAM,
        "copperkettle.shop",
        P.PRESENT,
        last=datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
        display_name=HOSTILE_NAME,
        bio=HOSTILE_BIO,
    ),
    "tt-popup": _obs(
        Platform.TIKTOK,
        "copperkettlepopup",
        P.PRESENT,
        last=datetime(2026, 9, 28, 17, 0, tzinfo=UTC),
    ),
    "bsky-old": _obs(
        Platform.BLUESKY,
        "copperkettle.bsky.social",
        P.PRESENT,
        last=datetime(2024, 1, 10, 8, 0, tzinfo=UTC),
    ),
    "masto-hr": _obs(
        Platform.MASTODON,
        "copperkettle@mastodon.social",
        P.ERROR,
        reason=Reason("timeout", "no answer within 10 s"),
        http_status=None,
    ),
    "yt-planned": None,
    "reddit-sub": _obs(Platform.REDDIT, "r/copperkettle", P.ABSENT, http_status=404),
}
LAST_KNOWN_GOOD = {
    "x-main": _obs(
        Platform.X,
        "CopperKettle",
        P.PRESENT,
        last=datetime(2026, 8, 20, 15, 0, tzinfo=UTC),
        fetched=datetime(2026, 10, 15, 8, 1, tzinfo=UTC),
    )
}

RULES = (
    RuleInfo(
        "OWN-001",
        "Owner assigned",
        Severity.CRITICAL,
        "ownership",
        "Every account needs an accountable owner.",
        "Name an owner in the inventory.",
        ("NIST SP 800-53 CM-8",),
    ),
    RuleInfo(
        "OWN-002",
        "Owner is active in the roster",
        Severity.HIGH,
        "ownership",
        "An owner who left cannot answer for the account.",
        "Reassign the account to an active employee.",
    ),
    RuleInfo(
        "ACT-001",
        "Posted within 90 days",
        Severity.MEDIUM,
        "activity",
        "Silent accounts look abandoned.",
        "Resume posting or retire the account.",
    ),
    RuleInfo(
        "ACT-002",
        "Nothing posted for 365 days",
        Severity.HIGH,
        "activity",
        "A year of silence means retire it.",
        "Archive or delete the account.",
    ),
    RuleInfo(
        "ACT-003",
        "Intern-era account",
        Severity.HIGH,
        "activity",
        "It went silent when its owner left.",
        "Hand the account over.",
    ),
    RuleInfo(
        "IDN-001",
        "Account exists",
        Severity.CRITICAL,
        "identity",
        "An inventoried account must exist.",
        "Re-create or remove the entry.",
    ),
    RuleInfo(
        "IDN-002",
        "Display name follows the naming convention",
        Severity.LOW,
        "identity",
        "Consistent names help followers spot fakes.",
        "Rename the profile.",
    ),
    RuleInfo(
        "IDN-005",
        "Retired account still live",
        Severity.HIGH,
        "identity",
        "Retired pages must be closed.",
        "Delete the account following the platform's procedure.",
    ),
    RuleInfo(
        "SEC-002",
        "MFA enabled",
        Severity.HIGH,
        "security",
        "Passwords alone get phished.",
        "Turn on MFA.",
        ("ISO/IEC 27001 A.5.17",),
    ),
    RuleInfo(
        "PUR-002",
        "3–5 metrics",
        Severity.LOW,
        "purpose",
        "Measure what matters.",
        "List 3 to 5 metrics.",
    ),
)
RULE = {r.id: r for r in RULES}


def fingerprint(
    rule_id: str, platform: Platform | None, handle: str | None, account_id: str
) -> str:
    key = "|".join(
        (rule_id, platform.value if platform else "", (handle or "").casefold(), account_id)
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def finding(
    rule_id: str,
    account_id: str | None,
    status: FindingStatus,
    message: str,
    evidence: Mapping[str, JSON] | None = None,
    *,
    waiver: WaiverRef | None = None,
    platform: Platform | None = None,
    handle: str | None = None,
    severity: Severity | None = None,
    title: str | None = None,
) -> Finding:
    account = next((a for a in ACCOUNTS if a.id == account_id), None)
    rule = RULE.get(rule_id)
    plat = account.platform if account else platform
    hand = account.handle if account else handle
    return Finding(
        rule_id=rule_id,
        title=title or (rule.title if rule else rule_id),
        severity=severity or (rule.severity if rule else Severity.MEDIUM),
        status=status,
        category=rule.category if rule else "discovery",
        account_id=account_id,
        platform=plat,
        handle=hand,
        message=message,
        remediation=rule.remediation if rule else "Request a takedown from the platform.",
        location=account.location if account else Location(INVENTORY, None),
        fingerprint=fingerprint(rule_id, plat, hand, account_id or ""),
        evidence=dict(evidence or {}),
        waiver=waiver,
    )


S = FindingStatus
FINDINGS = (
    finding(
        "IDN-001",
        "reddit-sub",
        S.FAIL,
        "r/copperkettle does not exist on reddit",
        {"http_status": 404, "url": "https://www.reddit.com/r/copperkettle/about.json"},
    ),
    finding("OWN-001", "masto-hr", S.FAIL, "no owner is assigned", {"owner": None}),
    finding(
        "OWN-002",
        "ig-retail",
        S.FAIL,
        "owner dan.moss@copperkettle.coffee left on 2026-05-31",
        {"owner.status": "departed", "owner.end_date": "2026-05-31"},
    ),
    finding(
        "ACT-002",
        "ig-retail",
        S.FAIL,
        "nothing posted for 532 days",
        {"live.last_activity_at": "2025-06-01T12:00:00Z", "bio": HOSTILE_BIO},
    ),
    finding(
        "ACT-003",
        "tt-popup",
        S.FAIL,
        "last post 2026-09-28, 2 days before the owner's contract ended on 2026-09-30",
        {"live.last_activity_at": "2026-09-28T17:00:00Z", "owner.end_date": "2026-09-30"},
    ),
    finding(
        "IDN-005",
        "bsky-old",
        S.FAIL,
        "retired account copperkettle.bsky.social is still live",
        {"live.status": "present"},
    ),
    finding(
        "ACT-001",
        "ig-retail",
        S.FAIL,
        "no post for 532 days (limit 90)",
        {"live.last_activity_at": "2025-06-01T12:00:00Z"},
    ),
    finding(
        "ACT-001",
        "tt-popup",
        S.FAIL,
        "no post for 48 days (limit 90)... then nothing",
        {"days": 48},
        severity=Severity.MEDIUM,
    ),
    finding(
        "ACT-001",
        "x-main",
        S.ERROR,
        "could not observe the account: X showed its login page",
        {"live.status": "blocked"},
    ),
    finding(
        "ACT-001",
        "masto-hr",
        S.ERROR,
        "could not observe the account: timeout",
        {"live.status": "error", "lone": "surrogate \ud800 here"},
    ),
    finding(
        "SEC-002",
        "gh-main",
        S.WAIVED,
        "MFA is not enabled",
        {"security.mfa": False},
        waiver=WaiverRef(
            "W-001",
            date(2027, 1, 31),
            "hardware keys arrive in January",
            "vera.lang@copperkettle.coffee",
        ),
    ),
    finding(
        "SEC-002",
        "gh-main",
        S.WARN,
        "waiver W-001 expires in 77 days",
        {"waiver": "W-001"},
        title="MFA enabled (waiver expiring)",
        severity=Severity.LOW,
    ),
    finding(
        "IDN-002",
        "ig-retail",
        S.FAIL,
        HOSTILE_NAME + " does not follow the naming convention",
        {"live.display_name": HOSTILE_NAME},
    ),
    finding(
        "PUR-002",
        "gh-main",
        S.FAIL,
        "-2+3 metrics listed; expected 3 to 5",
        {"metrics": ["followers"]},
    ),
    finding(
        "DSC-001",
        None,
        S.FAIL,
        "rogue page x:copperkettle_hq imitates Copper Kettle",
        {"score": 91},
        platform=Platform.X,
        handle="copperkettle_hq",
        severity=Severity.HIGH,
        title="Rogue page",
    ),
)

PASSED = (
    ("OWN-001", "gh-main"),
    ("OWN-002", "gh-main"),
    ("ACT-001", "gh-main"),
    ("IDN-001", "gh-main"),
    ("IDN-001", "ig-retail"),
    ("OWN-001", "ig-retail"),
    ("IDN-002", "gh-main"),
)

DISCOVERIES = (
    Discovery(
        platform=Platform.X,
        handle="copperkettle_hq",
        url="https://x.com/copperkettle_hq",
        classification=Classification.ROGUE,
        score=91,
        matched_alias="Copper Kettle",
        matched_account_id="x-main",
        evidence=(
            "handle 'copperkettle_hq' is the alias plus the affix 'hq'",
            "no link to an official domain",
        ),
        observation=_obs(
            Platform.X,
            "copperkettle_hq",
            P.PRESENT,
            display_name="Copper Kettle HQ <b>official</b>",
            bio="Free coffee! DM us",
        ),
    ),
    Discovery(
        platform=Platform.INSTAGRAM,
        handle="copperkettle.berlin",
        url="https://www.instagram.com/copperkettle.berlin/",
        classification=Classification.UNLISTED_OFFICIAL,
        score=88,
        matched_alias="Copper Kettle",
        matched_account_id=None,
        evidence=("links to copperkettle.coffee",),
        observation=_obs(Platform.INSTAGRAM, "copperkettle.berlin", P.PRESENT),
    ),
    Discovery(
        platform=Platform.GITHUB,
        handle="copper-kettles",
        url="https://github.com/copper-kettles",
        classification=Classification.UNRELATED,
        score=41,
        matched_alias=None,
        matched_account_id=None,
        evidence=("a cookware maker",),
        observation=_obs(
            Platform.GITHUB, "copper-kettles", P.PRESENT, display_name="Copper Kettles Inc"
        ),
    ),
)

FP = {(f.rule_id, f.account_id, f.status): f.fingerprint for f in FINDINGS}
RESOLVED = finding(
    "OWN-002", "gh-main", S.FAIL, "owner kim.lee@copperkettle.coffee left on 2026-09-01"
)
BASELINE = Baseline(
    previous_run_id=3,
    previous_started_at=datetime(2026, 10, 15, 8, 0, tzinfo=UTC),
    new=(FP[("IDN-001", "reddit-sub", S.FAIL)], FP[("ACT-003", "tt-popup", S.FAIL)]),
    still_open=(FP[("OWN-002", "ig-retail", S.FAIL)], FP[("ACT-002", "ig-retail", S.FAIL)]),
    resolved=(RESOLVED,),
    first_seen={
        FP[("IDN-001", "reddit-sub", S.FAIL)]: STARTED,
        FP[("ACT-003", "tt-popup", S.FAIL)]: STARTED,
        FP[("OWN-002", "ig-retail", S.FAIL)]: datetime(2026, 6, 15, 8, 0, tzinfo=UTC),
        FP[("ACT-002", "ig-retail", S.FAIL)]: datetime(2026, 7, 15, 8, 0, tzinfo=UTC),
    },
)
TRENDS: tuple[Mapping[str, JSON], ...] = tuple(
    {
        "run_id": i + 1,
        "started_at": f"2026-{7 + i:02d}-15T08:00:00+00:00",
        "as_of": f"2026-{7 + i:02d}-15",
        "complete": True,
        "offline": False,
        "accounts": 8,
        "open_findings": {"critical": c, "high": h, "medium": m, "low": 1, "info": 0},
        "observations": {
            "present": pr,
            "absent": 1,
            "blocked": b,
            "error": 1,
            "invalid": 0,
            "not_observed": 1,
        },
    }
    for i, (c, h, m, pr, b) in enumerate(
        [(0, 2, 1, 6, 0), (1, 3, 1, 5, 1), (1, 3, 2, 5, 1), (2, 5, 2, 4, 1)]
    )
)


def audit_result(
    *,
    baseline: Baseline | None = BASELINE,
    trends: tuple[Mapping[str, JSON], ...] = TRENDS,
    discoveries: tuple[Discovery, ...] = DISCOVERIES,
    complete: bool = True,
) -> AuditResult:
    """The fixture audit (fixed times, so every rendering is deterministic)."""
    run = RunInfo(
        started_at=STARTED,
        finished_at=datetime(2026, 11, 15, 8, 2, 30, tzinfo=UTC),
        tool_version="0.1.0",
        inventory_path=INVENTORY,
        inventory_sha256="a" * 64,
        policy_packs=(("policies/default.yaml", "b" * 64),),
        complete=complete,
        as_of=AS_OF,
        run_id=4,
    )
    accounts = tuple(
        AccountResult(
            account=a,
            profile_url=f"https://example.invalid/{a.platform.value}/{a.handle}",
            observation=OBSERVATIONS[a.id],
            last_known_good=LAST_KNOWN_GOOD.get(a.id),
        )
        for a in ACCOUNTS
    )
    return AuditResult(
        run=run,
        inventory=INVENTORY_VALUE,
        accounts=accounts,
        findings=FINDINGS,
        rules=RULES,
        passed=PASSED,
        discoveries=discoveries,
        baseline=baseline,
        trends=trends,
    )


def minimal_result() -> AuditResult:
    """An offline audit with no findings, baseline, trends or discoveries."""
    result = audit_result(baseline=None, trends=(), discoveries=())
    from dataclasses import replace

    return replace(
        result,
        accounts=tuple(replace(a, observation=None, last_known_good=None) for a in result.accounts),
        findings=(),
        passed=(),
        run=replace(result.run, offline=True, run_id=None),
    )
