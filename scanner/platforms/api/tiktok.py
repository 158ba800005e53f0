"""TikTok Display API (``/v2``, host in tiktok.yaml): the token's own user (``user/info``) and its
newest video (``video/list``, a POST). Every body carries ``error``; success is
``error.code == "ok"``. Quirks from research owner-apis.md §5 (no recordings exist).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from scanner.fetch.interface import Fetched
from scanner.model import Tri
from scanner.platforms.api.interface import (
    Activity,
    Answer,
    Api,
    ApiRequest,
    Facts,
    Method,
    Outcome,
    Rule,
    Throttle,
    as_count,
    as_object,
    as_text,
    read_json,
    unexpected,
)
from scanner.platforms.base import clean_links
from scanner.platforms.dates import parse_datetime

__all__ = [
    "USER_FIELDS",
    "VIDEO_FIELDS",
    "classify",
    "next_request",
    "parse_latest",
    "parse_user",
    "throttle",
    "user_info",
    "video_list",
]

USER_FIELDS = (
    "open_id",
    "username",
    "display_name",
    "bio_description",
    "profile_deep_link",
    "is_verified",
    "follower_count",
    "video_count",
)
"""Display API ``user/info`` fields (TikTok developer docs, get-user-info, research §5)."""

VIDEO_FIELDS = ("id", "create_time", "share_url")

WINDOW_SECONDS = 60.0
"""``user/info`` and ``video/list`` allow 600 requests per 1-minute sliding window each and
send no reset header (TikTok developer docs, rate-limit page): a 429 waits one window."""


def user_info() -> ApiRequest:
    """The token's own account: a Display API token belongs to one TikTok user."""
    return ApiRequest(Api.TIKTOK_API, "/v2/user/info/", (("fields", ",".join(USER_FIELDS)),))


def video_list(cursor: int | None = None, max_count: int = 1) -> ApiRequest:
    """Newest videos first; ``cursor`` (epoch milliseconds) pages back (Workato doc, §5)."""
    body: dict[str, int] = {"max_count": max_count}
    if cursor is not None:
        body["cursor"] = cursor
    return ApiRequest(
        Api.TIKTOK_API,
        "/v2/video/list/",
        (("fields", ",".join(VIDEO_FIELDS)),),
        method=Method.POST,
        body=json.dumps(body, separators=(",", ":")),
        headers=(("content-type", "application/json"),),
    )


# --------------------------------------------------------------------------- errors

ERROR_CODES: Mapping[str, Rule] = {
    # TikTok developer docs, "tiktok-api-v2-error-handling" (research §5).
    "access_token_invalid": Rule(
        Outcome.CREDENTIAL_INVALID, "credential_invalid", "TikTok refused the token"
    ),
    "scope_not_authorized": Rule(
        Outcome.PERMISSION_MISSING, "permission_missing", "the user did not grant this scope"
    ),
    "scope_permission_missed": Rule(
        Outcome.PERMISSION_MISSING, "permission_missing", "the app lacks this scope"
    ),
    "rate_limit_exceeded": Rule(Outcome.RATE_LIMITED, "rate_limited", "TikTok rate limit reached"),
    "invalid_params": Rule(Outcome.ERROR, "invalid_request", "TikTok rejected the request"),
    "internal_error": Rule(Outcome.ERROR, "api_error", "TikTok reported an internal error"),
}

STATUS_RULES: Mapping[int, Rule] = {
    # When the body is not the v2 envelope, the status still tells (same error-handling page).
    401: ERROR_CODES["access_token_invalid"],
    429: ERROR_CODES["rate_limit_exceeded"],
}


def classify(fetched: Fetched) -> Answer[Any] | None:
    """None when ``error.code`` is ``"ok"``: a success body carries an ``error`` object too, so
    its presence means nothing (research §5)."""
    body = as_object(read_json(fetched))
    error = as_object(body.get("error")) if body is not None else None
    code = as_text(error.get("code")) if error is not None else None
    if code == "ok" and fetched.status < 400:
        return None
    signal = f"status:{fetched.status}" + (f"+json:error.code={code}" if code else "")
    rule = ERROR_CODES.get(code or "") or STATUS_RULES.get(fetched.status)
    if rule is None:
        if code is not None:
            rule = Rule(Outcome.ERROR, "api_error", f"TikTok answered error {code}")
        else:
            return unexpected(fetched, "TikTok")
    detail = as_text(error.get("message")) if error is not None else None
    return rule.answer(signal, detail, throttle(fetched))


def throttle(fetched: Fetched) -> Throttle:
    return Throttle(wait=WINDOW_SECONDS) if fetched.status == 429 else Throttle()


# --------------------------------------------------------------------------- parsers


def _data(fetched: Fetched) -> dict[str, Any] | None:
    return as_object((as_object(read_json(fetched)) or {}).get("data"))


def parse_user(fetched: Fetched) -> Answer[Facts]:
    failure = classify(fetched)
    if failure is not None:
        return failure
    user = as_object((_data(fetched) or {}).get("user"))
    if user is None:
        return unexpected(fetched, "TikTok")
    verified = user.get("is_verified")
    link = as_text(user.get("profile_deep_link"))
    bio = as_text(user.get("bio_description"))
    facts = Facts(
        native_id=as_text(user.get("open_id")),
        handle=as_text(user.get("username")),
        display_name=as_text(user.get("display_name")),
        bio=bio,
        # user/info has no website field (research §5): the profile's link is the one its bio
        # writes out, as the public page shows it.
        links=clean_links((), bio),
        followers=as_count(user.get("follower_count")),
        verified=Tri.of(verified) if isinstance(verified, bool) else Tri.UNKNOWN,
        extra=(("profile_deep_link", link),) if link else (),
    )
    return Answer(Outcome.PRESENT, None, "json:error.code=ok+json:data.user", facts)


def parse_latest(fetched: Fetched) -> Answer[Activity]:
    """The newest ``create_time`` (epoch seconds in every [3P] mock; research §5)."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    videos = (_data(fetched) or {}).get("videos")
    if not isinstance(videos, list):
        return unexpected(fetched, "TikTok")
    if not videos:
        return Answer(
            Outcome.PRESENT, None, "json:data.videos=[]", Activity(None, True, "create_time")
        )
    times = [parse_datetime((as_object(v) or {}).get("create_time")) for v in videos]
    dated = [t for t in times if t is not None]
    activity = Activity(max(dated) if dated else None, False, "create_time")
    return Answer(Outcome.PRESENT, None, "json:data.videos[].create_time", activity)


def next_request(fetched: Fetched, previous: ApiRequest) -> ApiRequest | None:
    """The next page while ``data.has_more``, from ``data.cursor``."""
    data = _data(fetched) or {}
    cursor = data.get("cursor")
    if data.get("has_more") is not True or isinstance(cursor, bool) or not isinstance(cursor, int):
        return None
    body = json.loads(previous.body or "{}")
    return video_list(cursor, int(body.get("max_count", 1)))
