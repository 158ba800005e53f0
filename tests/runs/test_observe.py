"""scanner.runs.observe: the contract other stages call (order, never raising, SSRF on inventory
URLs, politeness from the specs, JSON form). Logic over the fake fetcher; what depends on the
real fetcher (the SSRF guard, endpoint overrides) over a local server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from scanner.fetch import HttpFetcherFactory
from scanner.fetch.fake import FakeFetcher
from scanner.model import Observation, ObservationStatus, Platform
from scanner.platforms import adapter_for, host_limits, platform_fetch_config, spec_for
from scanner.runs.observe import Target, capabilities, observe
from scanner.serialize import observation_fields
from tests.fetch.conftest import FakeClock
from tests.platforms.conftest import FixtureServer, reply

GITHUB = "https://api.github.com/users"


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as srv:
        yield srv


def config(server: FixtureServer, **overrides: Any) -> HttpFetcherFactory:
    """The real fetchers, pointed at ``server``."""
    settings: dict[str, Any] = {"endpoints": server.endpoints(), "max_retries": 0, "tokens": {}}
    settings.update(overrides)
    return HttpFetcherFactory(platform_fetch_config(**settings), host_limits())


GITHUB_ANSWERS = {
    f"{GITHUB}/copperkettle": reply("github_user.json"),
    f"{GITHUB}/copperkettle/events/public": reply("github_events.json"),
    f"{GITHUB}/ghost": reply("github_404.json", 404),
}


def test_results_keep_target_order_and_never_raise() -> None:
    fake = FakeFetcher(GITHUB_ANSWERS)
    targets = [
        Target(Platform.GITHUB, "ghost"),
        Target(Platform.GITHUB, "copperkettle"),
        Target(Platform.BLUESKY, "not a handle"),
        Target(Platform.GITHUB, "unrouted"),  # no answer at all: an error, not absent
    ]
    progress: list[tuple[int, int]] = []
    result = observe(targets, fake.factory(), progress=lambda d, t: progress.append((d, t)))
    assert [o.status for o in result] == [
        ObservationStatus.ABSENT,
        ObservationStatus.PRESENT,
        ObservationStatus.INVALID,
        ObservationStatus.ERROR,
    ]
    assert [o.handle for o in result] == [t.handle for t in targets]
    assert sorted(progress) == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert fake.unanswered == [f"{GITHUB}/unrouted"]


def test_one_fetcher_per_run_sized_by_its_accounts_and_one_budget_per_account() -> None:
    fake = FakeFetcher(GITHUB_ANSWERS)
    factory = fake.factory()
    targets = [Target(Platform.GITHUB, "copperkettle"), Target(Platform.GITHUB, "ghost")]
    observe([*targets, Target(Platform.BLUESKY, "not a handle")], factory)
    assert factory.opened == [{"github": 2, "bluesky": 1}] and factory.closed == 1
    # The profile and its activity share the account's view; the other account has its own.
    account = {r.url: r.account for r in fake.requests}
    assert account[f"{GITHUB}/copperkettle/events/public"] == account[f"{GITHUB}/copperkettle"]
    assert account[f"{GITHUB}/ghost"] != account[f"{GITHUB}/copperkettle"]


def test_an_adapter_bug_is_an_error_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = adapter_for(Platform.MEDIUM)

    async def broken(*args: Any, **kwargs: Any) -> Observation:
        raise KeyError("surprise")

    monkeypatch.setattr(adapter, "observe", broken)
    fake = FakeFetcher({"https://copperkettle.tumblr.com/rss": reply("tumblr_rss.xml")})
    clock = FakeClock(epoch=1_800_000_000.0)
    medium, tumblr = observe(
        [Target(Platform.MEDIUM, "copperkettle"), Target(Platform.TUMBLR, "copperkettle")],
        fake.factory(),
        clock=clock,
    )
    assert medium.status is ObservationStatus.ERROR
    assert medium.reason is not None and medium.reason.code == "adapter_error"
    assert medium.fetched_at == datetime.fromtimestamp(1_800_000_000.0, UTC)
    assert tumblr.status is ObservationStatus.PRESENT


def test_inventory_url_to_a_private_address_is_refused_unless_allowed(
    server: FixtureServer,
) -> None:
    other = FixtureServer()  # not an endpoint override, so the SSRF guard applies
    other.thread.start()
    try:
        other.add("page", "/copperkettle/", file="instagram_profile.html")
        url = f"{other.base_url}/page/copperkettle/"
        target = Target(Platform.INSTAGRAM, "copperkettle", url=url)
        (refused,) = observe([target], config(server))
        assert refused.status is ObservationStatus.ERROR
        assert refused.reason is not None and refused.reason.code == "ssrf_refused"
        assert other.log == []
        (allowed,) = observe([target], config(server, allow_private_network=True))
        assert allowed.status is ObservationStatus.PRESENT
        assert allowed.url == url
    finally:
        other.httpd.shutdown()
        other.httpd.server_close()


def test_canonical_inventory_url_uses_the_endpoint(server: FixtureServer) -> None:
    server.add("instagram", "/copperkettle/", file="instagram_profile.html")
    target = Target(
        Platform.INSTAGRAM, "copperkettle", url="https://www.instagram.com/copperkettle/"
    )
    (obs,) = observe([target], config(server))
    assert obs.status is ObservationStatus.PRESENT
    assert obs.url.startswith(server.base_url)


def test_politeness_and_capabilities_come_from_the_specs() -> None:
    limits = host_limits()
    for platform in Platform:
        spec = spec_for(platform)
        assert limits[platform.value].concurrency == spec.rate_limit.concurrency
        assert limits[platform.value].min_interval == spec.rate_limit.min_interval
        assert capabilities(platform) == spec.extracts
    assert "last_activity_at" in capabilities(Platform.MASTODON)
    assert "last_activity_at" not in capabilities(Platform.INSTAGRAM)


def test_observation_json_is_plain_json() -> None:
    fake = FakeFetcher(GITHUB_ANSWERS)
    (obs,) = observe([Target(Platform.GITHUB, "copperkettle")], fake.factory())
    data = json.loads(json.dumps(observation_fields(obs)))
    assert data["status"] == "present"
    assert data["last_activity_at"] == "2026-11-01T09:00:00Z"
    assert data["links"] == ["https://copperkettle.coffee", "https://x.com/copperkettle"]
    assert data["verified"] == "unknown" and data["reason"] is None
