"""Observation through the owner APIs (issue 12) with the FakeFetcher: the source of truth per
account, batching, dead credentials (error, never absent), APIs stopped for the run, the
APIs' own pacing, and the credential a public observation lacks."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from scanner.fetch.fake import Answer, FakeFetcher, FakeRequest, Reply, Responder
from scanner.model import AccountState, Observation, ObservationStatus, Platform, Tri
from scanner.platforms import platform_fetch_config
from scanner.platforms.connectors import ApiAccess, ApiRun
from scanner.runs.observe import Target, observe_async
from tests.fetch.conftest import FakeClock

FIXTURES = Path(__file__).parents[1] / "platforms" / "api" / "fixtures"
TOKENS = {
    "ROLLCALL_META_TOKEN": "meta-secret",
    "ROLLCALL_X_TOKEN": "x-secret",
    "ROLLCALL_YOUTUBE_API_KEY": "yt-secret",
    "ROLLCALL_LINKEDIN_TOKEN": "li-secret",
    "ROLLCALL_TIKTOK_TOKEN": "tt-secret",
    "ROLLCALL_THREADS_TOKEN": "th-secret",
}


def fixture(name: str, status: int = 200, **headers: str) -> Reply:
    merged = {"content-type": "application/json", **headers}
    return Reply(status, (FIXTURES / name).read_bytes(), merged)


def routes(table: Mapping[str, Answer]) -> Responder:
    """Answers by URL path (the query varies with batching); the longest matching key wins."""

    def answer(request: FakeRequest) -> Answer | None:
        path = urlsplit(request.url).path
        keys = sorted((k for k in table if path.endswith(k)), key=len, reverse=True)
        return table[keys[0]] if keys else None

    return answer


def run(
    targets: list[Target],
    table: Mapping[str, Answer],
    tokens: Mapping[str, str] = TOKENS,
    clock: FakeClock | None = None,
) -> tuple[list[Observation], FakeFetcher, ApiRun]:
    clock = clock or FakeClock()
    fake = FakeFetcher(routes(table), clock=clock)
    access = ApiAccess.from_config(platform_fetch_config(tokens=tokens))
    apis = ApiRun(clock, access)
    seen = asyncio.run(observe_async(targets, fake, clock=clock, apis=apis))
    return seen, fake, apis


def x_targets(*handles: str) -> list[Target]:
    return [Target(Platform.X, h) for h in handles]


def test_x_accounts_are_looked_up_in_one_batched_call_and_read_errors_in_the_200() -> None:
    handles = ("CopperKettleCo", "CopperKettlePDX", "CopperKettleOld", "CopperKettleDeals")
    seen, fake, _ = run(x_targets(*handles), {"/2/users/by": fixture("x/users_batch.json")})
    assert len(fake.requests) == 1
    request = fake.requests[0]
    assert request.platform == "x-api" and request.credential is None
    assert parse_qs(urlsplit(request.url).query)["usernames"] == [",".join(handles)]
    co, pdx, old, deals = seen
    assert co.status is ObservationStatus.PRESENT and co.followers == 12874
    assert co.verified is Tri.TRUE
    # The Snowflake time of most_recent_tweet_id, with no billed timeline read.
    assert co.last_activity_at is not None and co.last_activity_at.year >= 2025
    assert co.signal is not None and co.signal.startswith("x-api:")
    assert old.status is ObservationStatus.ABSENT and old.reason is not None
    assert deals.status is ObservationStatus.PRESENT
    assert deals.account_state is AccountState.SUSPENDED
    assert pdx.status is ObservationStatus.PRESENT
    assert all(o.url.startswith("https://api.x.com/2/users/by?") for o in seen)


def test_without_a_credential_the_public_page_is_used_and_the_missing_variable_named() -> None:
    seen, fake, _ = run(x_targets("CopperKettleCo"), {}, tokens={})
    (obs,) = seen
    assert all(urlsplit(u).hostname == "x.com" for u in fake.urls)
    assert obs.status is ObservationStatus.ERROR  # nothing answered the public page
    assert obs.reason is not None and "ROLLCALL_X_TOKEN" in obs.reason.text


def test_with_a_credential_the_public_page_is_not_fetched() -> None:
    table = {"/2/users/by/username/CopperKettleCo": fixture("x/user_present.json")}
    seen, fake, _ = run(x_targets("CopperKettleCo"), table)
    assert [urlsplit(u).hostname for u in fake.urls] == ["api.x.com"]
    assert seen[0].reason is None


def test_a_dead_meta_token_makes_every_account_on_it_error_never_absent() -> None:
    dead = fixture("meta/fb_error_190_463_expired.json", 400)
    targets = [
        Target(Platform.FACEBOOK, "copperkettleroasters"),
        Target(Platform.FACEBOOK, "copperkettlepearl"),
        Target(Platform.INSTAGRAM, "copperkettlecoffee"),
    ]
    seen, fake, apis = run(targets, {"/debug_token": dead, "/v25.0/": dead})
    assert [o.status for o in seen] == [ObservationStatus.ERROR] * 3
    assert {o.reason.code for o in seen if o.reason} == {"credential_invalid"}
    assert list(apis.dead) == [apis.access.credential(Platform.FACEBOOK, None)]
    # Once dead, the credential is not sent again: the token check and nothing more.
    assert [urlsplit(u).path for u in fake.urls] == ["/v25.0/debug_token"]


def test_meta_pages_batch_with_ids_and_read_each_pages_newest_post() -> None:
    targets = [
        Target(Platform.FACEBOOK, "copperkettleroasters"),
        Target(Platform.FACEBOOK, "104729381562999"),
    ]
    table = {
        "/debug_token": fixture("meta/debug_token_system_user.json"),
        "/v25.0/": fixture("meta/fb_pages_batch.json"),
        "/published_posts": fixture("meta/fb_published_posts_p1.json"),
    }
    seen, fake, _ = run(targets, table)
    paths = [urlsplit(u).path for u in fake.urls]
    assert paths.count("/v25.0/") == 1 and paths.count("/v25.0/debug_token") == 1
    assert all(o.status is ObservationStatus.PRESENT for o in seen)
    assert all(o.last_activity_at is not None for o in seen)
    assert all(o.signal and o.signal.endswith("+activity:created_time") for o in seen)


def test_an_unknown_alias_in_a_batch_is_absent_and_the_others_are_asked_alone() -> None:
    targets = [
        Target(Platform.FACEBOOK, "copperkettleroasters"),
        Target(Platform.FACEBOOK, "copperkettlebeans"),
    ]
    table = {
        "/debug_token": fixture("meta/debug_token_system_user.json"),
        "/v25.0/": fixture("meta/fb_error_803_aliases.json", 404),
        "/v25.0/copperkettleroasters": fixture("meta/fb_page.json"),
        "/published_posts": fixture("meta/fb_published_posts_empty.json"),
    }
    seen, _, _ = run(targets, table)
    assert [o.status for o in seen] == [ObservationStatus.PRESENT, ObservationStatus.ABSENT]


def test_meta_code_100_is_unverified_not_absent() -> None:
    table = {
        "/debug_token": fixture("meta/debug_token_system_user.json"),
        "/v25.0/": fixture("meta/fb_error_100_missing_permission.json", 400),
        "/v25.0/hiddenpage": fixture("meta/fb_error_100_missing_permission.json", 400),
    }
    seen, _, _ = run([Target(Platform.FACEBOOK, "hiddenpage")], table)
    assert seen[0].status is ObservationStatus.BLOCKED
    assert seen[0].reason is not None and seen[0].reason.code == "not_visible"


def test_youtube_quota_exceeded_stops_the_api_for_the_rest_of_the_run() -> None:
    targets = [Target(Platform.YOUTUBE, f"@copperkettle{i}") for i in range(3)]
    table = {"/youtube/v3/channels": fixture("youtube/error_403_quota_exceeded.json", 403)}
    clock = FakeClock()
    seen, fake, apis = run(targets, table, clock=clock)
    assert [o.status for o in seen] == [ObservationStatus.BLOCKED] * 3
    assert {o.reason.code for o in seen if o.reason} == {"quota_exceeded"}
    assert len(fake.requests) < 3  # the calls after the first quota answer are not made
    assert "youtube-api" in {a.value for a in apis.stopped}


def test_linkedin_429_without_headers_stops_linkedin_and_says_so() -> None:
    targets = [
        Target(Platform.LINKEDIN, "company/copper-kettle"),
        Target(Platform.LINKEDIN, "company/b2"),
    ]
    table = {"/rest/organizations": fixture("linkedin/error_429.json", 429)}
    seen, fake, _ = run(targets, table)
    assert [o.status for o in seen] == [ObservationStatus.BLOCKED] * 2
    assert all(o.reason and "LinkedIn" in o.reason.text for o in seen)
    assert len(fake.requests) == 1


def test_meta_usage_near_the_limit_spaces_the_next_calls_out() -> None:
    busy = '{"call_count": 95, "total_cputime": 20, "total_time": 30}'
    table = {
        "/debug_token": fixture("meta/debug_token_system_user.json", **{"x-app-usage": busy}),
        "/v25.0/copperkettleroasters": fixture("meta/fb_page.json"),
        "/published_posts": fixture("meta/fb_published_posts_p1.json"),
    }
    clock = FakeClock()
    seen, _, _ = run([Target(Platform.FACEBOOK, "copperkettleroasters")], table, clock=clock)
    assert seen[0].status is ObservationStatus.PRESENT
    assert clock.sleeps and 0 < clock.sleeps[0] <= 2.0


def test_a_tiktok_token_observes_only_its_own_account_with_a_posted_video_list() -> None:
    table = {
        "/v2/user/info/": fixture("tiktok/user_info.json"),
        "/v2/video/list/": fixture("tiktok/video_list.json"),
    }
    seen, fake, _ = run([Target(Platform.TIKTOK, "someoneelse")], table)
    assert seen[0].status is ObservationStatus.BLOCKED
    assert seen[0].reason is not None and seen[0].reason.code == "other_account"
    own = fake.requests[0]
    assert own.method == "GET"
    info = (FIXTURES / "tiktok/user_info.json").read_text()
    handle = info.split('"username":')[1].split('"')[1]
    seen, fake, _ = run([Target(Platform.TIKTOK, handle)], table)
    assert seen[0].status is ObservationStatus.PRESENT
    assert seen[0].last_activity_at is not None
    post = fake.requests[-1]
    assert post.method == "POST" and post.body == b'{"max_count":1}'


def test_snowflake_times_are_checked_against_the_platforms_window() -> None:
    seen, _, _ = run(
        x_targets("CopperKettleCo"),
        {"/2/users/by/username/CopperKettleCo": fixture("x/user_present.json")},
        clock=FakeClock(epoch=datetime(2022, 1, 1, tzinfo=UTC).timestamp()),
    )
    # A post "after" the fetch time cannot be true: dropped with a reason, never kept.
    assert seen[0].last_activity_at is None
    assert seen[0].reason is not None and seen[0].reason.code == "activity_unavailable"


def test_instagram_ids_come_from_the_tokens_business_managers_read_once_per_run() -> None:
    businesses = Reply.of_json({"data": [{"id": "900", "name": "Copper Kettle"}]})
    owned = Reply.of_json({"data": [{"id": "17841405822371964", "username": "copperkettlecoffee"}]})
    table = {
        "/debug_token": fixture("meta/debug_token_system_user.json"),
        "/me/businesses": businesses,
        "/900/owned_instagram_accounts": owned,
        "/v25.0/17841405822371964": fixture("meta/ig_user.json"),
        "/17841405822371964/media": fixture("meta/ig_media_p1.json"),
    }
    targets = [
        Target(Platform.INSTAGRAM, "copperkettlecoffee"),
        Target(Platform.INSTAGRAM, "someoneelse"),
    ]
    seen, fake, _ = run(targets, table)
    assert seen[0].status is ObservationStatus.PRESENT
    assert seen[0].last_activity_at is not None
    # Not among the token's accounts: Meta shows a token its own only, so no proof of absence.
    assert seen[1].status is ObservationStatus.BLOCKED
    assert seen[1].reason is not None and seen[1].reason.code == "not_visible"
    paths = [urlsplit(u).path for u in fake.urls]
    assert paths.count("/v25.0/me/businesses") == 1
    assert paths.count("/v25.0/debug_token") == 1
