"""Evaluation semantics: missing data, capabilities, effective dates, waivers, overrides,
fingerprints."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from scanner.errors import ValidationError
from scanner.model import (
    FindingStatus,
    Location,
    Naming,
    Observation,
    ObservationStatus,
    Platform,
    Reason,
)
from scanner.platforms import all_capabilities
from scanner.policy import (
    default_pack_path,
    evaluate,
    fingerprint,
    load_policy,
    load_waivers,
)
from scanner.policy.fields import FIELDS, FieldSource, handle_name

from .helpers import AS_OF, FETCHED, load_fixture

DEFAULT = str(default_pack_path())
CAPS = all_capabilities()


def _live_rules(policy) -> set[str]:  # type: ignore[no-untyped-def]
    out = set()
    for rule in policy.rules:
        leaves = []
        stack = [c for c in (rule.assert_, rule.scope.where) if c is not None]
        while stack:
            node = stack.pop()
            if hasattr(node, "items"):
                stack.extend(node.items)
            elif hasattr(node, "item"):
                stack.append(node.item)
            else:
                leaves.append(node)
        if any(FIELDS[leaf.field].source is FieldSource.LIVE for leaf in leaves):
            out.add(rule.id)
    return out


@pytest.mark.parametrize(
    "status", [ObservationStatus.BLOCKED, ObservationStatus.ERROR, ObservationStatus.INVALID, None]
)
def test_unverified_observation_never_passes_or_fails_a_live_rule(
    status: ObservationStatus | None,
) -> None:
    fixture = load_fixture()
    policy = load_policy(DEFAULT)
    live = _live_rules(policy)
    assert {"IDN-001", "IDN-002", "IDN-003", "IDN-005", "ACT-001", "ACT-002", "ACT-003"} <= live
    observations: dict[str, Observation | None] = {}
    for account in fixture.inventory.accounts:
        if status is None:
            observations[account.id] = None
        else:
            observations[account.id] = Observation(
                platform=account.platform,
                handle=account.handle,
                status=status,
                url="https://example.invalid/",
                fetched_at=FETCHED,
                reason=Reason("waf", "a challenge page"),
                # Even stale facts on an unverified observation must not be used.
                display_name="Fixture Roasters",
                links=("https://fixture.example",),
            )
    result = evaluate(fixture.inventory, observations, policy, None, as_of=AS_OF, capabilities=CAPS)
    for rule_id, _account in result.passed:
        assert rule_id not in live
    for finding in result.findings:
        if finding.rule_id in live:
            assert finding.status is FindingStatus.ERROR, finding
    assert any(f.status is FindingStatus.ERROR for f in result.findings)


def test_rule_needing_a_field_the_platform_never_extracts_does_not_apply() -> None:
    fixture = load_fixture()
    policy = load_policy(DEFAULT)
    # GitHub without activity: ACT rules vanish for GitHub accounts, even offline.
    no_activity = CAPS[Platform.GITHUB] - {"last_activity_at", "no_activity_since"}
    caps = {**CAPS, Platform.GITHUB: no_activity}
    result = evaluate(fixture.inventory, {}, policy, None, as_of=AS_OF, capabilities=caps)
    for finding in result.findings:
        if finding.platform is Platform.GITHUB:
            assert not finding.rule_id.startswith("ACT-")
    assert any(f.rule_id == "ACT-001" and f.platform is Platform.MASTODON for f in result.findings)
    # The same run with the specs' capabilities keeps the ACT rules on GitHub.
    full = evaluate(fixture.inventory, {}, policy, None, as_of=AS_OF, capabilities=CAPS)
    assert any(
        f.rule_id.startswith("ACT-") and f.platform is Platform.GITHUB for f in full.findings
    )


def test_capabilities_are_the_specs_extracts() -> None:
    # One home: what a platform extracts is its spec's `extracts`, handed to the evaluator.
    assert set(CAPS) == set(Platform)
    assert "links" not in CAPS[Platform.MEDIUM]  # Medium's feed carries no profile links
    with_state = {p for p, caps in CAPS.items() if "account_state" in caps}
    assert with_state == {
        Platform.GITHUB,
        Platform.MASTODON,
        Platform.BLUESKY,
        Platform.YOUTUBE,
        Platform.REDDIT,
        Platform.TIKTOK,
    }


def test_effective_from_in_the_future_turns_failures_into_warnings(tmp_path: Path) -> None:
    org_pack = tmp_path / "org.yaml"
    org_pack.write_text(
        "overrides:\n  rules:\n    SEC-002: {effective_from: 2027-01-01, severity: critical}\n",
        encoding="utf-8",
    )
    fixture = load_fixture()
    policy = load_policy([DEFAULT, str(org_pack)])
    rule = policy.rule("SEC-002")
    assert rule is not None and rule.severity.value == "critical"
    result = evaluate(
        fixture.inventory, fixture.observations, policy, None, as_of=AS_OF, capabilities=CAPS
    )
    sec = [f for f in result.findings if f.rule_id == "SEC-002"]
    assert sec and all(f.status is FindingStatus.WARN for f in sec)
    later = evaluate(
        fixture.inventory,
        fixture.observations,
        policy,
        None,
        as_of=date(2027, 1, 1),
        capabilities=CAPS,
    )
    assert all(f.status is FindingStatus.FAIL for f in later.findings if f.rule_id == "SEC-002")


def test_overrides_change_params_and_can_disable_rules(tmp_path: Path) -> None:
    org_pack = tmp_path / "org.yaml"
    org_pack.write_text(
        "overrides:\n"
        "  params:\n"
        "    inactivity_days: 200\n"
        "    discovery: {rogue_threshold: 90}\n"
        "  rules:\n"
        "    OWN-006: {enabled: false}\n"
        "    PUR-002: {params: {metrics_min: 2}}\n",
        encoding="utf-8",
    )
    fixture = load_fixture()
    policy = load_policy([DEFAULT, str(org_pack)])
    assert policy.params("discovery.rogue_threshold") == 90
    assert policy.params("discovery.unlisted_threshold") == 70
    assert policy.params("ACT-001.inactivity_days") == 200
    assert policy.params("nope", 7) == 7
    assert policy.rule("OWN-006") is None
    result = evaluate(
        fixture.inventory, fixture.observations, policy, None, as_of=AS_OF, capabilities=CAPS
    )
    failed = {(f.account_id, f.rule_id) for f in result.findings if f.status is FindingStatus.FAIL}
    assert ("quiet-for-four-months", "ACT-001") not in failed
    assert ("dormant", "ACT-001") in failed
    assert ("two-metrics", "PUR-002") not in failed
    assert not any(rule == "OWN-006" for _, rule in failed)
    assert len(policy.packs) == 2 and all(len(digest) == 64 for _, digest in policy.packs)


def test_disabled_rule_is_still_validated(tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text(
        "rules:\n"
        "  - {id: OWN-301, title: t, severity: high, category: c, rationale: r, message: m,\n"
        "     remediation: x, assert: {field: ownr, op: exists}}\n"
        "overrides:\n  rules:\n    OWN-301: {enabled: false}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="unknown field 'ownr'"):
        load_policy(str(pack))


def _waivers(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    fixture = load_fixture()
    policy = load_policy(DEFAULT)
    path = tmp_path / "waivers.yaml"
    path.write_text(body, encoding="utf-8")
    waivers = load_waivers(path, inventory=fixture.inventory, policy=policy, as_of=AS_OF)
    result = evaluate(
        fixture.inventory, fixture.observations, policy, waivers, as_of=AS_OF, capabilities=CAPS
    )
    return path, result


WAIVER = """  - id: {id}
    rule: {rule}
    account: {account}
    reason: Hardware keys are on order
    owner: ana@fixture.example
    approved_by: cara@fixture.example
    created: {created}
    expires: {expires}
