"""X API v2: Snowflake times, absence and suspension inside a 200, protected users, batched
lookups, dead tokens, throttling with x-rate-limit-reset, and timeline paging."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scanner.model import AccountState, ObservationStatus, Platform, Tri
from scanner.platforms.api import Outcome, observation, x
from tests.platforms.api.support import FETCHED_AT, answer

# Ids made with the same layout X uses ((ms since the epoch) << 22 | worker << 12 | sequence),
# each beside the time it encodes; the fixtures' posts carry them.
SNOWFLAKES = [
    (2110302139975749639, datetime(2026, 10, 14, 9, 30, 12, 345000, tzinfo=UTC)),
    (2110053639102943239, datetime(2026, 10, 13, 17, 2, 45, 120000, tzinfo=UTC)),
    (2105209783710666759, datetime(2026, 9, 30, 8, 15, tzinfo=UTC)),
    (1763893302391754759, datetime(2024, 3, 2, 11, 45, 9, 500000, tzinfo=UTC)),
    # A real pair: samples/owner/x/user_tweets_created_at.json (sns-sdks/python-twitter
    # testdata/apis/timeline/timeline_tweets.json @d6125880) has id 1364275610764201984 with
    # created_at "2021-02-23T18:07:07.000Z"; the id carries the milliseconds the field drops.
    (1364275610764201984, datetime(2021, 2, 23, 18, 7, 7, 278000, tzinfo=UTC)),
]


@pytest.mark.parametrize(("tweet_id", "when"), SNOWFLAKES)
def test_snowflake_time(tweet_id: int, when: datetime) -> None:
    assert x.snowflake_time(tweet_id) == when
    assert x.snowflake_time(str(tweet_id)) == when


def test_snowflake_time_agrees_with_the_timeline_fixture() -> None:
    result = x.parse_latest(answer("x/tweets_p1.json"))
    assert result.value is not None and result.value.latest is not None
    newest = x.snowflake_time("2110302139975749639")
    assert newest is not None
    assert newest.replace(microsecond=0) == result.value.latest


@pytest.mark.parametrize("garbage", [None, True, "", "12ab", -5, 0, 2**64, 20, "29700859247"])
def test_snowflake_time_refuses_non_snowflakes(garbage: object) -> None:
    # 20 and 29700859247: sequential ids from before Snowflake (2010) would decode to its epoch.
    assert x.snowflake_time(garbage) is None


def test_lookups_ask_for_the_issue_fields_and_batch_by_100() -> None:
    single = x.user_by_username("@CopperKettleCo")
    assert single.path == "/2/users/by/username/CopperKettleCo"
    fields = dict(single.query)["user.fields"].split(",")
    for name in ("created_at", "description", "public_metrics", "verified", "verified_type"):
        assert name in fields
    assert "protected" in fields and "most_recent_tweet_id" in fields
    batches = x.users_by_usernames([f"kettle{i}" for i in range(250)])
    assert [len(dict(b.query)["usernames"].split(",")) for b in batches] == [100, 100, 50]


def test_present_user_with_activity_from_most_recent_tweet_id() -> None:
    result = x.parse_user(answer("x/user_present.json"), "CopperKettleCo")
    assert result.outcome is Outcome.PRESENT and result.value is not None
    facts = result.value
    assert facts.native_id == "1452263711802204161"
    assert facts.followers == 12874
    assert facts.verified is Tri.TRUE
    assert facts.links == ("https://copperkettle.coffee",)
    assert facts.created_at == datetime(2021, 10, 24, 13, 5, 44, tzinfo=UTC)
    assert facts.last_activity_at == SNOWFLAKES[0][1]
    assert facts.activity_field == "most_recent_tweet_id"
    assert facts.state is AccountState.ACTIVE


def test_protected_user_is_present_and_private() -> None:
    result = x.parse_user(answer("x/user_protected.json"), "CopperKettleTeam")
    assert result.value is not None
    assert result.value.state is AccountState.PRIVATE
    assert result.value.verified is Tri.FALSE
    assert result.value.last_activity_at is None  # no post id: unknown, never guessed


def test_not_found_inside_a_200_is_absent() -> None:
    fetched = answer("x/user_not_found.json")
    result = x.parse_user(fetched, "CopperKettleOld")
    assert result.outcome is Outcome.ABSENT
    assert result.reason is not None and result.reason.code == "not_found"
    obs = observation(Platform.X, "CopperKettleOld", fetched, result)
    assert obs.status is ObservationStatus.ABSENT and obs.http_status == 200


def test_suspended_is_present_never_absent() -> None:
    fetched = answer("x/user_suspended.json")
    result = x.parse_user(fetched, "CopperKettleDeals")
    assert result.outcome is Outcome.PRESENT and result.value is not None
    assert result.value.state is AccountState.SUSPENDED
    assert result.reason is not None and result.reason.code == "suspended"
    obs = observation(Platform.X, "CopperKettleDeals", fetched, result)
    assert obs.status is ObservationStatus.PRESENT
    assert obs.account_state is AccountState.SUSPENDED


def test_batch_reads_data_and_errors_per_username() -> None:
    names = ["copperkettleco", "CopperKettlePDX", "CopperKettleOld", "CopperKettleDeals", "Other"]
    results = x.parse_users(answer("x/users_batch.json"), names)
    assert results["copperkettleco"].outcome is Outcome.PRESENT
    pdx = results["CopperKettlePDX"].value
    assert pdx is not None and pdx.last_activity_at == SNOWFLAKES[3][1]
    assert pdx.verified is Tri.FALSE
    assert results["CopperKettleOld"].outcome is Outcome.ABSENT
    deals = results["CopperKettleDeals"]
    assert deals.value is not None and deals.value.state is AccountState.SUSPENDED
    # Neither in data nor in errors: the answer proves nothing about it.
    assert results["Other"].outcome is Outcome.ERROR


def test_rejected_token_is_a_dead_credential() -> None:
    results = x.parse_users(answer("x/error_401.json", status=401), ["a", "b"])
    assert {r.outcome for r in results.values()} == {Outcome.CREDENTIAL_INVALID}
    assert all(r.outcome.status is ObservationStatus.ERROR for r in results.values())


@pytest.mark.parametrize("name", ["x/error_429.json", "x/error_429_v1.json"])
def test_429_waits_until_the_reset(name: str) -> None:
    reset = int(FETCHED_AT.timestamp()) + 420
    headers = {
        "x-rate-limit-limit": "300",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(reset),
    }
    result = x.parse_user(answer(name, status=429, headers=headers), "CopperKettleCo")
    assert result.outcome is Outcome.RATE_LIMITED
    assert result.throttle.wait == 420 and result.throttle.remaining == 0


def test_remaining_calls_are_reported_on_success() -> None:
    headers = {"x-rate-limit-remaining": "299", "x-rate-limit-reset": "1900000000"}
    result = x.parse_user(answer("x/user_present.json", headers=headers), "CopperKettleCo")
    assert result.throttle.remaining == 299 and result.throttle.wait is None


def test_forbidden_problems() -> None:
    forbidden = x.parse_user(answer("x/error_403_client_forbidden.json", status=403), "a")
    assert forbidden.outcome is Outcome.PERMISSION_MISSING
    capped = x.parse_user(answer("x/error_403_usage_capped.json", status=403), "a")
    assert capped.outcome is Outcome.QUOTA_EXCEEDED and capped.throttle.stop


def test_timeline_paging_and_empty_timeline() -> None:
    fetched = answer("x/tweets_p1.json")
    previous = x.user_tweets("1452263711802204161")
    assert dict(previous.query) == {"max_results": "5", "tweet.fields": "created_at"}
    nxt = x.next_request(fetched, previous)
    assert nxt is not None
    assert dict(nxt.query)["pagination_token"] == "7140dibdnow9c7btw4e1gmd0lo2ja5qd8ccwj5lrqx0sd"
    empty = x.parse_latest(answer("x/tweets_empty.json"))
    assert empty.value is not None and empty.value.empty
    assert x.next_request(answer("x/tweets_empty.json"), previous) is None
