"""The sandbox's owner APIs, read by the scanner's own parsers over real sockets: each answer
(present, absent, suspended, private, bad token, missing permission, throttled, quota, paging)
must mean what the research's recorded shape of the real API means to the same parser."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from scanner.model import AccountState, Tri
from scanner.platforms.api import linkedin, meta, threads, tiktok, x, youtube_data
from scanner.platforms.api.interface import Api, ApiRequest, Outcome
from scanner.sandbox import Sandbox
from tests.sandbox.api_support import fetch, fixture

MV, TV, LV = "v25.0", "v1.0", "202601"
"""The Graph, Threads and LinkedIn versions the specs pin (the sandbox accepts any current one)."""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# --------------------------------------------------------------------------- Meta Graph


def page_facts(sb: Sandbox, client: httpx.Client, node: str, token: str = "meta-ok") -> meta.Facts:
    answer = meta.parse_page(fetch(sb, client, meta.page(node, MV), token))
    assert answer.outcome is Outcome.PRESENT and answer.value is not None, answer
    return answer.value


def test_meta_page_present_with_its_instagram_and_latest_post(
    sb: Sandbox, client: httpx.Client
) -> None:
    assert meta.parse_page(fixture("meta/fb_page.json")).outcome is Outcome.PRESENT
    facts = page_facts(sb, client, "kettlepage")
    assert (facts.handle, facts.display_name, facts.followers) == (
        "kettlepage",
        "Kettle Café",
        1900,
    )
    assert facts.verified is Tri.TRUE and facts.published is Tri.TRUE
    assert facts.links == ("https://kettle.example",) and facts.bio == "Coffee in Portland"
    assert facts.native_id is not None and page_facts(sb, client, facts.native_id) == facts

    latest = meta.parse_latest(
        fetch(sb, client, meta.latest_post(facts.native_id, MV), "meta-ok"), "created_time"
    )
    assert latest.value is not None and latest.value.latest == at("2026-11-10T08:00:00Z")

    ig_id = facts.extra_value("instagram_business_account")
    assert ig_id is not None and len(ig_id) == 17
    ig = meta.parse_ig_user(fetch(sb, client, meta.ig_user(ig_id, MV), "meta-ok"))
    assert ig.value is not None and (ig.value.handle, ig.value.followers) == ("kettle.ig", 4200)
    media = meta.parse_latest(
        fetch(sb, client, meta.latest_media(ig_id, MV), "meta-ok"), "timestamp"
    )
    assert media.value is not None and media.value.latest == at("2026-11-12T18:22:05Z")


def test_meta_page_without_posts_and_unpublished_page(sb: Sandbox, client: httpx.Client) -> None:
    quiet = page_facts(sb, client, "kettlequiet")
    assert quiet.native_id is not None
    latest = meta.parse_latest(
        fetch(sb, client, meta.latest_post(quiet.native_id, MV), "meta-ok"), "created_time"
    )
    empty = meta.parse_latest(fixture("meta/fb_published_posts_empty.json"), "created_time")
    assert latest.value == empty.value and latest.value is not None and latest.value.empty

    draft = page_facts(sb, client, "kettledraft")
    unpublished = meta.parse_page(fixture("meta/fb_page_unpublished.json")).value
    assert unpublished is not None and draft.published is unpublished.published is Tri.FALSE


@pytest.mark.parametrize(
    ("node", "token", "sample", "outcome"),
    [
        ("nosuchpage", "meta-ok", "meta/fb_error_803_single.json", Outcome.ABSENT),
        (
            "kettlehidden",
            "meta-ok",
            "meta/fb_error_100_missing_permission.json",
            Outcome.PERMISSION_MISSING,
        ),
        # A restricted Page is hidden like one out of reach: never absent.
        (
            "kettlebanned",
            "meta-ok",
            "meta/fb_error_100_missing_permission.json",
            Outcome.PERMISSION_MISSING,
        ),
        (
            "kettlepage",
            "meta-expired",
            "meta/fb_error_190_463_expired.json",
            Outcome.CREDENTIAL_INVALID,
        ),
        (
            "kettlepage",
            "meta-lapsed",
            "meta/fb_error_190_463_expired.json",
            Outcome.CREDENTIAL_INVALID,
        ),
        (
            "kettlepage",
            "meta-revoked",
            "meta/fb_error_190_466_invalidated.json",
            Outcome.CREDENTIAL_INVALID,
        ),
        (
            "kettlepage",
            "not-a-token",
            "meta/fb_error_190_undecryptable.json",
            Outcome.CREDENTIAL_INVALID,
        ),
    ],
)
def test_meta_errors_mean_what_the_real_ones_mean(
    sb: Sandbox, client: httpx.Client, node: str, token: str, sample: str, outcome: Outcome
) -> None:
    got = meta.parse_page(fetch(sb, client, meta.page(node, MV), token))
    real = meta.parse_page(fixture(sample, status=400))
    assert got.outcome is real.outcome is outcome
    assert (
        got.reason is not None and real.reason is not None and got.reason.code == real.reason.code
    )
    if outcome is Outcome.CREDENTIAL_INVALID and token != "not-a-token":
        assert got.signal == real.signal  # the same subcode (463 or 466)


def test_meta_batch_keyed_by_alias_and_803_names_the_missing(
    sb: Sandbox, client: httpx.Client
) -> None:
    quiet_id = page_facts(sb, client, "kettlequiet").native_id
    assert quiet_id is not None
    (request,) = meta.pages(["KettlePage", quiet_id], MV)
    answers = meta.parse_pages(fetch(sb, client, request, "meta-ok"), ["KettlePage", quiet_id])
    assert {n: a.outcome for n, a in answers.items()} == dict.fromkeys(
        ["KettlePage", quiet_id], Outcome.PRESENT
    )

    nodes = ["kettlepage", "nosuchpage"]
    (request,) = meta.pages(nodes, MV)
    got = meta.parse_pages(fetch(sb, client, request, "meta-ok"), nodes)
    real = meta.parse_pages(
        fixture("meta/fb_error_803_aliases.json", 400),
        ["copperkettleroasters", "copperkettlebeans"],
    )
    assert got["nosuchpage"].outcome is real["copperkettlebeans"].outcome is Outcome.ABSENT
    assert got["kettlepage"].outcome is real["copperkettleroasters"].outcome is Outcome.ERROR


def test_meta_assets_page_by_cursor_without_tokens(sb: Sandbox, client: httpx.Client) -> None:
    request: ApiRequest | None = meta.me_accounts(MV).with_query(limit="2")
    handles: list[str | None] = []
    pages = 0
    while request is not None:
        fetched = fetch(sb, client, request, "meta-ok")
        assert b"meta-ok" not in fetched.body and b"access_token" not in fetched.body
        answer = meta.parse_assets(fetched)
        assert answer.value is not None
        handles += [a.handle for a in answer.value]
        request, pages = meta.next_request(fetched, request), pages + 1
    # Out of reach (api_access: false) and restricted Pages are not the token's assets.
    assert sorted(h or "" for h in handles) == ["kettledraft", "kettlepage", "kettlequiet"]
    assert pages == 2

    businesses = fetch(sb, client, meta.my_businesses(MV), "meta-ok")
    business = businesses.json()["data"][0]["id"]
    owned = meta.parse_assets(
        fetch(sb, client, meta.owned_instagram_accounts(business, MV), "meta-ok")
    )
    assert owned.value is not None and [a.handle for a in owned.value] == ["kettle.ig"]
    pages_owned = meta.parse_assets(fetch(sb, client, meta.owned_pages(business, MV), "meta-ok"))
    assert pages_owned.value is not None and len(pages_owned.value) == 3


def test_meta_debug_token(sb: Sandbox, client: httpx.Client) -> None:
    info = meta.parse_token_info(fetch(sb, client, meta.debug_token(MV), "meta-ok"))
    assert (
        meta.parse_token_info(fixture("meta/debug_token_system_user.json")).outcome
        is Outcome.PRESENT
    )
    assert info.outcome is Outcome.PRESENT and info.value is not None
    assert info.value.expires_at == at("2026-12-20T00:00:00Z")
    assert "business_management" in info.value.scopes


def test_meta_throttling_and_usage_headers(sb: Sandbox, client: httpx.Client) -> None:
    fine = fetch(sb, client, meta.page("kettlepage", MV), "meta-ok")
    assert meta.throttle(fine).used_percent is not None and meta.throttle(fine).used_percent < 100

    sb.set_host_faults("meta-graph", [{"kind": "rate_limit", "reset": 120}])
    got = meta.parse_page(fetch(sb, client, meta.page("kettlepage", MV), "meta-ok"))
    real = meta.parse_page(fixture("meta/fb_error_4_throttled.json", 400))
    assert got.outcome is real.outcome is Outcome.RATE_LIMITED and got.signal == real.signal
    assert got.throttle.used_percent == 100 and got.throttle.wait == 120

    sb.set_host_faults("meta-graph", None)
    sb.set_faults("meta-graph", "kettlepage", ["rate_limit"])
    page = meta.parse_page(fetch(sb, client, meta.page("kettlepage", MV), "meta-ok"))
    assert page.outcome is Outcome.RATE_LIMITED
    assert (
        meta.parse_page(fetch(sb, client, meta.page("kettlequiet", MV), "meta-ok")).outcome
        is Outcome.PRESENT
    )


# --------------------------------------------------------------------------- X


def test_x_present_user_with_snowflake_activity(sb: Sandbox, client: httpx.Client) -> None:
    answer = x.parse_user(fetch(sb, client, x.user_by_username("KettleCo"), "x-ok"), "KettleCo")
    facts = answer.value
    assert answer.outcome is Outcome.PRESENT and facts is not None
    assert (facts.handle, facts.followers, facts.verified) == ("KettleCo", 12874, Tri.TRUE)
    assert facts.created_at == at("2021-10-24T13:05:44Z") and facts.links == (
        "https://kettle.example",
    )
    assert facts.last_activity_at == at("2026-10-14T09:30:12Z")
    assert facts.activity_field == "most_recent_tweet_id"

    assert facts.native_id is not None
    timeline = fetch(sb, client, x.user_tweets(facts.native_id), "x-ok")
    latest = x.parse_latest(timeline)
    assert latest.value is not None and latest.value.latest == at("2026-10-14T09:30:12Z")
    newest = timeline.json()["data"][0]
    assert x.snowflake_time(newest["id"]) == at(newest["created_at"])
    assert x.next_request(timeline, x.user_tweets(facts.native_id)) is None


@pytest.mark.parametrize(
    ("name", "sample", "outcome", "state"),
    [
        ("nobody_here", "x/user_not_found.json:CopperKettleOld", Outcome.ABSENT, None),
        # X shows no trace of a deactivated account: it is not found.
        ("KettleGone", "x/user_not_found.json:CopperKettleOld", Outcome.ABSENT, None),
        (
            "KettleDeals",
            "x/user_suspended.json:CopperKettleDeals",
            Outcome.PRESENT,
            AccountState.SUSPENDED,
        ),
        (
            "KettleTeam",
            "x/user_protected.json:CopperKettleTeam",
            Outcome.PRESENT,
            AccountState.PRIVATE,
        ),
    ],
)
def test_x_user_states_match_the_real_shapes(
    sb: Sandbox,
    client: httpx.Client,
    name: str,
    sample: str,
    outcome: Outcome,
    state: AccountState | None,
) -> None:
    got = x.parse_user(fetch(sb, client, x.user_by_username(name), "x-ok"), name)
    sample_file, sample_name = sample.split(":")
    real = x.parse_user(fixture(sample_file), sample_name)
    assert got.outcome is real.outcome is outcome
    assert (got.reason and got.reason.code) == (real.reason and real.reason.code)
    if state is not None:
        assert got.value is not None and real.value is not None
        assert got.value.state is real.value.state is state


def test_x_batch_and_its_limit(sb: Sandbox, client: httpx.Client) -> None:
    names = ["KettleCo", "nobody_here", "KettleDeals", "KettleTeam"]
    (request,) = x.users_by_usernames(names)
    got = x.parse_users(fetch(sb, client, request, "x-ok"), names)
    assert [got[n].outcome for n in names] == [
        Outcome.PRESENT,
        Outcome.ABSENT,
        Outcome.PRESENT,
        Outcome.PRESENT,
    ]
    real = x.parse_users(fixture("x/users_batch.json"), ["CopperKettleCo", "CopperKettleOld"])
    assert real["CopperKettleOld"].outcome is got["nobody_here"].outcome

    too_many = ApiRequest(
        Api.X_API, "/2/users/by", (("usernames", ",".join(f"u{i}" for i in range(101))),)
    )
    answer = x.parse_user(fetch(sb, client, too_many, "x-ok"), "u1")
    assert answer.outcome is Outcome.ERROR and answer.reason is not None
    assert answer.reason.code == "invalid_request"


def test_x_users_me_needs_a_user_token(sb: Sandbox, client: httpx.Client) -> None:
    app_only = x.parse_user(fetch(sb, client, x.users_me(), "x-ok"), "me")
    assert app_only.outcome is Outcome.PERMISSION_MISSING
    mine = x.parse_user(fetch(sb, client, x.users_me(), "x-user"), "KettleTeam")
    assert (
        mine.outcome is Outcome.PRESENT
        and mine.value is not None
        and mine.value.handle == "KettleTeam"
    )


def test_x_bad_tokens_and_rate_limits(sb: Sandbox, client: httpx.Client) -> None:
    real_401 = x.parse_user(fixture("x/error_401.json", 401), "KettleCo")
    for token in ("x-revoked", "unknown", None):
        got = x.parse_user(fetch(sb, client, x.user_by_username("KettleCo"), token), "KettleCo")
        assert got.outcome is real_401.outcome is Outcome.CREDENTIAL_INVALID

    first = fetch(sb, client, x.user_by_username("KettleCo"), "x-ok")
    second = fetch(sb, client, x.user_by_username("KettleCo"), "x-ok")
    assert x.throttle(first).remaining is not None and x.throttle(second).remaining is not None

    sb.set_host_faults("x-api", [{"kind": "rate_limit", "reset": 30}])
    limited = fetch(sb, client, x.user_by_username("KettleCo"), "x-ok")
    got = x.parse_user(limited, "KettleCo")
    assert got.outcome is x.parse_user(fixture("x/error_429.json", 429), "KettleCo").outcome
    assert got.outcome is Outcome.RATE_LIMITED and limited.headers["x-rate-limit-remaining"] == "0"
    assert got.throttle.wait is not None and 25 <= got.throttle.wait <= 31


# --------------------------------------------------------------------------- LinkedIn


def test_linkedin_organization_followers_and_posts(sb: Sandbox, client: httpx.Client) -> None:
    org = linkedin.parse_organization(
        fetch(sb, client, linkedin.organization_by_vanity("kettle-co", LV), "li-ok")
    )
    assert (
        org.outcome is Outcome.PRESENT and org.value is not None and org.value.native_id is not None
    )
    assert (org.value.handle, org.value.display_name) == ("kettle-co", "Kettle Coffee")
    org_id = org.value.native_id
    size = linkedin.parse_followers(fetch(sb, client, linkedin.network_size(org_id, LV), "li-ok"))
    assert size.value == 3861
    posts = linkedin.parse_latest(fetch(sb, client, linkedin.latest_posts(org_id, LV), "li-ok"))
    assert posts.value is not None and posts.value.latest == at("2026-11-13T12:00:00Z")
    acls = fetch(sb, client, linkedin.my_organizations(LV), "li-ok")
    assert acls.status == 200 and len(acls.json()["elements"]) == 1


@pytest.mark.parametrize(
    ("request_", "token", "sample", "status", "outcome"),
    [
        (
            linkedin.organization_by_vanity("nobody", LV),
            "li-ok",
            "linkedin/organizations_empty.json",
            200,
            Outcome.PERMISSION_MISSING,
        ),
        (
            linkedin.organization_by_vanity("kettle-hidden", LV),
            "li-ok",
            "linkedin/organizations_empty.json",
            200,
            Outcome.PERMISSION_MISSING,
        ),
        (
            linkedin.organization_by_vanity("kettle-co", LV),
            "li-expired",
            "linkedin/error_401.json",
            401,
            Outcome.CREDENTIAL_INVALID,
        ),
        (
            linkedin.organization_by_vanity("kettle-co", "202301"),
            "li-ok",
            "linkedin/error_version.json",
            426,
            Outcome.ERROR,
        ),
    ],
)
def test_linkedin_answers_match_the_real_shapes(
    sb: Sandbox,
    client: httpx.Client,
    request_: ApiRequest,
    token: str,
    sample: str,
    status: int,
    outcome: Outcome,
) -> None:
    got = linkedin.parse_organization(fetch(sb, client, request_, token))
    real = linkedin.parse_organization(fixture(sample, status))
    assert got.outcome is real.outcome is outcome
    assert (
        got.reason is not None and real.reason is not None and got.reason.code == real.reason.code
    )


def test_linkedin_requires_its_headers_and_throttles_without_any(
    sb: Sandbox, client: httpx.Client
) -> None:
    bare = linkedin.organization_by_vanity("kettle-co", LV)
    for kept in ((), (bare.headers[0],)):
        answer = linkedin.parse_organization(
            fetch(sb, client, ApiRequest(bare.api, bare.path, bare.query, headers=kept), "li-ok")
        )
        assert answer.outcome is Outcome.ERROR
    no_version = fetch(sb, client, ApiRequest(bare.api, bare.path, bare.query), "li-ok")
    assert no_version.json()["code"] == "VERSION_MISSING"

    sb.set_host_faults("linkedin-api", ["rate_limit"])
    limited = fetch(sb, client, bare, "li-ok")
    got = linkedin.parse_organization(limited)
    assert (
        got.outcome is linkedin.parse_organization(fixture("linkedin/error_429.json", 429)).outcome
    )
    assert got.outcome is Outcome.RATE_LIMITED and got.throttle.stop
    assert not [h for h in limited.headers if "rate" in h or h == "retry-after"]


# --------------------------------------------------------------------------- TikTok


def test_tiktok_user_and_videos_with_cursor_paging(sb: Sandbox, client: httpx.Client) -> None:
    user = tiktok.parse_user(fetch(sb, client, tiktok.user_info(), "tt-ok"))
    assert tiktok.parse_user(fixture("tiktok/user_info.json")).outcome is Outcome.PRESENT
    assert user.outcome is Outcome.PRESENT and user.value is not None
    assert (user.value.handle, user.value.followers, user.value.verified) == (
        "kettletok",
        25530,
        Tri.FALSE,
    )

    request: ApiRequest | None = tiktok.video_list()
    times = []
    while request is not None:
        fetched = fetch(sb, client, request, "tt-ok")
        latest = tiktok.parse_latest(fetched)
        assert latest.value is not None and latest.value.latest is not None
        times.append(latest.value.latest)
        request = tiktok.next_request(fetched, request)
    assert times == [
        at("2026-11-29T17:00:00Z"),
        at("2026-11-20T17:00:00Z"),
        at("2026-11-10T17:00:00Z"),
    ]

    quiet = tiktok.parse_latest(fetch(sb, client, tiktok.video_list(), "tt-quiet"))
    assert quiet.value == tiktok.parse_latest(fixture("tiktok/video_list_empty.json")).value


@pytest.mark.parametrize(
    ("token", "sample", "status", "outcome"),
    [
        ("tt-expired", "tiktok/error_access_token_invalid.json", 401, Outcome.CREDENTIAL_INVALID),
        (None, "tiktok/error_access_token_invalid.json", 401, Outcome.CREDENTIAL_INVALID),
        ("tt-narrow", "tiktok/error_scope_not_authorized.json", 401, Outcome.PERMISSION_MISSING),
    ],
)
def test_tiktok_errors_match_the_real_shapes(
    sb: Sandbox, client: httpx.Client, token: str | None, sample: str, status: int, outcome: Outcome
) -> None:
    got = tiktok.parse_latest(fetch(sb, client, tiktok.video_list(), token))
    real = tiktok.parse_latest(fixture(sample, status))
    assert got.outcome is real.outcome is outcome and got.signal == real.signal


def test_tiktok_rate_limit(sb: Sandbox, client: httpx.Client) -> None:
    sb.set_faults("tiktok-api", "kettletok", ["rate_limit"])
    got = tiktok.parse_user(fetch(sb, client, tiktok.user_info(), "tt-ok"))
    real = tiktok.parse_user(fixture("tiktok/error_rate_limit.json", 429))
    assert got.outcome is real.outcome is Outcome.RATE_LIMITED and got.signal == real.signal
    assert (
        tiktok.parse_user(fetch(sb, client, tiktok.user_info(), "tt-quiet")).outcome
        is Outcome.PRESENT
    )


# --------------------------------------------------------------------------- Threads


def test_threads_me_latest_and_followers(sb: Sandbox, client: httpx.Client) -> None:
    me = threads.parse_me(fetch(sb, client, threads.me(TV), "threads-ok"))
    assert me.outcome is threads.parse_me(fixture("threads/me.json")).outcome is Outcome.PRESENT
    assert me.value is not None and me.value.handle == "kettle.threads"
    latest = threads.parse_latest(fetch(sb, client, threads.latest_thread(TV), "threads-ok"))
    assert latest.value is not None and latest.value.latest == at("2026-11-29T10:11:12Z")
    followers = threads.parse_followers(fetch(sb, client, threads.followers(TV), "threads-ok"))
    assert followers.value == 2874
    assert (
        threads.parse_followers(fixture("threads/insights_followers.json")).outcome
        is Outcome.PRESENT
    )

    assert (
        threads.parse_me(fetch(sb, client, threads.me(TV), "meta-ok")).outcome
        is Outcome.CREDENTIAL_INVALID
    )
    other = threads.parse_latest(
        fetch(sb, client, threads.latest_thread(TV, "12345"), "threads-ok")
    )
    assert other.outcome is Outcome.PERMISSION_MISSING


# --------------------------------------------------------------------------- YouTube


def test_youtube_channel_and_uploads_with_page_tokens(sb: Sandbox, client: httpx.Client) -> None:
    got = youtube_data.parse_channel(
        fetch(sb, client, youtube_data.channel_by_handle("@kettletube"), "yt-ok")
    )
    real = youtube_data.parse_channel(fixture("youtube/channels_for_handle.json"))
    assert got.value is not None and real.value is not None
    assert got.value.native_id == "UCk3ttl3C0ff33R0ast3rsPD"
    # The uploads playlist is named after the channel as in the recorded answer.
    for facts in (got.value, real.value):
        assert facts.native_id is not None
        assert facts.extra == (("uploads", "UU" + facts.native_id[2:]),)
    assert got.value.followers == 14200
    uploads = got.value.extra_value("uploads")
    assert uploads is not None

    request: ApiRequest | None = youtube_data.latest_upload(uploads)
    times = []
    while request is not None:
        fetched = fetch(sb, client, request, "yt-ok")
        latest = youtube_data.parse_latest(fetched)
        assert latest.value is not None and latest.value.latest is not None
        times.append(latest.value.latest)
        request = youtube_data.next_request(fetched, request)
    assert times == [at("2026-11-21T15:00:07Z"), at("2026-10-21T15:00:07Z")]


@pytest.mark.parametrize(
    ("handle", "sample", "outcome", "followers", "state"),
    [
        (
            "@kettletraining",
            "youtube/channels_hidden_subscribers.json",
            Outcome.PRESENT,
            None,
            AccountState.ACTIVE,
        ),
        (
            "@kettlearchive",
            "youtube/channels_for_handle.json",
            Outcome.PRESENT,
            0,
            AccountState.PRIVATE,
        ),
        ("@nobody", "youtube/channels_empty.json", Outcome.ABSENT, None, None),
        # A terminated channel is no longer listed by channels.list: the API's absence.
        ("@kettlebanned", "youtube/channels_empty.json", Outcome.ABSENT, None, None),
    ],
)
def test_youtube_channel_states(
    sb: Sandbox,
    client: httpx.Client,
    handle: str,
    sample: str,
    outcome: Outcome,
    followers: int | None,
    state: AccountState | None,
) -> None:
    got = youtube_data.parse_channel(
        fetch(sb, client, youtube_data.channel_by_handle(handle), "yt-ok")
    )
    assert got.outcome is youtube_data.parse_channel(fixture(sample)).outcome is outcome
    if state is not None:
        assert got.value is not None and (got.value.followers, got.value.state) == (
            followers,
            state,
        )


def test_youtube_batch_by_id(sb: Sandbox, client: httpx.Client) -> None:
    ids = ["UCk3ttl3C0ff33R0ast3rsPD", "UCk3ttl3Tr41n1ngV1d30s0x", "UCk3ttl3n0b0dyH3r3xxxxx"]
    (request,) = youtube_data.channels_by_id(ids)
    got = youtube_data.parse_channels(fetch(sb, client, request, "yt-ok"), ids)
    assert [got[i].outcome for i in ids] == [Outcome.PRESENT, Outcome.PRESENT, Outcome.ABSENT]


def test_youtube_bad_key_and_quota(sb: Sandbox, client: httpx.Client) -> None:
    request = youtube_data.channel_by_handle("@kettletube")
    real = youtube_data.parse_channel(fixture("youtube/error_400_key_invalid.json", 400))
    for key in ("yt-revoked", "unknown-key", "meta-ok"):
        got = youtube_data.parse_channel(fetch(sb, client, request, key))
        assert (
            got.outcome is real.outcome is Outcome.CREDENTIAL_INVALID and got.signal == real.signal
        )

    quota = youtube_data.parse_channel(fixture("youtube/error_403_quota_exceeded.json", 403))
    outcomes = [
        youtube_data.parse_channel(fetch(sb, client, request, "yt-small")).outcome for _ in range(3)
    ]
    assert outcomes == [Outcome.PRESENT, Outcome.PRESENT, quota.outcome]
    spent = youtube_data.parse_channel(fetch(sb, client, request, "yt-small"))
    assert (
        spent.outcome is Outcome.QUOTA_EXCEEDED
        and spent.throttle.stop
        and spent.signal == quota.signal
    )

    sb.set_quota("yt-ok", 1)
    assert (
        youtube_data.parse_channel(fetch(sb, client, request, "yt-ok")).outcome is Outcome.PRESENT
    )
    assert (
        youtube_data.parse_channel(fetch(sb, client, request, "yt-ok")).outcome
        is Outcome.QUOTA_EXCEEDED
    )
    sb.set_quota("yt-ok", None)
    assert (
        youtube_data.parse_channel(fetch(sb, client, request, "yt-ok")).outcome is Outcome.PRESENT
    )
