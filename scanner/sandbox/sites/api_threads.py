"""Threads API (``/threads-graph/v1.0/…``): the token's own profile (``me``), its posts
(``threads``) and follower count (``threads_insights``); errors, usage headers and paging are
the Graph API's (research owner-apis.md §2), so they come from :mod:`api_meta`.
"""

from __future__ import annotations

from typing import Any

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.keyring import TokenProblem
from scanner.sandbox.sites.api_base import ApiSite, fields_of, register_api, stable_id
from scanner.sandbox.sites.api_meta import (
    APP_ID,
    VERSION,
    GraphError,
    graph_error,
    graph_time,
    paged,
    select,
    token_error,
    usage_headers,
)
from scanner.sandbox.sites.base import Ctx, RateWindow, Route, json_response
from scanner.sandbox.world import ApiName, WorldAccount, WorldCredential

__all__ = ["ThreadsApi", "threads_user_id"]

ORIGIN = "https://graph.threads.net"
"""Where Threads' paging links point (fixture threads_p1)."""


def threads_user_id(a: WorldAccount) -> str:
    return str(stable_id("threads-user", a.key, digits=17))


@register_api(ApiName.THREADS_GRAPH)
class ThreadsApi(ApiSite):
    """``me``, ``{me|id}/threads`` and ``{me|id}/threads_insights`` of the credential's own
    account: "You may only fetch the profile of the app-scoped user" (research §2)."""

    def rate_headers(self, w: RateWindow) -> list[tuple[str, str]]:
        return usage_headers(w, APP_ID)

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        response = graph_error(4, "(#4) Application request limit reached")
        response.status = status or response.status
        response.headers.extend(self.rate_headers(w))
        return response

    def token_error(self, problem: TokenProblem) -> Response:
        return token_error(problem)

    def serve(self, req: Request, path: str, ctx: Ctx, credential: WorldCredential) -> Route:
        a = ctx.world.find(Platform.THREADS, credential.account or "")
        if a is None or a.state in (AccountState.SUSPENDED, AccountState.DEACTIVATED):
            # A banned or deleted profile's tokens stop working with it.
            return self.about(a, path, lambda: token_error(TokenProblem.REVOKED))
        parts = [p for p in path.split("/") if p]

        def render() -> Response:
            try:
                return json_response(200, _answer(req, path, ctx, a, parts))
            except GraphError as exc:
                return graph_error(exc.code, exc.message, exc.subcode)

        return self.about(a, path, render)


def _answer(req: Request, path: str, ctx: Ctx, a: WorldAccount, parts: list[str]) -> dict[str, Any]:
    if len(parts) < 2 or not VERSION.match(parts[0]):
        raise GraphError(2500, "Unknown path components")
    node, edge = parts[1], "/".join(parts[2:])
    if node not in ("me", threads_user_id(a)):
        message = "(#100) You may only fetch the profile of the app-scoped user"
        raise GraphError(100, message, 33)
    if edge == "":
        profile = {
            "id": threads_user_id(a),
            "username": a.display_handle,
            "name": a.display_name,
            "threads_biography": a.bio,
            "is_verified": bool(a.verified),
        }
        return select(profile, fields_of(req, "fields", ("id",)), "ThreadsUser")
    if edge == "threads":
        fields = fields_of(req, "fields", ("id",))
        posts = [
            {
                "id": str(stable_id("thread", a.key, p.at.isoformat(), digits=17)),
                "timestamp": graph_time(p.at),
                "permalink": f"https://www.threads.net/@{a.display_handle}/post/"
                + str(stable_id("thread-code", a.key, p.at.isoformat(), digits=11)),
                "text": p.text,
            }
            for p in a.own_posts()
        ]
        return paged(req, ORIGIN, path, [select(p, fields, "ThreadsMedia") for p in posts])
    if edge == "threads_insights":
        return _insights(req, a)
    raise GraphError(100, "Unsupported get request.")


def _insights(req: Request, a: WorldAccount) -> dict[str, Any]:
    """``followers_count`` as a total value (fixture insights_followers.json)."""
    metrics = [m for m in (req.arg("metric") or "").split(",") if m]
    if metrics != ["followers_count"]:
        raise GraphError(100, "(#100) The value must be a valid insights metric: followers_count")
    item = {
        "name": "followers_count",
        "period": "day",
        "title": "followers_count",
        "description": "The number of followers on the profile.",
        "total_value": {"value": a.followers},
        "id": f"{threads_user_id(a)}/insights/followers_count/day",
    }
    return {"data": [item]}
