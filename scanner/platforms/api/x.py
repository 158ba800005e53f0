"""X API v2 (``/2``, host in x.yaml): user lookups (single and batched), the timeline, Snowflake
post times, the error tables (absence and suspension arrive inside an HTTP 200) and the
``x-rate-limit-*`` headers. Quirks from research owner-apis.md §3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from scanner.fetch.interface import Fetched
from scanner.model import AccountState, Reason, Tri
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
    chunked,
    read_json,
    unexpected,
)
from scanner.platforms.dates import parse_datetime

__all__ = [
    "MAX_USERNAMES",
    "SNOWFLAKE_EPOCH_MS",
    "USER_FIELDS",
    "classify",
    "next_request",
    "parse_latest",
    "parse_user",
    "parse_users",
    "snowflake_time",
    "throttle",
    "user_by_username",
    "user_tweets",
    "users_by_usernames",
    "users_me",
]

USER_FIELDS = (
    "created_at",
    "description",
    "entities",
    "most_recent_tweet_id",
    "protected",
    "public_metrics",
    "url",
    "verified",
    "verified_type",
)
"""``user.fields`` of the OpenAPI ``User`` schema (xdevplatform/xdk, research §3); ``entities``
and ``url`` give the expanded profile link."""

MAX_USERNAMES = 100
"""``users/by?usernames=`` takes at most 100 names (xdk OpenAPI, research §3)."""

SNOWFLAKE_EPOCH_MS = 1288834974657
"""X's Snowflake epoch (2010-11-04T01:42:54.657Z): an id's top 41 bits are milliseconds since
it. Checked against every recorded tweet carrying both id and ``created_at``
(samples/owner/x/user_tweets_created_at.json, e.g. 1364275610764201984 → 2021-02-23T18:07:07Z)."""

_SNOWFLAKE_START = datetime(2010, 11, 5, tzinfo=UTC)
"""Ids from before Snowflake were sequential: they decode to the epoch's first seconds. A time
before this day is such an id, not a date."""


# --------------------------------------------------------------------------- requests


def _user_fields() -> tuple[str, str]:
    return ("user.fields", ",".join(USER_FIELDS))


def user_by_username(username: str) -> ApiRequest:
    path = f"/2/users/by/username/{quote(username.lstrip('@'), safe='')}"
    return ApiRequest(Api.X_API, path, (_user_fields(),))


def users_by_usernames(usernames: Sequence[str]) -> tuple[ApiRequest, ...]:
    """Batched lookups, :data:`MAX_USERNAMES` per call: every user read is billed, so one call
    per hundred accounts (research §3 "Money")."""
    names = [u.lstrip("@") for u in usernames]
    return tuple(
        ApiRequest(Api.X_API, "/2/users/by", (("usernames", ",".join(group)), _user_fields()))
        for group in chunked(names, MAX_USERNAMES)
    )


def user_tweets(user_id: str) -> ApiRequest:
    """The newest posts with their time; 5 is the smallest ``max_results`` X accepts."""
    query = (("max_results", "5"), ("tweet.fields", "created_at"))
    return ApiRequest(Api.X_API, f"/2/users/{quote(user_id, safe='')}/tweets", query)


def users_me() -> ApiRequest:
    """The credential's own user (user-context tokens only; research §3 "Auth")."""
    return ApiRequest(Api.X_API, "/2/users/me", (_user_fields(),))


def next_request(fetched: Fetched, previous: ApiRequest) -> ApiRequest | None:
    """The next timeline page from ``meta.next_token``; None on the last page."""
    meta = as_object((as_object(read_json(fetched)) or {}).get("meta"))
    token = as_text(meta.get("next_token")) if meta is not None else None
    return previous.with_query(pagination_token=token) if token else None


# --------------------------------------------------------------------------- Snowflake


