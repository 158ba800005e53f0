"""Every fault of the matrix, over real sockets: status, headers and body as documented."""

from __future__ import annotations

import json
import socket
import threading
import zlib
from datetime import timedelta
from typing import Any

import httpx
import pytest

from scanner.sandbox import Fault, FaultKind, Sandbox, World

GITHUB_ORG = "/users/kettleorg"
BSKY = "/xrpc/app.bsky.actor.getProfile?actor=kettle.bsky.social"
MASTO = "/api/v1/accounts/lookup?acct=kettle"
MASTO_HOST = {"X-Forwarded-Host": "social.example"}


def test_faults_touch_only_their_account(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("github", "KettleOrg", ["login_wall"])
    assert client.get(sandbox.url("github", GITHUB_ORG)).status_code == 401
    assert client.get(sandbox.url("github", "/users/quietdev")).status_code == 200
    sandbox.set_faults("github", "kettleorg", None)
    assert client.get(sandbox.url("github", GITHUB_ORG)).status_code == 200


def test_host_faults_cover_absent_handles_too(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_host_faults("x", ["login_wall"])
    for handle in ("kettle", "nobody-at-all"):
        r = client.get(sandbox.url("x", f"/{handle}"), follow_redirects=True)
        assert r.status_code == 200 and "<title>Log in to X / X</title>" in r.text
    sandbox.set_host_faults("x", None)
    assert client.get(sandbox.url("x", "/nobody-at-all")).status_code == 404


def test_world_file_faults_apply(sandbox: Sandbox, client: httpx.Client) -> None:
    r = client.get(sandbox.url("x", "/walled"))
    assert r.status_code == 302
    assert r.headers["location"] == sandbox.url("x", "/i/flow/login?redirect_after_login=%2Fwalled")


def test_latency(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("github", "kettleorg", [{"kind": "latency", "ms": 150}])
    r = client.get(sandbox.url("github", GITHUB_ORG))
    assert r.status_code == 200
    assert r.elapsed >= timedelta(milliseconds=150)


def test_rate_limit_per_platform(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("mastodon", "kettle@social.example", ["rate_limit"])
    r = client.get(sandbox.url("mastodon", MASTO), headers=MASTO_HOST)
    # Mastodon: 429, JSON, ISO-timestamp reset and no Retry-After (rack_attack.rb).
    assert r.status_code == 429 and r.json() == {"error": "Too many requests"}
    assert "retry-after" not in r.headers
    assert r.headers["x-ratelimit-remaining"] == "0"
    assert r.headers["x-ratelimit-reset"].endswith("Z") and "T" in r.headers["x-ratelimit-reset"]

    sandbox.set_faults("github", "kettleorg", ["rate_limit"])
    r = client.get(sandbox.url("github", GITHUB_ORG))
    assert r.status_code == 403 and "rate limit exceeded" in r.json()["message"]
    assert r.headers["x-ratelimit-remaining"] == "0" and r.headers["x-ratelimit-reset"].isdigit()

    sandbox.set_faults("bluesky", "kettle.bsky.social", [{"kind": "rate_limit", "retry_after": 7}])
    r = client.get(sandbox.url("bluesky", BSKY))
    assert r.status_code == 429 and r.json()["error"] == "RateLimitExceeded"
    assert r.headers["retry-after"] == "7" and r.headers["ratelimit-remaining"] == "0"

    sandbox.set_faults("reddit", "u/kettle_user", [{"kind": "rate_limit", "status": 429}])
    r = client.get(sandbox.url("reddit", "/user/kettle_user/about.json"))
    assert r.status_code == 429 and r.headers["x-ratelimit-remaining"] == "0.0"

    sandbox.set_faults("instagram", "kettle", ["rate_limit"])
    r = client.get(sandbox.url("instagram", "/kettle/"))
    assert r.status_code == 429 and "Please wait a few minutes" in r.text
    # Forever: the next request is limited too.
    assert client.get(sandbox.url("instagram", "/kettle/")).status_code == 429


def test_enforce_rate_with_real_headers(world: World) -> None:
    now = [1_800_000_000.25]
    with Sandbox(world, clock=lambda: now[0]) as sb, httpx.Client() as c:
        sb.set_host_faults("github", [{"kind": "enforce_rate", "per_second": 3}])
        answers = [c.get(sb.url("github", GITHUB_ORG)) for _ in range(4)]
        assert [r.status_code for r in answers] == [200, 200, 200, 403]
        assert [r.headers["x-ratelimit-remaining"] for r in answers] == ["2", "1", "0", "0"]
        assert {r.headers["x-ratelimit-limit"] for r in answers} == {"3"}
        assert answers[0].headers["x-ratelimit-reset"] == "1800000001"
        now[0] += 1.0  # next window
        assert c.get(sb.url("github", GITHUB_ORG)).status_code == 200

        sb.set_host_faults("mastodon", [{"kind": "enforce_rate", "per_second": 1}])
        first = c.get(sb.url("mastodon", MASTO), headers=MASTO_HOST)
        second = c.get(sb.url("mastodon", MASTO), headers=MASTO_HOST)
        assert (first.status_code, second.status_code) == (200, 429)
        assert first.headers["x-ratelimit-reset"] == "2027-01-15T08:00:02.000000Z"
        assert "retry-after" not in second.headers

        sb.set_host_faults("reddit", [{"kind": "enforce_rate", "per_second": 1}])
        c.get(sb.url("reddit", "/r/kettle/about.json"))
        limited = c.get(sb.url("reddit", "/r/kettle/about.json"))
        assert limited.status_code == 429 and limited.headers["x-ratelimit-reset"] == "1"

        sb.set_host_faults("bluesky", [{"kind": "enforce_rate", "per_second": 2, "window": 5}])
        got = [c.get(sb.url("bluesky", BSKY)) for _ in range(11)]
        assert got[0].headers["ratelimit-policy"] == "10;w=5"
        # Windows align to multiples of 5 s: 3.75 s are left at ...001.25, rounded up.
        assert got[-1].status_code == 429 and got[-1].headers["retry-after"] == "4"


def test_default_rate_headers_are_always_present(sandbox: Sandbox, client: httpx.Client) -> None:
    r = client.get(sandbox.url("bluesky", BSKY))
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy"} <= set(
        r.headers
    )
    r = client.get(sandbox.url("reddit", "/user/nobody/about.json"))
    assert {"x-ratelimit-used", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(r.headers)


def test_http_5xx_burst_then_normal(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("github", "kettleorg", [{"kind": "http_5xx", "count": 2}])
    codes = [client.get(sandbox.url("github", GITHUB_ORG)).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    sandbox.set_faults("github", "kettleorg", [{"kind": "http_5xx", "count": 1, "status": 502}])
    assert client.get(sandbox.url("github", GITHUB_ORG)).status_code == 502


def test_timeout(sandbox: Sandbox) -> None:
    sandbox.set_faults("github", "kettleorg", [{"kind": "timeout", "seconds": 5}])
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(sandbox.url("github", GITHUB_ORG), timeout=0.2)


def test_timeout_never_holds_up_shutdown(world: World) -> None:
    outcome: list[Any] = []
    sb = Sandbox(world).start()
    sb.set_faults("github", "kettleorg", [{"kind": "timeout", "seconds": 600}])

    def call() -> None:
        try:
            outcome.append(httpx.get(sb.url("github", GITHUB_ORG), timeout=60))
        except httpx.TransportError as exc:
            outcome.append(exc)

    t = threading.Thread(target=call)
    t.start()
    while sb.requests == 0:
        t.join(0.01)
    sb.stop()
    t.join(30)
    assert not t.is_alive()
    assert isinstance(outcome[0], httpx.RemoteProtocolError)


def test_connection_reset(sandbox: Sandbox) -> None:
    sandbox.set_faults("github", "kettleorg", ["connection_reset"])
    with pytest.raises(httpx.ReadError) as info:
        httpx.get(sandbox.url("github", GITHUB_ORG))
    assert "Connection reset by peer" in str(info.value)
    assert sandbox.request_log[-1] == ("GET", GITHUB_ORG.join(["/github", ""]), 0)


@pytest.mark.parametrize(
    ("platform", "path", "final_path", "marker"),
    [
        (
            "instagram",
            "/kettle/",
            "/instagram/accounts/login/?next=%2Fkettle%2F",
            "<title>Login • Instagram</title>",
        ),
        (
            "threads",
            "/@kettle",
            "/threads/login?next=%2F%40kettle",
            "<title>Threads • Log in</title>",
        ),
        (
            "linkedin",
            "/company/kettle-coffee/",
            "/linkedin/authwall?trk=public_profile&sessionRedirect=",
            "<title>Sign Up | LinkedIn</title>",
        ),
        ("tiktok", "/@kettle", "/tiktok/login?redirect_url=", "<title>Log in | TikTok</title>"),
        ("facebook", "/kettle/", "/facebook/kettle/", "<title>Log into Facebook</title>"),
        (
            "youtube",
            "/@kettle",
            "/youtube/@kettle",
            "<title>Before you continue to YouTube</title>",
        ),
    ],
)
def test_login_wall_pages(
    sandbox: Sandbox, client: httpx.Client, platform: str, path: str, final_path: str, marker: str
) -> None:
    sandbox.set_host_faults(platform, ["login_wall"])
    r = client.get(sandbox.url(platform, path), follow_redirects=True)
    assert r.status_code == 200
    assert str(r.url).startswith(sandbox.base_url + final_path)
    assert marker in r.text


def test_login_wall_on_apis(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("mastodon", "kettle@social.example", ["login_wall"])
    r = client.get(sandbox.url("mastodon", MASTO), headers=MASTO_HOST)
    assert r.status_code == 401 and r.json() == {"error": "This API requires an authenticated user"}
    sandbox.set_faults("reddit", "r/kettle", ["login_wall"])
    r = client.get(sandbox.url("reddit", "/r/kettle/about.json"))
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "whoa there, pardner!" in r.text


@pytest.mark.parametrize(
    ("vendor", "status", "header", "marker"),
    [
        ("cloudflare", 403, ("cf-mitigated", "challenge"), '<span id="challenge-error-text">'),
        ("incapsula", 200, ("x-cdn", "Imperva"), "Incapsula incident ID"),
        ("ddos_guard", 403, ("server", "ddos-guard"), "<title>DDoS-Guard</title>"),
        ("aws_waf", 202, ("x-amzn-waf-action", "challenge"), "AwsWafIntegration.forceRefreshToken"),
        (
            "perimeterx",
            403,
            ("content-type", "text/html; charset=UTF-8"),
            'Object.defineProperty(r,"perimeterxIdentifiers",{enumerable:',
        ),
    ],
)
def test_waf_challenge(
    sandbox: Sandbox,
    client: httpx.Client,
    vendor: str,
    status: int,
    header: tuple[str, str],
    marker: str,
) -> None:
    sandbox.set_faults("github", "kettleorg", [{"kind": "waf_challenge", "vendor": vendor}])
    r = client.get(sandbox.url("github", GITHUB_ORG))
    assert r.status_code == status
    assert r.headers[header[0]] == header[1]
    assert marker in r.text
    if vendor == "cloudflare":
        assert "<title>Just a moment...</title>" in r.text and r.headers["server"] == "cloudflare"


def test_soft_404(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("instagram", "kettle", ["soft_404"])
    r = client.get(sandbox.url("instagram", "/kettle/"))
    assert r.status_code == 200 and "Sorry, this page isn&#39;t available." in r.text
    sandbox.set_faults("github", "kettleorg", ["soft_404"])
    r = client.get(sandbox.url("github", GITHUB_ORG))
    assert r.status_code == 200 and r.json()["message"] == "Not Found"
    sandbox.set_faults("tiktok", "kettle", ["soft_404"])
    r = client.get(sandbox.url("tiktok", "/@kettle"))
    assert r.status_code == 200 and "10221" not in r.text and "Couldn't find this account" in r.text


def test_html_instead_of_json(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("bluesky", "kettle.bsky.social", ["html_instead_of_json"])
    r = client.get(sandbox.url("bluesky", BSKY))
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>Bluesky</title>" in r.text
    sandbox.set_faults("facebook", "kettle", ["html_instead_of_json"])
    r = client.get(sandbox.url("facebook", "/kettle/"))
    assert "<title>Facebook</title>" in r.text and "og:title" not in r.text


def test_truncated_body(sandbox: Sandbox) -> None:
    sandbox.set_faults("github", "kettleorg", ["truncated_body"])
    head, body = raw_get(sandbox, "/github" + GITHUB_ORG)
    declared = int(header_of(head, "content-length"))
    assert 0 < len(body) < declared
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(sandbox.url("github", GITHUB_ORG))


def test_malformed_body(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("github", "kettleorg", ["malformed_body"])
    r = client.get(sandbox.url("github", GITHUB_ORG))
    assert r.status_code == 200 and int(r.headers["content-length"]) == len(r.content)
    with pytest.raises(ValueError):
        json.loads(r.content)
    sandbox.set_faults("x", "kettle", ["malformed_body"])
    r = client.get(sandbox.url("x", "/kettle"))
    assert r.status_code == 200 and "og:title" not in r.text


def test_huge_body(sandbox: Sandbox, client: httpx.Client) -> None:
    size = 3 * 1024 * 1024 + 5
    sandbox.set_faults("github", "kettleorg", [{"kind": "huge_body", "bytes": size}])
    with client.stream("GET", sandbox.url("github", GITHUB_ORG)) as r:
        assert r.status_code == 200 and int(r.headers["content-length"]) == size
        assert sum(len(chunk) for chunk in r.iter_raw()) == size


def test_gzip_bomb_small_exact(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("github", "kettleorg", [{"kind": "gzip_bomb", "expanded_bytes": 3 << 20}])
    with client.stream("GET", sandbox.url("github", GITHUB_ORG)) as r:
        raw = b"".join(r.iter_raw())
    assert r.headers["content-encoding"] == "gzip" and int(r.headers["content-length"]) == len(raw)
    inflate = zlib.decompressobj(31)
    assert len(inflate.decompress(raw)) == 3 << 20 and inflate.eof  # valid CRC and size


def test_gzip_bomb_default_expands_past_a_gigabyte(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("github", "kettleorg", ["gzip_bomb"])
    with client.stream("GET", sandbox.url("github", GITHUB_ORG)) as r:
        compressed = int(r.headers["content-length"])
        assert compressed < 2 * 1024 * 1024
        inflate = zlib.decompressobj(31)
        expanded = 0
        for chunk in r.iter_raw():
            while chunk:
                expanded += len(inflate.decompress(chunk, 1 << 20))
                chunk = inflate.unconsumed_tail
            if expanded > 16 << 20:
                break
    # The ratio holds for every 1 MiB block: the whole body inflates past 1 GiB.
    assert expanded > 16 << 20
    assert compressed * 1000 > (1 << 30)


def test_redirect_loop(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("github", "kettleorg", ["redirect_loop"])
    first = client.get(sandbox.url("github", GITHUB_ORG))
    assert first.status_code == 302
    second = client.get(first.headers["location"])
    assert second.headers["location"] == sandbox.url("github", GITHUB_ORG)
    with pytest.raises(httpx.TooManyRedirects):
        client.get(sandbox.url("github", GITHUB_ORG), follow_redirects=True)


@pytest.mark.parametrize("target", [None, "http://169.254.169.254/latest/meta-data/"])
def test_redirect_private(sandbox: Sandbox, client: httpx.Client, target: str | None) -> None:
    fault: dict[str, Any] = {"kind": "redirect_private"}
    if target:
        fault["target"] = target
    sandbox.set_faults("github", "kettleorg", [fault])
    r = client.get(sandbox.url("github", GITHUB_ORG))
    assert r.status_code == 302 and r.headers["location"] == (target or "http://10.0.0.1/")


def test_wrong_encoding(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.set_faults("bluesky", "kettle.bsky.social", ["wrong_encoding"])
    r = client.get(sandbox.url("bluesky", BSKY))
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    assert "Kettle Café" in r.content.decode("cp1252")


def test_every_fault_kind_is_served(sandbox: Sandbox, client: httpx.Client) -> None:
    """The whole matrix on one account: each fault changes the answer and nothing crashes."""
    normal = client.get(sandbox.url("github", GITHUB_ORG))
    small = {
        FaultKind.TIMEOUT: {"seconds": 2},
        FaultKind.HUGE_BODY: {"bytes": 200_000},
        FaultKind.GZIP_BOMB: {"expanded_bytes": 1 << 20},
        FaultKind.LATENCY: {"ms": 1},
    }
    for kind in FaultKind:
        sandbox.set_faults("github", "kettleorg", [Fault.of(kind, **small.get(kind, {}))])
        try:
            r = client.get(sandbox.url("github", GITHUB_ORG), timeout=0.5)
        except httpx.TransportError:
            continue
        if kind in (FaultKind.LATENCY, FaultKind.ENFORCE_RATE):
            assert r.status_code == 200  # timing faults alone leave the answer intact
        else:
            assert (r.status_code, r.content) != (normal.status_code, normal.content), kind
        assert sandbox.request_log[-1][2] == r.status_code


# --------------------------------------------------------------------------- raw HTTP


def raw_get(sandbox: Sandbox, path: str) -> tuple[bytes, bytes]:
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def header_of(head: bytes, name: str) -> str:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    raise KeyError(name)
