"""scanner.fetch.fake: the table-driven Fetcher that logic tests use instead of sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import TypeVar

from scanner.fetch import Fetched, Fetcher, FetcherFactory, FetchFailed, FetchOutcome
from scanner.fetch.fake import Failure, FakeFetcher, FakeFetcherFactory, FakeRequest, Reply
from scanner.model import ObservationStatus, Platform, Reason
from scanner.platforms import adapter_for
from tests.fetch.conftest import FakeClock
from tests.platforms.conftest import reply

T = TypeVar("T")
USER = "https://api.github.com/users/copperkettle"


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro

    return asyncio.run(main())


def test_a_reply_becomes_a_response_to_the_url_asked() -> None:
    fake = FakeFetcher({USER: Reply.of_json({"login": "copperkettle"}, 200, ETag='"v1"')})
    outcome = run(fake.get(USER, platform="github"))
    assert isinstance(outcome, Fetched)
    assert (outcome.url, outcome.final_url, outcome.status) == (USER, USER, 200)
    assert outcome.headers == {"content-type": "application/json", "etag": '"v1"'}
    assert outcome.json() == {"login": "copperkettle"} and outcome.is_json
    assert not outcome.not_modified


def test_a_304_reply_is_not_modified_and_a_text_body_is_utf8() -> None:
    fake = FakeFetcher({USER: Reply(304), "https://x.test/": Reply(200, "café")})
    unchanged = run(fake.get(USER))
    assert isinstance(unchanged, Fetched) and unchanged.not_modified
    page = run(fake.get("https://x.test/"))
    assert isinstance(page, Fetched) and page.body == "café".encode()


def test_a_failure_and_an_unknown_url_are_fetch_failures_never_answers() -> None:
    fake = FakeFetcher({USER: Failure("timeout", "slow")})
    timed_out = run(fake.get(USER))
    assert isinstance(timed_out, FetchFailed) and timed_out.reason == Reason("timeout", "slow")
    unknown = run(fake.get("https://api.github.com/users/nobody"))
    assert isinstance(unknown, FetchFailed) and unknown.reason.code == "connect_error"
    assert fake.unanswered == ["https://api.github.com/users/nobody"]


def test_outcomes_in_the_table_are_returned_as_given() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    given: FetchOutcome = Fetched(USER, "https://github.com/x", 200, {}, b"", at, (USER,))
    refused = FetchFailed(USER, Reason("ssrf_refused", "private"), at)
    assert run(FakeFetcher({USER: given}).get(USER)) is given
    assert run(FakeFetcher({USER: refused}).get(USER)) is refused


def test_a_responder_sees_the_whole_request() -> None:
    def answer(request: FakeRequest) -> Reply | None:
        if request.etag == '"v1"':
            return Reply(304)
        return Reply(200, request.headers.get("accept", "")) if request.platform else None

    fake = FakeFetcher(answer)
    first = run(fake.get(USER, platform="github", headers={"accept": "text/html"}))
    assert isinstance(first, Fetched) and first.body == b"text/html"
    again = run(fake.get(USER, platform="github", etag='"v1"'))
    assert isinstance(again, Fetched) and again.not_modified
    assert isinstance(run(fake.get(USER)), FetchFailed)
    assert [(r.platform, r.etag) for r in fake.requests] == [
        ("github", None),
        ("github", '"v1"'),
        (None, None),
    ]


def test_requests_are_recorded_in_order_with_the_account_that_sent_them() -> None:
    fake = FakeFetcher({USER: Reply()})
    first, second = fake.for_account(), fake.for_account()
    run(second.get(USER))
    run(first.get(USER))
    run(fake.get(USER))
    run(first.for_account().get(USER))
    assert [r.account for r in fake.requests] == [2, 1, 0, 3]
    assert fake.urls == [USER] * 4


def test_fetched_at_comes_from_the_clock() -> None:
    clock = FakeClock(epoch=1_800_000_000.0)
    outcome = run(FakeFetcher({USER: Reply()}, clock=clock).get(USER))
    assert outcome.fetched_at == datetime.fromtimestamp(1_800_000_000.0, UTC)


def test_the_factory_opens_the_same_fetcher_for_each_phase_and_records_its_accounts() -> None:
    fake = FakeFetcher({USER: Reply()})
    factory: FetcherFactory = fake.factory()
    assert isinstance(factory, FakeFetcherFactory)

    async def phase() -> Fetcher:
        async with factory({"github": 2}) as fetcher:
            await fetcher.get(USER)
            return fetcher

    assert run(phase()) is fake
    assert run(phase()) is fake
    assert factory.opened == [{"github": 2}, {"github": 2}] and factory.closed == 2
    assert len(fake.requests) == 2


def test_an_adapter_observes_over_the_fake() -> None:
    fake = FakeFetcher(
        {
            USER: reply("github_user.json"),
            f"{USER}/events/public": reply("github_events.json"),
            "https://api.github.com/users/ghost": reply("github_404.json", 404),
        }
    )
    adapter = adapter_for(Platform.GITHUB)
    present = run(adapter.observe("copperkettle", fake.for_account()))
    absent = run(adapter.observe("ghost", fake.for_account()))
    assert present.status is ObservationStatus.PRESENT and present.display_name
    assert absent.status is ObservationStatus.ABSENT
    assert fake.unanswered == []
