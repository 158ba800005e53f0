"""Endpoint override rewriting: the contract's examples and its edges."""

from __future__ import annotations

import pytest

from scanner.fetch import FetchConfig, logical_host, rewrite, rewrite_url
from scanner.fetch.rewrite import belongs_to
from scanner.model import Platform
from scanner.platforms import platform_hosts

SANDBOX = "http://127.0.0.1:8080"
ENDPOINTS = {p.value: f"{SANDBOX}/{p.value}" for p in Platform}
HOSTS = platform_hosts()


@pytest.mark.parametrize(
    ("platform", "url", "expected"),
    [
        # The contract's example: path kept, base carries a path prefix.
        ("github", "https://api.github.com/users/acme", f"{SANDBOX}/github/users/acme"),
        (
            "github",
            "https://api.github.com/users/acme/events/public?per_page=1",
            f"{SANDBOX}/github/users/acme/events/public?per_page=1",
        ),
        (
            "bluesky",
            "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed?actor=a.bsky.social&limit=10",
            f"{SANDBOX}/bluesky/xrpc/app.bsky.feed.getAuthorFeed?actor=a.bsky.social&limit=10",
        ),
        # Mastodon: every instance goes to the override.
        (
            "mastodon",
            "https://mastodon.social/api/v1/accounts/lookup?acct=copperkettle",
            f"{SANDBOX}/mastodon/api/v1/accounts/lookup?acct=copperkettle",
        ),
        (
            "mastodon",
            "https://social.copperkettle.coffee/api/v1/accounts/7/statuses?limit=5&exclude_replies=true",
            f"{SANDBOX}/mastodon/api/v1/accounts/7/statuses?limit=5&exclude_replies=true",
        ),
        # Tumblr: every blog subdomain.
        ("tumblr", "https://copperkettle.tumblr.com/rss", f"{SANDBOX}/tumblr/rss"),
        ("youtube", "https://www.youtube.com/@copperkettle", f"{SANDBOX}/youtube/@copperkettle"),
        (
            "reddit",
            "https://www.reddit.com/r/copperkettle/about.json",
            f"{SANDBOX}/reddit/r/copperkettle/about.json",
        ),
        ("x", "https://x.com/copperkettle", f"{SANDBOX}/x/copperkettle"),
        ("medium", "https://medium.com", f"{SANDBOX}/medium/"),
        # Not the platform's host: left alone so it still meets the SSRF guard.
        ("github", "https://copperkettle.coffee/about", "https://copperkettle.coffee/about"),
        ("github", "https://notgithub.com/x", "https://notgithub.com/x"),
        ("mastodon", "http://10.0.0.1/@copperkettle", "http://10.0.0.1/@copperkettle"),
        ("mastodon", "http://localhost/@copperkettle", "http://localhost/@copperkettle"),
        (None, "https://api.github.com/users/acme", "https://api.github.com/users/acme"),
    ],
)
def test_rewrite_examples(platform: str | None, url: str, expected: str) -> None:
    assert rewrite_url(platform, url, ENDPOINTS, HOSTS) == expected


def test_no_override_leaves_the_url_alone() -> None:
    assert rewrite_url("github", "https://api.github.com/users/a", {}, HOSTS) == (
        "https://api.github.com/users/a"
    )


def test_without_platform_hosts_no_override_applies() -> None:
    # The hosts come from the specs; a config built without them must not send anything to an
    # override (nor anything elsewhere by mistake): the URL stays what it was.
    assert rewrite_url("github", "https://api.github.com/users/a", ENDPOINTS, {}) == (
        "https://api.github.com/users/a"
    )
    assert not FetchConfig(endpoints=ENDPOINTS, tokens={}).platform_hosts


def test_forwarded_host_names_the_original_host() -> None:
    hop = rewrite("mastodon", "https://Fosstodon.org:443/api/v1/x", ENDPOINTS, HOSTS)
    assert hop.forwarded_host == "fosstodon.org:443"
    assert rewrite("github", "https://example.org/", ENDPOINTS, HOSTS).forwarded_host is None


def test_base_url_trailing_slash_and_prefix_are_normalised() -> None:
    config = FetchConfig(endpoints={"github": "http://127.0.0.1:9/sandbox/github/"}, tokens={})
    assert rewrite_url("github", "https://api.github.com/users/a", config.endpoints, HOSTS) == (
        "http://127.0.0.1:9/sandbox/github/users/a"
    )


def test_logical_host_is_the_real_host() -> None:
    assert logical_host("https://Mastodon.Social./api/v1/x") == "mastodon.social"


def test_every_platform_has_domains() -> None:
    for platform in Platform:
        assert HOSTS[platform.value], platform
        assert not belongs_to(platform.value, "127.0.0.1", HOSTS)
    assert not belongs_to("github", "api.github.com", {})
