"""YouTube Data API v3 (``/youtube-api/youtube/v3/…``, key in ``X-Goog-Api-Key``): ``channels``
by ``forHandle`` or ``id=a,b``, the uploads playlist's ``playlistItems``, hidden subscriber
counts, and Google's error bodies (``keyInvalid``, ``quotaExceeded`` once a key's quota is
spent). Shapes from research owner-apis.md §6 and its samples.
"""

from __future__ import annotations

from typing import Any

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.keyring import TokenProblem
from scanner.sandbox.sites.api_base import ApiSite, decode_cursor, encode_cursor, register_api
from scanner.sandbox.sites.base import (
    Ctx,
    RateWindow,
    Route,
    iso_s,
    json_response,
    stable_token,
)
from scanner.sandbox.sites.youtube import channel_id
from scanner.sandbox.world import YOUTUBE_CHANNEL_ID, ApiName, WorldAccount, WorldCredential

__all__ = ["YouTubeDataApi", "uploads_playlist"]

PARTS = frozenset({"id", "snippet", "statistics", "status", "contentDetails"})
MAX_RESULTS = 50


def uploads_playlist(a: WorldAccount) -> str:
    """``UU`` + the channel id's tail, as YouTube names every uploads playlist."""
    return "UU" + channel_id(a)[2:]


def google_error(
    status: int, message: str, reason: str, domain: str, state: str | None = None
) -> Response:
    """``{"error":{code,message,errors:[{message,domain,reason}],status?}}`` (samples
    error_400_keyInvalid.json, error_403_quotaExceeded.json)."""
    error: dict[str, Any] = {
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}],
    }
    if state is not None:
        error["status"] = state
    return json_response(status, {"error": error})


def _key_invalid() -> Response:
    message = "API key not valid. Please pass a valid API key."
    return google_error(400, message, "keyInvalid", "usageLimits", "INVALID_ARGUMENT")


def _visible(a: WorldAccount) -> bool:
    # A terminated or deleted channel is no longer returned by channels.list at all.
    return a.state not in (AccountState.SUSPENDED, AccountState.DEACTIVATED)


@register_api(ApiName.YOUTUBE_API)
class YouTubeDataApi(ApiSite):
    """Each call spends one quota unit of the key (research §6: list calls cost 1)."""

    def secret(self, req: Request) -> str | None:
        return req.headers.get("x-goog-api-key", "").strip() or None

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        return google_error(
            status or 403, "Rate Limit Exceeded", "rateLimitExceeded", "usageLimits"
        )

    def token_error(self, problem: TokenProblem) -> Response:
        if problem is TokenProblem.MISSING:
            message = (
                "Method doesn't allow unregistered callers (callers without established "
                "identity). Please use API Key or other form of API consumer identity to call "
                "this API."
            )
            return google_error(403, message, "forbidden", "global", "PERMISSION_DENIED")
        # An API key does not expire; a deleted or restricted one is simply not valid.
        return _key_invalid()

    def serve(self, req: Request, path: str, ctx: Ctx, credential: WorldCredential) -> Route:
        keyring = ctx.keyring
        assert keyring is not None
        resource = path.rstrip("/").removeprefix("/youtube/v3/")
        handle = req.arg("forHandle") or (req.arg("id") or "").split(",")[0] or None
        account = self._find(ctx, handle) if handle else None

        def render() -> Response:
            if not keyring.spend(credential.token, 1):
                message = "The request cannot be completed because you have exceeded your quota."
                return google_error(403, message, "quotaExceeded", "youtube.quota")
            if resource == "channels":
                return _channels(req, ctx)
            if resource == "playlistItems":
                return _playlist_items(req, ctx)
            return google_error(404, "Not Found", "notFound", "global", "NOT_FOUND")

        return self.about(account, path, render, handle)

    @staticmethod
    def _find(ctx: Ctx, handle: str) -> WorldAccount | None:
        if YOUTUBE_CHANNEL_ID.match(handle):
            return next(
                (a for a in ctx.world.on(Platform.YOUTUBE) if channel_id(a) == handle), None
            )
        found = ctx.world.find(Platform.YOUTUBE, handle)
        # forHandle finds @handles only, never a bare channel id written as a handle.
        return found if found is not None and found.handle.startswith("@") else None


