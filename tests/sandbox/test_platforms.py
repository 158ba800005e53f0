"""Each platform's present, absent and special-state answers: status, content type and shape."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import httpx
import pytest

from scanner.model import Platform
from scanner.sandbox import ApiName, Sandbox

ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class Case:
    name: str
    platform: str
    path: str
    status: int
    content_type: str
    markers: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


CASES = [
    # github
    Case(
        "github present org",
        "github",
        "/users/KettleOrg",
        200,
        "application/json",
        ('"type":"Organization"', '"blog":"https://kettle.example"'),
    ),
    Case(
        "github org view",
        "github",
        "/orgs/kettleorg",
        200,
        "application/json",
        ('"is_verified":true', '"description":"Small-batch coffee'),
    ),
    Case("github user is not an org", "github", "/orgs/quietdev", 404, "application/json"),
    Case(
        "github absent",
        "github",
        "/users/nobody-here",
        404,
        "application/json",
        ('"message":"Not Found"', '"documentation_url":', '"status":"404"'),
    ),
    Case("github suspended is hidden", "github", "/users/banned-user", 404, "application/json"),
    # mastodon
    Case(
        "mastodon present",
        "mastodon",
        "/api/v1/accounts/lookup?acct=kettle",
        200,
        "application/json",
        ('"last_status_at":"2026-11-10"', '"acct":"kettle"'),
        {"X-Forwarded-Host": "social.example"},
    ),
    Case(
        "mastodon other instance",
        "mastodon",
        "/api/v1/accounts/lookup?acct=kettle",
        200,
        "application/json",
        ('"display_name":"Other Kettle"',),
        {"X-Forwarded-Host": "other.example"},
    ),
    Case(
        "mastodon full acct",
        "mastodon",
        "/api/v1/accounts/lookup?acct=kettle@social.example",
        200,
        "application/json",
        ('"acct":"kettle@social.example"',),
        {"X-Forwarded-Host": "mastodon.social"},
    ),
    Case(
        "mastodon absent",
        "mastodon",
        "/api/v1/accounts/lookup?acct=nobody",
        404,
        "application/json",
        ('{"error":"Record not found"}',),
        {"X-Forwarded-Host": "social.example"},
    ),
    Case(
        "mastodon unknown on this instance",
        "mastodon",
        "/api/v1/accounts/lookup?acct=gone",
        404,
        "application/json",
        (),
        {"X-Forwarded-Host": "other.example"},
    ),
    Case(
        "mastodon suspended",
        "mastodon",
        "/api/v1/accounts/lookup?acct=gone",
        200,
        "application/json",
        ('"suspended":true', '"last_status_at":null'),
        {"X-Forwarded-Host": "social.example"},
    ),
    # bluesky
    Case(
        "bluesky present",
        "bluesky",
        "/xrpc/app.bsky.actor.getProfile?actor=kettle.bsky.social",
        200,
        "application/json",
        (
            '"handle":"kettle.bsky.social"',
            '"followersCount":50',
            '"pinnedPost":',
            '"verifiedStatus":"none"',
        ),
    ),
    Case(
        "bluesky absent",
        "bluesky",
        "/xrpc/app.bsky.actor.getProfile?actor=nobody.bsky.social",
        400,
        "application/json",
        ('{"error":"InvalidRequest","message":"Profile not found"}',),
    ),
    Case(
        "bluesky takedown",
        "bluesky",
        "/xrpc/app.bsky.actor.getProfile?actor=takendown.bsky.social",
        400,
        "application/json",
        ('"error":"AccountTakedown"',),
    ),
    Case(
        "bluesky deactivated",
        "bluesky",
        "/xrpc/app.bsky.feed.getAuthorFeed?actor=sleeping.bsky.social",
        400,
        "application/json",
        ('"error":"AccountDeactivated"', '"message":"Account is deactivated"'),
    ),
    # youtube
    Case(
        "youtube channel page",
        "youtube",
        "/@kettle",
        200,
        "text/html",
        (
            '<link rel="canonical" href="https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv">',
            'type="application/rss+xml"',
            "videos.xml?channel_id=UCabcdefghijklmnopqrstuv",
            '<meta property="og:type" content="profile">',
            '"canonicalBaseUrl":"/@kettle"',
        ),
    ),
    Case(
        "youtube by channel id",
        "youtube",
        "/channel/UCabcdefghijklmnopqrstuv",
        200,
        "text/html",
        ('<meta property="og:title" content="Kettle TV">',),
    ),
    Case(
        "youtube absent page",
        "youtube",
        "/@nobody",
        404,
        "text/html",
        ("<title>404 Not Found</title>",),
    ),
    Case(
        "youtube absent feed",
        "youtube",
        "/feeds/videos.xml?channel_id=UCzzzzzzzzzzzzzzzzzzzzzz",
        404,
        "text/html",
        ("Error 404 (Not Found)!!1",),
    ),
    Case(
        "youtube terminated page",
        "youtube",
        "/@terminated",
        200,
        "text/html",
        ("This account has been terminated",),
    ),
    # reddit
    Case(
        "reddit user",
        "reddit",
        "/user/kettle_user/about.json",
        200,
        "application/json",
        ('"kind":"t2"', '"public_description":"Coffee account"'),
    ),
    Case(
        "reddit subreddit",
        "reddit",
        "/r/kettle/about.json",
        200,
        "application/json",
        ('"kind":"t5"', '"subscribers":900'),
    ),
    Case(
        "reddit absent",
        "reddit",
        "/user/nobody/about.json",
        404,
        "application/json",
        ('{"message":"Not Found","error":404}',),
    ),
    Case(
        "reddit private subreddit",
        "reddit",
        "/r/secretkettle/about.json",
        403,
        "application/json",
        ('"reason":"private"',),
    ),
    Case(
        "reddit suspended user",
        "reddit",
        "/user/spammer/about.json",
        200,
        "application/json",
        ('"is_suspended":true',),
    ),
    Case(
        "reddit listing",
        "reddit",
        "/r/kettle/new.json",
        200,
        "application/json",
        ('"kind":"Listing"', '"kind":"t3"'),
    ),
    # medium / tumblr
    Case(
        "medium feed",
        "medium",
        "/feed/@kettle",
        200,
        "text/xml",
        (
            "<title><![CDATA[Stories by Kettle Writes on Medium]]></title>",
            "<pubDate>Sat, 06 Jun 2026 06:06:06 GMT</pubDate>",
        ),
    ),
    Case("medium absent", "medium", "/feed/@nobody", 404, "text/html", ("<body",)),
    Case(
        "tumblr feed",
        "tumblr",
        "/rss",
        200,
        "application/rss+xml",
        ("<generator>Tumblr (3.0; @kettleblog)</generator>",),
        {"X-Forwarded-Host": "kettleblog.tumblr.com"},
    ),
    Case(
        "tumblr absent",
        "tumblr",
        "/rss",
        404,
        "text/html",
        ("Not found.",),
        {"X-Forwarded-Host": "nobody.tumblr.com"},
    ),
    # HTML pages
    Case(
        "x present",
        "x",
        "/kettle",
        200,
        "text/html",
        (
            '<meta property="og:title" content="Kettle (@kettle) on X">',
            '"@type":"ProfilePage"',
            '"userInteractionCount":4500',
            'rel="me nofollow',
        ),
    ),
    Case("x protected", "x", "/lockedkettle", 200, "text/html", ("These posts are protected",)),
    Case("x suspended", "x", "/badkettle", 200, "text/html", ("Account suspended",)),
    Case("x absent", "x", "/nobody", 404, "text/html", ("This account doesn’t exist",)),
    Case(
        "instagram present",
        "instagram",
        "/kettle/",
        200,
        "text/html",
        (
            'content="2,362 Followers, 136 Following, 0 Posts - See Instagram photos and videos',
            '<meta property="og:type" content="profile">',
            '"biography":"Coffee"',
        ),
    ),
    Case(
        "instagram private",
        "instagram",
        "/privatekettle/",
        200,
        "text/html",
        ("This account is private", '"is_private":true'),
    ),
    Case(
        "instagram absent",
        "instagram",
        "/nobody/",
        404,
        "text/html",
        ("Sorry, this page isn&#39;t available.", "dialog-404"),
    ),
    Case(
        "facebook present",
        "facebook",
        "/kettle/",
        200,
        "text/html",
        ('"__isProfile":"Page"', '<meta property="og:title" content="Kettle Coffee">'),
    ),
    Case(
        "facebook absent",
        "facebook",
        "/nobody/",
        404,
        "text/html",
        ("This content isn't available right now",),
    ),
    Case(
        "linkedin present",
        "linkedin",
        "/company/kettle-coffee/",
        200,
        "text/html",
        ('"@type":"Organization"', "5,750 followers on LinkedIn"),
    ),
    Case(
        "linkedin absent",
        "linkedin",
        "/company/nobody/",
        404,
        "text/html",
        ("Page Not Found | LinkedIn",),
    ),
    Case(
        "tiktok present",
        "tiktok",
        "/@kettle",
        200,
        "text/html",
        (
            'id="__UNIVERSAL_DATA_FOR_REHYDRATION__"',
            '"statusCode":0',
            '"verified":true',
            '"disambiguatingDescription":"verified"',
            '"bioLink":{"link":"kettle.example"',
        ),
    ),
    Case("tiktok private", "tiktok", "/@shykettle", 200, "text/html", ('"privateAccount":true',)),
    Case("tiktok absent", "tiktok", "/@nobody", 200, "text/html", ('"statusCode":10221',)),
    Case(
        "threads present",
        "threads",
        "/@kettle",
        200,
        "text/html",
        ('<meta property="og:type" content="profile">', '"username":"kettle"'),
    ),
    Case(
        "threads private",
        "threads",
        "/@hiddenkettle",
        200,
        "text/html",
        ("This profile is private.",),
    ),
    Case(
        "threads absent",
        "threads",
        "/@nobody",
        404,
        "text/html",
        ("Sorry, this page isn't available",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_answer(case: Case, sandbox: Sandbox, client: httpx.Client) -> None:
    r = client.get(sandbox.url(case.platform, case.path), headers=case.headers)
    assert r.status_code == case.status, r.text[:300]
    assert r.headers["content-type"].startswith(case.content_type)
    for marker in case.markers:
        assert marker in r.text, marker
    if case.content_type == "application/json":
        r.json()


def test_every_platform_is_served(sandbox: Sandbox, client: httpx.Client) -> None:
    assert {c.platform for c in CASES} == {p.value for p in Platform}
    names = [*(p.value for p in Platform), *(a.value for a in ApiName)]
    assert sandbox.endpoints() == {n: f"{sandbox.base_url}/{n}" for n in names}


def test_github_events_only_last_90_days(sandbox: Sandbox, client: httpx.Client) -> None:
    events = client.get(sandbox.url("github", "/users/kettleorg/events/public")).json()
    assert [e["type"] for e in events] == ["PushEvent", "WatchEvent"]
    assert events[0]["created_at"] == "2026-11-01T09:00:00Z"
    assert events[0]["org"]["login"] == "KettleOrg"
    # quietdev's only post is older than 90 days before as_of: present, but no events.
    assert client.get(sandbox.url("github", "/users/quietdev")).status_code == 200
    assert client.get(sandbox.url("github", "/users/quietdev/events/public")).json() == []


def test_mastodon_statuses(sandbox: Sandbox, client: httpx.Client) -> None:
    host = {"X-Forwarded-Host": "social.example"}
    account = client.get(
        sandbox.url("mastodon", "/api/v1/accounts/lookup?acct=kettle"), headers=host
    ).json()
    assert account["fields"][0]["verified_at"] is not None
    url = sandbox.url(
        "mastodon", f"/api/v1/accounts/{account['id']}/statuses?limit=5&exclude_replies=true"
    )
    r = client.get(url, headers=host)
    statuses = r.json()
    assert [s["created_at"] for s in statuses] == [
        "2026-11-10T08:00:00.000Z",
        "2026-11-05T08:00:00.000Z",
    ]
    assert statuses[0]["reblog"] is None
    assert statuses[1]["reblog"]["account"]["acct"] == "friend@other.example"
    assert 'rel="next"' in r.headers["link"]
    no_boosts = client.get(url + "&exclude_reblogs=true", headers=host).json()
    assert len(no_boosts) == 1
    assert client.get(sandbox.url("mastodon", "/api/v1/accounts/1/statuses")).status_code == 404


def test_bluesky_feed_pins_and_reposts(sandbox: Sandbox, client: httpx.Client) -> None:
    base = "/xrpc/app.bsky.feed.getAuthorFeed?actor=kettle.bsky.social&limit=10"
    feed = client.get(sandbox.url("bluesky", base)).json()["feed"]
    assert all("reasonPin" not in json.dumps(item) for item in feed)
    repost = feed[0]
    assert repost["reason"]["$type"] == "app.bsky.feed.defs#reasonRepost"
    assert repost["reason"]["indexedAt"] == "2026-11-12T10:00:00.000Z"
    assert repost["post"]["author"]["handle"] == "friend.bsky.social"
    assert repost["post"]["record"]["createdAt"] < repost["reason"]["indexedAt"]
    pinned = client.get(sandbox.url("bluesky", base + "&includePins=true")).json()["feed"]
    assert pinned[0]["reason"] == {"$type": "app.bsky.feed.defs#reasonPin"}
    assert pinned[0]["post"]["record"]["text"] == "Pinned welcome"
    paged = client.get(sandbox.url("bluesky", base.replace("limit=10", "limit=1"))).json()
    assert len(paged["feed"]) == 1 and "cursor" in paged
    missing = client.get(sandbox.url("bluesky", "/xrpc/app.bsky.actor.getProfile"))
    assert missing.status_code == 400


def test_youtube_feed_shape(sandbox: Sandbox, client: httpx.Client) -> None:
    r = client.get(sandbox.url("youtube", "/feeds/videos.xml?channel_id=UCabcdefghijklmnopqrstuv"))
    assert r.headers["server"] == "YouTube RSS Feeds server"
    root = ET.fromstring(r.content)
    yt = "{http://www.youtube.com/xml/schemas/2015}"
    # Feed-level channelId drops the UC prefix; entries keep it (both recorded feeds).
    assert root.find(f"{yt}channelId").text == "abcdefghijklmnopqrstuv"  # type: ignore[union-attr]
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.find(f"{yt}channelId").text == "UCabcdefghijklmnopqrstuv"  # type: ignore[union-attr]
    assert entry.find(f"{ATOM}published").text == "2026-10-01T12:00:00+00:00"  # type: ignore[union-attr]


def test_tumblr_needs_the_blog_host(sandbox: Sandbox, client: httpx.Client) -> None:
    assert client.get(sandbox.url("tumblr", "/rss")).status_code == 404


def test_login_page_targets_are_served(sandbox: Sandbox, client: httpx.Client) -> None:
    r = client.get(sandbox.url("instagram", "/accounts/login/"))
    assert r.status_code == 200 and "<title>Login • Instagram</title>" in r.text


def test_index_and_unknown_platform(sandbox: Sandbox, client: httpx.Client) -> None:
    index = client.get(sandbox.base_url + "/").json()
    assert index["world"] == "tiny" and index["as_of"] == "2026-11-15"
    assert client.get(sandbox.base_url + "/myspace/tom").status_code == 404
