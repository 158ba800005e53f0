"""RSS platforms: Medium ``/feed/@{user}`` and Tumblr ``/rss`` (the blog is the subdomain, read
from X-Forwarded-Host ``{blog}.tumblr.com``). Channel/item fields follow the recorded feeds."""

from __future__ import annotations

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.sites.base import (
    BodyKind,
    Ctx,
    Route,
    Site,
    esc,
    html_response,
    register,
    rfc822,
    stable_token,
    xml_response,
)
from scanner.sandbox.world import WorldAccount

_HEX = "0123456789abcdef"


def _medium_404() -> Response:
    # Medium's 404 page ("Out of nothing, something.", WhatsMyName); sherlock reads an HTML
    # <body on the feed URL as "missing".
    page = (
        '<!doctype html><html lang="en"><head><title>Medium</title></head><body>'
        "<div><h1>404</h1><p>PAGE NOT FOUND</p><p>Out of nothing, something.</p>"
        "<p>You can find (just about) anything on Medium — apparently even a page that doesn’t "
        "exist.</p></div></body></html>"
    )
    return html_response(404, page)


def _tumblr_404() -> Response:
    # Tumblr's missing blog: 404 with "Not found." (maigret absenceStrs).
    page = (
        '<!DOCTYPE html><html lang="en"><head><title>Not found.</title></head><body>'
        "<h1>Not found.</h1><p>There's nothing here.</p><p>Whatever you were looking for doesn't "
        "currently exist at this address. Unless you were looking for this error page, in which "
        "case: Congrats! You totally found it.</p></body></html>"
    )
    return html_response(404, page)


def _login_page(title: str, form_action: str) -> Response:
    page = (
        f'<!DOCTYPE html><html lang="en"><head><title>{esc(title)}</title></head><body>'
        f'<form method="post" action="{esc(form_action)}"><input type="email" name="email">'
        '<input type="password" name="password"><button type="submit">Log in</button></form>'
        "</body></html>"
    )
    return html_response(200, page)


def _tumblr_login() -> Response:
    return _login_page("Log in | Tumblr", "https://www.tumblr.com/login")


@register(Platform.MEDIUM)
class Medium(Site):
    app_title = "Medium"

    def route(self, req: Request, path: str, ctx: Ctx) -> Route:
        parts = [p for p in path.split("/") if p]
        if len(parts) != 2 or parts[0] != "feed" or not parts[1].startswith("@"):
            return Route(None, None, BodyKind.XML, _medium_404, path)
        account = ctx.world.find(Platform.MEDIUM, parts[1])
        key = account.key if account else parts[1][1:].casefold()
        return Route(key, account, BodyKind.XML, lambda: self._feed(ctx, account), path)

    def _feed(self, ctx: Ctx, a: WorldAccount | None) -> Response:
        # Suspended and deleted Medium accounts are gone from the feed URL as well.
        if a is None or a.state in (AccountState.SUSPENDED, AccountState.DEACTIVATED):
            return _medium_404()
        user = a.display_handle
        uid = stable_token("medium", a.key, length=12, alphabet=_HEX)
        link = f"https://medium.com/@{user}?source=rss-{uid}------2"
        title = f"Stories by {a.display_name or user} on Medium"
        items = []
        for p in a.own_posts()[:10]:
            pid = stable_token("mpost", a.key, p.at, length=12, alphabet=_HEX)
            slug = "-".join(p.text.casefold().split()[:6]) or "story"
            items.append(f"""
        <item>
            <title><![CDATA[{p.text}]]></title>
            <link>https://medium.com/@{user}/{esc(slug)}-{pid}?source=rss-{uid}------2</link>
            <guid isPermaLink="false">https://medium.com/p/{pid}</guid>
            <dc:creator><![CDATA[{a.display_name or user}]]></dc:creator>
            <pubDate>{rfc822(p.at)}</pubDate>
            <atom:updated>{p.at.strftime("%Y-%m-%dT%H:%M:%S.000Z")}</atom:updated>
            <content:encoded><![CDATA[<p>{esc(p.text)}</p>]]></content:encoded>
        </item>""")
        built = rfc822(ctx.world.as_of_datetime)
        text = f"""<?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" version="2.0" xmlns:cc="http://cyber.law.harvard.edu/rss/creativeCommonsRssModule.html">
    <channel>
        <title><![CDATA[{title}]]></title>
        <description><![CDATA[{title}]]></description>
        <link>{link}</link>
        <image>
            <url>https://cdn-images-1.medium.com/fit/c/150/150/{uid}.png</url>
            <title>{esc(title)}</title>
            <link>{link}</link>
        </image>
        <generator>Medium</generator>
        <lastBuildDate>{built}</lastBuildDate>
        <atom:link href="https://medium.com/@{user}/feed" rel="self" type="application/rss+xml"/>
        <webMaster><![CDATA[yourfriends@medium.com]]></webMaster>
        <atom:link href="http://medium.superfeedr.com" rel="hub"/>{"".join(items)}
    </channel>
</rss>
"""
        return xml_response(200, text, "text/xml; charset=UTF-8")

    def login_wall(self, ctx: Ctx, route: Route, req: Request) -> Response:
        return _login_page("Sign in – Medium", "https://medium.com/m/signin")

    def soft_404(self, ctx: Ctx, route: Route) -> Response:
        r = _medium_404()
        r.status = 200
        return r


