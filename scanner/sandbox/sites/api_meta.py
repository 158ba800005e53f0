"""Meta Graph API (``/meta-graph/v{N}/…``): Facebook Pages by username or id, ``?ids=`` batches,
latest posts, Instagram professional accounts and media, the token's assets, ``debug_token``,
and Graph's error bodies and usage headers. Shapes from research owner-apis.md §1 and its samples.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from scanner.model import AccountState, HolderKind, Platform
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
    json_response,
    stable_token,
)
from scanner.sandbox.world import (
    ApiName,
    World,
    WorldAccount,
    WorldBusiness,
    WorldCredential,
    WorldHolder,
)

__all__ = [
    "APP_ID",
    "VERSION",
    "GraphError",
    "MetaGraph",
    "business_id",
    "graph_error",
    "graph_time",
    "ig_user_id",
    "page_id",
    "paged",
    "select",
    "token_error",
    "usage_headers",
]

VERSION = re.compile(r"^v\d+\.\d+$")
APP_ID = "902211334455667"
ORIGIN = "https://graph.facebook.com"
"""Where Graph's own paging links point (sample fb_published_posts_p1)."""
PAGE_FIELDS = (
    "id",
    "name",
    "username",
    "link",
    "fan_count",
    "followers_count",
    "verification_status",
    "is_verified",
    "is_published",
    "about",
    "website",
    "instagram_business_account",
)
IG_FIELDS = ("id", "username", "name", "biography", "website", "followers_count", "media_count")
PAGE_TASKS = ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"]
HIDDEN_STATES = (AccountState.SUSPENDED, AccountState.DEACTIVATED)
"""Graph merges "does not exist" with "you may not see it" (code 100, research §1.5): a Page
Meta has restricted answers like one the token cannot reach, never with the alias error."""


# --------------------------------------------------------------------------- Graph shapes


class GraphError(Exception):
    """Raised inside a handler: the Graph error body to answer with."""

    def __init__(self, code: int, message: str, subcode: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.subcode = code, message, subcode


def graph_error(
    code: int, message: str, subcode: int | None = None, kind: str = "OAuthException"
) -> Response:
    """``{"error":{message,type,code,error_subcode?,fbtrace_id}}`` with HTTP 400, as Graph
    answers its errors (samples fb_error_*); the parser reads the code, never the status."""
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "A" + stable_token("fbtrace", code, message, length=22)
    return json_response(400, {"error": error})


def token_error(problem: TokenProblem) -> Response:
    """Graph's answers to a bad token (samples fb_error_190_463/466, fb_error_190_bogus_token;
    code 104 is Graph's "An access token is required")."""
    match problem:
        case TokenProblem.MISSING:
            return graph_error(104, "An access token is required to request this resource.")
        case TokenProblem.UNKNOWN:
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        case TokenProblem.EXPIRED:
            return graph_error(190, "Error validating access token: Session has expired.", 463)
        case TokenProblem.REVOKED:
            message = (
                "Error validating access token: The session was invalidated explicitly "
                "using an API call."
            )
            return graph_error(190, message, 466)


def usage_headers(w: RateWindow, buc_id: str) -> list[tuple[str, str]]:
    """``x-app-usage`` and ``x-business-use-case-usage``: percentages of the window spent, and
    minutes to regain access once it is (python-facebook ratelimit.py, research §1.4)."""
    used = w.limit - w.remaining
    percent = min(100, math.ceil(100 * used / w.limit)) if w.limit else 100
    regain = math.ceil(max(0.0, w.reset_at - w.now) / 60) if w.remaining == 0 else 0
    app = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2}
    entry = {"type": "pages", **app, "estimated_time_to_regain_access": regain}
    return [
        ("x-app-usage", json.dumps(app, separators=(",", ":"))),
        ("x-business-use-case-usage", json.dumps({buc_id: [entry]}, separators=(",", ":"))),
    ]


