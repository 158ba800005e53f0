"""Threads API (``/v1.0``, host in threads.yaml): the token's own profile (``me``), its newest post
(``threads``) and followers (``threads_insights``). Errors are Graph-shaped and read with Meta's
table (python-facebook parses Threads with its Graph parser, research owner-apis.md §2).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from scanner.fetch.interface import Fetched
from scanner.model import Tri
from scanner.platforms.api import meta
from scanner.platforms.api.interface import (
    Activity,
    Answer,
    Api,
    ApiRequest,
    Facts,
    Outcome,
    as_count,
    as_object,
    as_text,
    read_json,
    unexpected,
)
from scanner.platforms.base import clean_links

__all__ = [
    "PROFILE_FIELDS",
    "followers",
    "latest_thread",
    "me",
    "next_request",
    "parse_followers",
    "parse_latest",
    "parse_me",
]

PROFILE_FIELDS = ("id", "username", "name", "threads_biography", "is_verified")
"""Threads Profiles doc; "You may only fetch the profile of the app-scoped user" (§2)."""

API_NAME = "Threads"
next_request = meta.next_request
"""Graph paging (``paging.next`` / cursors), the embedded token dropped."""


def me(version: str) -> ApiRequest:
    query = (("fields", ",".join(PROFILE_FIELDS)),)
    return ApiRequest(Api.THREADS_GRAPH, f"/{version}/me", query)


def latest_thread(version: str, user_id: str = "me") -> ApiRequest:
    """The newest post's ``timestamp`` (the ``threads`` edge; §2 notes it is used by [3P]
    clients, not checked against the docs)."""
    query = (("fields", "id,timestamp,permalink"), ("limit", "1"))
    return ApiRequest(Api.THREADS_GRAPH, f"/{version}/{quote(user_id, safe='')}/threads", query)


def followers(version: str, user_id: str = "me") -> ApiRequest:
    """``followers_count`` alone and without a since/until window: a [3P] mock shows this
    metric refusing one (research §2)."""
    path = f"/{version}/{quote(user_id, safe='')}/threads_insights"
    return ApiRequest(Api.THREADS_GRAPH, path, (("metric", "followers_count"),))


def parse_me(fetched: Fetched) -> Answer[Facts]:
    failure = meta.classify(fetched, API_NAME)
    if failure is not None:
        return failure
    data = as_object(read_json(fetched))
    if data is None or as_text(data.get("id")) is None:
        return unexpected(fetched, API_NAME)
    verified = data.get("is_verified")
    bio = as_text(data.get("threads_biography"))
    facts = Facts(
        native_id=as_text(data.get("id")),
        handle=as_text(data.get("username")),
        display_name=as_text(data.get("name")),
        bio=bio,
        # ``me`` has no website field (research §2): the links are those the bio writes out.
        links=clean_links((), bio),
        verified=Tri.of(verified) if isinstance(verified, bool) else Tri.UNKNOWN,
    )
    return Answer(Outcome.PRESENT, None, "json:id", facts, meta.throttle(fetched))


def parse_latest(fetched: Fetched) -> Answer[Activity]:
    return meta.parse_latest(fetched, "timestamp", API_NAME)


def parse_followers(fetched: Fetched) -> Answer[int]:
    """``data[name=followers_count].total_value.value`` (shape from [3P] mocks, §2)."""
    failure = meta.classify(fetched, API_NAME)
    if failure is not None:
        return failure
    items: Any = (as_object(read_json(fetched)) or {}).get("data")
    for item in items if isinstance(items, list) else ():
        metric = as_object(item) or {}
        if metric.get("name") == "followers_count":
            total = as_object(metric.get("total_value")) or {}
            count = as_count(total.get("value"))
            if count is not None:
                return Answer(Outcome.PRESENT, None, "json:data[].total_value.value", count)
    return unexpected(fetched, API_NAME)