"""


def test_active_waiver_waives_and_expiring_one_warns(tmp_path: Path) -> None:
    body = (
        "waivers:\n"
        + WAIVER.format(
            id="W-1", rule="SEC-002", account="mfa-off", created="2026-10-01", expires="2027-03-01"
        )
        + WAIVER.format(
            id="W-2",
            rule="SEC-001",
            account="personal-credentials",
            created="2026-10-01",
            expires="2026-12-01",
        )
    )
    path, result = _waivers(tmp_path, body)
    by = {(f.account_id, f.rule_id): f for f in result.findings}
    waived = by[("mfa-off", "SEC-002")]
    assert waived.status is FindingStatus.WAIVED
    assert waived.waiver is not None and waived.waiver.id == "W-1"
    assert by[("personal-credentials", "SEC-001")].status is FindingStatus.WAIVED
    warn = by[("personal-credentials", "WVR-002")]
    assert warn.status is FindingStatus.WARN
    assert "in 16 days" in warn.message
    assert warn.location == Location(str(path), 10, 5)
    assert ("mfa-off", "WVR-002") not in by
    assert {r.id for r in result.rules} >= {"WVR-001", "WVR-002"}


def test_expired_waiver_fails_again_and_is_reported(tmp_path: Path) -> None:
    body = "waivers:\n" + WAIVER.format(
        id="W-9", rule="SEC-002", account="mfa-off", created="2026-06-01", expires="2026-11-14"
    )
    path, result = _waivers(tmp_path, body)
    by = {(f.account_id, f.rule_id): f for f in result.findings}
    assert by[("mfa-off", "SEC-002")].status is FindingStatus.FAIL
    expired = by[("mfa-off", "WVR-001")]
    assert expired.status is FindingStatus.FAIL
    assert "expired on 2026-11-14" in expired.message
    assert expired.location.file == str(path)


def test_expired_waiver_renewed_by_an_active_one_is_not_reported(tmp_path: Path) -> None:
    body = (
        "waivers:\n"
        + WAIVER.format(
            id="W-old",
            rule="SEC-002",
            account="mfa-off",
            created="2026-04-15",
            expires="2026-09-30",
        )
        + WAIVER.format(
            id="W-new",
            rule="SEC-002",
            account="mfa-off",
            created="2026-10-01",
            expires="2027-03-01",
        )
    )
    _, result = _waivers(tmp_path, body)
    by = {(f.account_id, f.rule_id): f for f in result.findings}
    assert by[("mfa-off", "SEC-002")].status is FindingStatus.WAIVED
    assert ("mfa-off", "WVR-001") not in by


def test_waiver_expiring_on_the_audit_date_is_still_active(tmp_path: Path) -> None:
    body = WAIVER.format(
        id="W-3", rule="SEC-002", account="mfa-off", created="2026-06-01", expires="2026-11-15"
    )
    _, result = _waivers(tmp_path, body)  # a bare list is accepted too
    by = {(f.account_id, f.rule_id): f for f in result.findings}
    assert by[("mfa-off", "SEC-002")].status is FindingStatus.WAIVED
    assert "in 0 days" in by[("mfa-off", "WVR-002")].message


def test_waiver_max_days_is_a_param(tmp_path: Path) -> None:
    org_pack = tmp_path / "org.yaml"
    org_pack.write_text("overrides:\n  params:\n    waivers.max_days: 30\n", encoding="utf-8")
    fixture = load_fixture()
    policy = load_policy([DEFAULT, str(org_pack)])
    path = tmp_path / "w.yaml"
    path.write_text(
        WAIVER.format(
            id="W", rule="SEC-002", account="mfa-off", created="2026-10-01", expires="2026-12-01"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="expected at most 30 days"):
        load_waivers(path, inventory=fixture.inventory, policy=policy, as_of=AS_OF)


def test_fingerprint_is_stable_when_lines_move() -> None:
    fixture = load_fixture()
    policy = load_policy(DEFAULT)
    first = evaluate(
        fixture.inventory, fixture.observations, policy, None, as_of=AS_OF, capabilities=CAPS
    )
    moved = dataclasses.replace(
        fixture.inventory,
        accounts=tuple(
            dataclasses.replace(
                a, location=Location(a.location.file, (a.location.line or 0) + 40), lines={}
            )
            for a in reversed(fixture.inventory.accounts)
        ),
    )
    second = evaluate(moved, fixture.observations, policy, None, as_of=AS_OF, capabilities=CAPS)
    prints = {f.fingerprint for f in first.findings}
    assert prints == {f.fingerprint for f in second.findings if f.rule_id != "INV-001"} | {
        f.fingerprint for f in first.findings if f.rule_id == "INV-001"
    }
    assert len(prints) == len(first.findings)
    assert fingerprint("SEC-002", Platform.GITHUB, "Fixture", "a") == fingerprint(
        "SEC-002", "github", "fixture", "a"
    )
    assert fingerprint("SEC-002", "github", "fixture", "a") != fingerprint(
        "SEC-002", "github", "fixture", "b"
    )


def test_bad_org_pattern_is_a_validation_error_at_the_organization() -> None:
    fixture = load_fixture()
    org = dataclasses.replace(fixture.inventory.organization, naming=Naming(handle_pattern="(("))
    inventory = dataclasses.replace(fixture.inventory, organization=org)
    with pytest.raises(ValidationError, match="handle_pattern: bad regular expression"):
        evaluate(
            inventory,
            fixture.observations,
            load_policy(DEFAULT),
            None,
            as_of=AS_OF,
            capabilities=CAPS,
        )


def test_no_org_patterns_means_naming_rules_do_not_apply() -> None:
    fixture = load_fixture()
    org = dataclasses.replace(fixture.inventory.organization, naming=Naming(), departments=())
    inventory = dataclasses.replace(fixture.inventory, organization=org)
    result = evaluate(
        inventory, fixture.observations, load_policy(DEFAULT), None, as_of=AS_OF, capabilities=CAPS
    )
    ids = {f.rule_id for f in result.findings if f.status is FindingStatus.FAIL}
    assert "IDN-002" not in ids and "IDN-004" not in ids
    assert not {
        a
        for a, r in {(f.account_id, f.rule_id) for f in result.findings}
        if r == "OWN-006" and a == "unknown-department"
    }


def test_scope_platforms_and_tags(tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text(
        "rules:\n"
        "  - id: TAG-001\n"
        "    title: Tagged GitHub accounts have a URL\n"
        "    severity: info\n"
        "    category: test\n"
        "    rationale: r\n"
        "    scope: {platforms: [github], tags: [engineering]}\n"
        "    assert: {field: url, op: exists}\n"
        "    message: '{rule.id}: {handle} has no url'\n"
        "    remediation: x\n",
        encoding="utf-8",
    )
    fixture = load_fixture()
    tagged = dataclasses.replace(fixture.inventory.accounts[0], tags=("Engineering", "engineering"))
    inventory = dataclasses.replace(
        fixture.inventory, accounts=(tagged, *fixture.inventory.accounts[1:])
    )
    result = evaluate(inventory, {}, load_policy(str(pack)), None, as_of=AS_OF, capabilities=CAPS)
    assert [(f.account_id, f.message) for f in result.findings] == [
        ("good", "TAG-001: fixture has no url")
    ]


def test_handle_name() -> None:
    assert handle_name(Platform.MASTODON, "@Fixture@mastodon.social") == "Fixture"
    assert handle_name(Platform.REDDIT, "r/fixture") == "fixture"
    assert handle_name(Platform.REDDIT, "u/fixture") == "fixture"
    assert handle_name(Platform.LINKEDIN, "company/fixture-roasters") == "fixture-roasters"
    assert handle_name(Platform.X, " @fixture ") == "fixture"