def graph_time(dt: datetime) -> str:
    """``2026-11-28T16:04:11+0000`` (sample fb_posts_created_time_p1)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def paged(
    req: Request,
    origin: str,
    path: str,
    items: Sequence[Mapping[str, Any]],
    default_limit: int = 25,
) -> dict[str, Any]:
    """One page of an edge with cursor paging: ``paging.cursors`` always, ``paging.next`` only
    when more follow (research §1.6). ``next`` is on the real API's ``origin``, as Graph writes
    it, so a client re-bases it on its endpoint; it carries no token (tokens travel in headers)."""
    limit_arg = req.arg("limit") or str(default_limit)
    limit = min(100, max(1, int(limit_arg))) if limit_arg.isdigit() else default_limit
    start = decode_cursor(req.arg("after"))
    if start is None:
        raise GraphError(100, "Invalid cursor: the after parameter is not a cursor of this edge")
    chunk = list(items[start : start + limit])
    body: dict[str, Any] = {"data": chunk}
    if chunk:
        after = encode_cursor(start + len(chunk))
        paging: dict[str, Any] = {"cursors": {"before": encode_cursor(start), "after": after}}
        if start + len(chunk) < len(items):
            query = [(k, v[0]) for k, v in req.query.items() if k != "after" and v]
            paging["next"] = f"{origin}{path}?" + urlencode([*query, ("after", after)])
        body["paging"] = paging
    return body


def select(obj: Mapping[str, Any], fields: Sequence[str], node_type: str) -> dict[str, Any]:
    """Only the requested fields (``id`` always); a field the node type lacks is Graph's
    error 100 "Tried accessing nonexisting field"."""
    for name in fields:
        if name not in obj and name not in _OPTIONAL:
            raise GraphError(
                100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})"
            )
    return {k: obj[k] for k in ("id", *fields) if k in obj and obj[k] not in ("", None)}


# Fields a node has but leaves out when empty (Graph omits them rather than sending null).
_OPTIONAL = frozenset(
    {"about", "website", "instagram_business_account", "biography", "username", "name"}
)


# --------------------------------------------------------------------------- ids


def page_id(a: WorldAccount) -> str:
    return str(stable_id("facebook-page", a.key, digits=15))


def ig_user_id(a: WorldAccount) -> str:
    """17 digits starting ``178414`` like real Instagram professional account ids."""
    return "178414" + str(stable_id("ig-user", a.key, digits=11))


def business_id(world: World) -> str:
    return str(stable_id("business", world.name, digits=15))


def _post_id(a: WorldAccount, at: datetime) -> str:
    return str(stable_id("post", a.key, at.isoformat(), digits=15))


def _reachable(a: WorldAccount) -> bool:
    return a.api_access and a.state not in HIDDEN_STATES


def _linked_instagram(ctx: Ctx, page: WorldAccount) -> WorldAccount | None:
    return ctx.world.find(Platform.INSTAGRAM, page.instagram) if page.instagram else None


# --------------------------------------------------------------------------- the site


@register_api(ApiName.META_GRAPH)
class MetaGraph(ApiSite):
    """Routes below the version: ``/`` (ids), ``debug_token``, ``me``, ``me/accounts``,
    ``me/businesses``, ``{business}/owned_*``, ``{node}`` and its post and media edges."""

    def rate_headers(self, w: RateWindow) -> list[tuple[str, str]]:
        return usage_headers(w, APP_ID)

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        # Throttling arrives as an OAuthException code (research §1.4): the app's limit, with
        # the usage headers at 100% and the minutes until access returns.
        response = graph_error(4, "(#4) Application request limit reached")
        response.status = status or response.status
        response.headers.extend(self.rate_headers(w))
        return response

    def token_error(self, problem: TokenProblem) -> Response:
        return token_error(problem)

    def serve(self, req: Request, path: str, ctx: Ctx, credential: WorldCredential) -> Route:
        parts = [p for p in path.split("/") if p]
        if not parts or not VERSION.match(parts[0]):
            return self.about(None, path, lambda: graph_error(2500, "Unknown path components"))
        rest = parts[1:]
        account = self._node_account(ctx, rest[0]) if rest else None

        def render() -> Response:
            try:
                return json_response(200, self._answer(req, path, ctx, credential, rest))
            except GraphError as exc:
                return graph_error(exc.code, exc.message, exc.subcode)

        return self.about(account, path, render, rest[0] if rest else None)

    def _answer(
        self, req: Request, path: str, ctx: Ctx, credential: WorldCredential, rest: list[str]
    ) -> dict[str, Any]:
        if not rest:
            return self._batch(req, ctx)
        node, edge = rest[0], "/".join(rest[1:])
        if node == "debug_token" and not edge:
            return self._debug_token(req, ctx, credential)
        if node == "me":
            return self._me(req, path, ctx, edge)
        if node == business_id(ctx.world) and edge in _OWNED:
            _require(credential, edge)
            return paged(req, ORIGIN, path, _OWNED[edge](req, ctx))
        account = self._node_account(ctx, node)
        if account is None:
            raise _absent(node)
        if not _reachable(account):
            raise _missing_permission(node)
        _require(credential, edge)
        handler = _EDGES.get((account.platform, edge))
        if handler is None:
            raise GraphError(100, _UNSUPPORTED, None)
        return handler(req, path, ctx, account)

    @staticmethod
    def _node_account(ctx: Ctx, node: str) -> WorldAccount | None:
        """A Page by username or id, or an Instagram account by id (Instagram usernames are
        no Graph node: the real API answers the alias error for them too)."""
        for a in ctx.world.on(Platform.FACEBOOK):
            if node.casefold() in (a.key, page_id(a)):
                return a
        return next((a for a in ctx.world.on(Platform.INSTAGRAM) if ig_user_id(a) == node), None)

    def _batch(self, req: Request, ctx: Ctx) -> dict[str, Any]:
        """``?ids=a,b``: an object keyed by each alias as requested; any unknown alias fails
        the whole call with 803 naming them (sample fb_error_803_alias)."""
        raw = req.arg("ids")
        if not raw:
            raise GraphError(100, _UNSUPPORTED)
        aliases = [x.strip() for x in raw.split(",") if x.strip()]
        found = {alias: self._node_account(ctx, alias) for alias in aliases}
        missing = [alias for alias, a in found.items() if a is None]
        if missing:
            message = f"(#803) Some of the aliases you requested do not exist: {','.join(missing)}"
            raise GraphError(803, message)
        out: dict[str, Any] = {}
        for alias, a in found.items():
            assert a is not None
            if not _reachable(a):
                raise _missing_permission(alias)
            out[alias] = _node(req, ctx, a)
        return out

    def _me(self, req: Request, path: str, ctx: Ctx, edge: str) -> dict[str, Any]:
        if edge == "":
            return {
                "id": str(stable_id("system-user", ctx.world.name, digits=15)),
                "name": "Rollcall",
            }
        if edge == "businesses":
            return {"data": [{"id": business_id(ctx.world), "name": ctx.world.name}]}
        if edge == "accounts":
            fields = fields_of(req, "fields", ("access_token", "category", "name", "id", "tasks"))
            pages = [_asset(a, fields) for a in ctx.world.on(Platform.FACEBOOK) if _reachable(a)]
            body = paged(req, ORIGIN, path, pages)
            body["summary"] = {"total_count": len(pages)}
            return body
        raise GraphError(100, _UNSUPPORTED)

    def _debug_token(self, req: Request, ctx: Ctx, credential: WorldCredential) -> dict[str, Any]:
        """The token's health (sample fb_debug_token.json); ``input_token``, when sent, is the
        token inspected, else the caller's own."""
        inspected, problem = credential, None
        other = req.arg("input_token")
        if other and other != credential.token and ctx.keyring is not None:
            check = ctx.keyring.check(ApiName.META_GRAPH, other)
            inspected, problem = check.credential or credential, check.problem
        expires = int(inspected.expires_at.timestamp()) if inspected.expires_at else 0
        data: dict[str, Any] = {
            "app_id": APP_ID,
            "type": "USER" if expires else "SYSTEM_USER",
            "application": "Rollcall Sandbox",
            "data_access_expires_at": expires,
            "expires_at": expires,
            "is_valid": problem is None,
            "scopes": list(inspected.scopes),
            "granular_scopes": [{"scope": s} for s in inspected.scopes],
            "user_id": str(stable_id("system-user", ctx.world.name, digits=15)),
        }
        if problem is not None:
            error = json.loads(token_error(problem).body)["error"]
            data["error"] = {"code": error["code"], "message": error["message"]}
            if "error_subcode" in error:
                data["error"]["subcode"] = error["error_subcode"]
            data["scopes"] = []
        return {"data": data}


