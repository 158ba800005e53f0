"""LinkedIn Community Management API (``/rest``, host in linkedin.yaml): organization by vanity name
or id, follower count (``networkSizes``), latest post (``posts?q=author``), the organization
access-control lists (``organizationAcls``, start/count paged), the error table and its only
politeness signal, a bare 429. Quirks from research owner-apis.md §4 (no recordings exist).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from scanner.fetch.interface import Fetched
from scanner.platforms.api.interface import (
    Activity,
    Answer,
    Api,
    ApiRequest,
    Facts,
    Outcome,
    Rule,
    Throttle,
    as_count,
    as_object,
    as_text,
    read_json,
    unexpected,
)
from scanner.platforms.dates import parse_datetime

__all__ = [
    "ACL_PAGE",
    "ADMINISTRATOR",
    "AclEntry",
    "AclPage",
    "administered_organizations",
    "classify",
    "latest_posts",
    "my_organizations",
    "network_size",
    "next_acl_page",
    "organization_acls",
    "organization_by_id",
    "organization_by_vanity",
    "organization_urn",
    "parse_acls",
    "parse_followers",
    "parse_latest",
    "parse_organization",
    "parse_organization_by_id",
    "throttle",
]


ORGANIZATION_URN = "urn:li:organization:"

ADMINISTRATOR = "ADMINISTRATOR"
"""The ACL role that manages the page and who else holds a role on it (research §4)."""

ACL_PAGE = 100
"""Rows asked for per ``organizationAcls`` page (``count``)."""


def organization_urn(org_id: str) -> str:
    return f"{ORGANIZATION_URN}{org_id}"


def _headers(version: str) -> tuple[tuple[str, str], ...]:
    # Both headers are required on /rest (linkedin-api-python-client constants.py, research §4).
    return (("LinkedIn-Version", version), ("X-Restli-Protocol-Version", "2.0.0"))


def organization_by_vanity(vanity: str, version: str) -> ApiRequest:
    query = (("q", "vanityName"), ("vanityName", vanity))
    return ApiRequest(Api.LINKEDIN_API, "/rest/organizations", query, headers=_headers(version))


def network_size(org_id: str, version: str) -> ApiRequest:
    """Followers: ``firstDegreeSize`` of the COMPANY_FOLLOWED_BY_MEMBER edge (research §4)."""
    path = f"/rest/networkSizes/{quote(organization_urn(org_id), safe='')}"
    query = (("edgeType", "COMPANY_FOLLOWED_BY_MEMBER"),)
    return ApiRequest(Api.LINKEDIN_API, path, query, headers=_headers(version))


def latest_posts(org_id: str, version: str) -> ApiRequest:
    """The newest posts by creation; five, because drafts (no ``publishedAt``) sort in too."""
    query = (
        ("q", "author"),
        ("author", organization_urn(org_id)),
        ("count", "5"),
        ("sortBy", "CREATED"),
    )
    return ApiRequest(Api.LINKEDIN_API, "/rest/posts", query, headers=_headers(version))


def my_organizations(version: str) -> ApiRequest:
    """The token member's organization roles: a cheap self-call for credential health."""
    query = (("q", "roleAssignee"),)
    return ApiRequest(Api.LINKEDIN_API, "/rest/organizationAcls", query, headers=_headers(version))


def organization_by_id(org_id: str, version: str) -> ApiRequest:
    """An administered organization by id: its ``vanityName`` and ``localizedName`` (research §4,
    Organization Lookup API)."""
    path = f"/rest/organizations/{quote(org_id, safe='')}"
    return ApiRequest(Api.LINKEDIN_API, path, headers=_headers(version))


def organization_acls(org_id: str, version: str, start: int = 0) -> ApiRequest:
    """Who holds a role on the organization (``q=organization``): person URN, role, state. Only
    an ADMINISTRATOR's token may list it (``rw_organization_admin``, research §4)."""
    query = (
        ("q", "organization"),
        ("organization", organization_urn(org_id)),
        ("start", str(start)),
        ("count", str(ACL_PAGE)),
    )
    return ApiRequest(Api.LINKEDIN_API, "/rest/organizationAcls", query, headers=_headers(version))


