"""Facebook Pages and Instagram professional accounts through the Meta Graph API, and Threads
through its Graph-shaped API (research owner-apis.md §1-§2). A Meta token's expiry is read
once per run (``debug_token``) for the credential-health rule CRD-002.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from scanner.fetch.interface import Fetched
from scanner.model import Observation
from scanner.platforms.api import meta, threads
from scanner.platforms.api.interface import Activity, Answer, ApiRequest, Facts
from scanner.platforms.connectors.base import (
    MAX_PAGES,
    BaseConnector,
    as_facts,
    batched,
    cached,
    own_profile,
)
from scanner.platforms.connectors.interface import Reply, Session, unverified

__all__ = ["FacebookPage", "InstagramBusiness", "ThreadsUser", "token_expiry"]


def _created_time(fetched: Fetched) -> Answer[Activity]:
    return meta.parse_latest(fetched, "created_time")


def _timestamp(fetched: Fetched) -> Answer[Activity]:
    return meta.parse_latest(fetched, "timestamp")


async def token_expiry(session: Session) -> datetime | None:
    """When the session's Meta token expires (None: never, or unknown), read once per run;
    a dead token is recorded by the run like any other answer."""

    async def read() -> datetime | None:
        reply = await session.ask(meta.debug_token(session.version), meta.parse_token_info)
        info = reply.answer.value
        return info.expires_at if info is not None and info.valid else None

    expires = await cached(session, "meta-debug-token", read)
    if expires is not None:
        session.run.expiring[session.credential] = expires
    return expires


class FacebookPage(BaseConnector):
    """A Page by username or id (``?ids=`` batches of :data:`meta.MAX_IDS`), then its newest
    published post."""

    name = "facebook_page"
    batch = meta.MAX_IDS

    async def observe(self, handle: str, session: Session) -> Observation:
        await token_expiry(session)
        node = session.spec.handle.normalize(handle)
        reply = await session.ask(meta.page(node, session.version), meta.parse_page)
        return await self.complete(handle, reply, session)

    async def lookup_many(
        self, handles: Sequence[str], session: Session
    ) -> Mapping[str, Reply[Facts]]:
        await token_expiry(session)
        nodes = {session.spec.handle.normalize(h): h for h in handles}
        (request,) = meta.pages(list(nodes), session.version)
        replies = await batched(session, request, list(nodes), meta.parse_pages)
        return {nodes[n]: r for n, r in replies.items()}

    async def complete(self, handle: str, reply: Reply[Facts], session: Session) -> Observation:
        obs = session.observed(handle, reply)
        facts = reply.answer.value
        if not reply.ok or facts is None or facts.native_id is None:
            return obs
        posts = meta.latest_post(facts.native_id, session.version)
        return session.with_activity(obs, await session.ask(posts, _created_time))


class InstagramBusiness(BaseConnector):
    """An Instagram professional account of the token's Business Managers: Graph has no lookup
    by username, so the token's ``owned_instagram_accounts`` (read once per run) give the id;
    an account not among them is unverified, never absent (Meta shows a token its own only)."""

    name = "instagram_business"

    async def observe(self, handle: str, session: Session) -> Observation:
        await token_expiry(session)
        directory = await cached(session, "instagram-directory", lambda: _directory(session))
        if isinstance(directory, Reply):
            return session.observed(handle, as_facts(directory))
        username = session.spec.handle.normalize(handle)
        ig_id = directory.get(username.casefold())
        if ig_id is None:
            request = meta.my_businesses(session.version)
            return unverified(
                session,
                handle,
                "not_visible",
                f"the {session.credential.label} token's Business Managers list no Instagram "
                "account with this username (a token sees its own accounts only)",
                request.url(session.api.base_url),
            )
        reply = await session.ask(meta.ig_user(ig_id, session.version), meta.parse_ig_user)
        obs = session.observed(handle, reply)
        if not reply.ok:
            return obs
        media = meta.latest_media(ig_id, session.version)
        return session.with_activity(obs, await session.ask(media, _timestamp))


async def _directory(session: Session) -> dict[str, str] | Reply[Any]:
    """Username (case folded) → Instagram user id over the token's Business Managers, or the
    reply that kept it from being read."""
    businesses = await session.ask(meta.my_businesses(session.version), meta.parse_assets)
    if businesses.answer.value is None:
        return businesses
    found: dict[str, str] = {}
    for business in businesses.answer.value:
        request: ApiRequest | None = meta.owned_instagram_accounts(
            business.native_id, session.version
        )
        for _ in range(MAX_PAGES):
            if request is None:
                break
            reply = await session.ask(request, meta.parse_assets)
            if reply.answer.value is None or reply.fetched is None:
                return reply
            found.update({a.handle.casefold(): a.native_id for a in reply.answer.value if a.handle})
            request = meta.next_request(reply.fetched, request)
    return found


class ThreadsUser(BaseConnector):
    """A Threads token sees its own profile only (research §2): the account must be the
    token's; followers from ``threads_insights``, the newest post from ``threads``."""

    name = "threads_user"

    async def observe(self, handle: str, session: Session) -> Observation:
        me, ended = await own_profile(
            session, handle, threads.me(session.version), threads.parse_me
        )
        if ended is not None:
            return ended
        obs = session.observed(handle, me)
        count = await session.ask(threads.followers(session.version), threads.parse_followers)
        if count.answer.value is not None:
            obs = replace(obs, followers=count.answer.value)
        latest = await session.ask(threads.latest_thread(session.version), threads.parse_latest)
        return session.with_activity(obs, latest)
