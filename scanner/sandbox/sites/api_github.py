"""GitHub REST with an organization owner's token (``/github-api/…``): the profile and public
events (as the public site plays them), ``user``, ``user/memberships/orgs``, and an
organization's ``members`` (``role``, ``filter=2fa_disabled``), ``outside_collaborators`` and
``invitations``, paged by ``per_page``/``page`` with a ``Link`` header. Error bodies from the
recordings of research owner-apis.md §7.

Who the token is: a credential's ``account`` is its user's login, whose role in each
organization is that organization's holder entry (an owner, a member, or nobody); without one the
token is an owner of every organization. An organization whose world lists no holders refuses
its member listings to every token: the world has not said who holds it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlencode

from scanner.model import AccountState, HolderKind, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.keyring import TokenProblem
from scanner.sandbox.sites.api_base import ApiSite, register_api, stable_id
from scanner.sandbox.sites.base import SITES, Ctx, RateWindow, Route, json_response
from scanner.sandbox.sites.github import API, DOCS, GitHub
from scanner.sandbox.world import ApiName, WorldAccount, WorldCredential, WorldHolder

__all__ = ["VERSIONS", "GitHubApi", "token_role"]

VERSIONS = frozenset({"2022-11-28", "2026-03-10"})
"""X-GitHub-Api-Version values GitHub accepts (docs: rest/about-the-rest-api/api-versions)."""
OWNER = "admin"
_PATH = re.compile(r"^/orgs/([^/]+)/(members|outside_collaborators|invitations)/?$")
_USER = re.compile(r"^/users/[^/]+(?:/events/public)?/?$")


def _site() -> GitHub:
    site = SITES[Platform.GITHUB]
    assert isinstance(site, GitHub)
    return site


def _error(status: int, message: str, doc: str) -> Response:
    body = {"message": message, "documentation_url": DOCS + doc, "status": str(status)}
    return json_response(status, body, [("X-GitHub-Media-Type", "github.v3; format=json")])


def _not_found(doc: str = "/orgs/orgs#get-an-organization") -> Response:
    return _error(404, "Not Found", doc)


def token_role(credential: WorldCredential, org: WorldAccount) -> str | None:
    """The token user's role in ``org``: ``admin``, ``member``, or None (not a member)."""
    if credential.account is None:
        return OWNER
    login = credential.account.casefold()
    held = next(
        (h for h in org.holders if h.kind is HolderKind.PERSON and h.id.casefold() == login), None
    )
    return held.role if held is not None and held.role in (OWNER, "member") else None


def _visible(a: WorldAccount | None) -> WorldAccount | None:
    if a is None or a.kind != "organization":
        return None
    return None if a.state in (AccountState.SUSPENDED, AccountState.DEACTIVATED) else a


@register_api(ApiName.GITHUB_API)
class GitHubApi(ApiSite):
    """The owner token's GitHub; anything else is GitHub's documented 404."""

    def rate_headers(self, w: RateWindow) -> list[tuple[str, str]]:
        return _site().rate_headers(w)

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        return _site().too_many(ctx, route, w, retry_after, status)

    def token_error(self, problem: TokenProblem) -> Response:
        # GitHub says "Bad credentials" for an unknown, expired or revoked token alike
        # (recording error_401_bad_credentials); no token at all needs authentication.
        if problem is TokenProblem.MISSING:
            return _error(401, "Requires authentication", "/users/users#get-the-authenticated-user")
        return _error(401, "Bad credentials", "")

    def serve(self, req: Request, path: str, ctx: Ctx, credential: WorldCredential) -> Route:
        version = req.headers.get("x-github-api-version")
        if version is not None and version not in VERSIONS:
            message = f"API version '{version}' is not supported."
            return self.about(None, path, lambda: _error(400, message, "/overview/api-versions"))
        if _USER.match(path):
            return _site().route(req, path, ctx)
        if path.rstrip("/") == "/user":
            return self.about(None, path, lambda: _viewer(ctx, credential))
        if path.rstrip("/") == "/user/memberships/orgs":
            return self.about(None, path, lambda: _memberships(req, ctx, credential))
        m = _PATH.match(path)
        if m is None:
            return self.about(None, path, lambda: _not_found(""))
        org = _visible(ctx.world.find(Platform.GITHUB, unquote(m.group(1))))
        listing = m.group(2)
        return self.about(
            org, path, lambda: _listing(req, credential, org, listing), unquote(m.group(1))
        )


def _viewer(ctx: Ctx, credential: WorldCredential) -> Response:
    login = credential.account or "rollcall-reader"
    body = {
        "login": login,
        "id": stable_id("gh-user", login.casefold(), digits=8),
        "type": "User",
        "url": f"{API}/users/{login}",
        "html_url": f"https://github.com/{login}",
    }
    scopes = ", ".join(credential.scopes)
    return json_response(200, body, [("X-OAuth-Scopes", scopes)])


