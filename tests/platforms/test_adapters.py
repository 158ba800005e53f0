"""Each adapter end to end over a real socket: fixture bodies in the platforms' real shapes,
served on 127.0.0.1 through endpoint overrides, read by the real HttpFetcher."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from scanner.model import AccountState, Observation, ObservationStatus, Platform, Tri
from scanner.platforms.dates import DateWindow
from tests.platforms.conftest import FixtureServer, fixture_json

Look = Callable[..., Observation]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ------------------------------------------------------------------ github


def test_github_user_present_with_activity(server: FixtureServer, look: Look) -> None:
    server.add("github", "/users/copperkettle", file="github_user.json", headers={"etag": 'W/"1"'})
    server.add("github", "/users/copperkettle/events/public", file="github_events.json")
    obs = look(Platform.GITHUB, "copperkettle")
    assert obs.status is ObservationStatus.PRESENT
    assert obs.signal == "status:200+json:login+json:type"
    assert obs.display_name == "Copper Kettle Coffee Roasters"
    assert obs.bio == "Small-batch coffee since 2012 · tools for our roastery"
    assert obs.links == ("https://copperkettle.coffee", "https://x.com/copperkettle")
    assert obs.followers == 1200
    assert obs.verified is Tri.UNKNOWN
    assert obs.created_at == utc(2015, 3, 1, 10)
    assert obs.last_activity_at == utc(2026, 11, 1, 9)
    assert obs.no_activity_since is None
    assert obs.account_state is AccountState.ACTIVE
    assert obs.url.endswith("/github/users/copperkettle")
    assert obs.http_status == 200 and obs.etag == 'W/"1"' and obs.body_sha256
    assert obs.reason is None


def test_github_org_with_no_recent_events(server: FixtureServer, look: Look) -> None:
    server.add("github", "/users/copperkettle-labs", file="github_org.json")
    server.add(
        "github",
        "/users/copperkettle-labs/events/public",
        body="[]",
        content_type="application/json",
    )
    obs = look(Platform.GITHUB, "copperkettle-labs")
    assert obs.status is ObservationStatus.PRESENT
    assert obs.bio == "Roast profiles and brewing tools"
    assert obs.verified is Tri.TRUE
    assert obs.links == ("https://copperkettlecoffee.com",)
    assert obs.last_activity_at is None
    assert obs.no_activity_since == obs.fetched_at - timedelta(days=90)


def test_github_absent(server: FixtureServer, look: Look) -> None:
    server.add("github", "/users/nobody-here", status=404, file="github_404.json")
    obs = look(Platform.GITHUB, "nobody-here")
    assert obs.status is ObservationStatus.ABSENT
    assert obs.signal == (
        "status:404+json:message=Not Found+json:documentation_url~^https://docs\\.github\\.com/"
    )
    assert obs.reason is not None and obs.reason.code == "not_found"
    assert server.requested("github") == ["/github/users/nobody-here"]


def test_github_rate_limited_403_is_blocked_not_absent(server: FixtureServer, look: Look) -> None:
    server.add(
        "github",
        "/users/copperkettle",
        status=403,
        file="github_ratelimit_403.json",
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-limit": "60"},
    )
    obs = look(Platform.GITHUB, "copperkettle")
    assert obs.status is ObservationStatus.BLOCKED
    assert obs.reason is not None and obs.reason.code == "rate_limited"


def test_github_events_failure_keeps_profile_present(server: FixtureServer, look: Look) -> None:
    server.add("github", "/users/copperkettle", file="github_user.json")
    server.add(
        "github",
        "/users/copperkettle/events/public",
        status=500,
        body="oops",
        content_type="text/plain",
    )
    obs = look(Platform.GITHUB, "copperkettle")
    assert obs.status is ObservationStatus.PRESENT
    assert obs.last_activity_at is None and obs.no_activity_since is None
    assert obs.reason is not None and obs.reason.code == "activity_unavailable"


def test_github_invalid_handle_sends_nothing(server: FixtureServer, look: Look) -> None:
    obs = look(Platform.GITHUB, "-bad--name-")
    assert obs.status is ObservationStatus.INVALID
    assert obs.reason is not None and obs.reason.code == "invalid_handle"
    assert "expected" in obs.reason.text
    assert server.log == []


# ------------------------------------------------------------------ mastodon


def test_mastodon_present_uses_home_instance(server: FixtureServer, look: Look) -> None:
    server.add(
        "mastodon", "/api/v1/accounts/lookup?acct=copperkettle", file="mastodon_account.json"
    )
    server.add(
        "mastodon",
        "/api/v1/accounts/109300000000000001/statuses?limit=5&exclude_replies=true",
        file="mastodon_statuses.json",
    )
    obs = look(Platform.MASTODON, "@copperkettle@Mastodon.Social")
    assert obs.status is ObservationStatus.PRESENT
    assert obs.display_name == "Copper Kettle ☕"
    assert obs.bio == "Small-batch coffee since 2012. https://copperkettle.coffee"
    assert obs.links == ("https://copperkettle.coffee", "https://copperkettlecoffee.com")
    assert obs.verified is Tri.TRUE
    assert obs.followers == 310
    # The newest status (full datetime) beats the date-only last_status_at of the day before.
    assert obs.last_activity_at == datetime(2026, 11, 3, tzinfo=UTC)
    headers = dict(server.log)["/mastodon/api/v1/accounts/lookup?acct=copperkettle"]
    assert headers["x-forwarded-host"] == "mastodon.social"


def test_mastodon_statuses_newer_than_date_only_field(server: FixtureServer, look: Look) -> None:
    server.add(
        "mastodon", "/api/v1/accounts/lookup?acct=copperkettle", file="mastodon_account.json"
    )
    statuses = fixture_json("mastodon_statuses.json")
    statuses[0]["created_at"] = "2026-11-03T18:00:00.000Z"
    server.add(
        "mastodon",
        "/api/v1/accounts/109300000000000001/statuses?limit=5&exclude_replies=true",
        body=json.dumps(statuses),
        content_type="application/json",
    )
    obs = look(Platform.MASTODON, "copperkettle@mastodon.social")
    assert obs.last_activity_at == utc(2026, 11, 3, 18)


def test_mastodon_suspended_and_absent(server: FixtureServer, look: Look) -> None:
    server.add("mastodon", "/api/v1/accounts/lookup?acct=oldkettle", file="mastodon_suspended.json")
    server.add(
        "mastodon", "/api/v1/accounts/lookup?acct=ghost", status=404, file="mastodon_404.json"
    )
    suspended = look(Platform.MASTODON, "oldkettle@mastodon.social")
    assert suspended.status is ObservationStatus.PRESENT
    assert suspended.account_state is AccountState.SUSPENDED
    assert "json:suspended=true" in (suspended.signal or "")
    absent = look(Platform.MASTODON, "ghost@mastodon.social")
    assert absent.status is ObservationStatus.ABSENT
    assert absent.signal == "status:404+json:error=Record not found"
    assert not [p for p in server.requested("mastodon") if "statuses" in p]


def test_mastodon_whitelist_mode_is_blocked(server: FixtureServer, look: Look) -> None:
    server.add(
        "mastodon",
        "/api/v1/accounts/lookup?acct=copperkettle",
        status=401,
        body='{"error":"This API requires an authenticated user"}',
        content_type="application/json",
    )
    obs = look(Platform.MASTODON, "copperkettle@example.social")
    assert obs.status is ObservationStatus.BLOCKED
    assert obs.reason is not None and obs.reason.code == "auth_required"


# ------------------------------------------------------------------ bluesky


def test_bluesky_present_skips_pins_and_dates_reposts(server: FixtureServer, look: Look) -> None:
    q = "actor=copperkettle.bsky.social"
    server.add("bluesky", f"/xrpc/app.bsky.actor.getProfile?{q}", file="bluesky_profile.json")
    server.add(
        "bluesky", f"/xrpc/app.bsky.feed.getAuthorFeed?{q}&limit=10", file="bluesky_feed.json"
    )
    obs = look(Platform.BLUESKY, "@CopperKettle.bsky.social")
    assert obs.status is ObservationStatus.PRESENT
    assert obs.display_name == "Copper Kettle Coffee"
    assert obs.links == ("https://copperkettle.coffee",)
    assert obs.followers == 554
    assert obs.verified is Tri.FALSE
    # The pinned post (Nov 10) is skipped; the repost counts at its own time, not the original's.
    assert obs.last_activity_at == utc(2026, 11, 4, 12, 30)


def test_bluesky_400_not_found_and_states(server: FixtureServer, look: Look) -> None:
    base = "/xrpc/app.bsky.actor.getProfile?actor="
    server.add("bluesky", base + "ghost.bsky.social", status=400, file="bluesky_400_not_found.json")
    server.add("bluesky", base + "gone.bsky.social", status=400, file="bluesky_400_takedown.json")
    server.add(
        "bluesky", base + "resting.bsky.social", status=400, file="bluesky_400_deactivated.json"
    )
    absent = look(Platform.BLUESKY, "ghost.bsky.social")
    assert absent.status is ObservationStatus.ABSENT
    assert absent.http_status == 400
    taken = look(Platform.BLUESKY, "gone.bsky.social")
    assert (taken.status, taken.account_state) == (
        ObservationStatus.PRESENT,
        AccountState.SUSPENDED,
    )
    resting = look(Platform.BLUESKY, "resting.bsky.social")
    assert resting.account_state is AccountState.DEACTIVATED


def test_bluesky_bare_name_is_invalid(server: FixtureServer, look: Look) -> None:
    obs = look(Platform.BLUESKY, "copperkettle")
    assert obs.status is ObservationStatus.INVALID
    assert server.log == []


# ------------------------------------------------------------------ youtube


def test_youtube_handle_resolves_channel_then_feed(server: FixtureServer, look: Look) -> None:
    server.add("youtube", "/@copperkettle", file="youtube_channel.html")
    server.add(
        "youtube", "/feeds/videos.xml?channel_id=UCcopperKettle0000000001", file="youtube_feed.xml"
    )
    obs = look(Platform.YOUTUBE, "@copperkettle")
    assert obs.status is ObservationStatus.PRESENT
    assert obs.display_name == "Copper Kettle Coffee"
    assert obs.bio == "Roasting, brewing and farm visits."
    assert obs.created_at == utc(2016, 2, 1, 12)
    assert obs.last_activity_at == utc(2026, 10, 30, 15, 1, 42)
    assert obs.signal is not None and obs.signal.startswith("status:200+link:canonical")


def test_youtube_terminated_channel_feed_404(server: FixtureServer, look: Look) -> None:
    server.add("youtube", "/@oldkettle", file="youtube_channel.html")
    server.add(
        "youtube",
        "/feeds/videos.xml?channel_id=UCcopperKettle0000000001",
        status=404,
        file="youtube_feed_404.html",
    )
    obs = look(Platform.YOUTUBE, "oldkettle")
    assert obs.status is ObservationStatus.PRESENT
    assert obs.account_state is AccountState.SUSPENDED


def test_youtube_channel_id_uses_feed_only(server: FixtureServer, look: Look) -> None:
    server.add(
        "youtube",
        "/feeds/videos.xml?channel_id=UCcopperKettle0000000009",
        status=404,
        file="youtube_feed_404.html",
    )
    server.add("youtube", "/@ghostkettle", status=404, file="youtube_404.html")
    gone = look(Platform.YOUTUBE, "UCcopperKettle0000000009")
    assert gone.status is ObservationStatus.ABSENT
    assert server.requested("youtube") == [
        "/youtube/feeds/videos.xml?channel_id=UCcopperKettle0000000009"
    ]
    absent = look(Platform.YOUTUBE, "@ghostkettle")
    assert absent.status is ObservationStatus.ABSENT


# ------------------------------------------------------------------ reddit


def test_reddit_user_and_subreddit(server: FixtureServer, look: Look) -> None:
    server.add("reddit", "/user/copperkettle/about.json", file="reddit_user_about.json")
    server.add("reddit", "/user/copperkettle/submitted.json?sort=new", file="reddit_listing.json")
    server.add("reddit", "/r/copperkettle/about.json", file="reddit_sub_about.json")
    server.add("reddit", "/r/copperkettle/new.json", file="reddit_listing.json")
    user = look(Platform.REDDIT, "u/copperkettle")
    assert user.status is ObservationStatus.PRESENT
    assert user.display_name == "Copper Kettle Coffee"
    assert user.links == ("https://copperkettle.coffee",)
    assert user.followers == 42
    assert user.verified is Tri.UNKNOWN  # Reddit's "verified" is e-mail verification
    assert user.created_at == datetime.fromtimestamp(1552433444, tz=UTC)
    assert user.last_activity_at == datetime.fromtimestamp(1762351200, tz=UTC)
    sub = look(Platform.REDDIT, "r/copperkettle")
    assert sub.display_name == "Copper Kettle Coffee Roasters"
    assert sub.followers == 1500


def test_reddit_absent_private_and_html_block(server: FixtureServer, look: Look) -> None:
    server.add("reddit", "/user/ghost/about.json", status=404, file="reddit_404.json")
    server.add("reddit", "/r/secretbeans/about.json", status=403, file="reddit_403_private.json")
    server.add("reddit", "/user/copperkettle/about.json", status=403, file="reddit_block_403.html")
    assert look(Platform.REDDIT, "u/ghost").status is ObservationStatus.ABSENT
    private = look(Platform.REDDIT, "r/secretbeans")
    assert (private.status, private.account_state) == (
        ObservationStatus.PRESENT,
        AccountState.PRIVATE,
    )
    blocked = look(Platform.REDDIT, "u/copperkettle")
    assert blocked.status is ObservationStatus.BLOCKED
    assert blocked.reason is not None and blocked.reason.code == "network_block"


def test_reddit_suspended_user(server: FixtureServer, look: Look) -> None:
    server.add(
        "reddit",
        "/user/banned_kettle/about.json",
        body='{"kind": "t2", "data": {"name": "banned_kettle", "is_suspended": true}}',
        content_type="application/json",
    )
    obs = look(Platform.REDDIT, "u/banned_kettle")
    assert (obs.status, obs.account_state) == (ObservationStatus.PRESENT, AccountState.SUSPENDED)
    assert server.requested("reddit") == ["/reddit/user/banned_kettle/about.json"]


# ------------------------------------------------------------------ feeds


def test_medium_and_tumblr_feeds(server: FixtureServer, look: Look) -> None:
    server.add("medium", "/feed/@copperkettle", file="medium_feed.xml")
    server.add("medium", "/feed/@ghost", status=404, file="medium_404.html")
    server.add("tumblr", "/rss", file="tumblr_rss.xml")
    medium = look(Platform.MEDIUM, "@copperkettle")
    assert medium.status is ObservationStatus.PRESENT
    assert medium.display_name == "Copper Kettle"
    assert medium.last_activity_at == utc(2026, 11, 3, 10, 27, 40)
    assert look(Platform.MEDIUM, "ghost").status is ObservationStatus.ABSENT
    tumblr = look(Platform.TUMBLR, "copperkettle")
    assert tumblr.status is ObservationStatus.PRESENT
    assert tumblr.display_name == "Copper Kettle"
    assert tumblr.links == ("https://copperkettle.coffee",)
    assert tumblr.last_activity_at == utc(2026, 10, 26, 17, 6, 8)
    host = dict(server.log)["/tumblr/rss"]["x-forwarded-host"]
    assert host == "copperkettle.tumblr.com"


def test_tumblr_absent(server: FixtureServer, look: Look) -> None:
    server.add("tumblr", "/rss", status=404, file="tumblr_404.html")
    assert look(Platform.TUMBLR, "no-such-blog").status is ObservationStatus.ABSENT


# ------------------------------------------------------------------ HTML pages


def test_instagram_profile_login_wall_and_missing(server: FixtureServer, look: Look) -> None:
    server.add("instagram", "/copperkettle/", file="instagram_profile.html")
    server.add("instagram", "/walled/", file="instagram_login.html")
    server.add("instagram", "/ghost/", status=404, file="instagram_missing.html")
    obs = look(Platform.INSTAGRAM, "@copperkettle")
    assert obs.status is ObservationStatus.PRESENT
    assert obs.display_name == "Copper Kettle Coffee"
    assert obs.bio == "Small-batch coffee since 2012 — copperkettle.coffee"
    assert obs.followers == 2362
    assert obs.last_activity_at is None  # not exposed: never guessed
    walled = look(Platform.INSTAGRAM, "walled")
    assert walled.status is ObservationStatus.BLOCKED
    assert walled.reason is not None and walled.reason.code == "login_wall"
    assert look(Platform.INSTAGRAM, "ghost").status is ObservationStatus.ABSENT


def test_tiktok_rehydration_and_missing(server: FixtureServer, look: Look) -> None:
    server.add("tiktok", "/@copperkettle", file="tiktok_profile.html")
    server.add("tiktok", "/@ghost", file="tiktok_missing.html")
    obs = look(Platform.TIKTOK, "copperkettle")
    assert obs.status is ObservationStatus.PRESENT
    assert obs.display_name == "Copper Kettle"
    assert obs.bio == "Small-batch coffee"
    assert obs.followers == 7812
    assert obs.verified is Tri.TRUE
    assert obs.links == ("https://copperkettle.coffee",)
    assert obs.created_at == datetime.fromtimestamp(1578872963, tz=UTC)
    assert look(Platform.TIKTOK, "ghost").status is ObservationStatus.ABSENT


def test_linkedin_x_threads_facebook(server: FixtureServer, look: Look) -> None:
    server.add("linkedin", "/company/copper-kettle/", file="linkedin_company.html")
    server.add("linkedin", "/company/walled/", status=999, body="", content_type="text/html")
    server.add("x", "/copperkettle", file="x_profile.html")
    server.add("x", "/shell", file="x_shell.html")
    server.add("threads", "/@copperkettle", file="threads_profile.html")
    server.add("threads", "/@walled", file="threads_login.html")
    server.add("facebook", "/copperkettle/", file="facebook_page.html")
    server.add("facebook", "/generic/", file="facebook_generic.html")

    li = look(Platform.LINKEDIN, "company/copper-kettle")
    assert li.status is ObservationStatus.PRESENT
    assert li.display_name == "Copper Kettle Coffee Roasters"
    assert li.followers == 5750
    assert li.links == ("https://copperkettle.coffee",)
    assert look(Platform.LINKEDIN, "company/walled").reason.code == "bot_block"  # type: ignore[union-attr]

    x = look(Platform.X, "@copperkettle")
    assert x.status is ObservationStatus.PRESENT
    assert (x.display_name, x.followers) == ("Copper Kettle", 4100)
    assert x.created_at == utc(2012, 5, 1, 10)
    assert x.links == ("https://copperkettle.coffee",)
    shell = look(Platform.X, "shell")
    assert shell.status is ObservationStatus.BLOCKED
    assert shell.reason is not None and shell.reason.code == "generic_page"

    th = look(Platform.THREADS, "copperkettle")
    assert th.status is ObservationStatus.PRESENT
    assert (th.display_name, th.followers) == ("Copper Kettle", 1200)
    assert th.bio == "Small-batch coffee since 2012"
    assert look(Platform.THREADS, "walled").reason.code == "login_wall"  # type: ignore[union-attr]

    fb = look(Platform.FACEBOOK, "copperkettle")
    assert fb.status is ObservationStatus.PRESENT
    assert fb.display_name == "Copper Kettle Coffee Roasters"
    assert fb.followers == 3104
    generic = look(Platform.FACEBOOK, "generic")
    assert generic.status is ObservationStatus.BLOCKED


def test_hostile_text_is_kept_but_capped(server: FixtureServer, look: Look) -> None:
    user = fixture_json("github_user.json")
    user["name"] = "<script>alert(1)</script>" + "x" * 5000
    user["bio"] = "Incapsula incident ID " + "y" * 10000
    user["blog"] = "javascript:alert(1)"
    server.add(
        "github", "/users/copperkettle", body=json.dumps(user), content_type="application/json"
    )
    server.add(
        "github", "/users/copperkettle/events/public", body="[]", content_type="application/json"
    )
    obs = look(Platform.GITHUB, "copperkettle")
    # A bio quoting a WAF page does not turn a well-formed API answer into "blocked".
    assert obs.status is ObservationStatus.PRESENT
    assert obs.display_name is not None and obs.display_name.startswith("<script>")
    assert len(obs.display_name) == 256
    assert obs.bio is not None and len(obs.bio) == 4096
    assert "javascript:alert(1)" not in obs.links


def test_conditional_request_reuses_previous(server: FixtureServer, look: Look) -> None:
    server.add("github", "/users/copperkettle", file="github_user.json", headers={"etag": '"v1"'})
    server.add("github", "/users/copperkettle/events/public", file="github_events.json")
    first = look(Platform.GITHUB, "copperkettle")
    assert first.etag == '"v1"' and not first.not_modified
    second = look(Platform.GITHUB, "copperkettle", previous=first)
    assert second.not_modified
    assert second.fetched_at > first.fetched_at
    assert dataclasses.replace(second, fetched_at=first.fetched_at, not_modified=False) == first
    sent = [h for p, h in server.log if p == "/github/users/copperkettle"]
    assert sent[-1]["if-none-match"] == '"v1"'


def test_bluesky_feed_activity_skips_pins_and_survives_hostile_items() -> None:
    from scanner.platforms.bluesky import feed_activity

    post = {"post": {"record": {"createdAt": "2026-11-01T09:00:00Z"}}}
    pinned = {**post, "reason": {"$type": "app.bsky.feed.defs#reasonPin"}}
    repost = {"reason": {"$type": "app.bsky.feed.defs#reasonRepost", "indexedAt": "2026-11-02"}}
    hostile = {"reason": {"$type": 5}, "post": {"record": {"createdAt": "2026-10-01T00:00:00Z"}}}
    # An importer's backdated createdAt (before Bluesky existed) gives way to indexedAt.
    imported = {
        "post": {"record": {"createdAt": "2009-05-01T00:00:00Z"}, "indexedAt": "2026-09-01"}
    }
    window = DateWindow(date(2022, 11, 1), datetime(2026, 11, 15, tzinfo=UTC), "Bluesky")
    items = [pinned, post, repost, hostile, imported, "junk", {"post": []}]
    assert feed_activity(items, window) == [
        datetime(2026, 11, 1, 9, tzinfo=UTC),
        datetime(2026, 11, 2, tzinfo=UTC),
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2026, 9, 1, tzinfo=UTC),
        None,  # an item with no readable date makes the newest activity unknown
        None,
    ]
