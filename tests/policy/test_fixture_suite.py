"""The default pack against the annotated fixture accounts (Semgrep-style ``ruleid:``/``ok:``)."""

from __future__ import annotations

from scanner.model import FindingStatus, Platform
from scanner.platforms import all_capabilities, spec_for
from scanner.policy import default_pack_path, evaluate, load_policy

from .helpers import AS_OF, load_fixture

_META = spec_for(Platform.FACEBOOK).api
assert _META is not None
CAPS = {**all_capabilities(), Platform.FACEBOOK: _META.extracts}
"""The public pages' fields, and Facebook's through a loaded Meta credential: the access
review's fixtures (ACC-*) are Facebook Pages."""


def _run():  # type: ignore[no-untyped-def]
    fixture = load_fixture()
    policy = load_policy(default_pack_path())
    result = evaluate(
        fixture.inventory, fixture.observations, policy, None, as_of=AS_OF, capabilities=CAPS
    )
    return fixture, policy, result


def _pairs(result, status: FindingStatus) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(f.account_id, f.rule_id) for f in result.findings if f.status is status}


def test_failures_match_ruleid_annotations_exactly() -> None:
    fixture, _, result = _run()
    failed = _pairs(result, FindingStatus.FAIL)
    assert sorted(failed - fixture.expect["ruleid"]) == [], "failures not annotated ruleid"
    assert sorted(fixture.expect["ruleid"] - failed) == [], "ruleid annotations that did not fail"


def test_ok_annotations_pass() -> None:
    fixture, _, result = _run()
    passed = {(account_id, rule_id) for rule_id, account_id in result.passed}
    missing = fixture.expect["ok"] - passed
    assert sorted(missing) == []


def test_unverified_matches_error_annotations_exactly() -> None:
    fixture, _, result = _run()
    assert _pairs(result, FindingStatus.ERROR) == fixture.expect["error"]


def test_every_default_rule_has_a_failing_and_a_passing_fixture() -> None:
    fixture, policy, _ = _run()
    failing = {rule for _, rule in fixture.expect["ruleid"]}
    passing = {rule for _, rule in fixture.expect["ok"]}
    for rule in policy.rules:
        assert rule.id in failing, f"{rule.id} has no ruleid: fixture"
        assert rule.id in passing, f"{rule.id} has no ok: fixture"


def test_findings_point_at_the_deciding_field_line() -> None:
    fixture, _, result = _run()
    by_key = {(f.account_id, f.rule_id): f for f in result.findings}
    mfa = by_key[("mfa-off", "SEC-002")]
    acct = fixture.inventory.account("mfa-off")
    assert acct is not None
    assert mfa.location.file == fixture.inventory.path
    assert mfa.location.line == acct.line_of("security.mfa")
    gone = by_key[("gone", "IDN-001")]
    gone_acct = fixture.inventory.account("gone")
    assert gone_acct is not None
    assert gone.location.line == gone_acct.location.line
    dup = by_key[("dup-second", "INV-001")]
    assert dup.evidence["duplicate_of"] == "dup-first"
    assert "dup-first" in dup.message


def test_messages_render_fields_and_params() -> None:
    _, _, result = _run()
    by_key = {(f.account_id, f.rule_id): f for f in result.findings}
    assert by_key[("attested-181-days-ago", "OWN-007")].message == (
        "access last attested 2026-05-18; expected within 180 days"
    )
    assert "ian@fixture.example" in by_key[("intern-era", "ACT-003")].message
    assert "offline" in by_key[("offline", "IDN-001")].message
    assert by_key[("blocked", "IDN-001")].evidence == {
        "observation": "blocked",
        "reason": "login_wall",
    }
