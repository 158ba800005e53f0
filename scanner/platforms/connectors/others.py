"""X, LinkedIn, TikTok and YouTube through their owner APIs (research owner-apis.md §3-§6).
X's last post time comes from the Snowflake id of ``most_recent_tweet_id`` (no billed timeline
read); YouTube's newest upload from the channel's uploads playlist.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace

from scanner.fetch.interface import Fetched
from scanner.model import Observation
from scanner.platforms.api import linkedin, tiktok, x, youtube_data
from scanner.platforms.api.interface import Answer, Facts
from scanner.platforms.connectors.base import BaseConnector, batched, own_profile
from scanner.platforms.connectors.interface import Reply, Session

__all__ = ["LinkedInOrganization", "TikTokUser", "XUser", "YouTubeChannel"]


class XUser(BaseConnector):
    """Users by username, batched by :data:`x.MAX_USERNAMES`; absence and suspension arrive in
    an HTTP 200's ``errors[]``."""

    name = "x_user"
    batch = x.MAX_USERNAMES

    async def observe(self, handle: str, session: Session) -> Observation:
        name = session.spec.handle.normalize(handle)

        def parse(fetched: Fetched) -> Answer[Facts]:
            return x.parse_user(fetched, name)

        return session.observed(handle, await session.ask(x.user_by_username(name), parse))

    async def lookup_many(
        self, handles: Sequence[str], session: Session
    ) -> Mapping[str, Reply[Facts]]:
        names = {session.spec.handle.normalize(h): h for h in handles}
        (request,) = x.users_by_usernames(list(names))
        replies = await batched(session, request, list(names), x.parse_users)
        return {names[n]: r for n, r in replies.items()}


class LinkedInOrganization(BaseConnector):
    """An organization by vanity name, its followers (``networkSizes``) and newest post."""

    name = "linkedin_org"

    async def observe(self, handle: str, session: Session) -> Observation:
        vanity = session.spec.handle.normalize(handle)
        request = linkedin.organization_by_vanity(vanity, session.version)
        reply = await session.ask(request, linkedin.parse_organization)
        obs = session.observed(handle, reply)
        facts = reply.answer.value
        if not reply.ok or facts is None or facts.native_id is None:
            return obs
        org = facts.native_id
        size = await session.ask(
            linkedin.network_size(org, session.version), linkedin.parse_followers
        )
        if size.answer.value is not None:
            obs = replace(obs, followers=size.answer.value)
        posts = await session.ask(
            linkedin.latest_posts(org, session.version), linkedin.parse_latest
        )
        return session.with_activity(obs, posts)


class TikTokUser(BaseConnector):
    """A TikTok Display API token is one user's (research §5): the account must be the
    token's; its newest video from ``video/list`` (a POST)."""

    name = "tiktok_user"

    async def observe(self, handle: str, session: Session) -> Observation:
        me, ended = await own_profile(session, handle, tiktok.user_info(), tiktok.parse_user)
        if ended is not None:
            return ended
        obs = session.observed(handle, me)
        return session.with_activity(
            obs, await session.ask(tiktok.video_list(), tiktok.parse_latest)
        )


class YouTubeChannel(BaseConnector):
    """A channel by ``@handle`` (``forHandle``) or ``UC…`` id (``id=``, batched by
    :data:`youtube_data.MAX_IDS`), then the newest item of its uploads playlist."""

    name = "youtube_channel"
    batch = youtube_data.MAX_IDS

    async def observe(self, handle: str, session: Session) -> Observation:
        if session.spec.handle.name_of(handle) is None:  # an opaque UC… channel id
            reply = (await self.lookup_many([handle], session))[handle]
            return await self.complete(handle, reply, session)
        request = youtube_data.channel_by_handle(session.spec.handle.normalize(handle))
        return await self.complete(
            handle, await session.ask(request, youtube_data.parse_channel), session
        )

    async def observe_many(
        self, handles: Sequence[str], session: Session
    ) -> Mapping[str, Observation]:
        ids = [h for h in handles if session.spec.handle.name_of(h) is None]
        named = [h for h in handles if h not in ids]
        out = dict(await super().observe_many(ids, session)) if ids else {}
        # forHandle takes one handle a call: send them together, the fetcher paces them.
        seen = await asyncio.gather(*(self.observe(h, session) for h in named))
        out.update(zip(named, seen, strict=True))
        return out

    async def lookup_many(
        self, handles: Sequence[str], session: Session
    ) -> Mapping[str, Reply[Facts]]:
        ids = {session.spec.handle.normalize(h): h for h in handles}
        (request,) = youtube_data.channels_by_id(list(ids))
        replies = await batched(session, request, list(ids), youtube_data.parse_channels)
        return {ids[i]: r for i, r in replies.items()}

    async def complete(self, handle: str, reply: Reply[Facts], session: Session) -> Observation:
        obs = session.observed(handle, reply)
        facts = reply.answer.value
        uploads = facts.extra_value("uploads") if facts is not None and reply.ok else None
        if uploads is None:
            return obs
        latest = youtube_data.latest_upload(uploads)
        return session.with_activity(obs, await session.ask(latest, youtube_data.parse_latest))
