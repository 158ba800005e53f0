"""Faulty answers through observe and the rules: a blocked or errored observation never yields a
pass or a fail on a rule that needs live facts (it is `error`, unverified). The answers come from
the fake fetcher; the sandbox's own faults are tested in tests/platforms/test_sandbox.py."""

from __future__ import annotations

from scanner.fetch.fake import Answer, Failure, FakeFetcher, FakeRequest, Reply
from scanner.model import FindingStatus, ObservationStatus, Platform
from scanner.platforms import all_capabilities
from scanner.policy import default_pack_path, evaluate, load_policy
from scanner.runs.observe import Target, observe

from .helpers import AS_OF, account, load_fixture

ANSWERS: dict[str | None, Answer] = {
    "github": Reply(503),  # a server error, every retry
    "x": Reply(429),  # rate limited: blocked
    "mastodon": Reply(429, "<html>Just a moment...</html>", {"server": "cloudflare"}),
    "bluesky": Reply(200, '{"did": ', {"content-type": "application/json"}),  # cut short
    "reddit": Failure("connection_reset"),
    "tumblr": Failure("timeout"),
}


def _answer(request: FakeRequest) -> Answer:
    return ANSWERS[request.platform]


HANDLES = [
    ("github", "fixture-5xx"),
    ("x", "fixturewall"),
    ("mastodon", "fixture@mastodon.social"),
    ("bluesky", "fixture.bsky.social"),
    ("reddit", "u/fixture"),
    ("tumblr", "fixture"),
]


def test_faulty_observations_are_unverified_never_pass_or_fail() -> None:
    fixture = load_fixture()
    base = fixture.inventory.accounts[0]
    accounts = tuple(
        account(
            {
                "id": f"acct-{platform}",
                "platform": platform,
                "handle": handle,
                "display_name": "Fixture Roasters",
                "department": base.department,
                "owner": "ian@fixture.example",  # departed intern: ACT-003 reaches its live part
                "backup_owner": base.backup_owner,
                "executive_sponsor": base.executive_sponsor,
                "objective": base.objective,
                "metrics": list(base.metrics),
                "last_attested": base.last_attested,
            },
            fixture.inventory.path,
            index + 1,
        )
        for index, (platform, handle) in enumerate(HANDLES)
    )
    inventory = type(fixture.inventory)(
        path=fixture.inventory.path,
        sha256=fixture.inventory.sha256,
        organization=fixture.inventory.organization,
        accounts=accounts,
        roster=fixture.inventory.roster,
    )
    fake = FakeFetcher(_answer)
    results = observe([Target(a.platform, a.handle) for a in accounts], fake.factory())
    observations = {a.id: o for a, o in zip(accounts, results, strict=True)}
    statuses = {o.status for o in results}
    assert statuses <= {ObservationStatus.BLOCKED, ObservationStatus.ERROR}, statuses
    assert statuses == {ObservationStatus.BLOCKED, ObservationStatus.ERROR}

    policy = load_policy(default_pack_path())
    result = evaluate(
        inventory, observations, policy, None, as_of=AS_OF, capabilities=all_capabilities()
    )
    live = {"IDN-001", "IDN-002", "IDN-003", "IDN-005", "ACT-001", "ACT-002", "ACT-003"}
    assert not [p for p in result.passed if p[0] in live]
    live_findings = [f for f in result.findings if f.rule_id in live]
    assert live_findings and all(f.status is FindingStatus.ERROR for f in live_findings)
    # Every account still gets its IDN-001 verdict as unverified, with the reason.
    idn = {f.account_id: f for f in live_findings if f.rule_id == "IDN-001"}
    assert set(idn) == {a.id for a in accounts}
    for finding in idn.values():
        assert finding.evidence["observation"] in ("blocked", "error")
    assert any(f.rule_id == "ACT-003" for f in live_findings if f.platform is Platform.GITHUB)
