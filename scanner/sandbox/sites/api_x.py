"""X API v2 (``/x-api/2/…``): user lookups (one and batched), ``users/me``, timelines with
Snowflake ids built from post times, errors inside HTTP 200 for missing and suspended users,
``x-rate-limit-*`` headers and RFC 7807 problems. Shapes from research owner-apis.md §3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.keyring import TokenProblem
from scanner.sandbox.sites.api_base import (
    ApiSite,
    decode_cursor,
    encode_cursor,
    fields_of,
    register_api,
    stable_id,
)
from scanner.sandbox.sites.base import (
    Ctx,
    RateWindow,
    Route,
    iso_ms,
    json_response,
    stable_token,
)
from scanner.sandbox.world import ApiName, WorldAccount, WorldCredential

__all__ = ["MAX_USERNAMES", "SNOWFLAKE_EPOCH_MS", "XApi", "snowflake", "x_user_id"]

SNOWFLAKE_EPOCH_MS = 1288834974657
MAX_USERNAMES = 100
PROBLEMS = "https://api.twitter.com/2/problems/"
USER_FIELDS = frozenset(
    {
        "created_at",
        "description",
        "entities",
        "id",
        "location",
        "most_recent_tweet_id",
        "name",
        "pinned_tweet_id",
        "profile_image_url",
        "protected",
        "public_metrics",
        "url",
        "username",
        "verified",
        "verified_type",
    }
)


def snowflake(a: WorldAccount, at: datetime) -> str:
    """A Snowflake id whose top bits are the post time: ``(ms - epoch) << 22`` plus stable
    low bits, so ``(id >> 22) + epoch`` gives the time back (research §3)."""
    ms = int(at.timestamp() * 1000)
    return str(((ms - SNOWFLAKE_EPOCH_MS) << 22) | stable_id("tweet", a.key, ms, digits=6))


def x_user_id(a: WorldAccount) -> str:
    return str(stable_id("x-user", a.key, digits=19))


def _problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Response:
    return json_response(status, {"title": title, "detail": detail, "type": kind, "status": status})


def _invalid(parameter: str, values: Sequence[str], message: str) -> Response:
    body = {
        "errors": [{"parameters": {parameter: list(values)}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": PROBLEMS + "invalid-request",
    }
    return json_response(400, body)


def _user_problem(value: str, parameter: str, a: WorldAccount | None) -> dict[str, Any]:
    """The errors[] entry for a user that is not shown: "User has been suspended" with the
    title Forbidden, or "Could not find user" (fixtures user_suspended, user_not_found). A
    deactivated account is not found, as X shows no trace of it."""
    problem: dict[str, Any] = {"value": value}
    by = "id" if parameter == "id" else "username"
    if a is not None and a.state is AccountState.SUSPENDED:
        problem |= {"detail": f"User has been suspended: [{value}].", "title": "Forbidden"}
    else:
        problem |= {
            # The detail says "username" for single and batched lookups (fixture users_batch).
            "detail": f"Could not find user with {by}: [{value}].",
            "title": "Not Found Error",
        }
    return problem | {
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        "type": PROBLEMS + "resource-not-found",
    }


def _visible(a: WorldAccount | None) -> bool:
    return a is not None and a.state not in (AccountState.SUSPENDED, AccountState.DEACTIVATED)


def _user_object(a: WorldAccount) -> dict[str, Any]:
    protected = a.state is AccountState.PRIVATE
    obj: dict[str, Any] = {
        "id": x_user_id(a),
        "name": a.display_name or a.display_handle,
        "username": a.display_handle,
        "created_at": iso_ms(a.created_at) if a.created_at else None,
        "description": a.bio,
        "protected": protected,
        "verified": bool(a.verified),
        "verified_type": "blue" if a.verified else "none",
        "public_metrics": {
            "followers_count": a.followers,
            "following_count": a.following,
            "tweet_count": len(a.posts),
            "listed_count": a.followers // 300,
            "like_count": len(a.posts) * 3,
        },
    }
    if a.links:
        tco = "https://t.co/" + stable_token("tco", a.links[0], length=10)
        display = a.links[0].split("://", 1)[-1]
        urls = [{"start": 0, "end": 23, "url": tco, "expanded_url": a.links[0]}]
        obj["url"] = tco
        obj["entities"] = {"url": {"urls": [urls[0] | {"display_url": display}]}}
    # X leaves most_recent_tweet_id out for a protected account (fixture user_protected).
    if a.posts and not protected:
        obj["most_recent_tweet_id"] = snowflake(a, a.posts[0].at)
    return obj


@register_api(ApiName.X_API)
class XApi(ApiSite):
    """``/2/users/by/username/:u``, ``/2/users/by?usernames=``, ``/2/users/me``,
    ``/2/users/:id`` and ``/2/users/:id/tweets``."""

    def rate_headers(self, w: RateWindow) -> list[tuple[str, str]]:
        return [
            ("x-rate-limit-limit", str(w.limit)),
            ("x-rate-limit-remaining", str(w.remaining)),
            ("x-rate-limit-reset", str(math.ceil(w.reset_at))),
        ]

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        # 429 as an RFC 7807 problem, with the headers saying when the window resets.
        response = _problem(status or 429, "Too Many Requests", "Too Many Requests")
        response.headers.extend(self.rate_headers(w))
        return response

    def token_error(self, problem: TokenProblem) -> Response:
        # X says the same for a missing, unknown, expired or revoked token (research §3).
        return _problem(401, "Unauthorized", "Unauthorized")

    def serve(self, req: Request, path: str, ctx: Ctx, credential: WorldCredential) -> Route:
        parts = [p for p in path.split("/") if p]
        if parts[:2] != ["2", "users"] or len(parts) < 3:
            return self.about(None, path, lambda: _problem(404, "Not Found Error", "Not found"))
        rest = parts[2:]
        if rest[:2] == ["by", "username"] and len(rest) == 3:
            a = ctx.world.find(Platform.X, rest[2])
            return self.about(
                a, path, lambda: self._users(req, ctx, [rest[2]], single=True), rest[2]
            )
        if rest == ["by"]:
            names = [n for n in (req.arg("usernames") or "").split(",") if n]
            return self.about(None, path, lambda: self._users(req, ctx, names, single=False))
        if rest == ["me"]:
            return self.about(None, path, lambda: self._me(req, ctx, credential))
        a = self._by_id(ctx, rest[0])
        if len(rest) == 1:
            return self.about(a, path, lambda: self._user_by_id(req, rest[0], a), rest[0])
        if rest[1:] == ["tweets"]:
            render = lambda: self._tweets(req, ctx, rest[0], a, credential)  # noqa: E731
            return self.about(a, path, render, rest[0])
        return self.about(None, path, lambda: _problem(404, "Not Found Error", "Not found"))

    @staticmethod
    def _by_id(ctx: Ctx, user_id: str) -> WorldAccount | None:
        return next((a for a in ctx.world.on(Platform.X) if x_user_id(a) == user_id), None)

    def _users(self, req: Request, ctx: Ctx, names: Sequence[str], *, single: bool) -> Response:
        fields = fields_of(req, "user.fields", ())
        unknown = [f for f in fields if f not in USER_FIELDS]
        if unknown:
            message = f"The `user.fields` query parameter value [{unknown[0]}] is not valid"
            return _invalid("user.fields", unknown, message)
        if not single and not 1 <= len(names) <= MAX_USERNAMES:
            message = (
                f"The number of values in the `usernames` query parameter list "
                f"[{len(names)}] is not between 1 and {MAX_USERNAMES}"
            )
            return _invalid("usernames", names, message)
        data, errors = [], []
        for name in names:
            a = ctx.world.find(Platform.X, name)
            if _visible(a):
                assert a is not None
                data.append(_select(_user_object(a), fields))
            else:
                errors.append(_user_problem(name, "username" if single else "usernames", a))
        body: dict[str, Any] = {}
        if data:
            body["data"] = data[0] if single else data
        if errors:
            body["errors"] = errors
        return json_response(200, body)

    def _me(self, req: Request, ctx: Ctx, credential: WorldCredential) -> Response:
        """A user token's own user; an app-only bearer token (no ``account``) is refused as
        X does (research §3 "Auth": users/me needs user context)."""
        if credential.account is None:
            detail = (
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint."
                "  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User "
                "Context]."
            )
            kind = PROBLEMS + "unsupported-authentication"
            return _problem(403, "Unsupported Authentication", detail, kind)
        return self._users(req, ctx, [credential.account], single=True)

    def _user_by_id(self, req: Request, user_id: str, a: WorldAccount | None) -> Response:
        if not _visible(a):
            return json_response(200, {"errors": [_user_problem(user_id, "id", a)]})
        assert a is not None
        return json_response(
            200, {"data": _select(_user_object(a), fields_of(req, "user.fields", ()))}
        )

    def _tweets(
        self,
        req: Request,
        ctx: Ctx,
        user_id: str,
        a: WorldAccount | None,
        credential: WorldCredential,
    ) -> Response:
        if not _visible(a):
            return json_response(200, {"errors": [_user_problem(user_id, "id", a)]})
        assert a is not None
        own = credential.account is not None and ctx.world.find(Platform.X, credential.account) == a
        if a.state is AccountState.PRIVATE and not own:
            problem = {
                "value": user_id,
                "detail": f"Sorry, you are not authorized to see the user with id: [{user_id}].",
                "title": "Authorization Error",
                "resource_type": "user",
                "parameter": "id",
                "resource_id": user_id,
                "type": PROBLEMS + "not-authorized-for-resource",
            }
            return json_response(200, {"errors": [problem]})
        size = req.arg("max_results") or "10"
        if not size.isdigit() or not 5 <= int(size) <= 100:
            message = f"The `max_results` query parameter value [{size}] is not between 5 and 100"
            return _invalid("max_results", [size], message)
        start = decode_cursor(req.arg("pagination_token"))
        if start is None:
            return _invalid("pagination_token", [req.arg("pagination_token") or ""], "bad token")
        return json_response(200, _timeline(req, a, start, int(size)))


def _timeline(req: Request, a: WorldAccount, start: int, size: int) -> dict[str, Any]:
    """A timeline page, reposts included as on X (``RT @author``); ``meta.result_count`` 0
    and no ``data`` past the end (fixture tweets_empty)."""
    fields = fields_of(req, "tweet.fields", ())
    chunk = a.posts[start : start + size]
    if not chunk:
        return {"meta": {"result_count": 0}}
    tweets = []
    for post in chunk:
        tid = snowflake(a, post.at)
        text = f"RT @{post.repost_of}: {post.text}" if post.repost_of else post.text
        tweet: dict[str, Any] = {"id": tid, "text": text, "edit_history_tweet_ids": [tid]}
        if "created_at" in fields:
            tweet["created_at"] = iso_ms(post.at)
        tweets.append(tweet)
    meta: dict[str, Any] = {
        "result_count": len(tweets),
        "newest_id": tweets[0]["id"],
        "oldest_id": tweets[-1]["id"],
    }
    if start + size < len(a.posts):
        meta["next_token"] = encode_cursor(start + size)
    return {"data": tweets, "meta": meta}


def _select(obj: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """``id``, ``name`` and ``username`` always, the asked ``user.fields`` when known."""
    keep = {"id", "name", "username", *fields}
    return {k: v for k, v in obj.items() if k in keep and v is not None}
