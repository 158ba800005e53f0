"""Absent only on the platform's own not-found answer, for every platform, over real sockets: a
web server's 404 page and a redirect elsewhere that ends in a 404 stay unverified (issue 11)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanner.model import Observation, ObservationStatus, Platform
from scanner.platforms import adapter_for
from tests.platforms.conftest import FixtureServer, run_with_fetcher


@dataclass(frozen=True)
class Target:
    """Where one platform expects an account's deciding answer, and its real not-found."""

    platform: Platform
    handle: str
    path: str
    """The probe's path and query below ``/{platform}`` on the fixture server."""
    not_found: str
    """The fixture with the platform's own not-found answer ..."""
    status: int
    """... and the status it comes with."""

    @property
    def id(self) -> str:
        return f"{self.platform.value}:{self.handle}"


TARGETS = (
    # atproto answers an unknown handle with 400, never 404.
    Target(
        Platform.BLUESKY,
        "ghost.bsky.social",
        "/xrpc/app.bsky.actor.getProfile?actor=ghost.bsky.social",
        "bluesky_400_not_found.json",
        400,
    ),
    # Facebook, X and Threads hide their text behind login walls and scripts; the sandbox's
    # choice (a 404 carrying the platform's own wording) stands in for their real answer.
    Target(Platform.FACEBOOK, "ghostkettle", "/ghostkettle/", "facebook_missing.html", 404),
    Target(Platform.GITHUB, "ghost-kettle", "/users/ghost-kettle", "github_404.json", 404),
    # Instagram and TikTok answer an unknown name with a 200 soft-404 page.
    Target(Platform.INSTAGRAM, "ghost_kettle", "/ghost_kettle/", "instagram_missing.html", 200),
    Target(
        Platform.LINKEDIN,
        "company/ghost-kettle",
        "/company/ghost-kettle/",
        "linkedin_missing.html",
        404,
    ),
    Target(
        Platform.MASTODON,
        "ghost@mastodon.social",
        "/api/v1/accounts/lookup?acct=ghost",
        "mastodon_404.json",
        404,
    ),
    Target(Platform.MEDIUM, "ghostkettle", "/feed/@ghostkettle", "medium_404.html", 404),
    Target(
        Platform.REDDIT, "u/ghostkettle", "/user/ghostkettle/about.json", "reddit_404.json", 404
    ),
    Target(Platform.THREADS, "ghostkettle", "/@ghostkettle", "threads_missing.html", 404),
    Target(Platform.TIKTOK, "ghostkettle", "/@ghostkettle", "tiktok_missing.html", 200),
    Target(Platform.TUMBLR, "ghostkettle", "/rss", "tumblr_404.html", 404),
    Target(Platform.X, "ghostkettle", "/ghostkettle", "x_missing.html", 404),
    Target(Platform.YOUTUBE, "@ghostkettle", "/@ghostkettle", "youtube_404.html", 404),
    # A channel id needs no page: the upload feed alone decides.
    Target(
        Platform.YOUTUBE,
        "UCghostKettle00000000009",
        "/feeds/videos.xml?channel_id=UCghostKettle00000000009",
        "youtube_feed_404.html",
        404,
    ),
)

GENERIC_404 = {
    "nginx": ("nginx_404.html", "text/html"),
    "apache": ("apache_404.html", "text/html; charset=iso-8859-1"),
    # What an API gateway or any JSON framework answers for an unknown route.
    "json_gateway": ("", "application/json"),
}
GATEWAY_BODY = b'{"message":"Not Found"}'


def test_every_platform_has_a_target() -> None:
    assert {t.platform for t in TARGETS} == set(Platform)


@pytest.fixture
def other_server() -> Iterator[FixtureServer]:
    """A second host (another port) that redirects can lead to."""
    with FixtureServer() as srv:
        yield srv


def observe(server: FixtureServer, target: Target) -> Observation:
    adapter = adapter_for(target.platform)
    # The second fixture server is another port on loopback; the SSRF guard must let it in.
    return run_with_fetcher(
        server.endpoints(),
        lambda f: adapter.observe(target.handle, f),
        allow_private_network=True,
    )


def serve_real_not_found(server: FixtureServer, target: Target, path: str) -> None:
    server.add(target.platform.value, path, status=target.status, file=target.not_found)


