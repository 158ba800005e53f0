"""HttpFetcher end to end against real servers on 127.0.0.1: overrides, retries, rate-limit
pauses (driven by a fake clock, never by wall time), caps, redirects and conditional requests."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest

from scanner import __version__
from scanner.fetch import (
    FetchConfig,
    Fetched,
    FetchEvent,
    FetchFailed,
    FetchOutcome,
    FetchStats,
    HostLimits,
    HttpFetcher,
    Timeouts,
)
from scanner.platforms import platform_hosts
from tests.fetch.conftest import FakeClock, FakeResolver, LocalServer, RecordingBackend, Reply

FREE = HostLimits(concurrency=4, min_interval=0.0)
LIMITS = {"default": FREE}


def config_for(server: LocalServer, **overrides: Any) -> FetchConfig:
    platforms = ("github", "mastodon", "bluesky", "reddit", "tumblr")
    settings: dict[str, Any] = {
        "endpoints": {p: f"{server.url}/{p}" for p in platforms},
        "platform_hosts": platform_hosts(),
        "tokens": {},
        "max_retries": 2,
    }
    settings.update(overrides)
    return FetchConfig(**settings)


def run(
    config: FetchConfig,
    calls: Sequence[tuple[str, Mapping[str, Any]] | str],
    **seams: Any,
) -> tuple[list[FetchOutcome], FetchStats]:
    async def main() -> tuple[list[FetchOutcome], FetchStats]:
        limits = seams.pop("host_limits", LIMITS)
        async with HttpFetcher(config, limits, **seams) as fetcher:
            outcomes = []
            for call in calls:
                url, kwargs = (call, {}) if isinstance(call, str) else call
                outcomes.append(await fetcher.get(url, **kwargs))
            return outcomes, fetcher.stats

    return asyncio.run(main())


def one(config: FetchConfig, url: str, **kwargs: Any) -> FetchOutcome:
    seams = {k: kwargs.pop(k) for k in ("clock", "network_backend", "resolver") if k in kwargs}
    outcomes, _ = run(config, [(url, kwargs)], **seams)
    return outcomes[0]


def ok(outcome: FetchOutcome) -> Fetched:
    assert isinstance(outcome, Fetched), outcome
    return outcome


def failed(outcome: FetchOutcome) -> FetchFailed:
    assert isinstance(outcome, FetchFailed), outcome
    return outcome


# --------------------------------------------------------------------------- basics


def test_override_keeps_path_query_and_sends_honest_headers(server: LocalServer) -> None:
    server.route("/github/users/acme", Reply(200, {"Content-Type": "application/json"}, b"{}"))
    config = config_for(server, contact_url="https://copperkettle.coffee/security")
    fetched = ok(one(config, "https://api.github.com/users/acme?per_page=1", platform="github"))
    assert fetched.url == f"{server.url}/github/users/acme?per_page=1"
    assert fetched.final_url == fetched.url
    assert fetched.status == 200 and fetched.is_json and fetched.json() == {}
    seen = server.requests[0]
    assert seen.target == "/github/users/acme?per_page=1"
    assert seen.headers["x-forwarded-host"] == "api.github.com"
    assert seen.headers["user-agent"] == (
        f"rollcall/{__version__} (+https://copperkettle.coffee/security)"
    )
    assert "authorization" not in seen.headers


def test_mastodon_override_covers_every_instance_with_its_own_forwarded_host(
    server: LocalServer,
) -> None:
    server.route("/mastodon/api/v1/accounts/lookup", Reply(200, body=b"{}"))
    urls = [
        "https://mastodon.social/api/v1/accounts/lookup?acct=copperkettle",
        "https://fosstodon.org/api/v1/accounts/lookup?acct=copperkettle",
    ]
    outcomes, stats = run(config_for(server), [(u, {"platform": "mastodon"}) for u in urls])
    assert all(ok(o).status == 200 for o in outcomes)
    assert [r.headers["x-forwarded-host"] for r in server.requests] == [
        "mastodon.social",
        "fosstodon.org",
    ]
    assert stats.requests == 2 and stats.statuses == {200: 2}


def test_progress_hook_sees_every_get(server: LocalServer) -> None:
    server.route("/github/users/a", Reply(200))
    server.route("/github/users/b", Reply(404))
    events: list[FetchEvent] = []
    calls = [(f"https://api.github.com/users/{n}", {"platform": "github"}) for n in "ab"]
    run(config_for(server), calls, progress=events.append)
    assert [(e.status, e.failure) for e in events] == [(200, None), (404, None)]
    assert events[-1].stats.requests == 2


def test_bad_url_is_refused_without_a_request(server: LocalServer) -> None:
    outcome = failed(one(config_for(server), "ftp://example.org/file"))
    assert outcome.reason.code == "bad_url"


# --------------------------------------------------------------------------- retries


def test_503_is_retried_with_backoff_then_succeeds(server: LocalServer, clock: FakeClock) -> None:
    server.route("/github/users/a", Reply(503), Reply(503), Reply(200, body=b"ok"))
    config = config_for(server, max_retries=3, backoff_base=1.0)
    outcomes, stats = run(
        config, [("https://api.github.com/users/a", {"platform": "github"})], clock=clock
    )
    assert ok(outcomes[0]).body == b"ok"
    assert server.hits("/github/users/a") == 3
    assert stats.retries == 2 and stats.statuses == {200: 1, 503: 2}
    # Full jitter: each delay is within [0, base·2^attempt].
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 1.0 and 0 <= clock.sleeps[1] <= 2.0


def test_retries_stop_after_max_retries_and_return_the_last_answer(
    server: LocalServer, clock: FakeClock
) -> None:
    server.route("/github/users/a", Reply(502))
    outcome = one(
        config_for(server, max_retries=2),
        "https://api.github.com/users/a",
        platform="github",
        clock=clock,
    )
    assert ok(outcome).status == 502
    assert server.hits("/github/users/a") == 3


@pytest.mark.parametrize("status", [403, 404, 500])
def test_answers_that_are_not_transient_are_never_retried(
    server: LocalServer, clock: FakeClock, status: int
) -> None:
    server.route("/github/users/a", Reply(status))
    outcome = one(
        config_for(server), "https://api.github.com/users/a", platform="github", clock=clock
    )
    assert ok(outcome).status == status
    assert server.hits("/github/users/a") == 1
    assert clock.sleeps == []


def test_connection_reset_is_retried(server: LocalServer, clock: FakeClock) -> None:
    server.route("/github/users/a", Reply(drop=True), Reply(200, body=b"ok"))
    outcome = one(
        config_for(server), "https://api.github.com/users/a", platform="github", clock=clock
    )
    assert ok(outcome).body == b"ok"
    assert server.hits("/github/users/a") == 2


def test_connection_reset_every_time_ends_as_connection_reset(
    server: LocalServer, clock: FakeClock
) -> None:
    server.route("/github/users/a", Reply(drop=True))
    outcome = failed(
        one(
            config_for(server, max_retries=1),
            "https://api.github.com/users/a",
            platform="github",
            clock=clock,
        )
    )
    assert outcome.reason.code == "connection_reset"
    assert server.hits("/github/users/a") == 2


def test_read_timeout_is_retried_then_reported(server: LocalServer, clock: FakeClock) -> None:
    server.route("/github/users/slow", Reply(200, delay=30))
    config = config_for(server, max_retries=1, timeouts=Timeouts(connect=2, read=0.2))
    outcome = failed(
        one(config, "https://api.github.com/users/slow", platform="github", clock=clock)
    )
    assert outcome.reason.code == "timeout"
    assert server.hits("/github/users/slow") == 2


def test_connect_error_when_nothing_listens(clock: FakeClock) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = FetchConfig(
        endpoints={"github": f"http://127.0.0.1:{port}/github"},
        platform_hosts=platform_hosts(),
        tokens={},
        max_retries=1,
    )
    outcome = failed(one(config, "https://api.github.com/users/a", platform="github", clock=clock))
    assert outcome.reason.code == "connect_error"
    assert len(clock.sleeps) == 1  # one backoff, one retry


# --------------------------------------------------------------------------- rate limits


def test_retry_after_seconds_is_honoured(server: LocalServer, clock: FakeClock) -> None:
    server.route("/github/users/a", Reply(429, {"Retry-After": "7"}), Reply(200, body=b"ok"))
    outcomes, stats = run(
        config_for(server),
        [("https://api.github.com/users/a", {"platform": "github"})],
        clock=clock,
    )
    assert ok(outcomes[0]).body == b"ok"
    assert stats.rate_limit_waits == 1
    assert 7.0 <= stats.wait_seconds <= 7.1
    assert 7.0 <= sum(clock.sleeps) <= 7.1


def test_retry_after_http_date_is_honoured(server: LocalServer, clock: FakeClock) -> None:
    when = format_datetime(datetime.fromtimestamp(clock.time() + 12, UTC), usegmt=True)
    server.route("/github/users/a", Reply(503, {"Retry-After": when}), Reply(200))
    outcomes, stats = run(
        config_for(server),
        [("https://api.github.com/users/a", {"platform": "github"})],
        clock=clock,
    )
    assert ok(outcomes[0]).status == 200
    assert 12.0 <= stats.wait_seconds <= 12.1


def test_retry_after_beyond_the_cap_returns_the_429_as_is(
    server: LocalServer, clock: FakeClock
) -> None:
    server.route("/github/users/a", Reply(429, {"Retry-After": "3600"}))
    config = config_for(server, max_rate_limit_wait=60)
    outcome = ok(one(config, "https://api.github.com/users/a", platform="github", clock=clock))
    assert outcome.status == 429 and outcome.headers["retry-after"] == "3600"
    assert server.hits("/github/users/a") == 1
    assert clock.sleeps == []


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


FAMILIES: dict[str, tuple[str, str, Any]] = {
    # platform: (real URL, sandbox path, headers saying "0 left, reset in 20 s" at epoch t)
    "github": (
        "https://api.github.com/users/a",
        "/github/users/a",
        lambda t: {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(t) + 20)},
    ),
    "mastodon": (
        "https://mastodon.social/api/v1/accounts/lookup?acct=a",
        "/mastodon/api/v1/accounts/lookup",
        lambda t: {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": _iso(t + 20)},
    ),
    "bluesky": (
        "https://public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor=a.bsky.social",
        "/bluesky/xrpc/app.bsky.actor.getProfile",
        lambda t: {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(t) + 20)},
    ),
    "reddit": (
        "https://www.reddit.com/user/a/about.json",
        "/reddit/user/a/about.json",
        lambda t: {"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "20"},
    ),
}


@pytest.mark.parametrize("platform", sorted(FAMILIES))
def test_each_rate_limit_family_pauses_the_host_until_reset(
    server: LocalServer, clock: FakeClock, platform: str
) -> None:
    url, path, headers = FAMILIES[platform]
    server.route(path, Reply(200, headers(clock.time())), Reply(200))
    outcomes, stats = run(config_for(server), [(url, {"platform": platform})] * 2, clock=clock)
    assert [ok(o).status for o in outcomes] == [200, 200]
    assert stats.rate_limit_waits == 1
    assert 20.0 <= stats.wait_seconds <= 20.1
    assert server.hits(path) == 2


def test_mastodon_429_without_retry_after_waits_for_the_iso_reset(
    server: LocalServer, clock: FakeClock
) -> None:
    # rack_attack.rb's throttled_responder sends 429 with X-RateLimit-Reset and no Retry-After.
    throttled = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": _iso(clock.time() + 30)}
    body = b'{"error":"Too many requests"}'
    path = "/mastodon/api/v1/accounts/lookup"
    server.route(path, Reply(429, throttled, body), Reply(200, body=b"{}"))
    outcome = one(
        config_for(server),
        "https://mastodon.social/api/v1/accounts/lookup?acct=a",
        platform="mastodon",
        clock=clock,
    )
    assert ok(outcome).status == 200
    assert server.hits(path) == 2
    assert 30.0 <= sum(clock.sleeps) <= 30.1


def test_github_403_with_no_remaining_is_returned_and_pauses_the_next_request(
    server: LocalServer, clock: FakeClock
) -> None:
    limited = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(clock.time()) + 15)}
    server.route("/github/users/a", Reply(403, limited, b'{"message":"API rate limit"}'))
    server.route("/github/users/b", Reply(200))
    outcomes, stats = run(
        config_for(server),
        [(f"https://api.github.com/users/{n}", {"platform": "github"}) for n in "ab"],
        clock=clock,
    )
    assert [ok(o).status for o in outcomes] == [403, 200]
    assert server.hits("/github/users/a") == 1  # a 403 is an answer, never retried
    assert 15.0 <= stats.wait_seconds <= 15.1


def test_a_pause_on_one_logical_host_leaves_the_others_alone(
    server: LocalServer, clock: FakeClock
) -> None:
    path = "/mastodon/api/v1/accounts/lookup"
    limited = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": _iso(clock.time() + 50)}
    server.route(path, Reply(200, limited), Reply(200))
    calls = [
        ("https://one.example/api/v1/accounts/lookup?acct=a", {"platform": "mastodon"}),
        ("https://two.example/api/v1/accounts/lookup?acct=a", {"platform": "mastodon"}),
    ]
    _, stats = run(config_for(server), calls, clock=clock)
    assert stats.rate_limit_waits == 0 and clock.sleeps == []


def test_min_interval_spaces_request_starts(server: LocalServer, clock: FakeClock) -> None:
    server.route("/github/users/a", Reply(200))
    _, stats = run(
        config_for(server),
        [("https://api.github.com/users/a", {"platform": "github"})] * 3,
        clock=clock,
        host_limits={"github": HostLimits(concurrency=1, min_interval=2.0)},
    )
    assert clock.sleeps == [2.0, 2.0]
    assert stats.rate_limit_waits == 0  # interval waits are politeness, not rate limiting


def test_per_host_concurrency_is_never_exceeded(server: LocalServer) -> None:
    server.route("/github/users/a", Reply(200, delay=0.05))

    async def main() -> None:
        limits = {"github": HostLimits(concurrency=2, min_interval=0)}
        async with HttpFetcher(config_for(server), limits) as fetcher:
            url = "https://api.github.com/users/a"
            await asyncio.gather(*(fetcher.get(url, platform="github") for _ in range(8)))

    asyncio.run(main())
    assert server.hits("/github/users/a") == 8
    assert server.max_in_flight <= 2


# --------------------------------------------------------------------------- bodies


def test_body_over_the_cap_is_refused(server: LocalServer) -> None:
    server.route("/github/big", Reply(200, body=b"x" * 300_000))
    server.route("/github/big-streamed", Reply(200, body=b"x" * 300_000, close_delimited=True))
    config = config_for(server, max_body_bytes=100_000)
    for path in ("big", "big-streamed"):
        outcome = failed(one(config, f"https://api.github.com/{path}", platform="github"))
        assert outcome.reason.code == "too_large", path


def _gzip_bomb(decoded: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1024 * 1024)
    parts = [packer.compress(block) for _ in range(decoded // len(block))]
    return b"".join(parts) + packer.flush()


def test_gzip_bomb_is_stopped_before_it_is_expanded(server: LocalServer) -> None:
    bomb = _gzip_bomb(64 * 1024 * 1024)  # 64 MiB of zeros in about 64 KiB
    server.route("/github/bomb", Reply(200, {"Content-Encoding": "gzip"}, bomb))
    config = config_for(server, max_body_bytes=8 * 1024 * 1024)
    outcomes, stats = run(config, [("https://api.github.com/bomb", {"platform": "github"})])
    outcome = failed(outcomes[0])
    assert outcome.reason.code == "decompression_bomb"
    assert stats.bytes_received <= len(bomb)


def test_gzip_and_deflate_bodies_are_decoded(server: LocalServer) -> None:
    text = ("Copper Kettle Coffee Roasters " * 200).encode()
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    server.route("/github/gz", Reply(200, {"Content-Encoding": "gzip"}, gzip.compress(text)))
    server.route("/github/zl", Reply(200, {"Content-Encoding": "deflate"}, zlib.compress(text)))
    server.route(
        "/github/raw",
        Reply(
            200, {"Content-Encoding": "deflate"}, raw_deflate.compress(text) + raw_deflate.flush()
        ),
    )
    server.route("/github/br", Reply(200, {"Content-Encoding": "br"}, b"\x0b\x00\x80"))
    calls = [(f"https://api.github.com/{p}", {"platform": "github"}) for p in ("gz", "zl", "raw")]
    outcomes, stats = run(config_for(server), calls)
    assert [ok(o).body for o in outcomes] == [text, text, text]
    assert stats.bytes_received < len(text) * 3
    unknown = failed(one(config_for(server), "https://api.github.com/br", platform="github"))
    assert unknown.reason.code == "protocol_error"


# --------------------------------------------------------------------------- redirects


def test_redirects_are_followed_and_recorded(server: LocalServer) -> None:
    server.route("/github/old", Reply(301, {"Location": "/github/new"}))
    server.route("/github/new", Reply(200, body=b"here"))
    fetched = ok(one(config_for(server), "https://api.github.com/old", platform="github"))
    assert fetched.body == b"here"
    assert fetched.final_url == f"{server.url}/github/new"
    assert fetched.redirects == (f"{server.url}/github/old",)


def test_redirect_to_the_real_platform_host_goes_through_the_override(server: LocalServer) -> None:
    # GitHub answers a renamed user with a 301 to its own API host.
    server.route("/github/users/old", Reply(301, {"Location": "https://api.github.com/user/42"}))
    server.route("/github/user/42", Reply(200))
    fetched = ok(one(config_for(server), "https://api.github.com/users/old", platform="github"))
    assert fetched.final_url == f"{server.url}/github/user/42"
    assert server.requests[-1].headers["x-forwarded-host"] == "api.github.com"


def test_redirect_loop_is_detected(server: LocalServer) -> None:
    server.route("/github/a", Reply(302, {"Location": "/github/b"}))
    server.route("/github/b", Reply(302, {"Location": f"{server.url}/github/a"}))
    outcome = failed(one(config_for(server), "https://api.github.com/a", platform="github"))
    assert outcome.reason.code == "redirect_limit"
    assert "loop" in outcome.reason.text
    assert server.hits("/github/a") == 1 and server.hits("/github/b") == 1


def test_redirect_limit(server: LocalServer) -> None:
    for n in range(10):
        server.route(f"/github/r{n}", Reply(302, {"Location": f"/github/r{n + 1}"}))
    config = config_for(server, max_redirects=3)
    outcome = failed(one(config, "https://api.github.com/r0", platform="github"))
    assert outcome.reason.code == "redirect_limit" and outcome.http_status == 302
    assert len(server.requests) == 4  # the first request and three redirects
    assert len(outcome.redirects) == 4


# --------------------------------------------------------------------------- conditional


def test_conditional_request_gets_not_modified(server: LocalServer) -> None:
    def answer(seen: Any) -> Reply:
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'})
        return Reply(200, {"ETag": '"v1"'}, b"{}")

    server.route("/github/users/a", answer)
    outcomes, stats = run(
        config_for(server),
        [
            ("https://api.github.com/users/a", {"platform": "github"}),
            ("https://api.github.com/users/a", {"platform": "github", "etag": '"v1"'}),
            (
                "https://api.github.com/users/a",
                {"platform": "github", "last_modified": "Sun, 20 Oct 2024 07:14:52 GMT"},
            ),
        ],
    )
    first, second, third = (ok(o) for o in outcomes)
    assert not first.not_modified and first.headers["etag"] == '"v1"'
    assert second.not_modified and second.status == 304 and second.body == b""
    assert server.requests[2].headers["if-modified-since"] == "Sun, 20 Oct 2024 07:14:52 GMT"
    assert not third.not_modified
    assert stats.not_modified == 1


def test_recording_backend_sees_only_loopback(
    server: LocalServer, backend: RecordingBackend
) -> None:
    server.route("/github/users/a", Reply(200))
    ok(
        one(
            config_for(server),
            "https://api.github.com/users/a",
            platform="github",
            network_backend=backend,
        )
    )
    assert backend.attempts == [("127.0.0.1", server.port)]


# --------------------------------------------------------------------------- proxy


def test_requests_go_through_the_configured_proxy(server: LocalServer) -> None:
    # The local server plays a forward proxy: it receives the absolute-form request target.
    server.route("/users/a", Reply(200, body=b"via proxy"))
    config = FetchConfig(tokens={}, proxy=server.url, max_retries=0)
    resolver = FakeResolver({"example.org": ["93.184.216.34"]})
    outcomes, _ = run(config, ["http://example.org/users/a"], resolver=resolver)
    assert ok(outcomes[0]).body == b"via proxy"
    assert server.requests[0].target == "http://example.org/users/a"
    # The proxy connects for us, but a private destination is still refused before sending.
    refused = failed(one(config, "http://10.0.0.1/users/a"))
    assert refused.reason.code == "ssrf_refused"
    assert len(server.requests) == 1


def test_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    server.route("/github/users/a", Reply(302, {"Location": "file:///etc/passwd"}))
    outcome = failed(one(config_for(server), "https://api.github.com/users/a", platform="github"))
    assert outcome.reason.code == "bad_url" and outcome.http_status == 302


def test_caller_headers_replace_defaults_case_insensitively(server: LocalServer) -> None:
    server.route("/github/users/a", Reply(200))
    one(config_for(server), "https://api.github.com/users/a", platform="github",
        headers={"accept": "application/vnd.github+json"})  # fmt: skip
    raw = [v for k, v in server.requests[0].raw_headers if k.lower() == "accept"]
    assert raw == ["application/vnd.github+json"]


def test_redirect_on_the_override_host_keeps_the_forwarded_host(server: LocalServer) -> None:
    # The sandbox tells tumblr blogs apart by X-Forwarded-Host, also after a redirect.
    server.route("/tumblr/rss", Reply(302, {"Location": f"{server.url}/tumblr/feed"}))
    server.route("/tumblr/feed", Reply(200))
    ok(one(config_for(server), "https://kettle-zine.tumblr.com/rss", platform="tumblr"))
    assert [r.headers.get("x-forwarded-host") for r in server.requests] == [
        "kettle-zine.tumblr.com",
        "kettle-zine.tumblr.com",
    ]
