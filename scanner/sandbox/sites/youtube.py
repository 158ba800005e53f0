"""YouTube: channel pages ``/@handle`` and ``/channel/UC…`` (canonical link, RSS alternate, og
tags) and the Atom feed ``/feeds/videos.xml?channel_id=UC…``."""

from __future__ import annotations

import json
from typing import Any

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.sites.base import (
    BodyKind,
    Ctx,
    Route,
    Site,
    compact_count,
    esc,
    html_response,
    register,
    stable_token,
    xml_response,
)
from scanner.sandbox.world import YOUTUBE_CHANNEL_ID, WorldAccount

WWW = "https://www.youtube.com"
_FEED_HEADERS = [
    ("Server", "YouTube RSS Feeds server"),
    ("Cache-Control", "public, max-age=900"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("X-XSS-Protection", "0"),
]
_VIDEO_ID = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def channel_id(a: WorldAccount) -> str:
    return a.channel_id or "UC" + stable_token("yt", a.key, length=22)


def _google_404(path: str) -> Response:
    # The terminated-channel feed answer, recorded by NewPipe: 404 text/html Google error page.
    page = (
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
        '  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">\n'
        "  <title>Error 404 (Not Found)!!1</title>\n"
        "  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>\n"
        "  <p><b>404.</b> <ins>That’s an error.</ins>\n"
        f"  <p>The requested URL <code>{esc(path)}</code> was not found on this server.  "
        "<ins>That’s all we know.</ins>\n"
    )
    return html_response(404, page, [("Server", "YouTube RSS Feeds server")])


def _page_404() -> Response:
    # /@handle for an unknown handle: 404 "<title>404 Not Found</title>" (WhatsMyName "YouTube User2").
    page = (
        '<!DOCTYPE html><html lang="en"><head><title>404 Not Found</title></head><body>'
        "<h1>404 Not Found</h1><p>This page isn't available. Sorry about that. Try searching "
        "for something else.</p></body></html>"
    )
    return html_response(404, page)


@register(Platform.YOUTUBE)
class YouTube(Site):
    app_title = "YouTube"

    def route(self, req: Request, path: str, ctx: Ctx) -> Route:
        if path.rstrip("/") == "/feeds/videos.xml":
            cid = req.arg("channel_id") or ""
            owner = self._by_channel(ctx, cid)
            shown = req.target.removeprefix(ctx.prefix)
            return Route(
                owner.key if owner else (cid or None),
                owner,
                BodyKind.XML,
                lambda: self._feed(owner, shown),
                path,
            )
        parts = [p for p in path.split("/") if p]
        account: WorldAccount | None = None
        key: str | None = None
        if len(parts) in (1, 2) and parts[0].startswith("@"):
            account = ctx.world.find(Platform.YOUTUBE, parts[0])
            key = account.key if account else parts[0][1:].casefold()
        elif len(parts) in (2, 3) and parts[0] == "channel" and YOUTUBE_CHANNEL_ID.match(parts[1]):
            account = self._by_channel(ctx, parts[1])
            key = account.key if account else parts[1]
        else:
            return Route(None, None, BodyKind.HTML, _page_404, path)
        found = account
        return Route(key, found, BodyKind.HTML, lambda: self._channel_page(found), path)

    def _by_channel(self, ctx: Ctx, cid: str) -> WorldAccount | None:
        return next((a for a in ctx.world.on(Platform.YOUTUBE) if channel_id(a) == cid), None)

    def _channel_page(self, a: WorldAccount | None) -> Response:
        if a is None or a.state is AccountState.DEACTIVATED:
            return _page_404()
        if a.state is AccountState.SUSPENDED:
            return self._terminated_page(a)
        cid = channel_id(a)
        handle = a.display_handle if not YOUTUBE_CHANNEL_ID.match(a.display_handle) else None
        canonical = f"{WWW}/channel/{cid}"
        name, bio = esc(a.display_name), esc(a.bio)
        initial: dict[str, Any] = {
            "metadata": {
                "channelMetadataRenderer": {
                    "title": a.display_name,
                    "description": a.bio,
                    "rssUrl": f"{WWW}/feeds/videos.xml?channel_id={cid}",
                    "externalId": cid,
                    "ownerUrls": [f"http://www.youtube.com/@{handle}"] if handle else [],
                    "channelUrl": canonical,
                    "isFamilySafe": True,
                    "vanityChannelUrl": f"http://www.youtube.com/@{handle}"
                    if handle
                    else canonical,
                }
            },
            "header": {
                "pageHeaderRenderer": {
                    "pageTitle": a.display_name,
                    "subscriberCountText": {
                        "simpleText": f"{compact_count(a.followers)} subscribers"
                    },
                }
            },
            "aboutChannelViewModel": {
                "links": [
                    {
                        "channelExternalLinkViewModel": {
                            "title": {"content": link.split("://", 1)[-1].split("/")[0]},
                            "link": {"content": link.split("://", 1)[-1]},
                        }
                    }
                    for link in a.links
                ],
                "canonicalChannelUrl": f"http://www.youtube.com/@{handle}" if handle else canonical,
                "channelId": cid,
            },
            "responseContext": {
                "webResponseContextExtensionData": {
                    "canonicalBaseUrl": f"/@{handle}" if handle else f"/channel/{cid}"
                }
            },
        }
        breadcrumb = {
            "@context": "http://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": 1,
                    "item": {"@id": canonical, "name": a.display_name},
                }
            ],
        }
        page = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta http-equiv="X-UA-Compatible" content="IE=edge"/>
