"""Facebook Pages and Instagram professional accounts through the Meta Graph API, and Threads
through its Graph-shaped API (research owner-apis.md §1-§2). A Meta token's expiry is read
once per run (``debug_token``) for the credential-health rule CRD-002.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

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
from scanner.platforms.api import meta, threads
from scanner.platforms.api.interface import Activity, Answer, ApiRequest, Facts, Outcome
from scanner.platforms.connectors.base import (
    MAX_PAGES,
    BaseConnector,
    Listing,
    as_facts,
    batched,
    cached,
    list_all,
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
        obs = session.with_activity(obs, await session.ask(posts, _created_time))
        if session.reads_access:
            access = await self.access(facts.native_id, session)
            if access is not None:
                obs = replace(obs, access=access)
        return obs

    async def access(self, native_id: str, session: Session) -> AccessList | None:
        """The Page's assigned users (business and system users, joined by id to the Business
        Manager's people for email and two-factor status), its roles (people outside the
        business) and its agencies (partner businesses). A refused listing makes the whole
        list unknown; a dead credential gives none (the observation already says so)."""
        business = await cached(session, "meta-business-people", lambda: _business(session))
        version = session.version
        edges = (
            ("assigned_users", meta.assigned_users(native_id, version, business.id)),
            ("roles", meta.page_roles(native_id, version)),
            ("agencies", meta.agencies(native_id, version)),
        )
        read: dict[str, Listing[meta.Member]] = {}
        for edge, request in edges:
            listing = await _list_all(session, request, meta.parse_members)
            if session.credential in session.run.dead:
                return None
            if listing.failed is not None:
                return _unreadable(session, edge, listing.failed)
            read[edge] = listing
        first = read["assigned_users"].first
        holders = (
            *(_assigned(m, business) for m in read["assigned_users"].rows),
            *(_outsider(m) for m in read["roles"].rows),
            *(_partner(m) for m in read["agencies"].rows),
        )
        gaps = (business.gap,) if business.gap is not None else ()
        return AccessList(holders, first.url, first.fetched_at, gaps=gaps)

    async def owned(self, session: Session) -> tuple[OwnedAccount, ...] | Reason:
        """The Pages of the token's Business Managers (``owned_pages``)."""
        return await _owned(session, meta.owned_pages, "owned_pages")


class InstagramBusiness(BaseConnector):
    """An Instagram professional account of the token's Business Managers: Graph has no lookup
    by username, so the token's ``owned_instagram_accounts`` (read once per run) give the id;
    an account not among them is unverified, never absent (Meta shows a token its own only)."""

    name = "instagram_business"
    settles_absence = False  # it sees the token's own accounts only

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

    async def owned(self, session: Session) -> tuple[OwnedAccount, ...] | Reason:
        """The Instagram accounts of the token's Business Managers."""
        return await _owned(session, meta.owned_instagram_accounts, "owned_instagram_accounts")


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


T = TypeVar("T")


async def _list_all(
    session: Session, request: ApiRequest, parse: Callable[[Fetched], Answer[tuple[T, ...]]]
) -> Listing[T]:
    """Every page of a Graph listing, following ``paging.next`` (at most ``MAX_PAGES``)."""
    return await list_all(session, request, parse, meta.next_request)


@dataclass(frozen=True)
class _Business:
    """The token's Business Manager(s) as the access lists need them: the id ``assigned_users``
    names (one business only), its people by id, its system users by id, and why the people
    could not be read (``two_factor_unreadable``)."""

    id: str | None
    users: Mapping[str, meta.Member] = field(default_factory=dict)
    system: Mapping[str, meta.Member] = field(default_factory=dict)
    gap: Reason | None = None


async def _business(session: Session) -> _Business:
    """The Business Managers' users and system users, read once per run and credential."""
    version = session.version
    found = await _list_all(session, meta.my_businesses(version), meta.parse_assets)
    if found.failed is not None or not found.rows:
        return _Business(None, gap=_people_gap(session, found.failed, "me/businesses"))
    ids = [b.native_id for b in found.rows]
    users: dict[str, meta.Member] = {}
    system: dict[str, meta.Member] = {}
    for business in ids:
        people = await _list_all(
            session, meta.business_users(business, version), meta.parse_members
        )
        if people.failed is not None:
            gap = _people_gap(session, people.failed, "business_users")
            return _Business(ids[0] if len(ids) == 1 else None, gap=gap)
        users.update((m.native_id, m) for m in people.rows)
        bots = await _list_all(session, meta.system_users(business, version), meta.parse_members)
        system.update((m.native_id, m) for m in bots.rows)
    return _Business(ids[0] if len(ids) == 1 else None, users, system)


