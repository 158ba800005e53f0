"""Meta Graph API (``/v{N}``, host in facebook.yaml): Facebook Pages, Instagram professional accounts,
the token's own assets and its health. Requests, error table, usage headers and paging.
Quirks from research owner-apis.md §1; Threads reuses the error table (``threads.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from scanner.fetch.interface import Fetched
from scanner.model import Tri
from scanner.platforms.api.interface import (
    SECRET_PARAMS,
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
    chunked,
    read_json,
    unexpected,
)
from scanner.platforms.dates import parse_datetime

__all__ = [
    "ACCESS_NEEDS",
    "IG_FIELDS",
    "MAX_IDS",
    "PAGE_FIELDS",
    "Asset",
    "Member",
    "TokenInfo",
    "agencies",
    "assigned_users",
    "business_users",
    "classify",
    "debug_token",
    "ig_user",
    "latest_media",
    "latest_post",
    "me_accounts",
    "my_businesses",
    "next_request",
    "owned_instagram_accounts",
    "owned_pages",
    "page",
    "page_roles",
    "pages",
    "parse_assets",
    "parse_ig_user",
    "parse_latest",
    "parse_members",
    "parse_page",
    "parse_pages",
    "parse_token_info",
    "system_users",
    "throttle",
    "two_factor",
]

PAGE_FIELDS = (
    "id",
    "name",
    "username",
    "link",
    "fan_count",
    "followers_count",
    "verification_status",
    "is_published",
    "about",
    "website",
    "instagram_business_account",
)
IG_FIELDS = ("id", "username", "name", "biography", "website", "followers_count", "media_count")
ASSET_FIELDS = ("id", "name", "username", "tasks")
"""Asked explicitly so ``me/accounts`` does not return each Page's access token (it does by
default: samples/owner/meta/fb_me_accounts_tasks_p1.json)."""

MAX_IDS = 50
"""``?ids=`` group size. The research gives no cap; 50 is the Graph batch-request limit, a
conservative bound until the lead confirms it."""

VERIFIED_STATUSES = frozenset({"blue_verified", "gray_verified"})
"""Page ``verification_status`` values meaning verified (sample fb_page_default_fields.json
shows ``blue_verified``); ``not_verified`` is a known no; absent is unknown."""


# --------------------------------------------------------------------------- requests


def _fields(names: Sequence[str]) -> tuple[str, str]:
    return ("fields", ",".join(names))


def page(node: str, version: str) -> ApiRequest:
    """A Page by id or username (research §1.2)."""
    return ApiRequest(Api.META_GRAPH, f"/{version}/{node}", (_fields(PAGE_FIELDS),))


def pages(nodes: Sequence[str], version: str) -> tuple[ApiRequest, ...]:
    """Many Pages, :data:`MAX_IDS` per call: ``GET /?ids=a,b&fields=…`` answers an object keyed
    by each requested id (sample fb_pages_batch_ids.json)."""
    return tuple(
        ApiRequest(Api.META_GRAPH, f"/{version}/", (("ids", ",".join(group)), _fields(PAGE_FIELDS)))
        for group in chunked(nodes, MAX_IDS)
    )


def latest_post(page_id: str, version: str) -> ApiRequest:
    """The newest published post's time (``published_posts``, research §1.2)."""
    query = (_fields(("created_time",)), ("limit", "1"))
    return ApiRequest(Api.META_GRAPH, f"/{version}/{page_id}/published_posts", query)


def ig_user(ig_id: str, version: str) -> ApiRequest:
    return ApiRequest(Api.META_GRAPH, f"/{version}/{ig_id}", (_fields(IG_FIELDS),))


def latest_media(ig_id: str, version: str) -> ApiRequest:
    query = (_fields(("timestamp",)), ("limit", "1"))
    return ApiRequest(Api.META_GRAPH, f"/{version}/{ig_id}/media", query)


def me_accounts(version: str) -> ApiRequest:
    """Pages the token can reach, with the caller's tasks on each (research §1.1)."""
    query = (_fields(ASSET_FIELDS), ("limit", "100"))
    return ApiRequest(Api.META_GRAPH, f"/{version}/me/accounts", query)


