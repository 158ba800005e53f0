"""LinkedIn Community Management API (``/linkedin-api/rest/…``): organizations by vanity name or
id, follower counts (``networkSizes``), posts by author, the token's organization roles and an
organization's ACLs (start/count paged); the ``LinkedIn-Version`` and
``X-Restli-Protocol-Version`` headers are required, and a 429 comes without rate-limit headers.
Shapes from research owner-apis.md §4 (no recordings exist).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import unquote, urlencode

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.keyring import TokenProblem
from scanner.sandbox.sites.api_base import ApiSite, register_api, stable_id
from scanner.sandbox.sites.base import Ctx, RateWindow, Route, json_response
from scanner.sandbox.world import ApiName, WorldAccount, WorldCredential

__all__ = ["ACL_SCOPES", "LinkedInApi", "active_version", "org_id"]

URN = "urn:li:organization:"
ACL_SCOPES = frozenset({"r_organization_admin", "rw_organization_admin"})
"""A credential whose scopes are listed needs one of these to list an organization's ACLs
(``q=organization``): research §4 names both for organizationAcls; r_organization_admin is the
read grant, and rw_organization_admin includes it."""
MAX_COUNT = 100
"""The largest ``count`` a paged finder honours here."""
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
    """``organizations?q=vanityName``, ``organizations/{id}``, ``networkSizes/{urn}``,
    ``posts?q=author``, ``organizationAcls?q=roleAssignee`` and ``?q=organization``; anything
    else is LinkedIn's 404."""

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
        if resource == "organizations" and len(parts) == 3:
            a = self._by_urn(ctx, URN + parts[2])
            return self.about(a, path, lambda: _organization_by_id(a))
        if resource == "organizationAcls" and req.arg("q") == "organization":
            a = self._by_urn(ctx, req.arg("organization") or "")
            return self.about(a, path, lambda: _organization_acls(req, credential, a))
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


def _organization_by_id(a: WorldAccount | None) -> Response:
    """An organization the token administers; another one is refused (Organization Lookup
    needs the ADMINISTRATOR role, research §4)."""
    if a is None:
        return _error(404, "Not Found")
    if not _visible(a):
        return _access_denied("organizations")
    return json_response(200, _organization(a))


def _organization_acls(
    req: Request, credential: WorldCredential, a: WorldAccount | None
) -> Response:
    """Who holds a role on the organization (the world's ``holders``), start/count paged. A
    token without an admin scope, or one that does not reach the organization, is refused; so
    is every token for an organization whose world lists no holders: a LinkedIn page always has
    an administrator, so the world has not said who, and the holders stay unknown."""
    if a is None:
        return _error(404, "Not Found")
    lacking = credential.scopes and not ACL_SCOPES & set(credential.scopes)
    if lacking or not _visible(a) or not a.holders:
        return _access_denied("organizationAcls")
    rows = [
        {
            "roleAssignee": h.id,
            "role": h.role,
            "state": h.state,
            "organization": f"{URN}{org_id(a)}",
        }
        for h in a.holders
    ]
    return _paged(req, rows)


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
    """The token member's roles: administrator of every organization it can see (the
    ``role`` and ``state`` filters narrow them), start/count paged."""
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
    wanted = {k: v for k in ("role", "state") if (v := req.arg(k))}
    return _paged(req, [e for e in elements if all(e[k] == v for k, v in wanted.items())])


def _paged(req: Request, rows: list[dict[str, Any]]) -> Response:
    """Rest.li paging: ``start``/``count`` (default 10, at most :data:`MAX_COUNT`), ``total``,
    and a ``rel: next`` link while rows remain."""
    count_arg, start_arg = req.arg("count") or "10", req.arg("start") or "0"
    if not count_arg.isdigit() or not start_arg.isdigit() or int(count_arg) == 0:
        return _error(400, "Invalid value for param start or count", "ILLEGAL_ARGUMENT")
    start, count = int(start_arg), min(MAX_COUNT, int(count_arg))
    page = rows[start : start + count]
    links = []
    if start + count < len(rows):
        query = {k: v[-1] for k, v in req.query.items()} | {
            "start": str(start + count),
            "count": str(count),
        }
        href = f"/rest/{req.path.rsplit('/rest/', 1)[-1]}?{urlencode(query)}"
        links.append({"rel": "next", "href": href, "type": "application/json"})
    paging = {"start": start, "count": count, "total": len(rows), "links": links}
    return json_response(200, {"elements": page, "paging": paging})


def _paging(req: Request, count: int) -> dict[str, Any]:
    return {"count": count, "start": 0, "links": []}


_FINDERS: Mapping[tuple[str, str], Callable[[Request, Ctx, WorldAccount | None], Response]] = {
    ("organizations", "vanityName"): _organizations,
    ("posts", "author"): _posts,
    ("organizationAcls", "roleAssignee"): _acls,
}