def snowflake_time(tweet_id: object) -> datetime | None:
    """When the post with this id was made: ``(id >> 22) + SNOWFLAKE_EPOCH_MS`` milliseconds.
    None for anything that is not a Snowflake id (garbage, negative, pre-2010 sequential)."""
    if isinstance(tweet_id, bool):
        return None
    if isinstance(tweet_id, str) and tweet_id.strip().isdigit():
        tweet_id = int(tweet_id.strip())
    if not isinstance(tweet_id, int) or not 0 < tweet_id < 2**63:
        return None
    when = datetime.fromtimestamp(((tweet_id >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, tz=UTC)
    return when if when >= _SNOWFLAKE_START else None


# --------------------------------------------------------------------------- errors

STATUS_RULES: Mapping[int, Rule] = {
    # {"title":"Unauthorized","type":"about:blank","status":401} ([3P] mocks, research §3).
    401: Rule(Outcome.CREDENTIAL_INVALID, "credential_invalid", "X refused the token"),
    # 402 CreditsDepleted: prepaid credits ran out ([3P] report, research §3).
    402: Rule(Outcome.QUOTA_EXCEEDED, "quota_exceeded", "X credits are used up", stop=True),
    # 429 as an RFC 7807 problem or v1.1-style code 88: the status decides (research §3).
    429: Rule(Outcome.RATE_LIMITED, "rate_limited", "X rate limit reached"),
    400: Rule(Outcome.ERROR, "invalid_request", "X rejected the request"),
}

PROBLEM_RULES: Mapping[str, Rule] = {
    # Problem ``type`` suffixes of 403 answers (xdk OpenAPI Problem types, research §3).
    "client-forbidden": Rule(
        Outcome.PERMISSION_MISSING, "permission_missing", "the X app is not enrolled for this"
    ),
    "not-authorized-for-resource": Rule(
        Outcome.PERMISSION_MISSING, "permission_missing", "the token may not read this resource"
    ),
    "unsupported-authentication": Rule(
        Outcome.PERMISSION_MISSING, "permission_missing", "this call needs another token type"
    ),
    "usage-capped": Rule(
        Outcome.QUOTA_EXCEEDED, "quota_exceeded", "the X usage cap is reached", stop=True
    ),
}

_SUSPENDED = Rule(Outcome.PRESENT, "suspended", "X says the user has been suspended")
_ABSENT = Rule(Outcome.ABSENT, "not_found", "X could not find a user with this username")

DETAIL_RULES: Mapping[str, Rule] = {
    # Inside an HTTP 200: errors[].detail (sfm-twitter-harvester comment and >=5 [3P] mocks,
    # research §3). Suspension shares the resource-not-found type and the title "Forbidden":
    # only the detail tells it apart, and it is present, never absent.
    "user has been suspended": _SUSPENDED,
    "could not find user with": _ABSENT,
}
TITLE_RULES: Mapping[str, Rule] = {"not found error": _ABSENT}


def classify(fetched: Fetched) -> Answer[Any] | None:
    """The HTTP-level error of an answer, or None when a 200 JSON body arrived (whose
    ``errors[]`` the parsers read per user)."""
    usage = throttle(fetched)
    body = as_object(read_json(fetched))
    rule = STATUS_RULES.get(fetched.status)
    if rule is not None:
        return rule.answer(f"status:{fetched.status}", _problem_detail(body), usage)
    if fetched.status == 403:
        kind = str((body or {}).get("type", "")).rsplit("/", 1)[-1]
        # An unlisted 403 problem is still a refusal to show, never a fact about the account.
        rule = PROBLEM_RULES.get(kind) or PROBLEM_RULES["not-authorized-for-resource"]
        return rule.answer(f"status:403+json:type={kind}", _problem_detail(body), usage)
    if fetched.status != 200 or body is None:
        return unexpected(fetched, "X")
    return None


def _problem_detail(body: Mapping[str, Any] | None) -> str | None:
    return as_text((body or {}).get("detail")) if body is not None else None


def throttle(fetched: Fetched) -> Throttle:
    """``x-rate-limit-remaining`` and ``x-rate-limit-reset`` (unix seconds; research §3): the
    wait is until the reset when nothing remains or X answered 429."""
    remaining = as_count(fetched.headers.get("x-rate-limit-remaining"))
    reset = as_count(fetched.headers.get("x-rate-limit-reset"))
    wait = None
    if reset is not None and (remaining == 0 or fetched.status == 429):
        wait = max(0.0, reset - fetched.fetched_at.timestamp())
    return Throttle(remaining=remaining, wait=wait)


# --------------------------------------------------------------------------- parsers


def user_facts(data: Mapping[str, Any]) -> Facts:
    metrics = as_object(data.get("public_metrics")) or {}
    verified = data.get("verified")
    verified_type = as_text(data.get("verified_type"))
    recent = as_text(data.get("most_recent_tweet_id"))
    last = snowflake_time(recent)
    extra = [("verified_type", verified_type), ("most_recent_tweet_id", recent)]
    return Facts(
        native_id=as_text(data.get("id")),
        handle=as_text(data.get("username")),
        display_name=as_text(data.get("name")),
        bio=as_text(data.get("description")),
        links=_links(data),
        followers=as_count(metrics.get("followers_count")),
        verified=Tri.of(verified) if isinstance(verified, bool) else _verified_type(verified_type),
        created_at=parse_datetime(data.get("created_at")),
        last_activity_at=last,
        activity_field="most_recent_tweet_id" if last else None,
        # protected: the account exists and only approved followers see its posts (SFM comment).
        state=AccountState.PRIVATE if data.get("protected") is True else AccountState.ACTIVE,
        extra=tuple((k, v) for k, v in extra if v),
    )


def _verified_type(value: str | None) -> Tri:
    return Tri.UNKNOWN if value is None else Tri.of(value != "none")


def _links(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The expanded profile link (``entities.url.urls[]``), else the t.co ``url``."""
    entities = as_object(data.get("entities")) or {}
    urls = (as_object(entities.get("url")) or {}).get("urls")
    expanded = (
        [as_text(u.get("expanded_url")) for u in urls if isinstance(u, dict)]
        if isinstance(urls, list)
        else []
    )
    links = [u for u in expanded if u] or [u for u in [as_text(data.get("url"))] if u]
    return tuple(dict.fromkeys(links))


def _problem_answer(problem: Mapping[str, Any], username: str) -> Answer[Facts]:
    detail = as_text(problem.get("detail")) or ""
    title = (as_text(problem.get("title")) or "").casefold()
    rule = next(
        (r for prefix, r in DETAIL_RULES.items() if detail.casefold().startswith(prefix)),
        TITLE_RULES.get(title),
    )
    if rule is None:
        return Rule(Outcome.ERROR, "api_error", "X answered an unknown problem").answer(
            f"json:errors[].title={title}", detail or None
        )
    signal = f"status:200+json:errors[].detail={detail[:60]}"
    answer: Answer[Facts] = rule.answer(signal)
    if rule is _SUSPENDED:
        facts = Facts(handle=username, state=AccountState.SUSPENDED)
        return Answer(Outcome.PRESENT, Reason(rule.code, rule.text), signal, facts)
    return answer


def parse_user(fetched: Fetched, username: str) -> Answer[Facts]:
    """``users/by/username/:u``: the user, or what ``errors[]`` says about it."""
    return parse_users(fetched, [username])[username]


def parse_users(fetched: Fetched, usernames: Sequence[str]) -> dict[str, Answer[Facts]]:
    """Each requested username's answer from one lookup (``data`` an object or a list)."""
    failure = classify(fetched)
    if failure is not None:
        return dict.fromkeys(usernames, failure)
    body = as_object(read_json(fetched)) or {}
    data = body.get("data")
    users = [data] if isinstance(data, dict) else data if isinstance(data, list) else []
    found = {str(u.get("username", "")).casefold(): u for u in users if isinstance(u, dict)}
    errors = body.get("errors")
    problems = [p for p in errors if isinstance(p, dict)] if isinstance(errors, list) else []
    by_value = {str(p.get("value", "")).casefold(): p for p in problems}
    usage = throttle(fetched)
    out: dict[str, Answer[Facts]] = {}
    for name in usernames:
        key = name.lstrip("@").casefold()
        if key in found:
            out[name] = Answer(Outcome.PRESENT, None, "json:data.id", user_facts(found[key]), usage)
        elif key in by_value or (len(usernames) == 1 and len(problems) == 1):
            out[name] = _problem_answer(by_value.get(key) or problems[0], name)
        else:
            out[name] = _LEFT_OUT.answer(f"json:!data[username={name}]")
    return out


_LEFT_OUT = Rule(Outcome.ERROR, "batch_incomplete", "X's answer neither listed nor refused it")


def parse_latest(fetched: Fetched) -> Answer[Activity]:
    """The newest post of a ``users/:id/tweets`` page; no ``data`` with ``result_count`` 0 is
    an account without posts (xdk Get2UsersIdTweetsResponse)."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    body = as_object(read_json(fetched)) or {}
    tweets = body.get("data")
    meta = as_object(body.get("meta")) or {}
    if tweets is None and meta.get("result_count") == 0:
        activity = Activity(None, True, "created_at")
        return Answer(
            Outcome.PRESENT, None, "json:meta.result_count=0", activity, throttle(fetched)
        )
    if not isinstance(tweets, list) or not tweets:
        return unexpected(fetched, "X")
    times = [parse_datetime((as_object(t) or {}).get("created_at")) for t in tweets]
    dated = [t for t in times if t is not None]
    activity = Activity(max(dated) if dated else None, False, "created_at")
    return Answer(Outcome.PRESENT, None, "json:data[].created_at", activity, throttle(fetched))