<link rel="canonical" href="{canonical}">
<title>{name} - YouTube</title>
<meta name="description" content="{bio}">
<link rel="alternate" type="application/rss+xml" title="RSS" href="{WWW}/feeds/videos.xml?channel_id={cid}">
<meta property="og:title" content="{name}">
<meta property="og:site_name" content="YouTube">
<meta property="og:url" content="{canonical}">
<meta property="og:image" content="https://yt3.googleusercontent.com/{stable_token("img", cid, length=40)}=s900-c-k-c0x00ffffff-no-rj">
<meta property="og:description" content="{bio}">
<meta property="og:type" content="profile">
<meta name="twitter:card" content="summary">
<meta name="twitter:site" content="@youtube">
<meta name="twitter:url" content="{canonical}">
<meta name="twitter:title" content="{name}">
<meta name="twitter:description" content="{bio}">
<meta itemprop="name" content="{name}">
<meta itemprop="description" content="{bio}">
<meta itemprop="identifier" content="{cid}">
<script type="application/ld+json">{json.dumps(breadcrumb, separators=(",", ":"))}</script>
</head><body>
<script nonce="sandbox">var ytInitialData = {json.dumps(initial, ensure_ascii=False, separators=(",", ":"))};</script>
</body></html>
"""
        return html_response(200, page)

    def _terminated_page(self, a: WorldAccount) -> Response:
        # The InnerTube alert NewPipe recorded for terminated channels, embedded as ytInitialData.
        initial = {
            "alerts": [
                {
                    "alertRenderer": {
                        "type": "ERROR",
                        "text": {
                            "simpleText": "This account has been terminated for a violation "
                            "of YouTube's Terms of Service."
                        },
                    }
                }
            ]
        }
        page = (
            '<!DOCTYPE html><html lang="en"><head><title>YouTube</title>'
            '<meta property="og:site_name" content="YouTube"></head><body>'
            f'<script nonce="sandbox">var ytInitialData = {json.dumps(initial, separators=(",", ":"))};</script>'
            "</body></html>"
        )
        return html_response(200, page)

    def _feed(self, a: WorldAccount | None, target: str) -> Response:
        if a is None or a.state in (AccountState.SUSPENDED, AccountState.DEACTIVATED):
            return _google_404(target)
        cid = channel_id(a)
        name = esc(a.display_name)
        channel_url = f"{WWW}/channel/{cid}"
        created = a.created_at
        entries = []
        # A channel whose videos are all private shows an empty feed.
        videos = [] if a.state is AccountState.PRIVATE else list(a.posts)[:15]
        for p in videos:
            vid = stable_token("video", a.key, p.at, length=11, alphabet=_VIDEO_ID)
            title = esc(p.text.split("\n")[0][:100])
            entries.append(f"""
 <entry>
  <id>yt:video:{vid}</id>
  <yt:videoId>{vid}</yt:videoId>
  <yt:channelId>{cid}</yt:channelId>
  <title>{title}</title>
  <link rel="alternate" href="{WWW}/watch?v={vid}"/>
  <author>
   <name>{name}</name>
   <uri>{channel_url}</uri>
  </author>
  <published>{p.at.strftime("%Y-%m-%dT%H:%M:%S+00:00")}</published>
  <updated>{p.at.strftime("%Y-%m-%dT%H:%M:%S+00:00")}</updated>
  <media:group>
   <media:title>{title}</media:title>
   <media:content url="{WWW}/v/{vid}?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i1.ytimg.com/vi/{vid}/hqdefault.jpg" width="480" height="360"/>
   <media:description>{esc(p.text)}</media:description>
   <media:community>
    <media:starRating count="0" average="0.00" min="1" max="5"/>
    <media:statistics views="0"/>
   </media:community>
  </media:group>
 </entry>""")
        published = (
            f"\n <published>{created.strftime('%Y-%m-%dT%H:%M:%S+00:00')}</published>"
            if created
            else ""
        )
        # Feed-level yt:channelId has no "UC" prefix (both recorded feeds); entries keep it.
        text = f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id={cid}"/>
 <id>yt:channel:{cid[2:]}</id>
 <yt:channelId>{cid[2:]}</yt:channelId>
 <title>{name}</title>
 <link rel="alternate" href="{channel_url}"/>
 <author>
  <name>{name}</name>
  <uri>{channel_url}</uri>
 </author>{published}{"".join(entries)}
</feed>
"""
        return xml_response(200, text, "text/xml; charset=UTF-8", list(_FEED_HEADERS))

    # -- trouble -------------------------------------------------------------------------------

    def too_many(
        self, ctx: Ctx, route: Route, w: Any, retry_after: float | None, status: int | None
    ) -> Response:
        # Google's "unusual traffic" interstitial is what a throttled client gets.
        headers = [("Retry-After", str(int(retry_after)))] if retry_after is not None else []
        page = (
            "<!DOCTYPE html><html><head><title>Sorry...</title></head><body>"
            "<h1>We're sorry...</h1><p>... but your computer or network may be sending automated "
            "queries. To protect our users, we can't process your request right now.</p>"
            "<p>Our systems have detected unusual traffic from your computer network.</p>"
            "</body></html>"
        )
        return html_response(status or 429, page, headers)

    def login_wall(self, ctx: Ctx, route: Route, req: Request) -> Response:
        # The EU consent interstitial (consent.youtube.com) replaces the page.
        page = (
            '<!DOCTYPE html><html lang="en"><head><title>Before you continue to YouTube</title>'
            '</head><body><form action="https://consent.youtube.com/save" method="POST">'
            "<h1>Before you continue to YouTube</h1><p>We use cookies and data to deliver and "
            "maintain Google services.</p><button>Reject all</button><button>Accept all</button>"
            "</form></body></html>"
        )
        return html_response(200, page)

    def soft_404(self, ctx: Ctx, route: Route) -> Response:
        page = (
            '<!DOCTYPE html><html lang="en"><head><title>YouTube</title></head><body>'
            "<p>This channel does not exist.</p></body></html>"
        )
        return html_response(200, page)
