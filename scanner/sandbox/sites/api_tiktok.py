"""TikTok Display API (``/tiktok-api/v2/…``): ``user/info/`` and ``video/list/`` (a POST with a
JSON body) for the one account a token belongs to; every body carries ``error``, ``"ok"`` on
success; rate limits come without headers. Shapes from research owner-apis.md §5.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.keyring import TokenProblem
from scanner.sandbox.sites.api_base import ApiSite, fields_of, register_api
from scanner.sandbox.sites.base import Ctx, RateWindow, Route, json_response, stable_token
from scanner.sandbox.world import ApiName, WorldAccount, WorldCredential

__all__ = ["TikTokApi", "open_id"]

USER_SCOPES: Mapping[str, str] = {
    # developers.tiktok.com get-user-info: which scope each field needs (research §5).
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "display_name": "user.info.basic",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "username": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}
VIDEO_FIELDS = frozenset({"id", "create_time", "share_url", "title", "video_description"})
MAX_COUNT = 20


def open_id(a: WorldAccount) -> str:
    return "-000" + stable_token("tt-open", a.key, length=28)


def _envelope(status: int, data: Mapping[str, Any], code: str, message: str = "") -> Response:
    log_id = "20261115" + stable_token("tt-log", code, message, json.dumps(data), length=16)
    error = {"code": code, "message": message, "log_id": log_id}
    return json_response(status, {"data": dict(data), "error": error})


def _invalid(message: str) -> Response:
    return _envelope(400, {}, "invalid_params", message)


@register_api(ApiName.TIKTOK_API)
class TikTokApi(ApiSite):
    """The token's own user: a Display API token belongs to one TikTok account (the world
    credential's ``account``)."""

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        # 600 requests per minute, sliding, with no header saying so (research §5).
        message = "The API rate limit was exceeded. Please try again later."
        return _envelope(status or 429, {}, "rate_limit_exceeded", message)

    def token_error(self, problem: TokenProblem) -> Response:
        # TikTok words every bad token the same (fixture error_access_token_invalid).
        message = "The access token is invalid or not found in the request."
        return _envelope(401, {}, "access_token_invalid", message)

    def serve(self, req: Request, path: str, ctx: Ctx, credential: WorldCredential) -> Route:
        a = ctx.world.find(Platform.TIKTOK, credential.account or "")
        if a is None or a.state in (AccountState.SUSPENDED, AccountState.DEACTIVATED):
            # A banned or deleted user's tokens stop working with it.
            return self.about(a, path, lambda: self.token_error(TokenProblem.REVOKED))
        if path.rstrip("/") == "/v2/user/info" and req.method == "GET":
            return self.about(a, path, lambda: _user_info(req, a, credential))
        if path.rstrip("/") == "/v2/video/list" and req.method == "POST":
            return self.about(a, path, lambda: _video_list(req, a, credential))
        return self.about(a, path, lambda: _invalid(f"unsupported request {req.method} {path}"))


def _missing_scope(credential: WorldCredential, needed: set[str]) -> Response | None:
    """A world credential with scopes listed may use only those (none listed: all)."""
    lacking = sorted(needed - set(credential.scopes)) if credential.scopes else []
    if not lacking:
        return None
    message = "The user did not authorize the scope required for completing this request."
    return _envelope(401, {}, "scope_not_authorized", f"{message} ({lacking[0]})")


def _user_info(req: Request, a: WorldAccount, credential: WorldCredential) -> Response:
    fields = fields_of(req, "fields", ())
    unknown = [f for f in fields if f not in USER_SCOPES]
    if not fields or unknown:
        return _invalid(f"Invalid fields: {','.join(unknown) or '(none)'}")
    refused = _missing_scope(credential, {USER_SCOPES[f] for f in fields})
    if refused is not None:
        return refused
    user = {
        "open_id": open_id(a),
        "union_id": stable_token("tt-union", a.key, length=32),
        "avatar_url": f"https://p16-sign.tiktokcdn-us.com/{open_id(a)}.jpeg",
        "display_name": a.display_name or a.display_handle,
        "bio_description": a.bio,
        "profile_deep_link": f"https://vm.tiktok.com/{stable_token('tt-link', a.key, length=9)}/",
        "is_verified": bool(a.verified),
        "username": a.display_handle,
        "follower_count": a.followers,
        "following_count": a.following,
        "likes_count": len(a.posts) * 40,
        "video_count": len(a.own_posts()),
    }
    return _envelope(200, {"user": {f: user[f] for f in fields}}, "ok")


def _video_list(req: Request, a: WorldAccount, credential: WorldCredential) -> Response:
    """Newest first; ``cursor`` (epoch ms) pages to older videos (research §5)."""
    fields = fields_of(req, "fields", ())
    if not fields or any(f not in VIDEO_FIELDS for f in fields):
        return _invalid("Invalid fields")
    refused = _missing_scope(credential, {"video.list"})
    if refused is not None:
        return refused
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        return _invalid("The request body is not JSON")
    count, cursor = body.get("max_count", 10), body.get("cursor")
    if not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        return _invalid(f"max_count must be between 1 and {MAX_COUNT}")
    if cursor is not None and not isinstance(cursor, int):
        return _invalid("cursor must be an integer")
    older = [p for p in a.own_posts() if cursor is None or p.at.timestamp() * 1000 < cursor]
    videos = []
    for post in older[:count]:
        vid = stable_token("tt-video", a.key, post.at.isoformat(), length=19, alphabet="0123456789")
        video = {
            "id": vid,
            "create_time": int(post.at.timestamp()),
            "share_url": f"https://www.tiktok.com/@{a.display_handle}/video/{vid}",
            "title": post.text,
            "video_description": post.text,
        }
        videos.append({f: video[f] for f in fields})
    last = int(older[:count][-1].at.timestamp() * 1000) if videos else 0
    data = {"videos": videos, "cursor": last, "has_more": len(older) > count}
    return _envelope(200, data, "ok")
