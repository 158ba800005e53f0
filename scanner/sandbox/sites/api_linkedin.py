"""LinkedIn Community Management API (``/linkedin-api/rest/…``): organizations by vanity name,
follower counts (``networkSizes``), posts by author and the token's organization roles; the
``LinkedIn-Version`` and ``X-Restli-Protocol-Version`` headers are required, and a 429 comes
without rate-limit headers. Shapes from research owner-apis.md §4 (no recordings exist).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import unquote

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.keyring import TokenProblem
from scanner.sandbox.sites.api_base import ApiSite, register_api, stable_id
from scanner.sandbox.sites.base import Ctx, RateWindow, Route, json_response
from scanner.sandbox.world import ApiName, WorldAccount, WorldCredential

__all__ = ["LinkedInApi", "active_version", "org_id"]

URN = "urn:li:organization:"
_VERSION = re.compile(r"^(?P<year>20\d\d)(?P<month>0[1-9]|1[0-2])(?:\.\d\d)?$")


def org_id(a: WorldAccount) -> int:
    return stable_id("li-org", a.key, digits=8)


def active_version(version: str, as_of: date) -> bool:
    """``YYYYMM`` (or ``YYYYMM.NN``) released within the year before ``as_of``: LinkedIn
    sunsets versions after about a year (research §4)."""
    match = _VERSION.match(version)
    if match is None:
        return False
    months = int(match["year"]) * 12 + int(match["month"]) - 1
    now = as_of.year * 12 + as_of.month - 1
    return now - 12 <= months <= now


def _error(
    status: int, message: str, code: str | None = None, service: int | None = None
) -> Response:
    body: dict[str, Any] = {"status": status}
    if service is not None:
        body["serviceErrorCode"] = service
    if code is not None:
        body["code"] = code
    body["message"] = message
    return json_response(status, body)


def _visible(a: WorldAccount) -> bool:
    return a.api_access and a.state not in (AccountState.SUSPENDED, AccountState.DEACTIVATED)


@register_api(ApiName.LINKEDIN_API)
class LinkedInApi(ApiSite):
    """``organizations?q=vanityName``, ``networkSizes/{urn}``, ``posts?q=author``,
    ``organizationAcls?q=roleAssignee``; anything else is LinkedIn's 404."""

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        # No rate-limit headers at all, daily limits reset at midnight UTC (research §4).
        message = "Resource level throttle limit for calls to this resource is reached."
        return _error(status or 429, message, service=101)

    def token_error(self, problem: TokenProblem) -> Response:
        match problem:
            case TokenProblem.MISSING:
                return _error(401, "Empty oauth2_access_token", service=401)
            case TokenProblem.UNKNOWN:
                return _error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)
            case TokenProblem.EXPIRED:
                message = "The token used in the request has expired"
                return _error(401, message, "EXPIRED_ACCESS_TOKEN", 65601)
            case TokenProblem.REVOKED:
                message = "The token used in the request has been revoked by the user"
                return _error(401, message, "REVOKED_ACCESS_TOKEN", 65602)

    def serve(self, req: Request, path: str, ctx: Ctx, credential: WorldCredential) -> Route:
        refused = self._headers_refused(req, ctx)
        if refused is not None:
            answer = refused
            return self.about(None, path, lambda: answer)
        parts = [unquote(p) for p in path.split("/") if p]
        if parts[:1] != ["rest"] or len(parts) < 2:
            return self.about(None, path, lambda: _error(404, "Not Found"))
        resource = parts[1]
        if resource == "networkSizes" and len(parts) == 3:
            a = self._by_urn(ctx, parts[2])
            return self.about(a, path, lambda: _network_size(req, a))
        finder = _FINDERS.get((resource, req.arg("q") or ""))
        if finder is None or len(parts) != 2:
            return self.about(None, path, lambda: _error(404, "Not Found"))
        account = self._subject(req, ctx)
        return self.about(account, path, lambda: finder(req, ctx, account))

    @staticmethod
    def _headers_refused(req: Request, ctx: Ctx) -> Response | None:
        version = req.headers.get("linkedin-version")
        if not version:
            message = (
                "A version must be present. Please specify a version by adding the "
                "LinkedIn-Version header."
            )
            return _error(400, message, "VERSION_MISSING")
        if not active_version(version, ctx.world.as_of):
            return _error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION")
        if req.headers.get("x-restli-protocol-version") != "2.0.0":
            # Without Rest.li 2.0 the finder's URN parameters are not parsed (research §4).
            return _error(400, "Invalid query parameters passed to request", "ILLEGAL_ARGUMENT")
        return None

    @staticmethod
    def _by_urn(ctx: Ctx, urn: str) -> WorldAccount | None:
        if not urn.startswith(URN):
            return None
        return next(
            (a for a in ctx.world.on(Platform.LINKEDIN) if str(org_id(a)) == urn[len(URN) :]),
            None,
        )

    def _subject(self, req: Request, ctx: Ctx) -> WorldAccount | None:
        vanity = req.arg("vanityName")
        if vanity is not None:
            return ctx.world.find(Platform.LINKEDIN, vanity)
        return self._by_urn(ctx, req.arg("author") or "")


