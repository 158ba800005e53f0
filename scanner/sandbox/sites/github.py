"""GitHub REST API: ``/users/{name}`` (users and organizations), ``/orgs/{name}``,
``/users/{name}/events/public``. Shapes follow PyGithub's recorded replies (2025). The owner
token's side of the same API (organization members, ``/github-api/…``) is ``api_github``.
``POST /graphql`` answers aliased ``user(login:)`` / ``organization(login:)`` fields with a
token: ``data.{alias: null | {login}}`` plus a NOT_FOUND error per missing login."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from scanner.model import AccountState, Platform
from scanner.sandbox.http import Request, Response
from scanner.sandbox.sites.base import (
    BodyKind,
    Ctx,
    RateWindow,
    Route,
    Site,
    iso_s,
    json_response,
    register,
    stable_int,
    stable_token,
)
from scanner.sandbox.world import WorldAccount

API = "https://api.github.com"
DOCS = "https://docs.github.com/rest"
EVENTS_WINDOW = timedelta(days=90)
"""GitHub docs: "Only events created within the past 90 days will be included"."""

_USER = re.compile(r"^/users/([^/]+)(/events(?:/public)?)?/?$")
_ORG = re.compile(r"^/orgs/([^/]+)(/events)?/?$")
_FIELD = re.compile(r'(\w+)\s*:\s*(user|organization)\s*\(\s*login\s*:\s*"((?:[^"\\]|\\.)*)"\s*\)')
"""``alias: user(login: "name")``; the sandbox answers the ``{ login }`` selection only."""
_GRAPHQL_DOCS = "https://docs.github.com/graphql"


def _common(extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    return [
        ("Server", "github.com"),
        ("X-GitHub-Media-Type", "github.v3; format=json"),
        ("x-github-api-version-selected", "2022-11-28"),
        ("Access-Control-Allow-Origin", "*"),
        ("X-Content-Type-Options", "nosniff"),
        *(extra or []),
    ]


def _not_found(doc: str = "/users/users#get-a-user") -> Response:
    # The current body adds documentation_url and "status" (research §4c; WhatsMyName m_string).
    return json_response(
        404, {"message": "Not Found", "documentation_url": DOCS + doc, "status": "404"}, _common()
    )


@register(Platform.GITHUB)
class GitHub(Site):
    app_title = "GitHub · Build and ship software on a single, collaborative platform · GitHub"

    def route(self, req: Request, path: str, ctx: Ctx) -> Route:
        if path.rstrip("/") == "/graphql":
            return Route(None, None, BodyKind.JSON, lambda: _graphql(req, ctx), path)
        m = _USER.match(path)
        org_only = False
        if m is None:
            m = _ORG.match(path)
            org_only = True
        if m is None:
            return Route(None, None, BodyKind.JSON, lambda: _not_found(""), path)
        name = m.group(1)
        events = m.group(2) is not None
        account = ctx.world.find(Platform.GITHUB, name)
        if account is not None and (
            # GitHub hides suspended and deleted accounts: the API answers 404 for them.
            account.state in (AccountState.SUSPENDED, AccountState.DEACTIVATED)
            or (org_only and account.kind != "organization")
        ):
            visible = None
        else:
            visible = account

        def render() -> Response:
            if visible is None:
                return _not_found()
            if events:
                return self.events(ctx, visible)
            return self.profile(visible, org_view=org_only)

        return Route(name.casefold(), account, BodyKind.JSON, render, path)

    def profile(self, a: WorldAccount, *, org_view: bool) -> Response:
        login = a.display_handle
        uid = stable_int("github", a.key, digits=8)
        org = a.kind == "organization"
        created = a.created_at or (a.posts[-1].at if a.posts else None)
        base: dict[str, Any] = {
            "login": login,
            "id": uid,
            "node_id": stable_token("node", a.key, length=20),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        }
        if org and org_view:
            body: dict[str, Any] = {
                **base,
                "url": f"{API}/orgs/{login}",
                "repos_url": f"{API}/orgs/{login}/repos",
                "events_url": f"{API}/orgs/{login}/events",
                "description": a.bio or None,
                "name": a.display_name or None,
                "company": None,
                "blog": a.links[0] if a.links else "",
                "location": None,
                "email": None,
                "twitter_username": None,
                "is_verified": bool(a.verified),
                "has_organization_projects": True,
                "has_repository_projects": True,
                "public_repos": len(a.own_posts()),
                "public_gists": 0,
                "followers": a.followers,
                "following": a.following,
                "html_url": f"https://github.com/{login}",
                "created_at": iso_s(created) if created else None,
                "updated_at": iso_s(a.updated_at) if a.updated_at else None,
                "archived_at": None,
                "type": "Organization",
            }
        else:
            body = {
                **base,
                "gravatar_id": "",
                "url": f"{API}/users/{login}",
                "html_url": f"https://github.com/{login}",
                "followers_url": f"{API}/users/{login}/followers",
                "following_url": f"{API}/users/{login}/following{{/other_user}}",
                "gists_url": f"{API}/users/{login}/gists{{/gist_id}}",
                "starred_url": f"{API}/users/{login}/starred{{/owner}}{{/repo}}",
                "subscriptions_url": f"{API}/users/{login}/subscriptions",
                "organizations_url": f"{API}/users/{login}/orgs",
                "repos_url": f"{API}/users/{login}/repos",
                "events_url": f"{API}/users/{login}/events{{/privacy}}",
                "received_events_url": f"{API}/users/{login}/received_events",
                "type": "Organization" if org else "User",
                "user_view_type": "public",
                "site_admin": False,
                "name": a.display_name or None,
                "company": None,
                "blog": a.links[0] if a.links else "",
                "location": None,
                "email": None,
                "hireable": None,
                "bio": a.bio or None,
                "twitter_username": None,
                "public_repos": len(a.own_posts()),
                "public_gists": 0,
                "followers": a.followers,
                "following": a.following,
                "created_at": iso_s(created) if created else None,
                "updated_at": iso_s(a.updated_at) if a.updated_at else None,
            }
        return json_response(
            200, body, _common([("Cache-Control", "public, max-age=60, s-maxage=60")])
        )

    def events(self, ctx: Ctx, a: WorldAccount) -> Response:
        login = a.display_handle
        uid = stable_int("github", a.key, digits=8)
        cutoff = ctx.world.as_of_datetime - EVENTS_WINDOW
        actor = {
            "id": uid,
            "login": login,
            "display_login": login,
            "gravatar_id": "",
            "url": f"{API}/users/{login}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?",
        }
        events: list[dict[str, Any]] = []
        for i, post in enumerate(a.posts):
            if post.at < cutoff or post.at > ctx.world.as_of_datetime:
                continue
            eid = str(stable_int("gh-event", a.key, i, post.at, digits=11))
            if post.repost_of:
                repo_name = (
                    post.repost_of
                    if "/" in post.repost_of
                    else f"{post.repost_of}/{post.repost_of}"
                )
                event: dict[str, Any] = {
                    "id": eid,
                    "type": "WatchEvent",
                    "actor": actor,
                    "repo": {
                        "id": stable_int("repo", repo_name, digits=9),
                        "name": repo_name,
                        "url": f"{API}/repos/{repo_name}",
                    },
                    "payload": {"action": "started"},
                }
            else:
                repo_name = f"{login}/{a.name}"
                sha = stable_token("sha", a.key, i, length=40, alphabet="0123456789abcdef")
                event = {
                    "id": eid,
                    "type": "PushEvent",
                    "actor": actor,
                    "repo": {
                        "id": stable_int("repo", repo_name, digits=9),
                        "name": repo_name,
                        "url": f"{API}/repos/{repo_name}",
                    },
                    "payload": {
                        "repository_id": stable_int("repo", repo_name, digits=9),
                        "push_id": stable_int("push", a.key, i, digits=11),
                        "size": 1,
                        "distinct_size": 1,
                        "ref": "refs/heads/main",
                        "head": sha,
                        "commits": [
                            {
                                "sha": sha,
                                "author": {
                                    "email": f"{login}@users.noreply.github.com",
                                    "name": a.display_name or login,
                                },
                                "message": post.text,
                                "distinct": True,
                                "url": f"{API}/repos/{repo_name}/commits/{sha}",
                            }
                        ],
                    },
                }
            event["public"] = True
            event["created_at"] = iso_s(post.at)
            if a.kind == "organization":
                event["org"] = {
                    "id": uid,
                    "login": login,
                    "gravatar_id": "",
                    "url": f"{API}/orgs/{login}",
                    "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?",
                }
            events.append(event)
            if len(events) == 30:
                break
        return json_response(
            200,
            events,
            _common(
                [("Cache-Control", "public, max-age=60, s-maxage=60"), ("X-Poll-Interval", "60")]
            ),
        )

    # -- trouble -------------------------------------------------------------------------------

    def rate_headers(self, w: RateWindow) -> list[tuple[str, str]]:
        # Epoch seconds (research §4d; PyGithub 2025 headers).
        return [
            ("X-RateLimit-Limit", str(w.limit)),
            ("X-RateLimit-Remaining", str(w.remaining)),
            ("X-RateLimit-Reset", str(int(w.reset_at + 0.999))),
            ("X-RateLimit-Used", str(w.limit - w.remaining)),
            ("X-RateLimit-Resource", "core"),
        ]

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        # Primary limit: 403 (or 429) with x-ratelimit-remaining 0 (docs; 2013 recorded body).
        headers = _common(self.rate_headers(w))
        if retry_after is not None:
            headers.append(("Retry-After", str(int(retry_after))))
        body = {
            "message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: "
            "Authenticated requests get a higher rate limit. Check out the documentation for "
            "more details.)",
            "documentation_url": DOCS + "/overview/rate-limits-for-the-rest-api",
        }
        return json_response(status or 403, body, headers)

    def login_wall(self, ctx: Ctx, route: Route, req: Request) -> Response:
        body = {"message": "Requires authentication", "documentation_url": DOCS, "status": "401"}
        return json_response(401, body, _common())

    def soft_404(self, ctx: Ctx, route: Route) -> Response:
        r = _not_found()
        r.status = 200
        return r


def _graphql(req: Request, ctx: Ctx) -> Response:
    """GraphQL needs a token (401 without; any token here, as any user's GITHUB_TOKEN does).
    A login that is not a visible user (or organization) is ``null`` with an error of type
    NOT_FOUND whose path names the alias; HTTP 200 either way."""
    if req.method != "POST":
        return _graphql_error(404, "Not Found", "")
    if not req.headers.get("authorization", "").strip():
        return _graphql_error(
            401,
            "This endpoint requires you to be authenticated.",
            "/guides/forming-calls-with-graphql#authenticating-with-graphql",
        )
    try:
        query = json.loads(req.body or b"null").get("query")
    except (ValueError, AttributeError):
        query = None
    if not isinstance(query, str):
        return _graphql_error(400, "Problems parsing JSON", "")
    data: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for m in _FIELD.finditer(query):
        alias, kind, login = m.group(1), m.group(2), json.loads(f'"{m.group(3)}"')
        a = ctx.world.find(Platform.GITHUB, login)
        hidden = a is None or a.state in (AccountState.SUSPENDED, AccountState.DEACTIVATED)
        if a is None or hidden or (a.kind == "organization") is not (kind == "organization"):
            data[alias] = None
            what = "an Organization" if kind == "organization" else "a User"
            errors.append(
                {
                    "type": "NOT_FOUND",
                    "path": [alias],
                    "locations": [{"line": 1, "column": m.start() + 1}],
                    "message": f"Could not resolve to {what} with the login of '{login}'.",
                }
            )
        else:
            data[alias] = {"login": a.display_handle}
    body: dict[str, Any] = {"data": data, **({"errors": errors} if errors else {})}
    return json_response(200, body, _common())


def _graphql_error(status: int, message: str, doc: str) -> Response:
    body = {"message": message, "documentation_url": _GRAPHQL_DOCS + doc, "status": str(status)}
    return json_response(status, body, _common())
