"""What every connector shares: one-by-one lookups by default, batched lookups with a fallback
to single ones, follow-up calls, paging bounds and per-run caches (a token's own profile).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from scanner.fetch.interface import Fetched
from scanner.model import AccessList, Observation, OwnedAccount, Reason
from scanner.platforms.api.interface import Answer, ApiRequest, Facts, Outcome, chunked
from scanner.platforms.connectors.interface import Reply, Session, unverified

__all__ = [
    "MAX_PAGES",
    "BaseConnector",
    "Listing",
    "as_facts",
    "batched",
    "cached",
    "list_all",
    "own_profile",
]

T = TypeVar("T")

MAX_PAGES = 20
"""Pages of one listing read at most: a server that always sends a next page cannot hold the run."""


class BaseConnector:
    """Looks accounts up one by one unless a subclass sets ``batch`` and :meth:`lookup_many`."""

    name: ClassVar[str] = ""
    batch: ClassVar[int] = 0
    settles_absence: ClassVar[bool] = True

    async def observe(self, handle: str, session: Session) -> Observation:
        raise NotImplementedError

    async def observe_many(
        self, handles: Sequence[str], session: Session
    ) -> Mapping[str, Observation]:
        if self.batch <= 0 or len(handles) == 1:  # one account: the plain lookup
            return await _each(self.observe, handles, session)
        out: dict[str, Observation] = {}
        for group in chunked(handles, self.batch, case_sensitive=True):
            replies = await self.lookup_many(group, session)
            settled = {h: r for h, r in replies.items() if not _retry_alone(r)}
            done = await asyncio.gather(*(self.complete(h, r, session) for h, r in settled.items()))
            out.update(zip(settled, done, strict=True))
            left = [h for h in group if h not in settled]
            out.update(await _each(self.observe, left, session))
        return out

    async def lookup_many(
        self, handles: Sequence[str], session: Session
    ) -> Mapping[str, Reply[Facts]]:
        """Each handle's profile answer from one batched call."""
        raise NotImplementedError

    async def complete(self, handle: str, reply: Reply[Facts], session: Session) -> Observation:
        """The observation of a profile answer, with follow-up calls (activity, followers)."""
        return session.observed(handle, reply)

    async def access(self, native_id: str, session: Session) -> AccessList | None:
        """Who holds access to the account with the platform id ``native_id`` (issue 13), read
        after its profile when the spec's ``api.extracts`` lists ``access``; a list that could
        not be read carries its reason, never an empty "nobody". None: this API lists none."""
        return None

    async def owned(self, session: Session) -> tuple[OwnedAccount, ...] | Reason:
        """Every account of this platform the credential controls (a Business Manager's Pages,
        the organizations a token administers), or why they could not be listed; () when the
        API has no such list. Read once per run and credential (ACC-008)."""
        return ()


async def _each(
    observe: Callable[[str, Session], Awaitable[Observation]],
    handles: Sequence[str],
    session: Session,
) -> dict[str, Observation]:
    done = await asyncio.gather(*(observe(h, session) for h in handles))
    return dict(zip(handles, done, strict=True))


def _retry_alone(reply: Reply[Facts]) -> bool:
    # A batch answer that left an account out (or failed it for another alias) proves nothing
    # about it: ask for it alone.
    reason = reply.answer.reason
    return (
        reply.answer.outcome is Outcome.ERROR
        and reason is not None
        and (reason.code == "batch_incomplete")
    )


async def batched(
    session: Session,
    request: ApiRequest,
    handles: Sequence[str],
    parse_many: Callable[[Fetched, Sequence[str]], dict[str, Answer[Facts]]],
) -> dict[str, Reply[Facts]]:
    """One batched lookup: each handle's answer, with the call's evidence."""

    def parse(fetched: Fetched) -> Answer[dict[str, Answer[Facts]]]:
        answers = parse_many(fetched, handles)
        # The run obeys the call's signals once: the first answer carries the call's throttle,
        # and a dead credential fails every name alike.
        first = next(iter(answers.values()))
        if all(a.outcome is Outcome.CREDENTIAL_INVALID for a in answers.values()):
            return Answer(first.outcome, first.reason, first.signal, answers, first.throttle)
        return Answer(Outcome.PRESENT, None, "batch", answers, first.throttle)

    reply = await session.ask(request, parse)
    answers = reply.answer.value
    if answers is None:  # no answer at all (a failed fetch, a stopped API)
        return {h: as_facts(reply) for h in handles}
    return {h: _with(reply, answers[h]) for h in handles}