def administered_organizations(version: str, start: int = 0) -> ApiRequest:
    """The organizations the token's member administers (``q=roleAssignee``, approved
    ADMINISTRATOR roles only)."""
    query = (
        ("q", "roleAssignee"),
        ("role", ADMINISTRATOR),
        ("state", "APPROVED"),
        ("start", str(start)),
        ("count", str(ACL_PAGE)),
    )
    return ApiRequest(Api.LINKEDIN_API, "/rest/organizationAcls", query, headers=_headers(version))


def next_acl_page(request: ApiRequest, page: AclPage) -> ApiRequest | None:
    """The same ACL finder from the next page's ``start``; None on the last page."""
    if page.next_start is None:
        return None
    return request.with_query(start=str(page.next_start))


# --------------------------------------------------------------------------- errors

_NOT_VISIBLE = Rule(
    Outcome.PERMISSION_MISSING,
    "not_visible",
    "LinkedIn showed no such organization to this token; it does not say whether the page exists",
)
_VERSION = Rule(Outcome.ERROR, "api_version", "LinkedIn refused the configured LinkedIn-Version")

CODE_RULES: Mapping[str, Rule] = {
    # Newer error bodies add "code" ([3P] quoting LinkedIn's error-handling page, research §4).
    "ACCESS_DENIED": Rule(
        Outcome.PERMISSION_MISSING, "permission_missing", "the token may not read this"
    ),
    "VERSION_MISSING": _VERSION,
    "NONEXISTENT_VERSION": _VERSION,
}

STATUS_RULES: Mapping[int, Rule] = {
    # {"message":"Empty oauth2_access_token","serviceErrorCode":401,"status":401} (research §4).
    401: Rule(Outcome.CREDENTIAL_INVALID, "credential_invalid", "LinkedIn refused the token"),
    403: Rule(Outcome.PERMISSION_MISSING, "permission_missing", "the token may not read this"),
    # A 404 for an unknown organization id is reported only by a [3P] tool description: not
    # proof of absence.
    404: _NOT_VISIBLE,
    426: _VERSION,
    # 429 comes without rate-limit headers and limits reset at midnight UTC ("Standard rate
    # limits are not published", Microsoft Learn rate-limits page): stop LinkedIn for the run.
    429: Rule(
        Outcome.RATE_LIMITED,
        "rate_limited",
        "LinkedIn's daily limit is reached; no more LinkedIn calls this run",
        stop=True,
    ),
}


def classify(fetched: Fetched) -> Answer[Any] | None:
    body = as_object(read_json(fetched))
    if fetched.status < 400 and body is not None:
        return None
    code = as_text((body or {}).get("code"))
    rule = CODE_RULES.get(code or "") or STATUS_RULES.get(fetched.status)
    if rule is None:
        return unexpected(fetched, "LinkedIn")
    signal = f"status:{fetched.status}" + (f"+json:code={code}" if code else "")
    return rule.answer(signal, as_text((body or {}).get("message")), throttle(fetched))


def throttle(fetched: Fetched) -> Throttle:
    """LinkedIn sends no rate-limit headers; a 429 means wait for midnight UTC and stop."""
    if fetched.status != 429:
        return Throttle()
    now = fetched.fetched_at.astimezone(UTC)
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    return Throttle(wait=(midnight - now).total_seconds(), stop=True)


# --------------------------------------------------------------------------- parsers


def _elements(fetched: Fetched) -> list[Any] | None:
    elements = (as_object(read_json(fetched)) or {}).get("elements")
    return elements if isinstance(elements, list) else None