_UNSUPPORTED = (
    "Unsupported get request. Please read the Graph API documentation at "
    "https://developers.facebook.com/docs/graph-api"
)


def _absent(alias: str) -> GraphError:
    # The single-alias form of 803 (sample fb_error_803_single.json).
    return GraphError(803, f"(#803) Cannot query users by their username ({alias})")


def _missing_permission(node: str) -> GraphError:
    # Sample fb_error_100_missing_permission.json (subcode 33).
    message = (
        f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation. Please read the Graph API "
        "documentation at https://developers.facebook.com/docs/graph-api"
    )
    return GraphError(100, message, 33)


def _page_object(ctx: Ctx, a: WorldAccount) -> dict[str, Any]:
    ig = _linked_instagram(ctx, a)
    username = a.display_handle
    return {
        "id": page_id(a),
        "name": a.display_name or username,
        "username": username,
        "link": f"https://www.facebook.com/{username}/",
        # Likes (fan_count) trail followers on real Pages; both are counts the API returns.
        "fan_count": a.followers * 96 // 100,
        "followers_count": a.followers,
        "verification_status": "blue_verified" if a.verified else "not_verified",
        "is_verified": bool(a.verified),
        # An unpublished Page is the world's "private" Page: visible to its admins only.
        "is_published": a.state is not AccountState.PRIVATE,
        "about": a.bio,
        "website": a.links[0] if a.links else "",
        "instagram_business_account": {"id": ig_user_id(ig)} if ig is not None else None,
    }


