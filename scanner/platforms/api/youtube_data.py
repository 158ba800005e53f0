"""YouTube Data API v3 (``/youtube/v3``, API key, host in youtube.yaml): channels by handle or id
(batched), the newest upload from the uploads playlist, the error-reason table (``keyInvalid``,
``quotaExceeded``) and page tokens. Quirks from research owner-apis.md §6.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.fetch.interface import Fetched
from scanner.model import AccountState
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
    "MAX_IDS",
    "PARTS",
    "channel_by_handle",
    "channel_facts",
    "channels_by_id",
    "classify",
    "latest_upload",
    "next_request",
    "parse_channel",
    "parse_channels",
    "parse_latest",
]

PARTS = "snippet,statistics,status,contentDetails"
"""``channels.list`` parts (1 quota unit whatever the parts; research §6)."""

MAX_IDS = 50
"""``id=a,b`` group size: 50 is ``maxResults``' ceiling on list calls; the research gives no
other cap."""

_PRIVACY_STATES: Mapping[str, AccountState] = {
    "public": AccountState.ACTIVE,
    "unlisted": AccountState.ACTIVE,
    "private": AccountState.PRIVATE,
}


def channel_by_handle(handle: str) -> ApiRequest:
    """``forHandle=@name`` (python-youtube channels.py passes the ``@``; research §6)."""
    name = handle if handle.startswith("@") else f"@{handle}"
    query = (("part", PARTS), ("forHandle", name))
    return ApiRequest(Api.YOUTUBE_API, "/youtube/v3/channels", query)


def channels_by_id(channel_ids: Sequence[str]) -> tuple[ApiRequest, ...]:
    return tuple(
        ApiRequest(
            Api.YOUTUBE_API,
            "/youtube/v3/channels",
            (("part", PARTS), ("id", ",".join(group)), ("maxResults", str(MAX_IDS))),
        )
        for group in chunked(channel_ids, MAX_IDS, case_sensitive=True)
    )


def latest_upload(uploads_playlist: str) -> ApiRequest:
    """The uploads playlist's newest item; ``contentDetails.videoPublishedAt`` is the video's
    publication, ``snippet.publishedAt`` only when it entered the playlist (research §6)."""
    query = (("part", "contentDetails"), ("playlistId", uploads_playlist), ("maxResults", "1"))
    return ApiRequest(Api.YOUTUBE_API, "/youtube/v3/playlistItems", query)


def next_request(fetched: Fetched, previous: ApiRequest) -> ApiRequest | None:
    """The next page from ``nextPageToken`` (sample playlistItems_list_paged_p1.json)."""
    token = as_text((as_object(read_json(fetched)) or {}).get("nextPageToken"))
    return previous.with_query(pageToken=token) if token else None


# --------------------------------------------------------------------------- errors

_QUOTA = Rule(
    Outcome.QUOTA_EXCEEDED,
    "quota_exceeded",
    "the YouTube Data API quota is used up; no more YouTube calls this run",
    stop=True,
)

REASON_RULES: Mapping[str, Rule] = {
    # error.errors[].reason (sample error_400_keyInvalid.json; research §6, table B).
    "keyInvalid": Rule(Outcome.CREDENTIAL_INVALID, "credential_invalid", "the API key is invalid"),
    # The key's project has the API switched off ([3P], research table B): the key is unusable.
    "accessNotConfigured": Rule(
        Outcome.CREDENTIAL_INVALID,
        "credential_invalid",
        "the YouTube Data API is not enabled for the key's project",
    ),
    # 403 youtube.quota/quotaExceeded: non-retryable until the daily reset (research §6).
    "quotaExceeded": _QUOTA,
    "dailyLimitExceeded": _QUOTA,
    "rateLimitExceeded": Rule(Outcome.RATE_LIMITED, "rate_limited", "YouTube rate limit reached"),
    "userRateLimitExceeded": Rule(
        Outcome.RATE_LIMITED, "rate_limited", "YouTube rate limit reached"
    ),
    "forbidden": Rule(Outcome.PERMISSION_MISSING, "permission_missing", "YouTube refused access"),
    "playlistNotFound": Rule(
        Outcome.ERROR, "activity_unreadable", "the channel's uploads playlist was not found"
    ),
}


def classify(fetched: Fetched) -> Answer[Any] | None:
    body = as_object(read_json(fetched))
    error = as_object(body.get("error")) if body is not None else None
    if error is None:
        return unexpected(fetched, "YouTube") if fetched.status >= 400 or body is None else None
    errors = error.get("errors")
    reasons = (
        [str(e.get("reason")) for e in errors if isinstance(e, dict) and e.get("reason")]
        if isinstance(errors, list)
        else []
    )
    reason = next((r for r in reasons if r in REASON_RULES), reasons[0] if reasons else "")
    rule = REASON_RULES.get(reason) or Rule(
        Outcome.ERROR, "api_error", f"YouTube answered HTTP {fetched.status} {reason}".strip()
    )
    throttle = Throttle(stop=True) if rule.stop else Throttle()
    signal = f"status:{fetched.status}+json:error.errors[].reason={reason}"
    return rule.answer(signal, as_text(error.get("message")), throttle)


# --------------------------------------------------------------------------- parsers


def channel_facts(item: Mapping[str, Any]) -> Facts:
    snippet = as_object(item.get("snippet")) or {}
    stats = as_object(item.get("statistics")) or {}
    status = as_object(item.get("status")) or {}
    details = as_object(item.get("contentDetails")) or {}
    uploads = as_text((as_object(details.get("relatedPlaylists")) or {}).get("uploads"))
    privacy = as_text(status.get("privacyStatus"))
    # hiddenSubscriberCount: the owner hid the count; any number sent along is not the truth.
    hidden = stats.get("hiddenSubscriberCount") is True
    return Facts(
        native_id=as_text(item.get("id")),
        handle=as_text(snippet.get("customUrl")),
        display_name=as_text(snippet.get("title")),
        bio=as_text(snippet.get("description")),
        followers=None if hidden else as_count(stats.get("subscriberCount")),
        created_at=parse_datetime(snippet.get("publishedAt")),
        state=_PRIVACY_STATES.get(privacy or "", AccountState.ACTIVE),
        extra=(("uploads", uploads),) if uploads else (),
    )


def parse_channel(fetched: Fetched) -> Answer[Facts]:
    """One channel (``forHandle`` or a single id). "Returns a collection of zero or more channel
    resources": zero items is the API's answer that no channel has this handle or id (research
    §6 and table B)."""
    failure = classify(fetched)
    if failure is not None:
        return failure
    items = (as_object(read_json(fetched)) or {}).get("items", [])
    if not isinstance(items, list):
        return unexpected(fetched, "YouTube")
    first = as_object(items[0]) if items else None
    if first is None:
        reason = Rule(Outcome.ABSENT, "not_found", "YouTube has no channel with this handle or id")
        return reason.answer("status:200+json:items=[]")
    return Answer(Outcome.PRESENT, None, "json:items[0].id", channel_facts(first))


def parse_channels(fetched: Fetched, channel_ids: Sequence[str]) -> dict[str, Answer[Facts]]:
    """Each requested id's answer from one ``id=a,b`` call; an id missing from ``items`` is not
    returned by the API, hence absent (same source as :func:`parse_channel`)."""
    failure = classify(fetched)
    if failure is not None:
        return dict.fromkeys(channel_ids, failure)
    items = (as_object(read_json(fetched)) or {}).get("items", [])
    if not isinstance(items, list):
        return dict.fromkeys(channel_ids, unexpected(fetched, "YouTube"))
    by_id = {str(i.get("id")): i for i in items if isinstance(i, dict)}
    missing = Rule(Outcome.ABSENT, "not_found", "YouTube has no channel with this id")
    return {
        cid: Answer(Outcome.PRESENT, None, "json:items[].id", channel_facts(by_id[cid]))
        if cid in by_id
        else missing.answer(f"status:200+json:!items[id={cid}]")
        for cid in channel_ids
    }


def parse_latest(fetched: Fetched) -> Answer[Activity]:
    failure = classify(fetched)
    if failure is not None:
        return failure
    items = (as_object(read_json(fetched)) or {}).get("items")
    field = "videoPublishedAt"
    if not isinstance(items, list):
        return unexpected(fetched, "YouTube")
    if not items:
        return Answer(Outcome.PRESENT, None, "json:items=[]", Activity(None, True, field))
    details = as_object((as_object(items[0]) or {}).get("contentDetails")) or {}
    activity = Activity(parse_datetime(details.get(field)), False, field)
    return Answer(Outcome.PRESENT, None, f"json:items[0].contentDetails.{field}", activity)
