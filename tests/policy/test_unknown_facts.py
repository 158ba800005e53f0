"""Three-valued facts: a live fact a present profile did not yield is unknown, and a rule it
leaves undecided ends ``error`` with the reason (never fail, never pass); such accounts count as
unverified everywhere; the orphaned-page report recommends nothing on them. A date after the audit
date is never "recent"."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from scanner.model import (
    AccountResult,
    AuditResult,
    Finding,
    FindingStatus,
    Inventory,
    Observation,
    ObservationStatus,
    Reason,
    RunInfo,
    Tri,
    unverified_accounts,
)
from scanner.platforms import all_capabilities
from scanner.policy import default_pack_path, evaluate, load_policy
from scanner.policy.evaluator import Evaluation
from scanner.policy.fields import FIELDS, Activity, Context, Unknown
from scanner.reports import formatter_for
from scanner.reports.orphans import Action, OrphanReason, build, render_orphans
from scanner.reports.views import summarize
from scanner.runs.audit import unverified_fraction

from .helpers import AS_OF, FETCHED, account, load_fixture

FIXTURE = load_fixture()
REASON = Reason(
    "activity_unavailable",
    "GitHub: the profile exists but its public events could not be read (http_5xx)",
)
ACT = ("ACT-001", "ACT-002", "ACT-003")


def _account(account_id: str, **changes: Any) -> Any:
    base = {
        "id": account_id,
        "handle": f"fixture-{account_id}",
        "display_name": "Fixture Roasters",
        "department": "Marketing",
        "owner": "ana@fixture.example",
        "backup_owner": "ben@fixture.example",
        "executive_sponsor": "cara@fixture.example",
        "objective": "Grow developer adoption of the roasting API",
        "metrics": ["stars", "website referrals", "contributors"],
        "last_attested": date(2026, 9, 1),
        "security": {
            "mfa": True,
            "credentials": "vault",
            "recovery_email": "social@fixture.example",
        },
    }
    return account({**base, **changes}, FIXTURE.inventory.path, 1)


def _present(acct: Any, **changes: Any) -> Observation:
    fields: dict[str, Any] = {
        "display_name": "Fixture Roasters",
        "links": ("https://fixture.example",),
        "followers": 10,
        "verified": Tri.TRUE,
        "created_at": datetime(2015, 3, 1, tzinfo=UTC),
        "last_activity_at": datetime(2026, 11, 1, tzinfo=UTC),
    }
    fields.update(changes)
    return Observation(
        platform=acct.platform,
        handle=acct.handle,
        status=ObservationStatus.PRESENT,
        url=f"https://example.invalid/{acct.handle}",
        fetched_at=FETCHED,
        **fields,
    )


def _run(
    accounts: list[Any],
    observations: Mapping[str, Observation | None],
    *,
    pack: Path | None = None,
    as_of: date = AS_OF,
) -> tuple[Inventory, Evaluation]:
    inventory = dataclasses.replace(FIXTURE.inventory, accounts=tuple(accounts))
    policy = load_policy(pack or default_pack_path())
    return inventory, evaluate(
        inventory, observations, policy, None, as_of=as_of, capabilities=all_capabilities()
    )


def _by_rule(evaluation: Evaluation, account_id: str) -> dict[str, Finding]:
    return {f.rule_id: f for f in evaluation.findings if f.account_id == account_id}


def _passed(evaluation: Evaluation, account_id: str) -> set[str]:
    return {rule for rule, a in evaluation.passed if a == account_id}


# ------------------------------------------------------------------ the activity rules


def test_activity_that_could_not_be_read_is_error_with_the_reason_on_every_act_rule() -> None:
    # A departed intern owner brings ACT-003 (`not within_days_of`) into play: unknown activity
    # must not pass it either.
    acct = _account("unread", owner="ian@fixture.example")
    obs = _present(acct, last_activity_at=None, reason=REASON)
    _, evaluation = _run([acct], {acct.id: obs})
    findings = _by_rule(evaluation, acct.id)
    assert not set(ACT) & _passed(evaluation, acct.id)
    for rule in ACT:
        finding = findings[rule]
        assert finding.status is FindingStatus.ERROR, finding
        assert finding.message.endswith(f"not verified; {REASON.text}")
        assert finding.evidence == {
            "observation": "present",
            "unknown": "live.last_activity_at",
            "reason": "activity_unavailable",
        }
    assert findings["OWN-002"].status is FindingStatus.FAIL  # known facts still decide


def test_present_profile_without_any_activity_date_is_unknown_not_old() -> None:
    acct = _account("no-date")
    _, evaluation = _run([acct], {acct.id: _present(acct, last_activity_at=None)})
    findings = _by_rule(evaluation, acct.id)
    for rule in ("ACT-001", "ACT-002"):
        assert findings[rule].status is FindingStatus.ERROR
        assert "the profile showed no activity date" in findings[rule].message


def test_known_silence_still_decides_and_platform_limits_stay_silent() -> None:
    # GitHub's empty 90-day event list: ACT-001 fails on evidence, ACT-002 cannot be decided
    # by design (not a failed read) and records nothing.
    acct = _account("quiet")
    obs = _present(acct, last_activity_at=None, no_activity_since=datetime(2026, 8, 17, 6, 0))
    _, evaluation = _run([acct], {acct.id: obs})
    findings = _by_rule(evaluation, acct.id)
    assert findings["ACT-001"].status is FindingStatus.FAIL
    assert "ACT-002" not in findings and "ACT-002" not in _passed(evaluation, acct.id)


def test_absent_account_has_no_unknown_activity() -> None:
    acct = _account("gone")
    obs = Observation(
        platform=acct.platform,
        handle=acct.handle,
        status=ObservationStatus.ABSENT,
        url="https://example.invalid/gone",
        fetched_at=FETCHED,
    )
    _, evaluation = _run([acct], {acct.id: obs})
    findings = _by_rule(evaluation, acct.id)
    assert findings["IDN-001"].status is FindingStatus.FAIL
    assert not set(ACT) & set(findings)


def test_live_activity_after_the_audit_date_is_error_not_recent() -> None:
    # An audit of a past day cannot call a later post "within 90 days before it".
    acct = _account("later")
    obs = _present(acct, last_activity_at=datetime(2026, 11, 1, tzinfo=UTC))
    _, evaluation = _run([acct], {acct.id: obs}, as_of=date(2026, 1, 15))
    finding = _by_rule(evaluation, acct.id)["ACT-001"]
    assert finding.status is FindingStatus.ERROR
    assert "live.last_activity_at 2026-11-01 lies after the audit date 2026-01-15" in (
        finding.message
    )


# ------------------------------------------------------------------ inventory dates


def test_last_attested_in_the_future_fails_saying_so_and_missing_still_fails() -> None:
    future = _account("future", last_attested=date(9999, 12, 31))
    missing = _account("missing", last_attested=None)
    tomorrow = _account("tomorrow", last_attested=date(2026, 11, 16))  # within the skew
    accounts = [future, missing, tomorrow]
    _, evaluation = _run(accounts, {a.id: _present(a) for a in accounts})
    bad = _by_rule(evaluation, "future")["OWN-007"]
    assert bad.status is FindingStatus.FAIL
    assert bad.message.endswith("(last_attested 9999-12-31 lies after the audit date 2026-11-15)")
    assert bad.evidence["note"] == "last_attested 9999-12-31 lies after the audit date 2026-11-15"
    assert _by_rule(evaluation, "missing")["OWN-007"].status is FindingStatus.FAIL
    assert "OWN-007" in _passed(evaluation, "tomorrow")


# ------------------------------------------------------------------ other live fields

PACK = """
rules:
  - id: TST-001
    title: Has followers
    severity: low
    category: identity
    rationale: test
    scope: {statuses: [active]}
    assert: {field: live.followers, op: exists}
    message: "followers {live.followers}"
    remediation: none
  - id: TST-002
    title: Verified
    severity: low
    category: identity
    rationale: test
    scope: {statuses: [active]}
    assert: {field: live.verified, op: is_true}
    message: "not verified"
    remediation: none
  - id: TST-003
    title: Created long ago
    severity: low
    category: identity
    rationale: test
    scope: {statuses: [active]}
    assert: {field: live.created_at, op: older_than_days, value: 30}
    message: "created {live.created_at}"
    remediation: none
  - id: TST-004
    title: Recently active accounts name an owner
    severity: low
    category: activity
    rationale: test
    scope:
      statuses: [active]
      where: {field: live.last_activity_at, op: newer_than_days, value: 90}
    assert: {field: owner, op: exists}
    message: "no owner"
    remediation: none
  - id: TST-005
    title: Active or retired
    severity: low
    category: activity
    rationale: test
    scope: {statuses: [active]}
    assert:
      any:
        - {field: live.last_activity_at, op: newer_than_days, value: 90}
        - {field: status, op: equals, value: retired}
    message: "inactive"
    remediation: none
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pack") / "pack.yaml"
    path.write_text(PACK, encoding="utf-8")
    return path