def _ig_object(a: WorldAccount) -> dict[str, Any]:
    return {
        "id": ig_user_id(a),
        "username": a.display_handle,
        "name": a.display_name,
        "biography": a.bio,
        "website": a.links[0] if a.links else "",
        "followers_count": a.followers,
        "media_count": len(a.own_posts()),
        "profile_picture_url": f"https://scontent.cdninstagram.com/{ig_user_id(a)}.jpg",
    }


def _node(req: Request, ctx: Ctx, a: WorldAccount) -> dict[str, Any]:
    if a.platform is Platform.INSTAGRAM:
        if "business_discovery" in (req.arg("fields") or ""):
            return _business_discovery(req, ctx, a)
        return select(_ig_object(a), fields_of(req, "fields", ("id",)), "User")
    return select(_page_object(ctx, a), fields_of(req, "fields", ("id", "name")), "Page")


def _node_edge(req: Request, path: str, ctx: Ctx, a: WorldAccount) -> dict[str, Any]:
    return _node(req, ctx, a)


def _posts_edge(req: Request, path: str, ctx: Ctx, a: WorldAccount) -> dict[str, Any]:
    fields = fields_of(req, "fields", ("created_time", "message", "id"))
    posts = [
        {
            "id": f"{page_id(a)}_{_post_id(a, p.at)}",
            "created_time": graph_time(p.at),
            "message": p.text,
        }
        for p in a.own_posts()
    ]
    return paged(req, ORIGIN, path, [select(p, fields, "PagePost") for p in posts])


def _media_edge(req: Request, path: str, ctx: Ctx, a: WorldAccount) -> dict[str, Any]:
    fields = fields_of(req, "fields", ("id",))
    media = [
        {"id": _post_id(a, p.at), "timestamp": graph_time(p.at), "caption": p.text}
        for p in a.own_posts()
    ]
    return paged(req, ORIGIN, path, [select(m, fields, "IGMedia") for m in media])


