"""Reddit JSON: ``/user/{name}/about.json`` (kind t2), ``/r/{name}/about.json`` (kind t5),
``/user/{name}/submitted.json`` and ``/r/{name}/new.json`` listings. Shapes follow PRAW's
recorded cassettes."""

from __future__ import annotations

import re
from typing import Any

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.sites.base import (
    BodyKind,
    Ctx,
    RateWindow,
    Route,
    Site,
    html_response,
    json_response,
    register,
    stable_token,
)
from scanner.sandbox.world import Post, WorldAccount

_PATH = re.compile(r"^/(user|u|r)/([^/]+)/(about|submitted|new)\.json$")
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_HEADERS = [
    ("Server", "snooserv"),
    ("Cache-Control", "private, s-maxage=0, max-age=0, must-revalidate, no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Via", "1.1 varnish"),
]
_CT = "application/json; charset=UTF-8"


def _json(status: int, obj: Any) -> Response:
    return json_response(status, obj, list(_HEADERS), content_type=_CT)


def _not_found(reason: str | None = None) -> Response:
    # praw fixture notfound_404.json; banned subreddits add "reason": "banned".
    body: dict[str, Any] = {"message": "Not Found", "error": 404}
    if reason:
        body = {"reason": reason, **body}
    return _json(404, body)


def _forbidden_private() -> Response:
    # Private subreddit: 403 {"reason": "private", "message": "Forbidden", "error": 403}.
    return _json(403, {"reason": "private", "message": "Forbidden", "error": 403})


def _epoch(a: WorldAccount) -> float:
    created = a.created_at or (a.posts[-1].at if a.posts else None)
    return float(int(created.timestamp())) if created else 1262304000.0