def _memberships(req: Request, ctx: Ctx, credential: WorldCredential) -> Response:
    rows = []
    for org in ctx.world.on(Platform.GITHUB):
        role = token_role(credential, org) if _visible(org) else None
        if role is None:
            continue
        login = org.display_handle
        rows.append(
            {
                "url": f"{API}/orgs/{login}/memberships/{credential.account or 'rollcall-reader'}",
                "state": "active",
                "role": role,
                "organization_url": f"{API}/orgs/{login}",
                "organization": {
                    "login": login,
                    "id": stable_id("github", org.key, digits=8),
                    "url": f"{API}/orgs/{login}",
                },
            }
        )
    if req.arg("state") not in (None, "active"):
        rows = []
    return _paged(req, "/user/memberships/orgs", rows)


def _listing(
    req: Request, credential: WorldCredential, org: WorldAccount | None, listing: str
) -> Response:
    if org is None:
        return _not_found()
    role = token_role(credential, org) if org.holders else None
    owner = role == OWNER
    if not org.holders:
        return _error(403, "You must be an admin to list members of this organization.", "/orgs")
    base = f"/orgs/{org.display_handle}/{listing}"
    if listing == "invitations":
        if not owner:
            message = "You must be an admin to list invitations for an organization."
            return _error(403, message, "/orgs/members#list-pending-organization-invitations")
        return _paged(req, base, [_invitation(h) for h in org.holders if _invited(h)])
    if listing == "outside_collaborators":
        if role is None:
            return _error(403, "You must be a member of this organization.", "/orgs")
        people = [h for h in org.holders if _person(h) and h.role == "outside_collaborator"]
        return _paged(req, base, [_user(h) for h in people])
    return _members(req, base, org, role)


def _members(req: Request, base: str, org: WorldAccount, role: str | None) -> Response:
    if role is None:
        # A non-member sees the public members only; nobody here made their membership public.
        return _paged(req, base, [])
    people = [h for h in org.holders if _person(h) and h.role in (OWNER, "member")]
    wanted = req.arg("role") or "all"
    if wanted not in ("all", OWNER, "member"):
        return _error(422, "Validation Failed", "/orgs/members#list-organization-members")
    people = [h for h in people if wanted in ("all", h.role)]
    flt = req.arg("filter") or "all"
    if flt == "2fa_disabled":
        if role != OWNER:
            # The body GitHub sends (otp-cop issue #4); owners only (research §7).
            return _error(
                403, "Only owners can use this filter.", "/orgs/members#audit-two-factor-auth"
            )
        people = [h for h in people if h.two_factor is False]
    return _paged(req, base, [_user(h) for h in people])


def _person(h: WorldHolder) -> bool:
    return h.kind is HolderKind.PERSON


def _invited(h: WorldHolder) -> bool:
    return h.kind is HolderKind.INVITATION


def _user(h: WorldHolder) -> dict[str, Any]:
    uid = stable_id("gh-user", h.id.casefold(), digits=8)
    return {
        "login": h.id,
        "id": uid,
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "url": f"{API}/users/{h.id}",
        "html_url": f"https://github.com/{h.id}",
        "type": "User",
        "site_admin": False,
    }


def _invitation(h: WorldHolder) -> dict[str, Any]:
    # Recording org_invitations: login null when the invitation went to an email address.
    return {
        "id": stable_id("gh-invite", h.id or h.email, digits=8),
        "login": h.id or None,
        "email": h.email,
        "role": h.role or "direct_member",
        "created_at": "2026-11-01T09:00:00Z",
        "failed_at": None,
        "failed_reason": None,
        "team_count": 0,
    }


def _paged(req: Request, base: str, rows: Sequence[dict[str, Any]]) -> Response:
    """``per_page`` (default 30, at most 100) and ``page`` (from 1), with GitHub's ``Link``
    header (absolute api.github.com URLs, ``rel="next"`` and ``rel="last"``)."""
    per_arg, page_arg = req.arg("per_page") or "30", req.arg("page") or "1"
    per = min(100, int(per_arg)) if per_arg.isdigit() and int(per_arg) > 0 else 30
    page = int(page_arg) if page_arg.isdigit() and int(page_arg) > 0 else 1
    chunk = list(rows[(page - 1) * per : page * per])
    last = max(1, -(-len(rows) // per))
    headers: list[tuple[str, str]] = []
    if page < last:
        query = {k: v[-1] for k, v in req.query.items()}

        def link(n: int, rel: str) -> str:
            return f'<{API}{base}?{urlencode(query | {"page": str(n)})}>; rel="{rel}"'

        headers.append(("Link", ", ".join((link(page + 1, "next"), link(last, "last")))))
    return json_response(200, chunk, headers)