def my_businesses(version: str) -> ApiRequest:
    """The Business Managers the token's system user belongs to (research §1.1): where its
    ``owned_instagram_accounts`` are listed."""
    query = (_fields(("id", "name")), ("limit", "100"))
    return ApiRequest(Api.META_GRAPH, f"/{version}/me/businesses", query)


def owned_pages(business_id: str, version: str) -> ApiRequest:
    query = (_fields(("id", "name", "username")), ("limit", "100"))
    return ApiRequest(Api.META_GRAPH, f"/{version}/{business_id}/owned_pages", query)


def owned_instagram_accounts(business_id: str, version: str) -> ApiRequest:
    query = (_fields(("id", "username", "name")), ("limit", "100"))
    return ApiRequest(Api.META_GRAPH, f"/{version}/{business_id}/owned_instagram_accounts", query)


LISTING_LIMIT = "100"
"""Rows asked per page of a listing; Graph caps it per edge and pages on (research §1.6)."""
ASSIGNED_USER_FIELDS = ("id", "name", "user_type", "tasks")
ROLE_FIELDS = ("id", "name", "tasks")
AGENCY_FIELDS = ("id", "name")
BUSINESS_USER_FIELDS = ("id", "name", "email", "role", "two_fac_status")
SYSTEM_USER_FIELDS = ("id", "name", "role")


def _listing(node: str, edge: str, fields: Sequence[str], version: str) -> ApiRequest:
    query = (_fields(fields), ("limit", LISTING_LIMIT))
    return ApiRequest(Api.META_GRAPH, f"/{version}/{node}/{edge}", query)


def assigned_users(page_id: str, version: str, business_id: str | None = None) -> ApiRequest:
    """Business and system users assigned to a Page, with their tasks (research §1.3; needs
    ``pages_manage_metadata`` and the MANAGE task). ``business`` names the Business Manager
    whose users are listed (a parameter the SDK declares)."""
    request = _listing(page_id, "assigned_users", ASSIGNED_USER_FIELDS, version)
    return request.with_query(business=business_id) if business_id else request


def page_roles(page_id: str, version: str) -> ApiRequest:
    """People outside any business with a role on the Page (research §1.3)."""
    return _listing(page_id, "roles", ROLE_FIELDS, version)


def agencies(page_id: str, version: str) -> ApiRequest:
    """Partner businesses with access to the Page (research §1.3)."""
    return _listing(page_id, "agencies", AGENCY_FIELDS, version)


def business_users(business_id: str, version: str) -> ApiRequest:
    """A Business Manager's people: email, base role, two-factor status (research §1.3)."""
    return _listing(business_id, "business_users", BUSINESS_USER_FIELDS, version)


def system_users(business_id: str, version: str) -> ApiRequest:
    return _listing(business_id, "system_users", SYSTEM_USER_FIELDS, version)


ACCESS_NEEDS: Mapping[str, str] = {
    # What each listing needs (research §1.1, §1.3), named when Meta refuses it.
    "assigned_users": "the pages_manage_metadata permission and the MANAGE task on the Page",
    "roles": "the pages_manage_metadata permission and the MANAGE task on the Page",
    "agencies": "the pages_manage_metadata permission and the MANAGE task on the Page",
    "business_users": "the business_management permission on the Business Manager",
    "system_users": "the business_management permission on the Business Manager",
}


def debug_token(version: str) -> ApiRequest:
    """Token health (research §1.1). Meta documents the inspected token as ``input_token=``;
    Rollcall sends secrets in headers only, so the token inspects itself through its bearer
    header and a server that insists on ``input_token`` answers an error (no expiry known)."""
    return ApiRequest(Api.META_GRAPH, f"/{version}/debug_token")


# --------------------------------------------------------------------------- errors

_CREDENTIAL = Rule(Outcome.CREDENTIAL_INVALID, "credential_invalid", "the Meta token is not valid")
_THROTTLED = "Meta is throttling this token"