def parse_organization(fetched: Fetched) -> Answer[Facts]:
    """The vanity-name finder's organization. No element is *not* absence: the finder also
    hides organizations the token may not see (research §4, table B lists it only from [3P])."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    elements = _elements(fetched)
    if elements is None:
        return unexpected(fetched, "LinkedIn")
    org = as_object(elements[0]) if elements else None
    if org is None or org.get("id") is None:
        return _NOT_VISIBLE.answer("json:elements=[]")
    website = as_text(org.get("localizedWebsite"))
    facts = Facts(
        native_id=str(org["id"]),
        handle=as_text(org.get("vanityName")),
        display_name=as_text(org.get("localizedName")),
        bio=as_text(org.get("localizedDescription")),
        links=(website,) if website else (),
    )
    return Answer(Outcome.PRESENT, None, "json:elements[0].id", facts)


def parse_followers(fetched: Fetched) -> Answer[int]:
    failure = classify(fetched)
    if failure is not None:
        return failure
    size = as_count((as_object(read_json(fetched)) or {}).get("firstDegreeSize"))
    if size is None:
        return unexpected(fetched, "LinkedIn")
    return Answer(Outcome.PRESENT, None, "json:firstDegreeSize", size)


def parse_latest(fetched: Fetched) -> Answer[Activity]:
    """The newest ``publishedAt`` (epoch milliseconds) among the posts; drafts have none."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    elements = _elements(fetched)
    if elements is None:
        return unexpected(fetched, "LinkedIn")
    if not elements:
        return Answer(
            Outcome.PRESENT, None, "json:elements=[]", Activity(None, True, "publishedAt")
        )
    times = [_from_millis((as_object(e) or {}).get("publishedAt")) for e in elements]
    dated = [t for t in times if t is not None]
    activity = Activity(max(dated) if dated else None, False, "publishedAt")
    return Answer(Outcome.PRESENT, None, "json:elements[].publishedAt", activity)


def _from_millis(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return parse_datetime(value / 1000)


def parse_organization_by_id(fetched: Fetched) -> Answer[Facts]:
    """One organization object (``GET /rest/organizations/{id}``)."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    org = as_object(read_json(fetched)) or {}
    if org.get("id") is None or as_text(org.get("vanityName")) is None:
        return unexpected(fetched, "LinkedIn")
    facts = Facts(
        native_id=str(org["id"]),
        handle=as_text(org.get("vanityName")),
        display_name=as_text(org.get("localizedName")),
    )
    return Answer(Outcome.PRESENT, None, "json:vanityName", facts)


# --------------------------------------------------------------------------- access lists


@dataclass(frozen=True)
class AclEntry:
    """One row of an organization ACL: the member (``urn:li:person:…``), the role
    (``ADMINISTRATOR``, ``CONTENT_ADMINISTRATOR``, ``ANALYST``, …), its ``state`` (APPROVED,
    REQUESTED, REVOKED, …) and the organization's id (None when the row names none)."""

    assignee: str
    role: str
    state: str
    organization: str | None


@dataclass(frozen=True)
class AclPage:
    """One page of an ACL finder, and where the next page starts (None: the last one)."""

    entries: tuple[AclEntry, ...]
    next_start: int | None


def parse_acls(fetched: Fetched) -> Answer[AclPage]:
    """A page of ``organizationAcls`` (either finder). A row without its member or role fails
    the page: dropping it could hide an administrator."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    body = as_object(read_json(fetched)) or {}
    elements = body.get("elements")
    if not isinstance(elements, list):
        return unexpected(fetched, "LinkedIn")
    entries = []
    for element in elements:
        row = as_object(element) or {}
        assignee, role = as_text(row.get("roleAssignee")), as_text(row.get("role"))
        if assignee is None or role is None:
            return unexpected(fetched, "LinkedIn")
        org = as_text(row.get("organization"))
        org_id = org.removeprefix(ORGANIZATION_URN) if org else None
        entries.append(AclEntry(assignee, role, as_text(row.get("state")) or "", org_id))
    page = AclPage(tuple(entries), _next_start(as_object(body.get("paging")), len(entries)))
    return Answer(Outcome.PRESENT, None, "json:elements[].roleAssignee", page)


def _next_start(paging: dict[str, Any] | None, got: int) -> int | None:
    """Rest.li paging: ``total`` when sent, else a ``rel: next`` link, else a full page means
    there may be more (``total`` is optional in LinkedIn's collections)."""
    if paging is None or got == 0:
        return None
    start = as_count(paging.get("start")) or 0
    total = as_count(paging.get("total"))
    if total is not None:
        return start + got if start + got < total else None
    links = paging.get("links")
    for link in (as_object(x) or {} for x in (links if isinstance(links, list) else ())):
        if link.get("rel") == "next" and isinstance(link.get("href"), str):
            linked = as_count(dict(parse_qsl(urlsplit(link["href"]).query)).get("start"))
            # A link that does not move forward would read the same page again.
            return linked if linked is not None and linked > start else start + got
    count = as_count(paging.get("count"))
    return start + got if count is not None and got >= count else None