def _with(reply: Reply[Any], answer: Answer[Facts]) -> Reply[Facts]:
    """``reply``'s evidence with one account's ``answer``."""
    return Reply(
        answer, reply.url, reply.fetched_at, reply.fetched, reply.http_status, reply.final_url
    )


def as_facts(reply: Reply[Any], *, absent_allowed: bool = False) -> Reply[Facts]:
    """A failed reply of another call, as the failure of the account's profile lookup. A proof
    of absence about another object (a listing) is no proof about the account: unless
    ``absent_allowed``, it becomes an error."""
    answer = reply.answer
    outcome = answer.outcome
    if outcome in (Outcome.PRESENT, Outcome.ABSENT) and not absent_allowed:
        outcome = Outcome.ERROR
    return _with(reply, Answer(outcome, answer.reason, answer.signal, None, answer.throttle))


@dataclass(frozen=True)
class Listing(Generic[T]):
    """Every row of a paged listing, with its first call's evidence; ``failed``: the reply that
    stopped it (the rows are then incomplete, never to be read as the whole); ``more``: pages
    were left unread after :data:`MAX_PAGES`."""

    rows: tuple[T, ...]
    first: Reply[Any]
    failed: Reply[Any] | None = None
    more: bool = False

    def truncated(self, api: str, what: str) -> Reason | None:
        """The gap left by unread pages, if any."""
        if not self.more:
            return None
        text = f"{api}'s {what} list has more than {MAX_PAGES} pages; the rest was not read"
        return Reason("access_truncated", text)


async def list_all(
    session: Session,
    request: ApiRequest,
    parse: Callable[[Fetched], Answer[tuple[T, ...]]],
    next_page: Callable[[Fetched, ApiRequest], ApiRequest | None],
) -> Listing[T]:
    """Every page of a listing, following ``next_page`` (Graph ``paging.next``, GitHub's
    ``Link``), at most :data:`MAX_PAGES`."""
    rows: list[T] = []
    first: Reply[Any] | None = None
    current: ApiRequest | None = request
    for _ in range(MAX_PAGES):
        if current is None:
            break
        reply = await session.ask(current, parse)
        first = first or reply
        if reply.answer.value is None or reply.fetched is None:
            return Listing(tuple(rows), first, reply)
        rows.extend(reply.answer.value)
        current = next_page(reply.fetched, current)
    assert first is not None  # MAX_PAGES >= 1
    return Listing(tuple(rows), first, more=current is not None)


async def cached(session: Session, key: str, read: Callable[[], Awaitable[T]]) -> T:
    """``read()`` once per run and credential (a token's own profile, its asset list)."""
    slot = (key, session.credential)
    async with session.run.lock(key, session.credential):
        if slot not in session.run.cache:
            session.run.cache[slot] = await read()
        value: T = session.run.cache[slot]
        return value


async def own_profile(
    session: Session, handle: str, request: ApiRequest, parse: Callable[[Fetched], Answer[Facts]]
) -> tuple[Reply[Facts], Observation | None]:
    """The profile of a one-account token (TikTok, Threads: research §2, §5), read once per run
    and credential, and the observation that ends the account here: the token's answer when it
    failed, or unverified when the token is another account's. None: the account is the token's."""

    async def read() -> Reply[Facts]:
        return await session.ask(request, parse)

    me = await cached(session, f"{session.api.endpoint.value}-me", read)
    facts = me.answer.value
    if not me.ok or facts is None:
        return me, session.observed(handle, me)
    if (facts.handle or "").casefold() != session.spec.handle.normalize(handle).casefold():
        name = session.spec.name
        text = (
            f"the {name} credential {session.credential.label} belongs to @{facts.handle}; "
            "give this account its own (credential: NAME in the inventory)"
        )
        url = request.url(session.api.base_url)
        return me, unverified(session, handle, "other_account", text, url)
    return me, None