ERROR_CODES: Mapping[int, Rule] = {
    # 190 with any subcode (463 expired, 466 invalidated, 467 logged out, none = garbage):
    # samples/owner/meta/fb_error_190_*.json; 102 "access token has expired, been revoked":
    # Graph error-handling guide (research §1.5).
    190: _CREDENTIAL,
    102: _CREDENTIAL,
    # The alias error is Meta's only clean "no such username" (sample fb_error_803_alias.json).
    803: Rule(Outcome.ABSENT, "not_found", "Meta has no Page or account with this username"),
    # 100 merges "does not exist" with "you may not see it" (sample
    # fb_error_100_missing_permission.json): unverified, never absent. 10 and 200-299 are
    # permission errors (research §1.5; sample fb_error_200_permission.json).
    # The run then looks at the public page (runs/observe.py OUT_OF_REACH): present there, the
    # account exists but sits outside what the token can see (ACC-007).
    100: Rule(
        Outcome.PERMISSION_MISSING,
        "not_visible",
        "Meta says the object does not exist or the token lacks the permission to see it",
    ),
    10: Rule(Outcome.PERMISSION_MISSING, "permission_missing", "the token lacks a permission"),
    200: Rule(Outcome.PERMISSION_MISSING, "permission_missing", "the token lacks a permission"),
    # Throttling arrives as type OAuthException: classify by code only (research §1.4).
    4: Rule(Outcome.RATE_LIMITED, "rate_limited", f"{_THROTTLED} (application limit)"),
    17: Rule(Outcome.RATE_LIMITED, "rate_limited", f"{_THROTTLED} (user limit)"),
    32: Rule(Outcome.RATE_LIMITED, "rate_limited", f"{_THROTTLED} (Page request limit)"),
    613: Rule(Outcome.RATE_LIMITED, "rate_limited", f"{_THROTTLED} (custom limit)"),
    341: Rule(Outcome.RATE_LIMITED, "rate_limited", f"{_THROTTLED} (application limit reached)"),
    # 1 and 2 are transient service errors; 368 blocks the token for policy reasons (§1.5).
    1: Rule(Outcome.ERROR, "api_error", "Meta reported an unknown transient error"),
    2: Rule(Outcome.ERROR, "api_error", "Meta's service is temporarily unavailable"),
    368: Rule(Outcome.PERMISSION_MISSING, "temporarily_blocked", "Meta blocked the token for now"),
}

CREDENTIAL_SUBCODES: Mapping[int, str] = {
    # Graph error-handling guide and gist MauricioKruijer/7663113 (research §1.5).
    458: "the app is not installed for the user",
    459: "the user is checkpointed",
    460: "the password changed",
    463: "the token expired",
    464: "the user is unconfirmed",
    466: "the token was invalidated",
    467: "the user logged out",
}

_ALIASES_MISSING = re.compile(r"do not exist:\s*(?P<names>.+?)\.?\s*$")


def _rule_for(code: int) -> Rule | None:
    return ERROR_CODES.get(200 if 200 <= code < 300 else code)


def classify(fetched: Fetched, api: str = "Meta") -> Answer[Any] | None:
    """The error an answer carries (Graph ``{"error":{…}}`` shape, also Threads'), or None on
    success. ``api`` names the API in messages."""
    body = as_object(read_json(fetched))
    error = as_object(body.get("error")) if body is not None else None
    usage = throttle(fetched)
    if error is None:
        if fetched.status >= 400 or body is None:
            return unexpected(fetched, api)
        return None
    code = error.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else -1
    subcode = error.get("error_subcode")
    signal = f"json:error.code={code}"
    rule = _rule_for(code)
    detail = as_text(error.get("message"))
    if rule is _CREDENTIAL and isinstance(subcode, int) and subcode in CREDENTIAL_SUBCODES:
        signal += f"+json:error.error_subcode={subcode}"
        detail = CREDENTIAL_SUBCODES[subcode]
    if rule is None and usage.used_percent is not None and usage.used_percent >= 100:
        rule = Rule(Outcome.RATE_LIMITED, "rate_limited", f"{_THROTTLED} (usage at 100%)")
        signal = "header:x-app-usage>=100"
    if rule is None:
        rule = Rule(Outcome.ERROR, "api_error", f"{api} answered error code {code}")
    return rule.answer(signal, detail, usage)