@register(Platform.TUMBLR)
class Tumblr(Site):
    app_title = "Tumblr"

    def route(self, req: Request, path: str, ctx: Ctx) -> Route:
        host = ctx.forwarded_host or ""
        blog = host[: -len(".tumblr.com")] if host.endswith(".tumblr.com") else ""
        if path.rstrip("/") != "/rss" or not blog or blog == "www":
            return Route(None, None, BodyKind.XML, _tumblr_404, path)
        account = ctx.world.find(Platform.TUMBLR, blog)
        key = account.key if account else blog
        if account is not None and account.state is AccountState.PRIVATE:
            # A dashboard-only / password-protected blog sends visitors to the login page.
            return Route(key, account, BodyKind.XML, _tumblr_login, path)
        return Route(key, account, BodyKind.XML, lambda: self._feed(account), path)

    def _feed(self, a: WorldAccount | None) -> Response:
        if a is None or a.state in (AccountState.SUSPENDED, AccountState.DEACTIVATED):
            return _tumblr_404()
        blog = a.display_handle
        items = []
        for p in a.posts[:20]:
            pid = str(int(p.at.timestamp()) * 1000 + 7)
            if p.repost_of:
                other = esc(p.repost_of.lstrip("@"))
                description = esc(
                    f'<p><a class="tumblr_blog" href="https://{other}.tumblr.com/post/{pid}">'
                    f"{other}</a>:</p><blockquote><p>{esc(p.text)}</p></blockquote>"
                )
            else:
                description = esc(f"<p>{esc(p.text)}</p>")
            items.append(f"""
      <item>
         <title>{esc(p.text)}</title>
         <description>{description}</description>
         <link>https://www.tumblr.com/{blog}/{pid}</link>
         <guid>https://www.tumblr.com/{blog}/{pid}</guid>
         <pubDate>{p.at.strftime("%a, %d %b %Y %H:%M:%S +0000")}</pubDate>
      </item>""")
        description = f"<description>{esc(a.bio)}</description>" if a.bio else "<description />"
        text = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
   <channel>
      {description}
      <title>{esc(a.display_name or blog)}</title>
      <generator>Tumblr (3.0; @{blog})</generator>
      <link>https://{blog}.tumblr.com/</link>{"".join(items)}
   </channel>
</rss>
"""
        return xml_response(200, text, "application/rss+xml; charset=utf-8")

    def login_wall(self, ctx: Ctx, route: Route, req: Request) -> Response:
        return _tumblr_login()

    def soft_404(self, ctx: Ctx, route: Route) -> Response:
        r = _tumblr_404()
        r.status = 200
        return r