def _channels(req: Request, ctx: Ctx) -> Response:
    parts = [p for p in (req.arg("part") or "").split(",") if p]
    if not parts:
        return google_error(400, "Required parameter: part", "required", "global")
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        message = f"'{unknown[0]}'"
        return google_error(400, message, "unknownPart", "youtube.part")
    if req.arg("forHandle"):
        found = YouTubeDataApi._find(ctx, req.arg("forHandle") or "")
        accounts = [found] if found is not None else []
    elif req.arg("id"):
        ids = [i for i in (req.arg("id") or "").split(",") if i][:MAX_RESULTS]
        # id= takes channel ids only, case-sensitive (research §6).
        by_id = {channel_id(a): a for a in ctx.world.on(Platform.YOUTUBE)}
        accounts = [by_id[i] for i in ids if i in by_id]
    else:
        message = "No filter selected. Expected one of: forHandle, id, mine."
        return google_error(400, message, "missingRequiredParameter", "youtube.parameter")
    items = [_channel(a, parts) for a in accounts if _visible(a)]
    body: dict[str, Any] = {
        "kind": "youtube#channelListResponse",
        "etag": stable_token("yt-etag", req.target, length=27),
        "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
    }
    # Zero channels: no items key at all (fixture channels_empty).
    if items:
        body["items"] = items
    return json_response(200, body)


def _channel(a: WorldAccount, parts: list[str]) -> dict[str, Any]:
    cid = channel_id(a)
    snippet: dict[str, Any] = {
        "title": a.display_name or a.display_handle,
        "description": a.bio,
        "publishedAt": iso_s(a.created_at) if a.created_at else "2006-01-01T00:00:00Z",
    }
    if a.handle.startswith("@"):
        snippet["customUrl"] = a.handle.casefold()
    statistics: dict[str, Any] = {"viewCount": str(a.followers * 120)}
    # With the count hidden the API leaves subscriberCount out (research §6).
    if not a.hidden_followers:
        statistics["subscriberCount"] = str(a.followers)
    statistics |= {"hiddenSubscriberCount": a.hidden_followers, "videoCount": str(len(a.posts))}
    privacy = "private" if a.state is AccountState.PRIVATE else "public"
    sections: dict[str, Any] = {
        "snippet": snippet,
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": uploads_playlist(a)}},
        "statistics": statistics,
        "status": {"privacyStatus": privacy, "isLinked": True},
    }
    item: dict[str, Any] = {
        "kind": "youtube#channel",
        "etag": stable_token("yt-etag", cid, length=27),
        "id": cid,
    }
    return item | {p: sections[p] for p in parts if p in sections}


def _playlist_items(req: Request, ctx: Ctx) -> Response:
    playlist = req.arg("playlistId") or ""
    a = next((x for x in ctx.world.on(Platform.YOUTUBE) if uploads_playlist(x) == playlist), None)
    if a is None or not _visible(a) or a.state is AccountState.PRIVATE:
        message = "The playlist identified with the request's <code>playlistId</code> parameter cannot be found."
        return google_error(404, message, "playlistNotFound", "youtube.playlistItem")
    size_arg = req.arg("maxResults") or "5"
    size = min(MAX_RESULTS, int(size_arg)) if size_arg.isdigit() else 5
    start = decode_cursor(req.arg("pageToken"))
    if start is None:
        return google_error(400, "Invalid page token", "invalidPageToken", "youtube.parameter")
    posts = a.own_posts()
    items = [
        {
            "kind": "youtube#playlistItem",
            "etag": stable_token("yt-etag", playlist, p.at.isoformat(), length=27),
            "id": stable_token("yt-item", playlist, p.at.isoformat(), length=40),
            "contentDetails": {
                "videoId": stable_token("yt-video", a.key, p.at.isoformat(), length=11),
                "videoPublishedAt": iso_s(p.at),
            },
        }
        for p in posts[start : start + size]
    ]
    body: dict[str, Any] = {"kind": "youtube#playlistItemListResponse", "etag": "sandbox"}
    if start + size < len(posts):
        body["nextPageToken"] = encode_cursor(start + size)
    body |= {"pageInfo": {"totalResults": len(posts), "resultsPerPage": size}, "items": items}
    return json_response(200, body)