@register(Platform.REDDIT)
class Reddit(Site):
    app_title = "Reddit - The heart of the internet"

    def route(self, req: Request, path: str, ctx: Ctx) -> Route:
        m = _PATH.match(path.rstrip("/"))
        if m is None:
            return Route(None, None, BodyKind.JSON, _not_found, path)
        kind = "r" if m.group(1) == "r" else "u"
        what = m.group(3)
        if (kind == "u" and what == "new") or (kind == "r" and what == "submitted"):
            return Route(None, None, BodyKind.JSON, _not_found, path)
        key = f"{kind}/{m.group(2).casefold()}"
        account = ctx.world.find(Platform.REDDIT, key)

        def render() -> Response:
            if what != "about":
                return self._listing(account, kind, req)
            return self._user(account) if kind == "u" else self._sub(account)

        return Route(key, account, BodyKind.JSON, render, path)

    def _user(self, a: WorldAccount | None) -> Response:
        if a is None or a.state is AccountState.DEACTIVATED:
            return _not_found()
        name = a.display_handle
        if a.state is AccountState.SUSPENDED:
            # PRAW Redditor docstring: a suspended user has only name and is_suspended.
            return _json(200, {"kind": "t2", "data": {"name": name, "is_suspended": True}})
        created = _epoch(a)
        karma = len(a.own_posts())
        data = {
            "is_employee": False,
            "is_friend": False,
            "subreddit": {
                "default_set": True,
                "banner_img": "",
                "display_name": f"u_{name}",
                "header_img": None,
                "title": a.display_name,
                "over_18": False,
                "icon_img": "https://www.redditstatic.com/avatars/defaults/v2/avatar_default_1.png",
                "description": "",
                "subscribers": a.followers,
                "display_name_prefixed": f"u/{name}",
                "name": "t5_" + stable_token("t5", a.key, length=6, alphabet=_B36),
                "url": f"/user/{name}/",
                "quarantine": False,
                "public_description": a.bio,
                "subreddit_type": "user",
                "accept_followers": True,
            },
            "snoovatar_size": None,
            "awardee_karma": 0,
            "id": stable_token("t2", a.key, length=8, alphabet=_B36),
            # Reddit's "verified" is e-mail verification, not a public check mark.
            "verified": bool(a.verified),
            "is_gold": False,
            "is_mod": False,
            "awarder_karma": 0,
            "has_verified_email": True,
            "icon_img": "https://www.redditstatic.com/avatars/defaults/v2/avatar_default_1.png",
            "hide_from_robots": False,
            "link_karma": karma,
            "total_karma": karma,
            "pref_show_snoovatar": False,
            "name": name,
            "created": created,
            "created_utc": created,
            "snoovatar_img": "",
            "comment_karma": 0,
            "accept_followers": True,
            "has_subscribed": True,
        }
        return _json(200, {"kind": "t2", "data": data})

    def _sub(self, a: WorldAccount | None) -> Response:
        if a is None or a.state is AccountState.DEACTIVATED:
            return _not_found()
        if a.state is AccountState.SUSPENDED:
            return _not_found("banned")
        if a.state is AccountState.PRIVATE:
            return _forbidden_private()
        name = a.display_handle
        created = _epoch(a)
        data = {
            "display_name": name,
            "title": a.display_name,
            "display_name_prefixed": f"r/{name}",
            "active_user_count": 0,
            "icon_img": "",
            "subscribers": a.followers,
            "name": "t5_" + stable_token("t5", a.key, length=6, alphabet=_B36),
            "quarantine": False,
            "public_description": a.bio,
            "description": a.bio + ("\n\n" + "\n".join(a.links) if a.links else ""),
            "created": created,
            "created_utc": created,
            "subreddit_type": "public",
            "id": stable_token("t5", a.key, length=6, alphabet=_B36),
            "over18": False,
            "lang": "en",
            "url": f"/r/{name}/",
        }
        return _json(200, {"kind": "t5", "data": data})

    def _listing(self, a: WorldAccount | None, kind: str, req: Request) -> Response:
        if a is None or a.state is AccountState.DEACTIVATED:
            return _not_found()
        if a.state is AccountState.SUSPENDED:
            return _not_found("banned" if kind == "r" else None)
        if kind == "r" and a.state is AccountState.PRIVATE:
            return _forbidden_private()
        try:
            limit = max(1, min(100, int(req.arg("limit") or 25)))
        except ValueError:
            limit = 25
        posts = [p for p in a.posts if p.repost_of is None][:limit]
        links = [self._link(a, kind, p) for p in posts]
        children = [{"kind": "t3", "data": link} for link in links]
        after = links[-1]["name"] if links and len(a.own_posts()) > limit else None
        return _json(
            200,
            {
                "kind": "Listing",
                "data": {
                    "after": after,
                    "dist": len(children),
                    "modhash": "",
                    "geo_filter": "",
                    "children": children,
                    "before": None,
                },
            },
        )

    def _link(self, a: WorldAccount, kind: str, p: Post) -> dict[str, Any]:
        pid = stable_token("t3", a.key, p.at, length=7, alphabet=_B36)
        sub = a.display_handle if kind == "r" else f"u_{a.display_handle}"
        slug = re.sub(r"[^a-z0-9]+", "_", p.text.casefold()).strip("_")[:40] or "post"
        permalink = f"/r/{sub}/comments/{pid}/{slug}/"
        created = float(int(p.at.timestamp()))
        return {
            "subreddit": sub,
            "selftext": "",
            "author": a.display_handle if kind == "u" else f"{a.display_handle}_mod",
            "title": p.text,
            "subreddit_name_prefixed": f"r/{sub}" if kind == "r" else f"u/{a.display_handle}",
            "name": f"t3_{pid}",
            "score": 1,
            "created": created,
            "created_utc": created,
            "domain": f"self.{sub}",
            "is_self": True,
            "id": pid,
            "num_comments": 0,
            "permalink": permalink,
            "url": f"https://www.reddit.com{permalink}",
            "stickied": p.pinned,
            "over_18": False,
            "subreddit_id": "t5_" + stable_token("t5", a.key, length=6, alphabet=_B36),
        }

    # -- trouble -------------------------------------------------------------------------------

    def rate_headers(self, w: RateWindow) -> list[tuple[str, str]]:
        # r/redditdev "Formal ratelimiting headers": reset = seconds left in the window;
        # remaining is a float string ("996.0" in the 2025 cassette).
        return [
            ("x-ratelimit-used", str(w.limit - w.remaining)),
            ("x-ratelimit-remaining", f"{float(w.remaining):.1f}"),
            ("x-ratelimit-reset", str(max(0, int(w.reset_at - w.now + 0.999)))),
        ]

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        r = _json(status or 429, {"message": "Too Many Requests", "error": 429})
        r.headers.extend(self.rate_headers(w))
        if retry_after is not None:
            r.headers.append(("Retry-After", str(int(retry_after))))
        return r

    def login_wall(self, ctx: Ctx, route: Route, req: Request) -> Response:
        # Reddit's network-policy block: an HTML 403 (research §5c: an HTML 403 is a block).
        page = (
            "<!doctype html><html><head><title>Blocked</title></head><body>"
            "<h1>whoa there, pardner!</h1><p>Your request has been blocked due to a network "
            'policy.</p><p>Try logging in or creating an account <a href="https://www.reddit.com/login/">'
            "here</a> to get back to browsing.</p></body></html>"
        )
        return html_response(403, page, [("Server", "snooserv")])

    def soft_404(self, ctx: Ctx, route: Route) -> Response:
        return _json(200, {"message": "Not Found", "error": 404})
