"""Mastodon API: ``/api/v1/accounts/lookup?acct=``, ``/api/v1/accounts/{id}`` and
``/api/v1/accounts/{id}/statuses``. Every instance is served here; the instance a request is
for comes from the X-Forwarded-Host header the fetcher adds under an endpoint override."""

from __future__ import annotations

import re
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
    esc,
    iso_ms,
    json_response,
    register,
    stable_int,
)
from scanner.sandbox.world import Post, WorldAccount

_LOOKUP = "/api/v1/accounts/lookup"
_BY_ID = re.compile(r"^/api/v1/accounts/(\d+)(/statuses)?/?$")


def _headers(extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    return [
        ("Cache-Control", "private, no-store"),
        ("Vary", "Authorization, Origin"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "SAMEORIGIN"),
        *(extra or []),
    ]


def _not_found() -> Response:
    # Mastodon.py cassette test_account_lookup: 404 {"error":"Record not found"}.
    return json_response(404, {"error": "Record not found"}, _headers())


def account_id(a: WorldAccount) -> str:
    return str(stable_int("mastodon", a.key, digits=18))


@register(Platform.MASTODON)
class Mastodon(Site):
    app_title = "Mastodon"

    def route(self, req: Request, path: str, ctx: Ctx) -> Route:
        host = ctx.forwarded_host
        if path.rstrip("/") == _LOOKUP:
            acct = (req.arg("acct") or "").strip().lstrip("@")
            account = self._lookup(ctx, acct, host)
            if account is not None:
                key = account.key
            elif "@" in acct or not host:
                key = acct.casefold()
            else:
                key = f"{acct}@{host}".casefold()
            return Route(
                key, account, BodyKind.JSON, lambda: self._account_answer(ctx, account, host), path
            )
        m = _BY_ID.match(path)
        if m is None:
            return Route(None, None, BodyKind.JSON, _not_found, path)
        found = next(
            (a for a in ctx.world.on(Platform.MASTODON) if account_id(a) == m.group(1)), None
        )
        if m.group(2):
            return Route(
                found.key if found else None,
                found,
                BodyKind.JSON,
                lambda: self._statuses(ctx, found, req, host),
                path,
            )
        return Route(
            found.key if found else None,
            found,
            BodyKind.JSON,
            lambda: self._account_answer(ctx, found, host),
            path,
        )

    def _lookup(self, ctx: Ctx, acct: str, host: str | None) -> WorldAccount | None:
        if not acct:
            return None
        if "@" in acct:
            return ctx.world.find(Platform.MASTODON, acct)
        if host:
            return ctx.world.find(Platform.MASTODON, f"{acct}@{host}")
        # No X-Forwarded-Host (a hand-made request): any instance's account of that name.
        name = acct.casefold()
        return next((a for a in ctx.world.on(Platform.MASTODON) if a.name == name), None)

    def _account_answer(self, ctx: Ctx, a: WorldAccount | None, host: str | None) -> Response:
        # A deleted (deactivated) account is gone: Record not found.
        if a is None or a.state is AccountState.DEACTIVATED:
            return _not_found()
        return json_response(200, self.account_json(a, host), _headers())

    def account_json(self, a: WorldAccount, host: str | None) -> dict[str, Any]:
        instance = a.instance or host or "mastodon.social"
        name = a.display_handle
        acct = name if host in (None, instance) else f"{name}@{instance}"
        aid = account_id(a)
        url = f"https://{instance}/@{name}"
        # Mastodon rounds created_at to midnight (Mastodon.py cassette: ...T00:00:00.000Z).
        created = a.created_at or datetime(2020, 1, 1, tzinfo=UTC)
        created = created.replace(hour=0, minute=0, second=0, microsecond=0)
        own = a.posts
        suspended = a.state is AccountState.SUSPENDED
        body: dict[str, Any] = {
            "id": aid,
            "username": name,
            "acct": acct,
            "display_name": "" if suspended else a.display_name,
            "locked": a.state is AccountState.PRIVATE,
            "bot": False,
            "discoverable": True,
            "indexable": True,
            "group": False,
            "created_at": iso_ms(created),
            "note": "" if suspended else _note(a.bio),
            "url": url,
            "uri": f"https://{instance}/users/{name}",
            "avatar": f"https://{instance}/avatars/original/missing.png",
            "avatar_static": f"https://{instance}/avatars/original/missing.png",
            "header": f"https://{instance}/headers/original/missing.png",
            "header_static": f"https://{instance}/headers/original/missing.png",
            "followers_count": 0 if suspended else a.followers,
            "following_count": 0 if suspended else a.following,
            "statuses_count": 0 if suspended else len(own),
            # Date only since Mastodon 3.1 (accounts lookup cassette: "2026-08-01").
            "last_status_at": None if suspended or not own else own[0].at.date().isoformat(),
            "hide_collections": False,
            "noindex": False,
            "emojis": [],
            "roles": [],
            "fields": [] if suspended else [_field(a, link) for link in a.links],
        }
        if suspended:
            # Docs "Suspended user": present only when true.
            body["suspended"] = True
        return body

    def _statuses(
        self, ctx: Ctx, a: WorldAccount | None, req: Request, host: str | None
    ) -> Response:
        if a is None or a.state is AccountState.DEACTIVATED:
            return _not_found()
        try:
            limit = max(1, min(40, int(req.arg("limit") or 20)))
        except ValueError:
            limit = 20
        posts: list[Post] = []
        # Suspended accounts show nothing; a locked account's posts are followers-only.
        if a.state not in (AccountState.SUSPENDED, AccountState.PRIVATE):
            posts = list(a.posts)
        if req.arg("exclude_reblogs") in ("true", "1"):
            posts = [p for p in posts if p.repost_of is None]
        if req.arg("pinned") in ("true", "1"):
            posts = [p for p in posts if p.pinned]
        max_id = req.arg("max_id")
        statuses = [self._status(a, p, host) for p in posts]
        if max_id:
            statuses = (
                [s for s in statuses if int(s["id"]) < int(max_id)] if max_id.isdigit() else []
            )
        statuses = statuses[:limit]
        headers = _headers()
        if statuses:
            base = ctx.url(f"/api/v1/accounts/{account_id(a)}/statuses")
            headers.append(
                (
                    "Link",
                    f'<{base}?limit={limit}&max_id={statuses[-1]["id"]}>; rel="next", '
                    f'<{base}?limit={limit}&min_id={statuses[0]["id"]}>; rel="prev"',
                )
            )
        return json_response(200, statuses, headers)

    def _status(self, a: WorldAccount, p: Post, host: str | None) -> dict[str, Any]:
        instance = a.instance or "mastodon.social"
        # Snowflake-like ids grow with time, so max_id paging works.
        sid = str(int(p.at.timestamp() * 1000) << 16 | stable_int(a.key, p.text, digits=4) % 65536)
        url = f"https://{instance}/@{a.display_handle}/{sid}"
        status: dict[str, Any] = {
            "id": sid,
            "created_at": iso_ms(p.at),
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": "en",
            "uri": f"https://{instance}/users/{a.display_handle}/statuses/{sid}",
            "url": url,
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "content": "" if p.repost_of else _note(p.text),
            "reblog": None,
            "account": self.account_json(a, host),
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        if p.pinned:
            status["pinned"] = True
        if p.repost_of:
            # A boost: the outer status is the boost (its created_at = when boosted); the
            # original, by someone else, is in "reblog" (Status entity docs).
            other = p.repost_of.lstrip("@")
            oname, _, oinst = other.partition("@")
            oinst = oinst or instance
            original_at = p.at - timedelta(days=1)
            oid = str(int(original_at.timestamp() * 1000) << 16)
            status["reblog"] = {
                **{k: v for k, v in status.items() if k not in ("reblog", "account", "pinned")},
                "id": oid,
                "created_at": iso_ms(original_at),
                "uri": f"https://{oinst}/users/{oname}/statuses/{oid}",
                "url": f"https://{oinst}/@{oname}/{oid}",
                "content": _note(p.text),
                "account": {
                    "id": str(stable_int("mastodon", other, digits=18)),
                    "username": oname,
                    "acct": other,
                    "display_name": oname,
                    "url": f"https://{oinst}/@{oname}",
                },
            }
        return status

    # -- trouble -------------------------------------------------------------------------------

    def rate_headers(self, w: RateWindow) -> list[tuple[str, str]]:
        # X-RateLimit-Reset is an ISO-8601 timestamp, not epoch seconds (rate-limits.md).
        reset = datetime.fromtimestamp(w.reset_at, UTC)
        return [
            ("X-RateLimit-Limit", str(w.limit)),
            ("X-RateLimit-Remaining", str(w.remaining)),
            ("X-RateLimit-Reset", reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
        ]

    def too_many(
        self, ctx: Ctx, route: Route, w: RateWindow, retry_after: float | None, status: int | None
    ) -> Response:
        # rack_attack.rb throttled_responder: 429 JSON, and no Retry-After header.
        headers = _headers(self.rate_headers(w))
        if retry_after is not None:
            headers.append(("Retry-After", str(int(retry_after))))
        return json_response(status or 429, {"error": "Too many requests"}, headers)

    def login_wall(self, ctx: Ctx, route: Route, req: Request) -> Response:
        # An instance in limited-federation ("whitelist") mode (research §1c).
        return json_response(401, {"error": "This API requires an authenticated user"}, _headers())

    def soft_404(self, ctx: Ctx, route: Route) -> Response:
        return json_response(200, {"error": "Record not found"}, _headers())


def _note(text: str) -> str:
    """Mastodon serves notes and statuses as HTML paragraphs with links as anchors."""
    if not text:
        return ""
    parts = []
    for word in text.split(" "):
        if word.startswith(("http://", "https://")):
            shown = word.split("://", 1)[1]
            parts.append(
                f'<a href="{esc(word)}" rel="nofollow noopener noreferrer" target="_blank">'
                f'<span class="invisible">{esc(word.split("://", 1)[0])}://</span>'
                f"<span>{esc(shown)}</span></a>"
            )
        else:
            parts.append(esc(word))
    return "<p>" + " ".join(parts) + "</p>"


def _field(a: WorldAccount, link: str) -> dict[str, Any]:
    shown = link.split("://", 1)[-1]
    value = (
        f'<a href="{esc(link)}" rel="me nofollow noopener noreferrer" target="_blank">'
        f'<span class="invisible">{esc(link.split("://", 1)[0])}://</span>'
        f'<span class="">{esc(shown)}</span><span class="invisible"></span></a>'
    )
    # verified_at set = rel=me verified link (docs_account_gargron.json "Homepage").
    verified_at = None
    if a.verified:
        verified_at = iso_ms(a.created_at or datetime(2020, 1, 1, tzinfo=UTC)).replace(
            "Z", "+00:00"
        )
    return {"name": "Website", "value": value, "verified_at": verified_at}
