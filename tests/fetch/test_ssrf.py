"""The SSRF guard end to end. A recording network backend stands where sockets are opened: it
dials loopback for real and fails anything else, so these tests prove (a) a refused destination
is never dialled and (b) with --allow-private-network the attempt is made (and stopped by the
seam, never sent on the network)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from scanner.fetch import FetchConfig, Fetched, FetchFailed, FetchOutcome, HostLimits, HttpFetcher
from scanner.platforms import platform_hosts
from tests.fetch.conftest import FakeResolver, LocalServer, RecordingBackend, Reply

PRIVATE_TARGETS = [
    ("http://127.0.0.1:{port}/admin", "loopback"),
    ("http://10.0.0.1:8080/internal", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
]


def fetch(
    config: FetchConfig, url: str, *, platform: str | None = None, **seams: Any
) -> FetchOutcome:
    async def main() -> FetchOutcome:
        limits = {"default": HostLimits(concurrency=2, min_interval=0)}
        async with HttpFetcher(config, limits, **seams) as fetcher:
            return await fetcher.get(url, platform=platform)

    return asyncio.run(main())


def refused(outcome: FetchOutcome) -> FetchFailed:
    assert isinstance(outcome, FetchFailed), outcome
    assert outcome.reason.code == "ssrf_refused", outcome.reason
    return outcome


def github_via(server: LocalServer, **overrides: Any) -> FetchConfig:
    return FetchConfig(
        endpoints={"github": f"{server.url}/github"},
        platform_hosts=platform_hosts(),
        tokens={},
        max_retries=0,
        **overrides,
    )


@pytest.mark.parametrize(("target", "category"), PRIVATE_TARGETS)
def test_inventory_url_to_a_private_address_is_refused_before_any_connection(
    server: LocalServer, backend: RecordingBackend, target: str, category: str
) -> None:
    url = target.format(port=server.port)
    outcome = refused(fetch(FetchConfig(tokens={}), url, network_backend=backend))
    assert category in outcome.reason.text
    assert "--allow-private-network" in outcome.reason.text
    assert backend.attempts == []
    assert server.requests == []


@pytest.mark.parametrize(("target", "category"), PRIVATE_TARGETS)
def test_redirect_to_a_private_address_is_refused_before_any_connection(
    server: LocalServer,
    other_server: LocalServer,
    backend: RecordingBackend,
    target: str,
    category: str,
) -> None:
    # The override host is trusted; where it redirects to is not (another port on 127.0.0.1
    # is a different service).
    location = target.format(port=other_server.port)
    server.route("/github/users/a", Reply(302, {"Location": location}))
    outcome = refused(
        fetch(
            github_via(server),
            "https://api.github.com/users/a",
            platform="github",
            network_backend=backend,
        )
    )
    assert outcome.final_url == location
    assert outcome.redirects == (f"{server.url}/github/users/a",)
    assert backend.attempts == [("127.0.0.1", server.port)]
    assert other_server.requests == []


def test_allow_private_network_lets_loopback_through(
    server: LocalServer, backend: RecordingBackend
) -> None:
    server.route("/admin", Reply(200, body=b"hello"))
    config = FetchConfig(tokens={}, allow_private_network=True)
    outcome = fetch(config, f"{server.url}/admin", network_backend=backend)
    assert isinstance(outcome, Fetched) and outcome.body == b"hello"
    assert backend.attempts == [("127.0.0.1", server.port)]


@pytest.mark.parametrize(
    ("url", "dialled"),
    [
        ("http://10.0.0.1:8080/internal", ("10.0.0.1", 8080)),
        ("http://169.254.169.254/latest/meta-data/", ("169.254.169.254", 80)),
    ],
)
def test_allow_private_network_attempts_the_connection(
    backend: RecordingBackend, url: str, dialled: tuple[str, int]
) -> None:
    config = FetchConfig(tokens={}, allow_private_network=True, max_retries=0)
    outcome = fetch(config, url, network_backend=backend)
    assert isinstance(outcome, FetchFailed) and outcome.reason.code == "connect_error"
    assert backend.attempts == [dialled]  # recorded by the seam, never sent on the network


def test_allowed_redirect_to_a_private_address_is_attempted(
    server: LocalServer, backend: RecordingBackend
) -> None:
    server.route("/github/users/a", Reply(302, {"Location": "http://10.0.0.1:8080/x"}))
    config = github_via(server, allow_private_network=True)
    outcome = fetch(
        config, "https://api.github.com/users/a", platform="github", network_backend=backend
    )
    assert isinstance(outcome, FetchFailed) and outcome.reason.code == "connect_error"
    assert backend.attempts == [("127.0.0.1", server.port), ("10.0.0.1", 8080)]


@pytest.mark.parametrize(
    "answer",
    [["10.1.2.3"], ["93.184.216.34", "192.168.0.7"], ["::ffff:127.0.0.1"], ["fd00::1"]],
)
def test_a_name_resolving_to_any_private_address_is_refused(
    backend: RecordingBackend, answer: list[str]
) -> None:
    resolver = FakeResolver({"intranet.copperkettle.coffee": answer})
    outcome = fetch(
        FetchConfig(tokens={}),
        "https://intranet.copperkettle.coffee/",
        network_backend=backend,
        resolver=resolver,
    )
    refused(outcome)
    assert backend.attempts == []


def test_dns_rebinding_is_caught_at_connect_time(backend: RecordingBackend) -> None:
    # First answer public (the pre-flight check passes), then the name flips to loopback: the
    # guarded backend resolves again, vets, and refuses before dialling.
    resolver = FakeResolver({}, turns={"rebind.example": [["93.184.216.34"], ["127.0.0.1"]]})
    outcome = fetch(
        FetchConfig(tokens={}, max_retries=0),
        "http://rebind.example/",
        network_backend=backend,
        resolver=resolver,
    )
    refused(outcome)
    assert resolver.calls == ["rebind.example", "rebind.example"]
    assert backend.attempts == []


def test_public_name_is_dialled_at_the_vetted_address(backend: RecordingBackend) -> None:
    resolver = FakeResolver({"www.copperkettle.coffee": ["93.184.216.34"]})
    outcome = fetch(
        FetchConfig(tokens={}, max_retries=0),
        "http://www.copperkettle.coffee/",
        network_backend=backend,
        resolver=resolver,
    )
    assert isinstance(outcome, FetchFailed) and outcome.reason.code == "connect_error"
    assert backend.attempts == [("93.184.216.34", 80)]


def test_unresolvable_name_is_a_connect_error(backend: RecordingBackend) -> None:
    outcome = fetch(
        FetchConfig(tokens={}),
        "https://nowhere.invalid/",
        network_backend=backend,
        resolver=FakeResolver({}),
    )
    assert isinstance(outcome, FetchFailed) and outcome.reason.code == "connect_error"
    assert backend.attempts == []


def test_refusal_happens_before_an_injected_transport_is_used() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    config = FetchConfig(tokens={}, transport=httpx.MockTransport(answer))
    refused(fetch(config, "http://169.254.169.254/latest/meta-data/"))
    assert sent == []


def test_mastodon_override_does_not_swallow_ip_literals(backend: RecordingBackend) -> None:
    # "Every instance" means DNS names: an inventory URL on an IP literal still meets the guard.
    config = FetchConfig(
        endpoints={"mastodon": "http://127.0.0.1:9/mastodon"},
        platform_hosts=platform_hosts(),
        tokens={},
    )
    outcome = fetch(
        config, "http://10.0.0.1/@copperkettle", platform="mastodon", network_backend=backend
    )
    refused(outcome)
    assert backend.attempts == []
