"""GitHub accounts through an organization owner's token (research owner-apis.md §7): the profile
and public events as the public adapter reads them (its own extraction, fed the token's answers),
then, for an organization, who holds it: owners, members, the ``2fa_disabled`` filter, outside
collaborators and pending invitations, over ``Link`` header pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from scanner.fetch.interface import Fetched
from scanner.model import (
    AccessList,
    Holder,
    HolderKind,
    Observation,
    ObservationStatus,
    OwnedAccount,
    Platform,
    Reason,
    Tri,
)
from scanner.platforms.api import github_rest
from scanner.platforms.api.interface import Answer, ApiRequest, Facts, Outcome
from scanner.platforms.base import profile_json
from scanner.platforms.classify import Verdict, classify
from scanner.platforms.connectors.base import BaseConnector, Listing, cached, list_all
from scanner.platforms.connectors.interface import Reply, Session
from scanner.platforms.github import EVENTS, GitHubAdapter
from scanner.platforms.registry import adapter_for

__all__ = ["GitHubOrganization"]

T = TypeVar("T")

ORGANIZATION = "Organization"
"""``type`` of an organization in ``users/{login}`` (users say ``User``)."""

_OUTCOMES = {
    ObservationStatus.PRESENT: Outcome.PRESENT,
    ObservationStatus.ABSENT: Outcome.ABSENT,
}


def _adapter() -> GitHubAdapter:
    adapter = adapter_for(Platform.GITHUB)
    assert isinstance(adapter, GitHubAdapter)
    return adapter


def _verdict(session: Session, fetched: Fetched) -> Verdict:
    """What the public adapter's profile probe decides on this answer (its 404 rule: absent
    only with GitHub's documented not-found body)."""
    return classify(session.spec, session.spec.probes["profile"], fetched)


def _profile_parser(session: Session) -> Callable[[Fetched], Answer[Facts]]:
    def parse(fetched: Fetched) -> Answer[Facts]:
        # The token's refusals and GitHub's rate limits first: a 401 is a dead credential and
        # a 403 with x-ratelimit-remaining 0 a limit, never a fact about the account.
        failure = github_rest.classify(fetched, not_found=False)
        if failure is not None:
            return failure
        verdict = _verdict(session, fetched)
        throttle = github_rest.throttle(fetched)
        data = profile_json(verdict) or {}
        outcome = _OUTCOMES.get(verdict.status, Outcome.ERROR)
        if verdict.status is ObservationStatus.BLOCKED:
            outcome = Outcome.RATE_LIMITED
        if outcome is not Outcome.PRESENT:
            return Answer(outcome, verdict.reason, verdict.signal, None, throttle)
        facts = Facts(
            native_id=str(data.get("id") or "") or None,
            handle=data.get("login") if isinstance(data.get("login"), str) else None,
            extra=(("type", str(data.get("type") or "")),),
        )
        return Answer(Outcome.PRESENT, verdict.reason, verdict.signal, facts, throttle)

    return parse


class GitHubOrganization(BaseConnector):
    """A GitHub user or organization by login; an organization's holders when the spec's
    ``api.extracts`` lists ``access`` (a user account has none: None)."""

    name = "github_org"

    async def observe(self, handle: str, session: Session) -> Observation:
        login = session.spec.handle.normalize(handle)
        reply = await session.ask(
            github_rest.user(login, session.version), _profile_parser(session)
        )
        obs = session.observed(handle, reply)
        facts = reply.answer.value
        if not reply.ok or facts is None or reply.fetched is None:
            return obs
        adapter = _adapter()
        fields = adapter.extract(_verdict(session, reply.fetched), login)
        request = github_rest.events(login, session.version)
        events = await session.ask(request, github_rest.parse_events)
        if events.answer.value is not None:
            adapter.record_events(fields, events.answer.value, obs.fetched_at)
        else:
            why = events.answer.reason.code if events.answer.reason else events.answer.signal
            fields["reason"] = adapter.activity_unreadable(EVENTS, why)
        obs = adapter.finish(obs, fields)
        if session.reads_access and facts.extra_value("type") == ORGANIZATION:
            access = await self.access(facts.handle or login, session)
            if access is not None:
                obs = replace(obs, access=access)
        return obs

    async def access(self, native_id: str, session: Session) -> AccessList | None:
        """The organization's owners and members (two-factor from the ``2fa_disabled`` filter),
        outside collaborators and invitations. A refused member listing makes the whole list
        unknown; a refused filter or invitation listing leaves a gap. None: the credential is
        dead (the observation already says so)."""
        org, version = native_id, session.version
        mine = await _memberships(session)
        if session.credential in session.run.dead:
            return None
        if isinstance(mine, Listing) and not any(
            m.org.casefold() == org.casefold() for m in mine.rows
        ):
            return _not_member(session, org, mine.first)
        read: dict[str, Listing[str]] = {}
        for role in (github_rest.ADMIN, "member"):
            listing = await _list_all(
                session, github_rest.members(org, version, role=role), github_rest.parse_logins
            )
            if session.credential in session.run.dead:
                return None
            if listing.failed is not None:
                return _unreadable(session, f"{role} members", listing.failed)
            read[role] = listing
        extras = await _extras(session, org)
        if extras is None:
            return None
        gaps = (
            *extras.gaps,
            *(g for r in read.values() if (g := r.truncated("GitHub", "members"))),
        )
        holders = _holders(read, extras)
        first = read[github_rest.ADMIN].first
        return AccessList(holders, first.url, first.fetched_at, gaps=gaps)

    async def owned(self, session: Session) -> tuple[OwnedAccount, ...] | Reason:
        """The organizations the token's user owns (active memberships with role admin)."""
        mine = await _memberships(session)
        if not isinstance(mine, Listing):
            return mine
        return tuple(
            OwnedAccount(
                platform=session.platform,
                handle=m.org,
                native_id=m.org_id or m.org,
                name=None,
                url=mine.first.url,
                fetched_at=mine.first.fetched_at,
                credential=session.credential.label,
                via="user/memberships/orgs",
            )
            for m in mine.rows
            if m.owner
        )


