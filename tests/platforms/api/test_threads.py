"""Threads: own profile, newest post, followers from insights; Graph-style errors and paging."""

from __future__ import annotations

from datetime import UTC, datetime

from scanner.model import Tri
from scanner.platforms import api_spec
from scanner.platforms.api import Api, Outcome, threads
from tests.platforms.api.support import answer

V = api_spec(Api.THREADS_GRAPH).version
BASE = api_spec(Api.THREADS_GRAPH).base_url


def test_requests_use_the_threads_graph() -> None:
    assert threads.me(V).api is Api.THREADS_GRAPH
    assert threads.me(V).url(BASE).startswith(f"{BASE}/v1.0/me?fields=id,username")
    assert (
        threads.followers(V, "25")
        .url(BASE)
        .endswith("/v1.0/25/threads_insights?metric=followers_count")
    )


def test_profile() -> None:
    result = threads.parse_me(answer("threads/me.json"))
    assert result.value is not None
    assert result.value.handle == "copperkettlecoffee"
    assert result.value.verified is Tri.FALSE


def test_latest_post_and_paging_without_the_token() -> None:
    fetched = answer("threads/threads_p1.json")
    result = threads.parse_latest(fetched)
    assert result.value is not None
    assert result.value.latest == datetime(2026, 11, 29, 10, 11, 12, tzinfo=UTC)
    nxt = threads.next_request(fetched, threads.latest_thread(V))
    assert nxt is not None and nxt.api is Api.THREADS_GRAPH
    assert "THKettleSecret999" not in nxt.url(BASE)


def test_followers_from_insights() -> None:
    assert threads.parse_followers(answer("threads/insights_followers.json")).value == 2874


def test_expired_token_is_a_dead_credential() -> None:
    result = threads.parse_me(answer("meta/fb_error_190_463_expired.json", status=400))
    assert result.outcome is Outcome.CREDENTIAL_INVALID


def test_insights_without_the_metric_are_an_error() -> None:
    result = threads.parse_followers(answer(None, raw=b'{"data":[]}'))
    assert result.outcome is Outcome.ERROR