def test_every_live_operator_is_three_valued_on_an_unknown_fact(pack: Path) -> None:
    acct = _account("blank")
    obs = _present(
        acct, followers=None, verified=Tri.UNKNOWN, created_at=None, last_activity_at=None
    )
    _, evaluation = _run([acct], {acct.id: obs}, pack=pack)
    findings = _by_rule(evaluation, acct.id)
    assert not _passed(evaluation, acct.id)
    rules = ("TST-001", "TST-002", "TST-003", "TST-004", "TST-005")
    assert {r: f.status for r, f in findings.items()} == dict.fromkeys(rules, FindingStatus.ERROR)
    assert "the profile showed no follower count" in findings["TST-001"].message
    assert "the profile showed no verified flag" in findings["TST-002"].message
    assert "the profile showed no creation date" in findings["TST-003"].message


def test_known_live_facts_still_pass_and_fail(pack: Path) -> None:
    acct = _account("known")
    obs = _present(acct, followers=None, verified=Tri.FALSE, created_at=datetime.now(UTC))
    _, evaluation = _run([acct], {acct.id: obs}, pack=pack)
    findings = _by_rule(evaluation, acct.id)
    assert findings["TST-002"].status is FindingStatus.FAIL
    assert findings["TST-003"].status is FindingStatus.FAIL
    assert {"TST-004", "TST-005"} <= _passed(evaluation, acct.id)


