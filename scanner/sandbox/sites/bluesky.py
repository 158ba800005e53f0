"""Bluesky public AppView XRPC: ``app.bsky.actor.getProfile``, ``getProfiles`` (up to 25
``actors``) and ``app.bsky.feed.getAuthorFeed``. Error bodies are ``{error, message}`` with HTTP
400 (atproto xrpc-server), never 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.sites.base import (
    BodyKind,
    Ctx,
    RateWindow,
    Route,
    Site,
    iso_ms,
    json_response,
    register,
    stable_token,
)
from scanner.sandbox.world import Post, WorldAccount

_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_PROFILE = "/xrpc/app.bsky.actor.getProfile"
_PROFILES = "/xrpc/app.bsky.actor.getProfiles"
MAX_ACTORS = 25
"""getProfiles.json: ``actors`` maxLength 25."""
_FEED = "/xrpc/app.bsky.feed.getAuthorFeed"
_HEADERS = [
    ("X-Powered-By", "Express"),
    ("Access-Control-Allow-Origin", "*"),
    ("Vary", "Accept-Encoding"),
]


def did_of(handle: str) -> str:
    return "did:plc:" + stable_token(
        "bsky", handle.casefold().lstrip("@"), length=24, alphabet=_B32
    )


def account_did(a: WorldAccount) -> str:
    """The account's DID: the world's own, else one derived from its handle."""
    return a.did or did_of(a.key)


def _error(
    status: int, error: str, message: str, headers: list[tuple[str, str]] | None = None
) -> Response:
    return json_response(
        status, {"error": error, "message": message}, [*_HEADERS, *(headers or [])]
    )


def _profile_error(a: WorldAccount | None) -> Response | None:
    """getProfile.ts: unknown → InvalidRequest "Profile not found"; takedown; deactivated."""
    if a is None:
        return _error(400, "InvalidRequest", "Profile not found")
    if a.state is AccountState.SUSPENDED:
        return _error(400, "AccountTakedown", "Account has been suspended")
    if a.state is AccountState.DEACTIVATED:
        return _error(400, "AccountDeactivated", "Account is deactivated")
    return None


@register(Platform.BLUESKY)
class Bluesky(Site):
    app_title = "Bluesky"

    def route(self, req: Request, path: str, ctx: Ctx) -> Route:
        method = path.rstrip("/")
        if method == _PROFILES:
            return self._profiles_route(req, ctx, path)
        if method not in (_PROFILE, _FEED):
            return Route(
                None,
                None,
                BodyKind.JSON,
                lambda: _error(501, "MethodNotImplemented", "Method Not Implemented"),
                path,
            )
        actor = (req.arg("actor") or "").strip()
        if not actor:
            return Route(
                None,
                None,
                BodyKind.JSON,
                lambda: _error(
                    400, "InvalidRequest", 'Error: Params must have the property "actor"'
                ),
                path,
            )
        account = self._find(ctx, actor)
        key = account.key if account else actor.casefold().lstrip("@")
        if method == _PROFILE:
            return Route(key, account, BodyKind.JSON, lambda: self._profile(account), path)
        return Route(key, account, BodyKind.JSON, lambda: self._feed(ctx, account, req), path)

    def _profiles_route(self, req: Request, ctx: Ctx, path: str) -> Route:
        """getProfiles.ts: the actors that resolve to a visible profile, in order; an unknown,
        taken-down or deactivated actor is simply left out (no error names it). About no one
        account: per-account faults apply to the single probes only, host faults to this."""
        actors = [a.strip() for a in req.query.get("actors", []) if a.strip()]
        if not actors or len(actors) > MAX_ACTORS:
            why = (
                'Error: Params must have the property "actors"'
                if not actors
                else f"Error: actors must not have more than {MAX_ACTORS} elements"
            )
            return Route(
                None, None, BodyKind.JSON, lambda: _error(400, "InvalidRequest", why), path
            )

        def render() -> Response:
            shown: dict[str, WorldAccount] = {}
            for actor in actors:
                a = self._find(ctx, actor)
                if a is not None and _profile_error(a) is None:
                    shown.setdefault(a.key, a)  # one profile per account asked twice
            views = [self._view(a) for a in shown.values()]
            return json_response(200, {"profiles": views}, list(_HEADERS))

        return Route(None, None, BodyKind.JSON, render, path)

    def _find(self, ctx: Ctx, actor: str) -> WorldAccount | None:
        if actor.startswith("did:"):
            found = (a for a in ctx.world.on(Platform.BLUESKY) if account_did(a) == actor)
            return next(found, None)
        return ctx.world.find(Platform.BLUESKY, actor)

    def _basic(
        self, handle: str, display: str, created: datetime | None, did: str | None = None
    ) -> dict[str, Any]:
        did = did or did_of(handle)
        basic: dict[str, Any] = {
            "did": did,
            "handle": handle,
            "displayName": display,
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/{stable_token('av', did, length=20, alphabet=_B32)}@jpeg",
            "labels": [],
        }
        if created is not None:
            basic["createdAt"] = iso_ms(created)
        return basic

    def _labels(self, a: WorldAccount) -> list[dict[str, Any]]:
        if a.state is not AccountState.PRIVATE:
            return []
        # Bluesky has no private accounts; the closest is the self-label asking logged-out
        # clients not to show the profile.
        did = account_did(a)
        return [
            {
                "src": did,
                "uri": f"at://{did}/app.bsky.actor.profile/self",
                "val": "!no-unauthenticated",
                "cts": iso_ms(a.created_at or datetime(2023, 1, 1, tzinfo=UTC)),
            }
        ]

    def _post_uri(self, a: WorldAccount, p: Post) -> tuple[str, str]:
        rkey = stable_token("rkey", a.key, p.at, length=13, alphabet=_B32)
        return (
            f"at://{account_did(a)}/app.bsky.feed.post/{rkey}",
            "bafyrei" + stable_token("cid", a.key, p.at, length=52, alphabet=_B32),
        )

    def _profile(self, a: WorldAccount | None) -> Response:
        error = _profile_error(a)
        if error is not None or a is None:
            return error or _error(400, "InvalidRequest", "Profile not found")
        return json_response(200, self._view(a), list(_HEADERS))

    def _view(self, a: WorldAccount) -> dict[str, Any]:
        """``profileViewDetailed``: getProfile's body, and each of getProfiles' ``profiles``."""
        body: dict[str, Any] = {
            **self._basic(a.display_handle, a.display_name, a.created_at, account_did(a)),
            "associated": {"lists": 0, "feedgens": 0, "starterPacks": 0, "labeler": False},
            "labels": self._labels(a),
            "description": a.bio,
            "indexedAt": iso_ms(a.updated_at or a.created_at or datetime(2023, 1, 1, tzinfo=UTC)),
            "followersCount": a.followers,
            "followsCount": a.following,
            "postsCount": len(a.own_posts()),
        }
        if a.links:
            # profileViewDetailed.website (added 2025).
            body["website"] = a.links[0]
        pinned = next((p for p in a.posts if p.pinned and p.repost_of is None), None)
        if pinned is not None:
            uri, cid = self._post_uri(a, pinned)
            body["pinnedPost"] = {"uri": uri, "cid": cid}
        if a.verified is not None:
            body["verification"] = {
                "verifications": (
                    [
                        {
                            "issuer": "did:plc:z72i7hdynmk6r22z27h6tvur",
                            "uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.graph.verification/"
                            + stable_token("ver", a.key, length=13, alphabet=_B32),
                            "isValid": True,
                            "createdAt": iso_ms(a.created_at or datetime(2025, 4, 21, tzinfo=UTC)),
                        }
                    ]
                    if a.verified
                    else []
                ),
                "verifiedStatus": "valid" if a.verified else "none",
                "trustedVerifierStatus": "none",
            }
        return body

    def _feed_item(self, a: WorldAccount, p: Post, *, pin: bool = False) -> dict[str, Any]:
        if p.repost_of:
            other = p.repost_of.lstrip("@")
            original_at = p.at - timedelta(days=2)
            author = self._basic(other, other.split(".")[0], None)
            rkey = stable_token("rkey", other, p.at, length=13, alphabet=_B32)
            post: dict[str, Any] = {
                "uri": f"at://{did_of(other)}/app.bsky.feed.post/{rkey}",
                "cid": "bafyrei" + stable_token("cid", other, p.at, length=52, alphabet=_B32),
                "author": author,
                # The original author's time; the reposter's is reason.indexedAt.
                "record": {
                    "$type": "app.bsky.feed.post",
                    "createdAt": iso_ms(original_at),
                    "langs": ["en"],
                    "text": p.text,
                },
                "indexedAt": iso_ms(original_at),
            }
        else:
            uri, cid = self._post_uri(a, p)
            post = {
                "uri": uri,
                "cid": cid,
                "author": self._basic(
                    a.display_handle, a.display_name, a.created_at, account_did(a)
                ),
                "record": {
                    "$type": "app.bsky.feed.post",
                    "createdAt": iso_ms(p.at),
                    "langs": ["en"],
                    "text": p.text,
                },
                "indexedAt": iso_ms(p.at),
            }
        post.update(
            {
                "replyCount": 0,
                "repostCount": 0,
                "likeCount": 0,
                "quoteCount": 0,
                "viewer": {},
                "labels": [],
            }
        )
        item: dict[str, Any] = {"post": post}
        if pin:
            item["reason"] = {"$type": "app.bsky.feed.defs#reasonPin"}
        elif p.repost_of:
            item["reason"] = {
                "$type": "app.bsky.feed.defs#reasonRepost",
                "by": self._basic(a.display_handle, a.display_name, a.created_at, account_did(a)),
                "indexedAt": iso_ms(p.at),
            }
        return item

    def _feed(self, ctx: Ctx, a: WorldAccount | None, req: Request) -> Response:
        error = _profile_error(a)
        if error is not None or a is None:
            return error or _error(400, "InvalidRequest", "Profile not found")
        try:
            limit = max(1, min(100, int(req.arg("limit") or 50)))
        except ValueError:
            return _error(400, "InvalidRequest", "Error: limit must be an integer")
        posts = list(a.posts)
        cursor = req.arg("cursor")
        if cursor:
            posts = [p for p in posts if iso_ms(p.at) < cursor]
        items: list[dict[str, Any]] = []
        # Pins only come back with includePins=true (getAuthorFeed lexicon, default false), on
        # the first page, on top, flagged with reasonPin; the post also stays in its place.
        if req.arg("includePins") == "true" and not cursor:
            pinned = next((p for p in a.posts if p.pinned and p.repost_of is None), None)
            if pinned is not None:
                items.append(self._feed_item(a, pinned, pin=True))
        page = posts[:limit]
        items.extend(self._feed_item(a, p) for p in page)
        body: dict[str, Any] = {"feed": items}
        if len(posts) > limit:
            body["cursor"] = iso_ms(page[-1].at)
        return json_response(200, body, list(_HEADERS))

    # -- trouble -------------------------------------------------------------------------------

    def rate_headers(self, w: RateWindow) -> list[tuple[str, str]]:
        # xrpc-server rate-limiter-http.ts: epoch-second reset and a policy "limit;w=window".
        return [
            ("RateLimit-Limit", str(w.limit)),
            ("RateLimit-Remaining", str(w.remaining)),
            ("RateLimit-Reset", str(int(w.reset_at + 0.999))),
            ("RateLimit-Policy", f"{w.limit};w={max(1, round(w.window))}"),
        ]

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        headers = self.rate_headers(w)
        if retry_after is not None:
            headers.append(("Retry-After", str(int(retry_after))))
        return _error(status or 429, "RateLimitExceeded", "Rate Limit Exceeded", headers)

    def login_wall(self, ctx: Ctx, route: Route, req: Request) -> Response:
        return _error(401, "AuthMissing", "Authentication Required")

    def soft_404(self, ctx: Ctx, route: Route) -> Response:
        return _error(200, "InvalidRequest", "Profile not found")
