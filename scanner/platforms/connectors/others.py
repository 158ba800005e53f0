"""X, LinkedIn, TikTok and YouTube through their owner APIs (research owner-apis.md §3-§6).
X's last post time comes from the Snowflake id of ``most_recent_tweet_id`` (no billed timeline
read); YouTube's newest upload from the channel's uploads playlist; LinkedIn's access holders
from the organization ACLs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from scanner.fetch.interface import Fetched
from scanner.model import (
    AccessList,
    Holder,
    HolderKind,
    Observation,
    OwnedAccount,
    Reason,
    Tri,
)
from scanner.platforms.api import linkedin, tiktok, x, youtube_data
from scanner.platforms.api.interface import Answer, ApiRequest, Facts, Outcome
from scanner.platforms.connectors.base import MAX_PAGES, BaseConnector, batched, own_profile
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
    settles_absence = False  # the finder also hides what the token may not see

    async def observe(self, handle: str, session: Session) -> Observation:
        vanity = session.spec.handle.name_of(handle) or handle
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
        obs = session.with_activity(obs, posts)
        if session.reads_access:
            obs = replace(obs, access=await self.access(org, session))
        return obs

    async def access(self, native_id: str, session: Session) -> AccessList | None:
        """The organization's ACL rows as holders: APPROVED roles, and REQUESTED ones as
        invitations; REVOKED and REJECTED rows hold nothing. None: the credential is dead."""
        request = linkedin.organization_acls(native_id, session.version)
        read = await _acl_rows(session, request)
        if isinstance(read, Reply):
            if read.answer.outcome is Outcome.CREDENTIAL_INVALID:
                return None
            return AccessList((), read.url, read.fetched_at, _unreadable(session, read))
        rows, first, gaps = read
        holders, unknown = [], []
        for row in rows:
            if row.state in _HOLDING:
                holders.append(_holder(row))
            elif row.state not in _NOT_HOLDING:
                unknown.append(row.state or "(none)")
        if unknown:
            text = (
                f"LinkedIn listed roles in states it does not document ({', '.join(unknown)}): "
                "whether those members hold access is unknown"
            )
            gaps = (*gaps, Reason("acl_state_unknown", text))
        return AccessList(tuple(holders), first.url, first.fetched_at, None, gaps)

    async def owned(self, session: Session) -> tuple[OwnedAccount, ...] | Reason:
        """The organizations the token's member administers (approved ADMINISTRATOR roles),
        each by its vanity name, or why they could not all be listed."""
        read = await _acl_rows(session, linkedin.administered_organizations(session.version))
        if isinstance(read, Reply):
            return _owned_failed(session, read)
        rows, first, gaps = read
        if gaps:
            return gaps[0]
        # The finder's role/state filters are repeated here: a server that ignores them must
        # not make an analyst's organization look administered.
        ids = [
            r.organization
            for r in rows
            if r.role == linkedin.ADMINISTRATOR and r.state == _APPROVED
        ]
        out = []
        for org_id in dict.fromkeys(i for i in ids if i):
            lookup = linkedin.organization_by_id(org_id, session.version)
            reply = await session.ask(lookup, linkedin.parse_organization_by_id)
            facts = reply.answer.value
            if facts is None or facts.handle is None:
                return _owned_failed(session, reply)
            out.append(_owned(session, facts, org_id, first))
        return tuple(out)


_APPROVED = "APPROVED"
_HOLDING = {_APPROVED: HolderKind.PERSON, "REQUESTED": HolderKind.INVITATION}
"""ACL states that hold access, as holder kinds: a REQUESTED role takes effect once an
administrator approves it (research §4 lists APPROVED, REQUESTED, REVOKED)."""
_NOT_HOLDING = frozenset({"REVOKED", "REJECTED"})

_PERMISSION = (
    "the rw_organization_admin permission (LinkedIn's Community Management product) and the "
    "ADMINISTRATOR role on the organization"
)


def _holder(row: linkedin.AclEntry) -> Holder:
    kind = _HOLDING[row.state]
    return Holder(
        kind=kind,
        platform_id=row.assignee,
        name=None,  # ACLs give person URNs only; no permitted API names them (research §4 D)
        email=None,
        role=row.role,
        admin=kind is HolderKind.PERSON and row.role == linkedin.ADMINISTRATOR,
        two_factor=Tri.UNKNOWN,
        via="organizationAcls",
    )


Rows = tuple[list[linkedin.AclEntry], Reply[linkedin.AclPage], tuple[Reason, ...]]


async def _acl_rows(session: Session, request: ApiRequest) -> Rows | Reply[linkedin.AclPage]:
    """Every row of an ACL finder over its pages (at most :data:`MAX_PAGES`), the first page's
    reply (the evidence) and a gap when more pages were left unread; or the failed reply."""
    rows: list[linkedin.AclEntry] = []
    first: Reply[linkedin.AclPage] | None = None
    next_request: ApiRequest | None = request
    for _ in range(MAX_PAGES):
        if next_request is None:
            break
        reply = await session.ask(next_request, linkedin.parse_acls)
        page = reply.answer.value
        if page is None:
            return reply
        first = first or reply
        rows.extend(page.entries)
        next_request = linkedin.next_acl_page(next_request, page)
    assert first is not None  # MAX_PAGES ≥ 1
    gaps: tuple[Reason, ...] = ()
    if next_request is not None:
        text = f"LinkedIn's ACL list has more than {MAX_PAGES} pages; the rest was not read"
        gaps = (Reason("access_truncated", text),)
    return rows, first, gaps


def _unreadable(session: Session, reply: Reply[Any]) -> Reason:
    """Why an organization's holders are unknown, in plain words."""
    said = reply.answer.reason.text if reply.answer.reason else reply.answer.signal
    if reply.answer.outcome is Outcome.PERMISSION_MISSING:
        text = (
            f"LinkedIn would not list who holds roles on this organization to the "
            f"{session.credential.label} token: listing them needs {_PERMISSION} ({said})"
        )
    else:
        text = f"LinkedIn's organization access list could not be read ({said})"
    return Reason("access_unreadable", text)


def _owned_failed(session: Session, reply: Reply[Any]) -> Reason:
    reason = reply.answer.reason
    if reply.answer.outcome is Outcome.CREDENTIAL_INVALID and reason is not None:
        return reason
    said = reason.text if reason else reply.answer.signal
    text = (
        f"the organizations the {session.credential.label} token administers could not be "
        f"listed ({said})"
    )
    if reply.answer.outcome is Outcome.PERMISSION_MISSING:
        text += f"; listing them needs {_PERMISSION}"
    return Reason("owned_unreadable", text)


def _owned(
    session: Session, facts: Facts, org_id: str, listed: Reply[linkedin.AclPage]
) -> OwnedAccount:
    vanity = facts.handle or org_id
    # The inventory's form of the handle (company/slug; the API does not say whether the page
    # is a showcase, and LinkedIn keys both by the vanity name).
    return OwnedAccount(
        platform=session.platform,
        handle=session.spec.handle.write(vanity),
        native_id=org_id,
        name=facts.display_name,
        url=listed.url,
        fetched_at=listed.fetched_at,
        credential=session.credential.label,
        via="organizationAcls",
    )


class TikTokUser(BaseConnector):
    """A TikTok Display API token is one user's (research §5): the account must be the
    token's; its newest video from ``video/list`` (a POST)."""

    name = "tiktok_user"
    settles_absence = False  # the token's own user only

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
