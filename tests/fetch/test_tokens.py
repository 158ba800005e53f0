"""Tokens: read from the environment once, sent only to their platform's API host over HTTPS,
never shown in a repr or a log line."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from scanner.fetch import FetchConfig, HostLimits, HttpFetcher, TokenSource, tokens_from_env
from scanner.platforms import token_sources
from tests.fetch.conftest import FakeClock, FakeResolver, LocalServer, Reply

SECRET = "ghp_s3cretT0kenValue0123456789abcdefABCD"
SOURCES = token_sources()  # the specs' (GitHub's GITHUB_TOKEN)
PUBLIC_DNS = FakeResolver(
    {
        "api.github.com": ["140.82.112.6"],
        "github.com": ["140.82.112.4"],
        "example.org": ["93.184.216.34"],
    }
)


def test_tokens_come_from_the_environment() -> None:
    env = {"GITHUB_TOKEN": f" {SECRET} ", "OTHER_TOKEN": "not ours"}
    assert dict(tokens_from_env(SOURCES, env)) == {"GITHUB_TOKEN": SECRET}
    assert dict(tokens_from_env(SOURCES, {"GITHUB_TOKEN": ""})) == {}
    assert dict(tokens_from_env(SOURCES, {})) == {}
    assert dict(tokens_from_env({}, env)) == {}  # no source, nothing read


def test_config_reads_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    config = FetchConfig(token_sources=SOURCES)
    monkeypatch.delenv("GITHUB_TOKEN")
    assert config.tokens["GITHUB_TOKEN"] == SECRET
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    assert not FetchConfig().tokens  # a config that names no source reads no variable


def test_repr_and_str_mask_tokens_and_proxy_passwords() -> None:
    config = FetchConfig(tokens={"GITHUB_TOKEN": SECRET}, proxy="http://user:hunter2@proxy:3128")
    for text in (repr(config), str(config), f"{config}", repr([config])):
        assert SECRET not in text and "hunter2" not in text
        assert "'GITHUB_TOKEN': '***'" in text and "proxy:3128" in text


def _recording_transport(sent: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path == "/users/moved":
            return httpx.Response(301, headers={"Location": "https://example.org/elsewhere"})
        if request.url.path == "/flaky" and len(sent) == 1:
            return httpx.Response(503)
        return httpx.Response(200, json={})

    return httpx.MockTransport(answer)


def test_github_token_goes_only_to_api_github_com(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sent: list[httpx.Request] = []
    config = FetchConfig(
        tokens={"GITHUB_TOKEN": SECRET}, token_sources=SOURCES, transport=_recording_transport(sent)
    )

    async def main() -> None:
        async with HttpFetcher(
            config, {"default": HostLimits(4, 0)}, resolver=PUBLIC_DNS, clock=FakeClock()
        ) as fetcher:
            await fetcher.get("https://api.github.com/flaky", platform="github")
            await fetcher.get("https://github.com/copperkettle", platform="github")
            await fetcher.get("http://api.github.com/users/a", platform="github")
            await fetcher.get("https://example.org/", platform=None)
            await fetcher.get(
                "https://api.github.com/users/moved",
                platform="github",
                headers={"Authorization": "Bearer from-a-caller"},
            )

    asyncio.run(main())
    auth = [(str(r.url), r.headers.get("authorization")) for r in sent]
    assert auth == [
        ("https://api.github.com/flaky", f"Bearer {SECRET}"),
        ("https://api.github.com/flaky", f"Bearer {SECRET}"),  # the retry after the 503
        ("https://github.com/copperkettle", None),
        ("http://api.github.com/users/a", None),  # never over plain HTTP
        ("https://example.org/", None),
        ("https://api.github.com/users/moved", f"Bearer {SECRET}"),
        ("https://example.org/elsewhere", None),  # not carried across a redirect
    ]
    assert caplog.records, "the retry should have been logged"
    assert SECRET not in caplog.text


def test_a_token_follows_its_platforms_override_but_never_a_redirect_elsewhere(
    server: LocalServer,
) -> None:
    # The sandbox plays the API at the override the user configured for THAT platform: the
    # token goes there (issue 12). Its redirect to another host (localhost is another name
    # than 127.0.0.1) must arrive without it, and another platform's override never gets it.
    server.route("/github/users/a", Reply(200))
    server.route(
        "/github/users/moved", Reply(302, {"Location": f"http://localhost:{server.port}/else"})
    )
    server.route("/else", Reply(200))
    server.route("/bluesky/xrpc/x", Reply(200))
    config = FetchConfig(
        endpoints={"github": f"{server.url}/github", "bluesky": f"{server.url}/bluesky"},
        platform_hosts={"github": ("github.com",), "bluesky": ("bsky.app",)},
        token_sources=SOURCES,
        tokens={"GITHUB_TOKEN": SECRET},
        allow_private_network=True,
    )

    async def main() -> None:
        async with HttpFetcher(config, {"default": HostLimits(1, 0)}) as fetcher:
            await fetcher.get("https://api.github.com/users/a", platform="github")
            await fetcher.get("https://api.github.com/users/moved", platform="github")
            await fetcher.get("https://api.bsky.app/xrpc/x", platform="bluesky")

    asyncio.run(main())
    auth = [(r.path, r.headers.get("authorization")) for r in server.requests]
    assert auth == [
        ("/github/users/a", f"Bearer {SECRET}"),
        ("/github/users/moved", f"Bearer {SECRET}"),
        ("/else", None),
        ("/bluesky/xrpc/x", None),
    ]


def test_a_named_credential_is_sent_only_when_asked_for() -> None:
    named = TokenSource("EMEA_GH", "api.github.com", "Authorization", "Bearer", name="emea")
    sent: list[httpx.Request] = []
    config = FetchConfig(
        tokens={"GITHUB_TOKEN": SECRET, "EMEA_GH": "emea-secret"},
        token_sources={"github": (*SOURCES["github"], named)},
        transport=_recording_transport(sent),
    )

    async def main() -> None:
        async with HttpFetcher(
            config, {"default": HostLimits(4, 0)}, resolver=PUBLIC_DNS, clock=FakeClock()
        ) as fetcher:
            await fetcher.get("https://api.github.com/users/a", platform="github")
            await fetcher.get(
                "https://api.github.com/users/b", platform="github", credential="emea"
            )
            await fetcher.post(
                "https://api.github.com/graphql", b"{}", platform="github", credential="nope"
            )

    asyncio.run(main())
    got = [(r.method, r.url.path, r.headers.get("authorization"), r.content) for r in sent]
    assert got == [
        ("GET", "/users/a", f"Bearer {SECRET}", b""),
        ("GET", "/users/b", "Bearer emea-secret", b""),
        ("POST", "/graphql", None, b"{}"),  # an unknown credential sends none, not the default
    ]


def test_an_api_key_goes_in_its_own_header_without_a_scheme() -> None:
    # The shape the next platforms need (YouTube's Data API takes X-Goog-Api-Key).
    key = TokenSource(env="VIDEO_API_KEY", host="api.example.com", header="X-Api-Key", scheme="")
    sent: list[httpx.Request] = []
    config = FetchConfig(
        tokens={"VIDEO_API_KEY": SECRET},
        token_sources={"youtube": (key,)},
        transport=_recording_transport(sent),
    )
    dns = FakeResolver({"api.example.com": ["93.184.216.35"], "example.org": ["93.184.216.34"]})

    async def main() -> None:
        async with HttpFetcher(
            config, {"default": HostLimits(4, 0)}, resolver=dns, clock=FakeClock()
        ) as fetcher:
            await fetcher.get(
                "https://api.example.com/v3/channels",
                platform="youtube",
                headers={"x-api-key": "from-a-caller"},
            )
            await fetcher.get("https://api.example.com/v3/channels", platform="github")
            await fetcher.get("https://example.org/", platform="youtube")

    asyncio.run(main())
    keys = [(str(r.url), r.headers.get("x-api-key"), r.headers.get("authorization")) for r in sent]
    assert keys == [
        ("https://api.example.com/v3/channels", SECRET, None),
        ("https://api.example.com/v3/channels", None, None),  # another platform's request
        ("https://example.org/", None, None),
    ]