def throttle(fetched: Fetched) -> Throttle:
    """Meta's usage headers: percentages of the app's (``x-app-usage``) and each business use
    case's (``x-business-use-case-usage``) budgets, and ``estimated_time_to_regain_access``
    in minutes (python-facebook ratelimit.py, research §1.4)."""
    percents: list[float] = []
    regain: list[float] = []
    app = _header_json(fetched, "x-app-usage")
    if isinstance(app, dict):
        percents.extend(_percents(app))
    buc = _header_json(fetched, "x-business-use-case-usage")
    for entries in buc.values() if isinstance(buc, dict) else ():
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict):
                percents.extend(_percents(entry))
                minutes = entry.get("estimated_time_to_regain_access")
                if isinstance(minutes, int | float) and not isinstance(minutes, bool):
                    regain.append(float(minutes))
    wait = max(regain) * 60 if regain and max(regain) > 0 else None
    return Throttle(used_percent=max(percents) if percents else None, wait=wait)


def _header_json(fetched: Fetched, name: str) -> Any:
    try:
        return json.loads(fetched.headers.get(name, ""))
    except ValueError:
        return None


def _percents(entry: Mapping[str, Any]) -> list[float]:
    keys = ("call_count", "total_cputime", "total_time")
    values = (entry.get(k) for k in keys)
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


# --------------------------------------------------------------------------- parsers


def parse_page(fetched: Fetched) -> Answer[Facts]:
    """One Page's facts, or the classified error."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    data = as_object(read_json(fetched))
    if data is None or as_text(data.get("id")) is None:
        return unexpected(fetched, "Meta")
    return Answer(Outcome.PRESENT, None, "json:id", page_facts(data), throttle(fetched))


def page_facts(data: Mapping[str, Any]) -> Facts:
    status = as_text(data.get("verification_status"))
    published = data.get("is_published")
    ig = as_object(data.get("instagram_business_account"))
    ig_id = as_text(ig.get("id")) if ig is not None else None
    website = as_text(data.get("website"))
    return Facts(
        native_id=as_text(data.get("id")),
        handle=as_text(data.get("username")),
        display_name=as_text(data.get("name")),
        bio=as_text(data.get("about")),
        links=(website,) if website else (),
        # followers_count is what the New Page Experience shows; fan_count (likes) is the
        # older count, used only when followers_count is missing.
        followers=_first_count(data.get("followers_count"), data.get("fan_count")),
        verified=Tri.UNKNOWN if status is None else Tri.of(status in VERIFIED_STATUSES),
        published=Tri.of(published) if isinstance(published, bool) else Tri.UNKNOWN,
        extra=(("instagram_business_account", ig_id),) if ig_id else (),
    )


def _first_count(*values: Any) -> int | None:
    return next((c for c in map(as_count, values) if c is not None), None)


def parse_pages(fetched: Fetched, nodes: Sequence[str]) -> dict[str, Answer[Facts]]:
    """Each requested id/username's answer from one ``?ids=`` call. One unknown alias fails
    the whole call with 803 naming it: that one is absent, the others must be asked again."""
    failure = classify(fetched)
    if failure is not None:
        return _batch_failure(failure, fetched, nodes)
    body = as_object(read_json(fetched)) or {}
    by_key = {k.casefold(): v for k, v in body.items()}
    out: dict[str, Answer[Facts]] = {}
    for node in nodes:
        data = as_object(by_key.get(node.casefold()))
        if data is None or as_text(data.get("id")) is None:
            out[node] = _MISSING_FROM_BATCH.answer(f"json:!{node}")
        else:
            out[node] = Answer(
                Outcome.PRESENT, None, "json:id", page_facts(data), throttle(fetched)
            )
    return out


_MISSING_FROM_BATCH = Rule(Outcome.ERROR, "batch_incomplete", "Meta's batch answer left it out")
_RETRY_ALONE = Rule(
    Outcome.ERROR, "batch_incomplete", "another alias in the batch did not exist; ask again"
)
_RETRY_ALONE_HIDDEN = Rule(
    Outcome.ERROR, "batch_incomplete", "an object in the batch is hidden from the token; ask again"
)


def _batch_failure(
    failure: Answer[Any], fetched: Fetched, nodes: Sequence[str]
) -> dict[str, Answer[Facts]]:
    if failure.reason is not None and failure.reason.code == "not_visible" and len(nodes) > 1:
        # One object the token may not see fails the whole call (code 100): it proves nothing
        # about the others, so each is asked alone.
        return dict.fromkeys(nodes, _RETRY_ALONE_HIDDEN.answer(failure.signal))
    if failure.outcome is not Outcome.ABSENT:
        return dict.fromkeys(nodes, failure)
    body = as_object(read_json(fetched)) or {}
    message = as_text((as_object(body.get("error")) or {}).get("message")) or ""
    match = _ALIASES_MISSING.search(message)
    missing = {n.strip().casefold() for n in match.group("names").split(",")} if match else set()
    # Without the names Meta gives no proof for any single alias: nobody is absent.
    return {
        n: failure if n.casefold() in missing else _RETRY_ALONE.answer(failure.signal)
        for n in nodes
    }


def parse_ig_user(fetched: Fetched) -> Answer[Facts]:
    """An Instagram professional account; the Graph API has no verified flag (research §A)."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    data = as_object(read_json(fetched))
    if data is None or as_text(data.get("id")) is None:
        return unexpected(fetched, "Meta")
    website = as_text(data.get("website"))
    facts = Facts(
        native_id=as_text(data.get("id")),
        handle=as_text(data.get("username")),
        display_name=as_text(data.get("name")),
        bio=as_text(data.get("biography")),
        links=(website,) if website else (),
        followers=as_count(data.get("followers_count")),
    )
    return Answer(Outcome.PRESENT, None, "json:id", facts, throttle(fetched))


