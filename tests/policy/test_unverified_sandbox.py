"""End to end through the sandbox's faults: a blocked or errored observation never yields a pass
or a fail on a rule that needs live facts (it is `error`, unverified)."""

from __future__ import annotations

from pathlib import Path

from scanner.fetch import FetchConfig
from scanner.model import FindingStatus, ObservationStatus, Platform
from scanner.policy import default_pack_path, evaluate, load_policy
from scanner.runs.observe import Target, observe
from scanner.sandbox import Sandbox, load_world

from .helpers import AS_OF, account, load_fixture

WORLD = """
name: faults
as_of: 2026-11-15
accounts:
  - {platform: github, handle: fixture-5xx, display_name: Fixture Roasters, faults: [{kind: http_5xx, count: 50}]}
  - {platform: x, handle: fixturewall, display_name: Fixture Roasters, faults: [login_wall]}
  - {platform: mastodon, handle: fixture@mastodon.social, display_name: Fixture Roasters, faults: [{kind: waf_challenge, vendor: cloudflare}]}
  - {platform: bluesky, handle: fixture.bsky.social, display_name: Fixture Roasters, faults: [malformed_body]}
  - {platform: reddit, handle: u/fixture, display_name: Fixture Roasters, faults: [connection_reset]}
  - {platform: tumblr, handle: fixture, display_name: Fixture Roasters, faults: [truncated_body]}
"""

HANDLES = [
    ("github", "fixture-5xx"),
    ("x", "fixturewall"),
    ("mastodon", "fixture@mastodon.social"),
    ("bluesky", "fixture.bsky.social"),
    ("reddit", "u/fixture"),
    ("tumblr", "fixture"),
]


def test_faulty_observations_are_unverified_never_pass_or_fail(tmp_path: Path) -> None:
    world_path = tmp_path / "world.yaml"
    world_path.write_text(WORLD, encoding="utf-8")
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
    with Sandbox(load_world(world_path)) as sandbox:
        config = FetchConfig(
            endpoints=sandbox.endpoints(), max_retries=0, backoff_base=0.01, tokens={}
        )
        results = observe([Target(a.platform, a.handle) for a in accounts], config)
    observations = {a.id: o for a, o in zip(accounts, results, strict=True)}
    statuses = {o.status for o in results}
    assert statuses <= {ObservationStatus.BLOCKED, ObservationStatus.ERROR}, statuses
    assert statuses == {ObservationStatus.BLOCKED, ObservationStatus.ERROR}

    policy = load_policy(default_pack_path())
    result = evaluate(inventory, observations, policy, None, as_of=AS_OF)
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