def serve_generic(server: FixtureServer, platform: Platform, path: str, kind: str) -> None:
    file, content_type = GENERIC_404[kind]
    body = (Path(__file__).parent / "fixtures" / file).read_bytes() if file else GATEWAY_BODY
    server.add(platform.value, path, status=404, body=body, content_type=content_type)


def redirect(server: FixtureServer, target: Target, status: int, location: str) -> None:
    server.add(
        target.platform.value,
        target.path,
        status=status,
        content_type="text/html",
        headers={"location": location},
    )


# ------------------------------------------------------------------ (c) the real answer


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_real_not_found_is_absent(server: FixtureServer, target: Target) -> None:
    serve_real_not_found(server, target, target.path)
    obs = observe(server, target)
    assert obs.status is ObservationStatus.ABSENT, (obs.reason, obs.signal)
    assert obs.reason is not None and obs.reason.code == "not_found"
    assert obs.http_status == target.status
    # A status and at least one of the platform's own markers decided it.
    assert obs.signal is not None and obs.signal.startswith(f"status:{target.status}+")


# ------------------------------------------------------------------ (a) a web server's 404


@pytest.mark.parametrize("kind", sorted(GENERIC_404))
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_generic_404_is_unverified(server: FixtureServer, target: Target, kind: str) -> None:
    serve_generic(server, target.platform, target.path, kind)
    obs = observe(server, target)
    assert obs.status is ObservationStatus.ERROR, (obs.reason, obs.signal)
    assert not obs.status.verified
    assert obs.reason is not None and obs.reason.code == "not_found_unconfirmed"
    assert obs.http_status == 404 and obs.signal == "status:404"
    assert server.requested(target.platform.value) == [f"/{target.platform.value}{target.path}"]


# ------------------------------------------------------------------ (b) redirected, then 404

MOVES = [(status, where) for status in (301, 302) for where in ("path", "host")]


@pytest.mark.parametrize(("status", "where"), MOVES, ids=[f"{s}-{w}" for s, w in MOVES])
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_redirect_then_generic_404_is_unverified(
    server: FixtureServer, other_server: FixtureServer, target: Target, status: int, where: str
) -> None:
    platform = target.platform.value
    final = other_server if where == "host" else server
    redirect(server, target, status, f"{final.base_url}/{platform}/moved/elsewhere")
    serve_generic(final, target.platform, "/moved/elsewhere", "nginx")
    obs = observe(server, target)
    assert obs.status is ObservationStatus.ERROR, (obs.reason, obs.signal)
    assert obs.reason is not None and obs.reason.code == "redirected_not_found"
    assert f"another {where}" in obs.reason.text
    assert obs.signal == f"status:404+redirected:{where}"
    assert obs.http_status == 404
    assert obs.final_url == f"{final.base_url}/{platform}/moved/elsewhere"


@pytest.mark.parametrize(("status", "where"), MOVES, ids=[f"{s}-{w}" for s, w in MOVES])
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_redirect_then_own_marker_is_absent(
    server: FixtureServer, other_server: FixtureServer, target: Target, status: int, where: str
) -> None:
    platform = target.platform.value
    final = other_server if where == "host" else server
    redirect(server, target, status, f"{final.base_url}/{platform}/moved/elsewhere")
    serve_real_not_found(final, target, "/moved/elsewhere")
    obs = observe(server, target)
    assert obs.status is ObservationStatus.ABSENT, (obs.reason, obs.signal)
    assert obs.reason is not None and obs.reason.code == "not_found"
    assert obs.final_url == f"{final.base_url}/{platform}/moved/elsewhere"


def test_a_trailing_slash_redirect_is_no_move(server: FixtureServer) -> None:
    # GitHub's API answering /users/x with a redirect to /users/x/ and a web server's 404 is a
    # 404 without GitHub's marker, not a move elsewhere.
    target = TARGETS[2]
    assert target.platform is Platform.GITHUB
    redirect(server, target, 301, f"/github{target.path}/")
    serve_generic(server, target.platform, f"{target.path}/", "json_gateway")
    obs = observe(server, target)
    assert obs.status is ObservationStatus.ERROR
    assert obs.reason is not None and obs.reason.code == "not_found_unconfirmed"
