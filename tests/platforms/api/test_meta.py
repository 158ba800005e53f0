"""Meta Graph API: Page and Instagram facts, the error-code table (190 never absent, 100/200
unverified, 803 absent), usage headers, batch lookups and paging with the token scrubbed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from scanner.model import AccountState, ObservationStatus, Platform, Tri
from scanner.platforms import api_spec
from scanner.platforms.api import Api, Outcome, meta, observation
from tests.platforms.api.support import answer

SECRET = "EAAKettleSecretToken123"
V = api_spec(Api.META_GRAPH).version
BASE = api_spec(Api.META_GRAPH).base_url


def test_page_request_asks_for_the_issue_fields() -> None:
    request = meta.page("copperkettleroasters", V)
    assert request.path == "/v25.0/copperkettleroasters"
    fields = dict(request.query)["fields"].split(",")
    for name in ("name", "username", "fan_count", "followers_count", "verification_status"):
        assert name in fields
    assert "is_published" in fields and "instagram_business_account" in fields
    assert (
        meta.latest_post("1", "v24.0")
        .url(BASE)
        .endswith("/v24.0/1/published_posts?fields=created_time&limit=1")
    )
    assert meta.latest_media("17", V).url(BASE).endswith("/v25.0/17/media?fields=timestamp&limit=1")


def test_page_batches_hold_at_most_max_ids() -> None:
    requests = meta.pages([str(i) for i in range(120)], V)
    assert [len(dict(r.query)["ids"].split(",")) for r in requests] == [50, 50, 20]
    assert all(r.path == "/v25.0/" for r in requests)


def test_present_page() -> None:
    result = meta.parse_page(answer("meta/fb_page.json"))
    assert result.outcome is Outcome.PRESENT and result.value is not None
    facts = result.value
    assert facts.native_id == "104729381562240"
    assert facts.handle == "copperkettleroasters"
    assert facts.display_name == "Copper Kettle Coffee Roasters"
    assert facts.followers == 19107  # followers_count, not fan_count
    assert facts.verified is Tri.TRUE and facts.published is Tri.TRUE
    assert facts.links == ("https://copperkettle.coffee",)
    assert facts.extra_value("instagram_business_account") == "17841405822371964"


def test_unpublished_page_is_present_and_private() -> None:
    fetched = answer("meta/fb_page_unpublished.json")
    result = meta.parse_page(fetched)
    assert result.value is not None
    assert result.value.published is Tri.FALSE and result.value.verified is Tri.FALSE
    assert result.value.followers == 0
    obs = observation(Platform.FACEBOOK, "copperkettlewholesale", fetched, result)
    assert obs.status is ObservationStatus.PRESENT
    assert obs.account_state is AccountState.PRIVATE


def test_alias_error_803_is_absent() -> None:
    result = meta.parse_page(answer("meta/fb_error_803_single.json", status=404))
    assert result.outcome is Outcome.ABSENT
    assert result.reason is not None and result.reason.code == "not_found"
    assert result.signal == "json:error.code=803"


@pytest.mark.parametrize(
    ("name", "subcode_text"),
    [
        ("meta/fb_error_190_463_expired.json", "the token expired"),
        ("meta/fb_error_190_466_invalidated.json", "the token was invalidated"),
        ("meta/fb_error_190_undecryptable.json", "could not be decrypted"),
    ],
)
def test_code_190_with_any_subcode_is_a_dead_credential(name: str, subcode_text: str) -> None:
    result = meta.parse_page(answer(name, status=400))
    assert result.outcome is Outcome.CREDENTIAL_INVALID
    assert result.outcome.status is ObservationStatus.ERROR
    assert result.reason is not None and result.reason.code == "credential_invalid"
    assert subcode_text in result.reason.text


@pytest.mark.parametrize(
    "name", ["meta/fb_error_100_missing_permission.json", "meta/fb_error_200_permission.json"]
)
def test_missing_permission_is_unverified_not_absent(name: str) -> None:
    result = meta.parse_page(answer(name, status=400))
    assert result.outcome is Outcome.PERMISSION_MISSING
    assert result.outcome.status is ObservationStatus.BLOCKED


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_throttling_codes_are_rate_limited_whatever_the_type(code: int) -> None:
    result = meta.parse_page(answer(f"meta/fb_error_{code}_throttled.json", status=400))
    assert result.outcome is Outcome.RATE_LIMITED
    assert result.signal == f"json:error.code={code}"


def test_every_row_of_the_error_table_decides() -> None:
    for code, rule in meta.ERROR_CODES.items():
        raw = json.dumps({"error": {"message": "m", "type": "OAuthException", "code": code}})
        result = meta.classify(answer(None, status=400, raw=raw.encode()))
        assert result is not None and result.outcome is rule.outcome, code
    # The 200-299 permission range folds onto 200.
    folded = b'{"error":{"message":"(#299) x","type":"OAuthException","code":299}}'
    result = meta.classify(answer(None, status=403, raw=folded))
    assert result is not None and result.outcome is Outcome.PERMISSION_MISSING


USAGE_FULL = {
    "x-app-usage": '{"call_count":100,"total_cputime":40,"total_time":35}',
    "x-business-use-case-usage": (
        '{"104729381562240":[{"type":"pages","call_count":97,"total_cputime":12,'
        '"total_time":9,"estimated_time_to_regain_access":15}]}'
    ),
}


def test_usage_headers_at_100_slow_the_api_down_even_on_success() -> None:
    result = meta.parse_page(answer("meta/fb_page.json", headers=USAGE_FULL))
    assert result.outcome is Outcome.PRESENT
    assert result.throttle.used_percent == 100
    assert result.throttle.wait == 15 * 60  # minutes → seconds


def test_unknown_error_code_with_usage_at_100_is_rate_limited() -> None:
    fetched = answer("meta/fb_error_unknown_code.json", status=400, headers=USAGE_FULL)
    result = meta.parse_page(fetched)
    assert result.outcome is Outcome.RATE_LIMITED
    assert result.throttle.wait == 900
    plain = meta.parse_page(answer("meta/fb_error_unknown_code.json", status=400))
    assert plain.outcome is Outcome.ERROR


def test_garbled_usage_headers_are_ignored() -> None:
    fetched = answer("meta/fb_page.json", headers={"x-app-usage": "{not json"})
    assert meta.throttle(fetched).used_percent is None


def test_server_error_page_is_an_error() -> None:
    fetched = answer(None, status=502, raw=b"<html>Bad Gateway</html>")
    result = meta.parse_page(fetched)
    assert result.outcome is Outcome.ERROR and result.reason is not None
    assert result.reason.code == "api_error"


def test_batched_lookup_keys_answers_by_requested_name() -> None:
    nodes = ["CopperKettleRoasters", "104729381562999", "copperkettlegone"]
    results = meta.parse_pages(answer("meta/fb_pages_batch.json"), nodes)
    assert results["CopperKettleRoasters"].outcome is Outcome.PRESENT
    assert results["104729381562999"].value is not None
    assert results["104729381562999"].value.display_name == "Copper Kettle Café Pearl District"
    assert results["copperkettlegone"].outcome is Outcome.ERROR  # left out: no proof of absence


def test_batch_803_makes_only_the_named_alias_absent() -> None:
    nodes = ["copperkettleroasters", "copperkettlebeans"]
    results = meta.parse_pages(answer("meta/fb_error_803_aliases.json", status=404), nodes)
    assert results["copperkettlebeans"].outcome is Outcome.ABSENT
    assert results["copperkettleroasters"].outcome is Outcome.ERROR
    assert results["copperkettleroasters"].reason is not None
    assert results["copperkettleroasters"].reason.code == "batch_incomplete"


def test_batch_803_without_names_proves_nothing() -> None:
    results = meta.parse_pages(answer("meta/fb_error_803_single.json", status=404), ["a", "b"])
    assert {r.outcome for r in results.values()} == {Outcome.ERROR}


def test_batch_with_a_dead_token_fails_every_name_alike() -> None:
    results = meta.parse_pages(answer("meta/fb_error_190_463_expired.json", status=400), ["a", "b"])
    assert {r.outcome for r in results.values()} == {Outcome.CREDENTIAL_INVALID}


def test_instagram_account_facts() -> None:
    result = meta.parse_ig_user(answer("meta/ig_user.json"))
    assert result.value is not None
    assert result.value.handle == "copperkettlecoffee"
    assert result.value.followers == 40218
    assert result.value.bio is not None and result.value.bio.startswith("Roasting")
    assert result.value.verified is Tri.UNKNOWN  # the Graph API has no such field


def test_latest_post_and_time_paging_without_the_token() -> None:
    fetched = answer("meta/fb_published_posts_p1.json")
    result = meta.parse_latest(fetched, "created_time")
    assert result.value is not None
    assert result.value.latest == datetime(2026, 11, 28, 16, 4, 11, tzinfo=UTC)
    previous = meta.latest_post("104729381562240", V)
    nxt = meta.next_request(fetched, previous)
    assert nxt is not None
    assert nxt.path == "/v25.0/104729381562240/published_posts"
    assert dict(nxt.query)["until"] == "1764345851"
    assert "access_token" not in dict(nxt.query)
    assert SECRET not in nxt.url("http://127.0.0.1:1")


def test_no_posts_at_all_is_a_known_empty_activity() -> None:
    result = meta.parse_latest(answer("meta/fb_published_posts_empty.json"), "created_time")
    assert result.value is not None
    assert result.value.empty and result.value.latest is None
    assert (
        meta.next_request(answer("meta/fb_published_posts_empty.json"), meta.latest_post("1", V))
        is None
    )


def test_media_timestamp_and_cursor_paging() -> None:
    fetched = answer("meta/ig_media_p1.json")
    result = meta.parse_latest(fetched, "timestamp")
    assert result.value is not None
    assert result.value.latest == datetime(2026, 11, 30, 18, 22, 5, tzinfo=UTC)
    nxt = meta.next_request(fetched, meta.latest_media("17841405822371964", V))
    assert nxt is not None and dict(nxt.query)["after"] == "QVFIUkettleAfter"


def test_accounts_the_token_reaches_over_two_pages() -> None:
    first = answer("meta/me_accounts_p1.json")
    assets = meta.parse_assets(first)
    assert assets.value is not None
    assert [a.native_id for a in assets.value] == ["104729381562240", "104729381562999"]
    assert "MANAGE" in assets.value[0].tasks
    nxt = meta.next_request(first, meta.me_accounts(V))
    assert nxt is not None and SECRET not in nxt.url(BASE)
    last = answer("meta/me_accounts_p2.json")
    assert meta.parse_assets(last).value is not None
    # Cursors without paging.next: the last page.
    assert meta.next_request(last, nxt) is None


def test_asset_requests_never_ask_for_page_tokens() -> None:
    for request in (
        meta.me_accounts(V),
        meta.owned_pages("1", V),
        meta.owned_instagram_accounts("1", V),
    ):
        assert "access_token" not in dict(request.query)["fields"]


def test_debug_token_of_a_system_user_never_expires() -> None:
    result = meta.parse_token_info(answer("meta/debug_token_system_user.json"))
    assert result.outcome is Outcome.PRESENT and result.value is not None
    assert result.value.valid and result.value.expires_at is None
    assert "pages_read_engagement" in result.value.scopes
    assert result.value.data_access_expires_at == datetime(2026, 3, 5, tzinfo=UTC)


def test_debug_token_of_an_invalid_token() -> None:
    result = meta.parse_token_info(answer("meta/debug_token_invalid.json"))
    assert result.outcome is Outcome.CREDENTIAL_INVALID
    assert result.value is not None
    assert result.value.expires_at == datetime(2025, 12, 1, 16, 0, tzinfo=UTC)


def test_debug_token_puts_no_secret_in_its_url() -> None:
    assert meta.debug_token(V).url(BASE) == f"{BASE}/v25.0/debug_token"