# --------------------------------------------------------------------------- who holds a Page

_NEEDS: Mapping[str, str] = {
    # Research owner-apis.md §1.3: assigned_users wants pages_manage_metadata (and a token
    # with the MANAGE task); the Business Manager's people want business_management.
    "assigned_users": "pages_manage_metadata",
    "roles": "pages_manage_metadata",
    "agencies": "pages_manage_metadata",
    "business_users": "business_management",
    "system_users": "business_management",
}
TWO_FAC_STATUS = {True: "enabled", False: "not_enabled"}
"""``two_fac_status`` values; Meta documents the field (string) but not its values."""


def _require(credential: WorldCredential, edge: str) -> None:
    scope = _NEEDS.get(edge)
    if scope is not None and scope not in credential.scopes:
        raise GraphError(200, f"(#200) Requires {scope} permission to manage the object")


def _people(world: World) -> tuple[dict[str, WorldHolder], dict[str, WorldHolder]]:
    """The business's users and system users by id: its own list, and every Page holder who
    is one (a person with an email, a system user)."""
    business = world.business or WorldBusiness(world.name)
    users = {u.id: u for u in business.users}
    system = {u.id: u for u in business.system_users}
    for a in world.on(Platform.FACEBOOK):
        for h in a.holders:
            if h.kind is HolderKind.PERSON and h.email and h.id not in users:
                users[h.id] = h
            elif h.kind is HolderKind.SYSTEM_USER and h.id not in system:
                system[h.id] = h
    return users, system


def _named(h: WorldHolder, entry: WorldHolder | None) -> str:
    return h.name or (entry.name if entry is not None else "")


def _assigned_users_edge(req: Request, path: str, ctx: Ctx, a: WorldAccount) -> dict[str, Any]:
    """Business and system users assigned to the Page, with their tasks (research §1.3)."""
    users, system = _people(ctx.world)
    fields = fields_of(req, "fields", ("id", "name"))
    rows = []
    for h in a.holders:
        group = users if h.kind is HolderKind.PERSON else system
        if h.kind not in (HolderKind.PERSON, HolderKind.SYSTEM_USER) or h.id not in group:
            continue
        user_type = "SYSTEM_USER" if h.kind is HolderKind.SYSTEM_USER else "BUSINESS_USER"
        obj = {"id": h.id, "name": _named(h, group[h.id]), "user_type": user_type}
        rows.append(select({**obj, "tasks": list(h.tasks)}, fields, "AssignedUser"))
    return paged(req, ORIGIN, path, rows)


def _roles_edge(req: Request, path: str, ctx: Ctx, a: WorldAccount) -> dict[str, Any]:
    """People outside the business with a role on the Page ("This edge only returns people who
    do not belong to a business", research §1.3)."""
    users, _ = _people(ctx.world)
    fields = fields_of(req, "fields", ("id", "name"))
    rows = [
        select({"id": h.id, "name": h.name, "tasks": list(h.tasks)}, fields, "User")
        for h in a.holders
        if h.kind is HolderKind.PERSON and h.id not in users
    ]
    return paged(req, ORIGIN, path, rows)


def _agencies_edge(req: Request, path: str, ctx: Ctx, a: WorldAccount) -> dict[str, Any]:
    """Partner businesses with access to the Page."""
    business = ctx.world.business
    fields = fields_of(req, "fields", ("id", "name"))
    rows = [
        select(
            {"id": h.id, "name": _named(h, business.member(h.kind, h.id) if business else None)},
            fields,
            "Business",
        )
        for h in a.holders
        if h.kind is HolderKind.PARTNER
    ]
    return paged(req, ORIGIN, path, rows)


_EDGES: Mapping[
    tuple[Platform, str], Callable[[Request, str, Ctx, WorldAccount], dict[str, Any]]
] = {
    (Platform.FACEBOOK, ""): _node_edge,
    (Platform.FACEBOOK, "published_posts"): _posts_edge,
    (Platform.FACEBOOK, "posts"): _posts_edge,
    (Platform.INSTAGRAM, ""): _node_edge,
    (Platform.INSTAGRAM, "media"): _media_edge,
    (Platform.FACEBOOK, "assigned_users"): _assigned_users_edge,
    (Platform.FACEBOOK, "roles"): _roles_edge,
    (Platform.FACEBOOK, "agencies"): _agencies_edge,
}