def parse_latest(fetched: Fetched, field: str, api: str = "Meta") -> Answer[Activity]:
    """The newest item of a ``limit=1`` edge: ``created_time`` of posts, ``timestamp`` of
    Instagram media and Threads (samples fb_posts_created_time_p1, ig_user_media_timestamp_p1)."""
    failure = classify(fetched, api)
    if failure is not None:
        return failure
    items = (as_object(read_json(fetched)) or {}).get("data")
    if not isinstance(items, list):
        return unexpected(fetched, api)
    if not items:
        empty = Activity(None, True, field)
        return Answer(Outcome.PRESENT, None, "json:data=[]", empty, throttle(fetched))
    first = as_object(items[0]) or {}
    latest = parse_datetime(first.get(field))
    return Answer(
        Outcome.PRESENT,
        None,
        f"json:data[0].{field}",
        Activity(latest, False, field),
        throttle(fetched),
    )


def next_request(fetched: Fetched, previous: ApiRequest) -> ApiRequest | None:
    """The next page of a Graph edge from ``paging.next`` (cursor or time paging), re-based on
    ``previous``'s API with the embedded token dropped; None on the last page. Graph omits
    ``next`` on the last page even when ``cursors`` are present (research §1.6)."""
    paging = as_object((as_object(read_json(fetched)) or {}).get("paging"))
    nxt = as_text(paging.get("next")) if paging is not None else None
    if nxt is None:
        return None
    parts = urlsplit(nxt)
    query = tuple(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in SECRET_PARAMS
    )
    return ApiRequest(previous.api, parts.path, query, headers=previous.headers)


@dataclass(frozen=True)
class Asset:
    """A Page or Instagram account the token reaches, with the caller's tasks when listed."""

    native_id: str
    name: str | None
    handle: str | None
    tasks: tuple[str, ...] = ()


R = TypeVar("R")


