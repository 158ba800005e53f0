"""scanner.runs.observe: the contract other stages call (order, never raising, SSRF on inventory
URLs, politeness from the specs, JSON form)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from scanner.fetch import FetchConfig
from scanner.model import Observation, ObservationStatus, Platform
from scanner.platforms import adapter_for, spec_for
from scanner.runs.observe import Target, capabilities, host_limits, observation_json, observe
from tests.platforms.conftest import FixtureServer


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as srv:
        yield srv


def config(server: FixtureServer, **overrides: Any) -> FetchConfig:
    settings: dict[str, Any] = {"endpoints": server.endpoints(), "max_retries": 0, "tokens": {}}
    settings.update(overrides)
    return FetchConfig(**settings)


def test_results_keep_target_order_and_never_raise(server: FixtureServer) -> None:
    server.add("github", "/users/copperkettle", file="github_user.json")
    server.add("github", "/users/copperkettle/events/public", file="github_events.json")
    server.add("github", "/users/ghost", status=404, file="github_404.json")
    targets = [
        Target(Platform.GITHUB, "ghost"),
        Target(Platform.GITHUB, "copperkettle"),
        Target(Platform.BLUESKY, "not a handle"),
        Target(Platform.GITHUB, "unrouted"),  # the server answers 599: an error, not absent
    ]
    progress: list[tuple[int, int]] = []
    result = observe(targets, config(server), progress=lambda d, t: progress.append((d, t)))
    assert [o.status for o in result] == [
        ObservationStatus.ABSENT,
        ObservationStatus.PRESENT,
        ObservationStatus.INVALID,
        ObservationStatus.ERROR,
    ]
    assert [o.handle for o in result] == [t.handle for t in targets]
    assert sorted(progress) == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_an_adapter_bug_is_an_error_not_a_crash(
    server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = adapter_for(Platform.MEDIUM)

    async def broken(*args: Any, **kwargs: Any) -> Observation:
        raise KeyError("surprise")

    monkeypatch.setattr(adapter, "observe", broken)
    server.add("tumblr", "/rss", file="tumblr_rss.xml")
    medium, tumblr = observe(
        [Target(Platform.MEDIUM, "copperkettle"), Target(Platform.TUMBLR, "copperkettle")],
        config(server),
    )
    assert medium.status is ObservationStatus.ERROR
    assert medium.reason is not None and medium.reason.code == "adapter_error"
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


def test_observation_json_is_plain_json(server: FixtureServer) -> None:
    server.add("github", "/users/copperkettle", file="github_user.json")
    server.add("github", "/users/copperkettle/events/public", file="github_events.json")
    (obs,) = observe([Target(Platform.GITHUB, "copperkettle")], config(server))
    data = json.loads(json.dumps(observation_json(obs)))
    assert data["status"] == "present"
    assert data["last_activity_at"] == "2026-11-01T09:00:00Z"
    assert data["links"] == ["https://copperkettle.coffee", "https://x.com/copperkettle"]
    assert data["verified"] == "unknown" and data["reason"] is None
