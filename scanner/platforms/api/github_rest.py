"""GitHub REST with an organization owner's token (host in github.yaml): a profile and its public
events, an organization's members by role, the ``2fa_disabled`` filter, outside collaborators and
pending invitations, the token's own organization memberships; the error table, the rate-limit
signals and ``Link`` header paging. Shapes from research owner-apis.md §7 and its recordings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from scanner.fetch.interface import Fetched
from scanner.platforms.api.interface import (
    SECRET_PARAMS,
    Answer,
    Api,
    ApiRequest,
    Outcome,
    Rule,
    Throttle,
    as_count,
    as_object,
    as_text,
    read_json,
    unexpected,
)

__all__ = [
    "PER_PAGE",
    "Invitation",
    "Membership",
    "classify",
    "events",
    "invitations",
    "members",
    "my_memberships",
    "next_request",
    "outside_collaborators",
    "parse_events",
    "parse_invitations",
    "parse_logins",
    "parse_memberships",
    "refused",
    "throttle",
    "user",
    "viewer",
]

PER_PAGE = 100
"""Rows asked for per listing page (GitHub's largest ``per_page``, research §7)."""

ADMIN = "admin"


def _headers(version: str) -> tuple[tuple[str, str], ...]:
    # Both from GitHub's docs code samples (research §7).
    return (("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", version))


def _get(path: str, version: str, *query: tuple[str, str]) -> ApiRequest:
    return ApiRequest(Api.GITHUB_API, path, tuple(query), headers=_headers(version))


def user(login: str, version: str) -> ApiRequest:
    """``users/{login}``: users and organizations alike (``"type": "Organization"``)."""
    return _get(f"/users/{quote(login, safe='')}", version)


def events(login: str, version: str) -> ApiRequest:
    """The public events of the last 90 days (the public adapter's activity probe)."""
    return _get(f"/users/{quote(login, safe='')}/events/public", version)


def viewer(version: str) -> ApiRequest:
    """``user``: the token's own account, a cheap self-call for credential health."""
    return _get("/user", version)


def members(
    org: str, version: str, *, role: str | None = None, filter_: str | None = None
) -> ApiRequest:
    """``orgs/{org}/members`` narrowed by ``role`` (admin, member) or ``filter``
    (``2fa_disabled``: organization owners only)."""
    query = [("role", role)] if role else []
    query += [("filter", filter_)] if filter_ else []
    path = f"/orgs/{quote(org, safe='')}/members"
    return _get(path, version, *query, ("per_page", str(PER_PAGE)))


def outside_collaborators(org: str, version: str) -> ApiRequest:
    path = f"/orgs/{quote(org, safe='')}/outside_collaborators"
    return _get(path, version, ("per_page", str(PER_PAGE)))


def invitations(org: str, version: str) -> ApiRequest:
    """Pending invitations (owners only: "You must be an admin…", research §7)."""
    return _get(f"/orgs/{quote(org, safe='')}/invitations", version, ("per_page", str(PER_PAGE)))


def my_memberships(version: str) -> ApiRequest:
    """The token's active organization memberships, each with its role (admin = owner)."""
    query = (("state", "active"), ("per_page", str(PER_PAGE)))
    return _get("/user/memberships/orgs", version, *query)


_LINK = re.compile(r'<(?P<url>[^>]*)>\s*;[^,]*?\brel="?(?P<rel>[^",;]+)"?')


def next_request(fetched: Fetched, previous: ApiRequest) -> ApiRequest | None:
    """The next page from the ``Link`` header's ``rel="next"``, re-based on ``previous``'s API
    (only its path and query are kept, so a link can never move the call to another host);
    None on the last page."""
    header = fetched.headers.get("link") or ""
    for m in _LINK.finditer(header):
        if "next" in m.group("rel").split():
            parts = urlsplit(m.group("url").strip())
            query = tuple(
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if k.lower() not in SECRET_PARAMS
            )
            return ApiRequest(previous.api, parts.path, query, headers=previous.headers)
    return None


# --------------------------------------------------------------------------- errors

_LIMITED = Rule(Outcome.RATE_LIMITED, "rate_limited", "GitHub's rate limit applies")
_RATE_TEXT = re.compile(r"(?i)rate limit|abuse detection")
_OWNERS_ONLY = re.compile(r"(?i)\bowners?\b|must be an admin")

STATUS_RULES = {
    # {"message":"Bad credentials"} (recording error_401_bad_credentials).
    401: Rule(Outcome.CREDENTIAL_INVALID, "credential_invalid", "GitHub refused the token"),
    # "You must be an admin to …" (recording error_403_not_org_admin) and any other refusal:
    # never a fact about the account.
    403: Rule(Outcome.PERMISSION_MISSING, "permission_missing", "the token may not read this"),
}


def throttle(fetched: Fetched) -> Throttle:
    """``Retry-After`` (secondary limits), else ``x-ratelimit-remaining: 0`` with
    ``x-ratelimit-reset`` (epoch seconds): the wait before GitHub's next call."""
    remaining = as_count(fetched.headers.get("x-ratelimit-remaining"))
    retry = as_count(fetched.headers.get("retry-after"))
    reset = as_count(fetched.headers.get("x-ratelimit-reset"))
    wait = None
    if retry is not None:
        wait = float(retry)
    elif remaining == 0 and reset is not None:
        wait = max(0.0, reset - fetched.fetched_at.timestamp())
    return Throttle(remaining=remaining, wait=wait)


def _limited(fetched: Fetched, message: str | None) -> bool:
    """A 403 or 429 that is rate limiting, never a permission verdict (research §7)."""
    if fetched.status not in (403, 429):
        return False
    headers = fetched.headers
    return (
        fetched.status == 429
        or as_count(headers.get("x-ratelimit-remaining")) == 0
        or headers.get("retry-after") is not None
        or bool(message and _RATE_TEXT.search(message))
    )


def classify(fetched: Fetched, *, not_found: bool = True) -> Answer[Any] | None:
    """The error of an answer, or None when it is a 2xx JSON body (a 404 too when not
    ``not_found``: the profile's 404 is judged like the public adapter's, by its body)."""
    body = read_json(fetched)
    message = as_text((as_object(body) or {}).get("message"))
    signal = f"status:{fetched.status}"
    usage = throttle(fetched)
    if _limited(fetched, message):
        return _LIMITED.answer(signal, message, usage)
    if fetched.status == 404 and not not_found:
        return None
    rule = STATUS_RULES.get(fetched.status)
    if rule is None and fetched.status == 422 and message and _OWNERS_ONLY.search(message):
        # "Only owners can use this filter." (otp-cop issue #4 quoting GitHub's answer).
        rule = STATUS_RULES[403]
    if rule is not None:
        return rule.answer(signal, message, usage)
    if fetched.status >= 300 or body is None:
        return unexpected(fetched, "GitHub")
    return None


def refused(answer: Answer[Any]) -> bool:
    """Whether an answer is GitHub's refusal to show a listing to this token."""
    return answer.outcome is Outcome.PERMISSION_MISSING


# --------------------------------------------------------------------------- parsers


def _rows(fetched: Fetched) -> list[dict[str, Any]] | Answer[Any]:
    failure = classify(fetched)
    if failure is not None:
        return failure
    body = read_json(fetched)
    if not isinstance(body, list) or not all(isinstance(r, dict) for r in body):
        return unexpected(fetched, "GitHub")
    return body


def parse_events(fetched: Fetched) -> Answer[list[Any]]:
    """The public events array, as the public adapter reads it."""
    rows = _rows(fetched)
    if isinstance(rows, Answer):
        return rows
    return Answer(Outcome.PRESENT, None, "json:[]", list(rows), throttle(fetched))


def parse_logins(fetched: Fetched) -> Answer[tuple[str, ...]]:
    """One page of users (members, outside collaborators): their logins. A row without a
    login fails the page: dropping it could hide an owner."""
    rows = _rows(fetched)
    if isinstance(rows, Answer):
        return rows
    logins = [as_text(r.get("login")) for r in rows]
    if any(login is None for login in logins):
        return unexpected(fetched, "GitHub")
    found = tuple(login for login in logins if login is not None)
    return Answer(Outcome.PRESENT, None, "json:[].login", found, throttle(fetched))


@dataclass(frozen=True)
class Invitation:
    """A pending invitation: to a GitHub login, or to an email address (``login`` null)."""

    login: str | None
    email: str | None
    role: str


def parse_invitations(fetched: Fetched) -> Answer[tuple[Invitation, ...]]:
    """One page of ``orgs/{org}/invitations`` (recording org_invitations: ``login``, ``email``,
    ``role: direct_member``)."""
    rows = _rows(fetched)
    if isinstance(rows, Answer):
        return rows
    found = []
    for row in rows:
        login, email = as_text(row.get("login")), as_text(row.get("email"))
        if login is None and email is None:
            return unexpected(fetched, "GitHub")
        found.append(Invitation(login, email, as_text(row.get("role")) or "direct_member"))
    return Answer(Outcome.PRESENT, None, "json:[].login|email", tuple(found), throttle(fetched))


@dataclass(frozen=True)
class Membership:
    """One of the token's organization memberships (``user/memberships/orgs``)."""

    org: str
    org_id: str
    role: str
    state: str

    @property
    def owner(self) -> bool:
        return self.role == ADMIN and self.state == "active"


def parse_memberships(fetched: Fetched) -> Answer[tuple[Membership, ...]]:
    """One page of the token's memberships (recording org_membership_role: ``state``, ``role``,
    ``organization.login``)."""
    rows = _rows(fetched)
    if isinstance(rows, Answer):
        return rows
    found = []
    for row in rows:
        org = as_object(row.get("organization")) or {}
        login = as_text(org.get("login"))
        if login is None:
            return unexpected(fetched, "GitHub")
        role, state = as_text(row.get("role")) or "", as_text(row.get("state")) or ""
        found.append(Membership(login, str(org.get("id") or ""), role, state))
    return Answer(Outcome.PRESENT, None, "json:[].role", tuple(found), throttle(fetched))