def _listed(fetched: Fetched, row: Callable[[str, dict[str, Any]], R]) -> Answer[tuple[R, ...]]:
    """One page of a Graph listing (``data[]``), each item with an ``id`` made into ``row``,
    or the classified error (190 dead, 10/200-299/100 a permission)."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    items = (as_object(read_json(fetched)) or {}).get("data")
    if not isinstance(items, list):
        return unexpected(fetched, "Meta")
    rows = []
    for item in items:
        data = as_object(item) or {}
        native_id = as_text(data.get("id"))
        if native_id is not None:
            rows.append(row(native_id, data))
    return Answer(Outcome.PRESENT, None, "json:data", tuple(rows), throttle(fetched))


def _tasks(data: dict[str, Any]) -> tuple[str, ...]:
    tasks = data.get("tasks")
    return tuple(t for t in tasks if isinstance(t, str)) if isinstance(tasks, list) else ()


def _asset(native_id: str, data: dict[str, Any]) -> Asset:
    name, username = as_text(data.get("name")), as_text(data.get("username"))
    return Asset(native_id, name, username, _tasks(data))


def parse_assets(fetched: Fetched) -> Answer[tuple[Asset, ...]]:
    """``me/accounts``, ``owned_pages`` or ``owned_instagram_accounts``: one page of assets."""
    return _listed(fetched, _asset)


@dataclass(frozen=True)
class Member:
    """One row of a listing of who holds access: a Page's assigned user, role or agency, or a
    Business Manager's user or system user (the fields each listing gives, the rest empty)."""

    native_id: str
    name: str | None
    email: str | None = None
    role: str | None = None
    tasks: tuple[str, ...] = ()
    user_type: str | None = None
    two_factor: Tri = Tri.UNKNOWN

    @property
    def system_user(self) -> bool:
        return (self.user_type or "").upper() == "SYSTEM_USER"


def two_factor(status: Any) -> Tri:
    """A business user's ``two_fac_status``. Meta documents the field as a string, not its
    values: ``enabled`` (or ``two_fac_enabled``) is on, ``not_enabled``/``disabled`` off;
    anything else is unknown, never "off"."""
    text = (as_text(status) or "").casefold().removeprefix("two_fac_")
    if text in ("enabled", "on"):
        return Tri.TRUE
    if text in ("not_enabled", "disabled", "off"):
        return Tri.FALSE
    return Tri.UNKNOWN


def _member(native_id: str, data: dict[str, Any]) -> Member:
    return Member(
        native_id=native_id,
        name=as_text(data.get("name")),
        email=as_text(data.get("email")),
        role=as_text(data.get("role")),
        tasks=_tasks(data),
        user_type=as_text(data.get("user_type")),
        two_factor=two_factor(data.get("two_fac_status")),
    )


def parse_members(fetched: Fetched) -> Answer[tuple[Member, ...]]:
    """One page of ``assigned_users``, ``roles``, ``agencies``, ``business_users`` or
    ``system_users``, or the classified error (190 dead, 10/200-299/100 a permission)."""
    return _listed(fetched, _member)


@dataclass(frozen=True)
class TokenInfo:
    """``debug_token``'s view of a token: ``expires_at`` None means it never expires."""

    valid: bool
    token_type: str | None
    expires_at: datetime | None
    data_access_expires_at: datetime | None
    scopes: tuple[str, ...]


def parse_token_info(fetched: Fetched) -> Answer[TokenInfo]:
    """Token health (sample fb_debug_token.json). ``expires_at`` 0 is a non-expiring token
    (system users, research §1.1); ``is_valid`` false is a dead credential."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    data = as_object((as_object(read_json(fetched)) or {}).get("data"))
    if data is None or not isinstance(data.get("is_valid"), bool):
        return unexpected(fetched, "Meta")
    scopes = data.get("scopes")
    info = TokenInfo(
        valid=data["is_valid"],
        token_type=as_text(data.get("type")),
        expires_at=parse_datetime(data.get("expires_at")) if data.get("expires_at") else None,
        data_access_expires_at=parse_datetime(data.get("data_access_expires_at")),
        scopes=tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else (),
    )
    if not info.valid:
        answer: Answer[TokenInfo] = _CREDENTIAL.answer("json:data.is_valid=false")
        return Answer(answer.outcome, answer.reason, answer.signal, info, answer.throttle)
    return Answer(Outcome.PRESENT, None, "json:data.is_valid=true", info, throttle(fetched))