def _asset(a: WorldAccount, fields: Sequence[str]) -> dict[str, Any]:
    # me/accounts hands out each Page's own token unless fields leave it out (research §1.1):
    # a made-up one here, which no API of the sandbox accepts.
    obj = {
        "id": page_id(a),
        "name": a.display_name or a.display_handle,
        "username": a.display_handle,
        "category": "Coffee shop",
        "tasks": PAGE_TASKS,
        "access_token": "EAASandboxPage" + stable_token("page-token", a.key, length=24),
    }
    return select(obj, fields, "Page")


def _owned_pages(req: Request, ctx: Ctx) -> list[dict[str, Any]]:
    fields = fields_of(req, "fields", ("id", "name"))
    return [_asset(a, fields) for a in ctx.world.on(Platform.FACEBOOK) if _reachable(a)]


def _owned_instagram(req: Request, ctx: Ctx) -> list[dict[str, Any]]:
    fields = fields_of(req, "fields", ("id", "username"))
    return [
        select(_ig_object(a), fields, "User")
        for a in ctx.world.on(Platform.INSTAGRAM)
        if _reachable(a)
    ]


def _business_users(req: Request, ctx: Ctx) -> list[dict[str, Any]]:
    fields = fields_of(req, "fields", ("id", "name"))
    users, _ = _people(ctx.world)
    return [
        select(
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "role": u.role or "EMPLOYEE",
                "two_fac_status": TWO_FAC_STATUS.get(u.two_factor)
                if u.two_factor is not None
                else None,
            },
            fields,
            "BusinessUser",
        )
        for u in users.values()
    ]


def _system_users(req: Request, ctx: Ctx) -> list[dict[str, Any]]:
    fields = fields_of(req, "fields", ("id", "name"))
    _, system = _people(ctx.world)
    return [
        select({"id": u.id, "name": u.name, "role": u.role or "EMPLOYEE"}, fields, "SystemUser")
        for u in system.values()
    ]


_OWNED: Mapping[str, Callable[[Request, Ctx], list[dict[str, Any]]]] = {
    "owned_pages": _owned_pages,
    "owned_instagram_accounts": _owned_instagram,
    "business_users": _business_users,
    "system_users": _system_users,
}


_DISCOVERY = re.compile(r"business_discovery\.username\((?P<name>[^)]+)\)(?:\{(?P<sub>.*)\})?")


def _business_discovery(req: Request, ctx: Ctx, own: WorldAccount) -> dict[str, Any]:
    """``fields=business_discovery.username(H){followers_count,media{timestamp}}`` from one's
    own IG account (samples ig_business_discovery_user/_media.json)."""
    match = _DISCOVERY.search(req.arg("fields") or "")
    if match is None:
        raise GraphError(100, "(#100) Syntax error in the business_discovery field")
    name = match.group("name")
    other = ctx.world.find(Platform.INSTAGRAM, name)
    if other is None or not _reachable(other):
        # The research's sources show this code for an unknown or non-professional username;
        # it proves nothing about absence to a careful reader, nor does the scanner read it so.
        raise GraphError(
            110, f"(#110) Invalid user id: the user with username {name} cannot be found"
        )
    sub = match.group("sub") or "id,username"
    media_wanted = "media" in sub
    simple = [f for f in re.sub(r"media\{[^}]*\}", "", sub).split(",") if f.strip()]
    found = select(_ig_object(other), [f.strip() for f in simple if f.strip() != "media"], "User")
    if media_wanted:
        found["media"] = {
            "data": [
                {"timestamp": graph_time(p.at), "id": _post_id(other, p.at)}
                for p in other.own_posts()[:25]
            ]
        }
    return {"business_discovery": found, "id": ig_user_id(own)}