def _organization(a: WorldAccount) -> dict[str, Any]:
    org: dict[str, Any] = {
        "id": org_id(a),
        "vanityName": a.display_handle,
        "localizedName": a.display_name or a.display_handle,
        "localizedDescription": a.bio,
        "versionTag": "4",
    }
    if a.links:
        org["localizedWebsite"] = a.links[0]
    return {k: v for k, v in org.items() if v != ""}


def _organizations(req: Request, ctx: Ctx, a: WorldAccount | None) -> Response:
    """The vanity-name finder: an organization the token may not see, or none at all, comes
    back as an empty ``elements`` (fixture organizations_empty)."""
    elements = [_organization(a)] if a is not None and _visible(a) else []
    return json_response(200, {"elements": elements, "paging": _paging(req, len(elements))})


def _network_size(req: Request, a: WorldAccount | None) -> Response:
    if req.arg("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER":
        return _error(400, "Invalid value for param edgeType", "ILLEGAL_ARGUMENT")
    if a is None:
        return _error(404, "Not Found")
    if not _visible(a):
        return _access_denied("organizationalEntityNetworkSizes")
    return json_response(200, {"firstDegreeSize": a.followers})


def _access_denied(resource: str) -> Response:
    # Fixture error_403_access_denied.json.
    message = f"Not enough permissions to access: {resource}.GET.20260101"
    return _error(403, message, "ACCESS_DENIED", 100)


def _posts(req: Request, ctx: Ctx, a: WorldAccount | None) -> Response:
    """Newest first by creation; every world post is published (``publishedAt`` in ms)."""
    if a is None:
        return _error(404, "Not Found")
    if not _visible(a):
        return _access_denied("partnerApiPostsExternal.FINDER-author")
    count_arg, start_arg = req.arg("count") or "10", req.arg("start") or "0"
    count = min(100, int(count_arg)) if count_arg.isdigit() else 10
    start = int(start_arg) if start_arg.isdigit() else 0
    elements = []
    for post in a.own_posts()[start : start + count]:
        ms = int(post.at.timestamp() * 1000)
        elements.append(
            {
                "id": f"urn:li:share:{stable_id('li-post', a.key, ms, digits=19)}",
                "author": f"{URN}{org_id(a)}",
                "lifecycleState": "PUBLISHED",
                "visibility": "PUBLIC",
                "createdAt": ms,
                "publishedAt": ms,
                "lastModifiedAt": ms,
                "commentary": post.text,
            }
        )
    paging = _paging(req, count) | {"start": start, "total": len(a.own_posts())}
    return json_response(200, {"elements": elements, "paging": paging})


def _acls(req: Request, ctx: Ctx, a: WorldAccount | None) -> Response:
    """The token member's roles: administrator of every organization it can see."""
    member = f"urn:li:person:{stable_id('li-member', ctx.world.name, digits=10)}"
    elements = [
        {
            "roleAssignee": member,
            "state": "APPROVED",
            "role": "ADMINISTRATOR",
            "organization": f"{URN}{org_id(o)}",
        }
        for o in ctx.world.on(Platform.LINKEDIN)
        if _visible(o)
    ]
    return json_response(200, {"elements": elements, "paging": _paging(req, len(elements))})


def _paging(req: Request, count: int) -> dict[str, Any]:
    return {"count": count, "start": 0, "links": []}


_FINDERS: Mapping[tuple[str, str], Callable[[Request, Ctx, WorldAccount | None], Response]] = {
    ("organizations", "vanityName"): _organizations,
    ("posts", "author"): _posts,
    ("organizationAcls", "roleAssignee"): _acls,
}