def test_unknown_is_a_value_of_the_live_getters_only_on_present_profiles() -> None:
    acct = _account("getters")
    present = Context(
        acct,
        None,
        None,
        None,
        _present(acct, last_activity_at=None),
        FIXTURE.inventory.organization,
    )
    assert isinstance(FIELDS["live.last_activity_at"].getter(present), Unknown)
    absent_obs = dataclasses.replace(
        _present(acct, last_activity_at=None), status=ObservationStatus.ABSENT
    )
    absent = Context(acct, None, None, None, absent_obs, FIXTURE.inventory.organization)
    assert FIELDS["live.last_activity_at"].getter(absent) == Activity(None, None)
    assert FIELDS["live.created_at"].getter(absent) == datetime(2015, 3, 1, tzinfo=UTC)
    assert str(Unknown("why")) == "(unknown)"


# ------------------------------------------------------------------ counting and reports


def _result(
    evaluation: Evaluation, inventory: Inventory, obs: Mapping[str, Observation]
) -> AuditResult:
    run = RunInfo(
        started_at=FETCHED,
        finished_at=FETCHED,
        tool_version="test",
        inventory_path=inventory.path,
        inventory_sha256=inventory.sha256,
        policy_packs=(),
        complete=True,
        as_of=AS_OF,
    )
    accounts = tuple(
        AccountResult(a, f"https://example.invalid/{a.handle}", obs.get(a.id))
        for a in inventory.accounts
    )
    return AuditResult(
        run, inventory, accounts, evaluation.findings, evaluation.rules, evaluation.passed
    )


@pytest.fixture(scope="module")
def mixed() -> AuditResult:
    """Four accounts: activity unread, healthy, blocked, offline (not observed)."""
    unread, healthy, blocked, offline = (
        _account(n) for n in ("unread", "healthy", "blocked", "offline")
    )
    obs: dict[str, Observation] = {
        "unread": _present(unread, last_activity_at=None, reason=REASON),
        "healthy": _present(healthy),
        "blocked": dataclasses.replace(
            _present(blocked),
            status=ObservationStatus.BLOCKED,
            reason=Reason("login_wall", "GitHub showed its login page"),
        ),
    }
    inventory, evaluation = _run([unread, healthy, blocked, offline], obs)
    return _result(evaluation, inventory, obs)


def test_activity_errors_count_as_unverified_everywhere(mixed: AuditResult) -> None:
    # The account never observed counts too: its live checks were not made (not evaluated).
    assert [a.account.id for a in unverified_accounts(mixed.accounts, mixed.findings)] == [
        "unread",
        "blocked",
        "offline",
    ]
    assert unverified_fraction(mixed.accounts, mixed.findings) == pytest.approx(3 / 4)
    assert summarize(mixed).unverified_accounts == 3
    markdown = formatter_for("markdown").render(mixed, color=False)
    assert "### Unverified accounts (2)" in markdown and "3 unverified" in markdown
    assert "_1 account not observed: their live checks were not evaluated._" in markdown
    assert "| unread | github | fixture-unread | present |" in markdown
    table = " ".join(formatter_for("table").render(mixed, color=False).split())
    assert "Unverified accounts (2):" in table and "3 accounts unverified" in table
    assert "1 account not observed" in table


def test_orphan_report_says_activity_could_not_be_read_and_recommends_nothing_on_it(
    mixed: AuditResult,
) -> None:
    report = build(mixed)
    entries = {e.account_id: e for e in report.entries}
    unread = entries["unread"]
    assert unread.reasons == (OrphanReason.ACTIVITY_UNKNOWN,)
    assert unread.action is Action.VERIFY
    assert f"activity could not be read: {REASON.text}" in unread.evidence
    assert "healthy" not in entries
    assert entries["blocked"].reasons == (OrphanReason.UNVERIFIED,)
    for fmt in ("table", "markdown", "html", "csv"):
        text = render_orphans(report, fmt, width=None)
        assert "activity could not be read" in text
        assert Action.ARCHIVE.value not in text
    assert "1 whose activity could not be read" in report.summary