def _people_gap(session: Session, failed: Reply[Any] | None, listing: str) -> Reason:
    label = session.credential.label
    if failed is None:
        why = f"the {label} token belongs to no Business Manager"
    elif failed.answer.outcome is Outcome.PERMISSION_MISSING:
        why = f"Meta refused {listing} to the {label} token: it needs {meta.ACCESS_NEEDS['business_users']}"
    else:
        text = failed.answer.reason.text if failed.answer.reason else failed.answer.signal
        why = f"{listing} could not be read ({text})"
    return Reason("two_factor_unreadable", f"two-factor status and emails unknown: {why}")


def _unreadable(session: Session, edge: str, failed: Reply[Any]) -> AccessList:
    answer = failed.answer
    if answer.outcome is Outcome.PERMISSION_MISSING:
        text = (
            f"Meta refused the Page's {edge} to the {session.credential.label} token: "
            f"it needs {meta.ACCESS_NEEDS[edge]}"
        )
    else:
        why = answer.reason.text if answer.reason else answer.signal
        text = f"the Page's {edge} could not be read ({why})"
    return AccessList((), failed.url, failed.fetched_at, reason=Reason("access_unreadable", text))


def _assigned(m: meta.Member, business: _Business) -> Holder:
    """A business or system user assigned to the Page; MANAGE among its tasks is admin."""
    bot = business.system.get(m.native_id)
    if m.system_user or bot is not None:
        role = ", ".join(m.tasks) or (bot.role if bot is not None else None) or ""
        name = m.name or (bot.name if bot is not None else None)
        return Holder(
            HolderKind.SYSTEM_USER,
            m.native_id,
            name,
            None,
            role,
            "MANAGE" in m.tasks,
            Tri.UNKNOWN,
            "assigned_users",
        )
    user = business.users.get(m.native_id)
    return Holder(
        kind=HolderKind.PERSON,
        platform_id=m.native_id,
        name=m.name or (user.name if user is not None else None),
        email=user.email if user is not None else None,
        role=", ".join(m.tasks) or (user.role if user is not None else None) or "",
        admin="MANAGE" in m.tasks,
        two_factor=user.two_factor if user is not None else Tri.UNKNOWN,
        via="assigned_users",
    )


def _outsider(m: meta.Member) -> Holder:
    """A person outside the business with a role on the Page (two-factor never reported)."""
    role = ", ".join(m.tasks) or m.role or ""
    return Holder(
        HolderKind.PERSON, m.native_id, m.name, None, role, "MANAGE" in m.tasks, via="roles"
    )


def _partner(m: meta.Member) -> Holder:
    """A partner business (an agency): its business id; what it may do is not listed here."""
    return Holder(HolderKind.PARTNER, m.native_id, m.name, None, "partner", False, via="agencies")


async def _owned(
    session: Session, edge: Callable[[str, str], ApiRequest], via: str
) -> tuple[OwnedAccount, ...] | Reason:
    """Every asset ``edge`` lists under each of the token's Business Managers."""
    version = session.version
    businesses = await _list_all(session, meta.my_businesses(version), meta.parse_assets)
    if businesses.failed is not None:
        return _why(businesses.failed)
    out: list[OwnedAccount] = []
    for business in businesses.rows:
        listing = await _list_all(session, edge(business.native_id, version), meta.parse_assets)
        if listing.failed is not None:
            return _why(listing.failed)
        out.extend(
            OwnedAccount(
                platform=session.platform,
                handle=asset.handle or asset.native_id,
                native_id=asset.native_id,
                name=asset.name,
                url=listing.first.url,
                fetched_at=listing.first.fetched_at,
                credential=session.credential.label,
                via=via,
            )
            for asset in listing.rows
        )
    return tuple(out)


def _why(failed: Reply[Any]) -> Reason:
    reason = failed.answer.reason
    return reason or Reason("api_error", f"Meta's listing was unreadable ({failed.answer.signal})")


class ThreadsUser(BaseConnector):
    """A Threads token sees its own profile only (research §2): the account must be the
    token's; followers from ``threads_insights``, the newest post from ``threads``."""

    name = "threads_user"
    settles_absence = False  # the token's own profile only

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