async def _list_all(
    session: Session, request: ApiRequest, parse: Callable[[Fetched], Answer[tuple[T, ...]]]
) -> Listing[T]:
    """Every page of a ``Link``-paged listing (at most ``MAX_PAGES``)."""
    return await list_all(session, request, parse, github_rest.next_request)


async def _memberships(session: Session) -> Listing[github_rest.Membership] | Reason:
    """The token's active organization memberships, read once per run and credential, or why
    they could not be listed."""

    async def read() -> Listing[github_rest.Membership] | Reason:
        request = github_rest.my_memberships(session.version)
        listing = await _list_all(session, request, github_rest.parse_memberships)
        if listing.failed is None:
            return listing
        answer = listing.failed.answer
        if answer.outcome is Outcome.CREDENTIAL_INVALID and answer.reason is not None:
            return answer.reason
        said = answer.reason.text if answer.reason else answer.signal
        label = session.credential.label
        text = f"the organizations of the {label} token could not be listed ({said})"
        return Reason("owned_unreadable", text)

    return await cached(session, "github-memberships", read)


@dataclass(frozen=True)
class _Extras:
    """What only an owner may read, each with a gap when it was not read."""

    disabled: Listing[str]
    outside: Listing[str]
    invited: Listing[github_rest.Invitation]
    gaps: tuple[Reason, ...]


async def _extras(session: Session, org: str) -> _Extras | None:
    """The 2FA filter, outside collaborators and invitations, each a gap when refused."""
    version = session.version
    disabled = await _list_all(
        session,
        github_rest.members(org, version, filter_="2fa_disabled"),
        github_rest.parse_logins,
    )
    outside = await _list_all(
        session, github_rest.outside_collaborators(org, version), github_rest.parse_logins
    )
    invited = await _list_all(
        session, github_rest.invitations(org, version), github_rest.parse_invitations
    )
    if session.credential in session.run.dead:
        return None
    gaps = tuple(
        _gap(session, code, what, listing)
        for code, what, listing in (
            ("two_factor_unreadable", "the 2fa_disabled filter", disabled),
            ("collaborators_unreadable", "outside collaborators", outside),
            ("invitations_unreadable", "pending invitations", invited),
        )
        if listing.failed is not None
    )
    return _Extras(disabled, outside, invited, gaps)


def _gap(session: Session, code: str, what: str, listing: Listing[Any]) -> Reason:
    assert listing.failed is not None
    answer = listing.failed.answer
    said = answer.reason.text if answer.reason else answer.signal
    label = session.credential.label
    if github_rest.refused(answer):
        text = f"GitHub refused {what} to the {label} token: only organization owners may read it ({said})"
    else:
        text = f"{what} could not be read ({said})"
    if code == "two_factor_unreadable":
        text = f"two-factor status unknown: {text}"
    return Reason(code, text)


def _holders(read: dict[str, Listing[str]], extras: _Extras) -> tuple[Holder, ...]:
    """Owners first, then members, outside collaborators and invitations; each login once."""
    disabled = extras.disabled
    off = {login.casefold() for login in disabled.rows}
    known = disabled.failed is None and not disabled.more

    def two_factor(login: str) -> Tri:
        if login.casefold() in off:
            return Tri.FALSE
        return Tri.TRUE if known else Tri.UNKNOWN

    seen: set[str] = set()
    out: list[Holder] = []
    # The organization's 2FA filter covers its members; an outside collaborator's is unknown.
    for role, admin, rows, via in (
        (github_rest.ADMIN, True, read[github_rest.ADMIN].rows, "members"),
        ("member", False, read["member"].rows, "members"),
        ("outside collaborator", False, extras.outside.rows, "outside_collaborators"),
    ):
        for login in rows:
            if login.casefold() in seen:
                continue
            seen.add(login.casefold())
            factor = two_factor(login) if via == "members" else Tri.UNKNOWN
            out.append(Holder(HolderKind.PERSON, login, None, None, role, admin, factor, via))
    out.extend(
        Holder(HolderKind.INVITATION, i.login, None, i.email, i.role, False, via="invitations")
        for i in extras.invited.rows
    )
    return tuple(out)


def _unreadable(session: Session, what: str, failed: Reply[Any]) -> AccessList:
    answer = failed.answer
    said = answer.reason.text if answer.reason else answer.signal
    if github_rest.refused(answer):
        text = (
            f"GitHub would not list the organization's {what} to the "
            f"{session.credential.label} token: it needs an owner's token with read:org ({said})"
        )
    else:
        text = f"the organization's {what} could not be read ({said})"
    return AccessList((), failed.url, failed.fetched_at, reason=Reason("access_unreadable", text))


def _not_member(session: Session, org: str, listed: Reply[Any]) -> AccessList:
    # GitHub shows a non-member only the public members: such a list would look complete.
    text = (
        f"the {session.credential.label} token is not a member of {org}: GitHub would show it "
        "only the public members; an owner's token with read:org lists them all"
    )
    return AccessList((), listed.url, listed.fetched_at, reason=Reason("access_unreadable", text))
