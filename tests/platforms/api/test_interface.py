"""The connectors' shared contract: requests, credential placement, scrubbing, outcomes and
the Observation built from an answer."""

from __future__ import annotations

import pytest

from scanner.model import AccountState, ObservationStatus, Platform, Reason, Tri
from scanner.platforms import api_spec
from scanner.platforms.api import (
    Answer,
    Api,
    ApiRequest,
    Facts,
    Outcome,
    Rule,
    meta,
    observation,
    scrub_url,
)
from scanner.platforms.api.interface import chunked
from tests.platforms.api.support import FETCHED_AT, FIXTURES, answer

SECRET = "EAAKettleSecretToken123"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            f"https://graph.facebook.com/v25.0/me/accounts?access_token={SECRET}&limit=2&after=MT",
            "https://graph.facebook.com/v25.0/me/accounts?access_token=REDACTED&limit=2&after=MT",
        ),
        (
            f"https://www.googleapis.com/youtube/v3/channels?part=snippet&key={SECRET}",
            "https://www.googleapis.com/youtube/v3/channels?part=snippet&key=REDACTED",
        ),
        (
            f"https://graph.facebook.com/debug_token?input_token={SECRET}&ACCESS_TOKEN={SECRET}",
            "https://graph.facebook.com/debug_token?input_token=REDACTED&ACCESS_TOKEN=REDACTED",
        ),
        (
            f"https://user:{SECRET}@api.example.test/cb#access_token={SECRET}&state=1",
            "https://REDACTED@api.example.test/cb#access_token=REDACTED&state=1",
        ),
    ],
)
def test_scrub_url_removes_every_secret(url: str, expected: str) -> None:
    assert scrub_url(url) == expected
    assert SECRET not in scrub_url(url)


def test_scrub_url_keeps_a_url_without_secrets_byte_for_byte() -> None:
    url = "https://api.x.com/2/users/by?usernames=a,b&user.fields=created_at%2Cverified&x="
    assert scrub_url(url) == url


def test_every_api_sends_its_secret_in_a_header_declared_by_its_spec() -> None:
    # Shared design of issue 12: Bearer for the Graph APIs, X, LinkedIn and TikTok; YouTube's
    # key in X-Goog-Api-Key. Never a query parameter, so no URL can carry a secret.
    expected = {Api.YOUTUBE_API: ("X-Goog-Api-Key", "")}
    for api in Api:
        spec = api_spec(api)
        assert spec.token is not None and spec.base_url.startswith("https://")
        assert (spec.token.header, spec.token.scheme) == expected.get(
            api, ("Authorization", "Bearer")
        )
        assert spec.token.host == spec.base_url.removeprefix("https://")
    envs = {api: api_spec(api).token.env for api in Api}  # type: ignore[union-attr]
    assert envs == {
        Api.META_GRAPH: "ROLLCALL_META_TOKEN",
        Api.THREADS_GRAPH: "ROLLCALL_THREADS_TOKEN",
        Api.X_API: "ROLLCALL_X_TOKEN",
        Api.LINKEDIN_API: "ROLLCALL_LINKEDIN_TOKEN",
        Api.TIKTOK_API: "ROLLCALL_TIKTOK_TOKEN",
        Api.YOUTUBE_API: "ROLLCALL_YOUTUBE_API_KEY",
        Api.GITHUB_API: "ROLLCALL_GITHUB_TOKEN",
    }


def test_request_url_replaces_only_scheme_and_host() -> None:
    request = ApiRequest(Api.X_API, "/2/users/by", (("usernames", "a,b"),))
    base = api_spec(Api.X_API).base_url
    assert request.url(base) == f"{base}/2/users/by?usernames=a,b"
    assert request.url("http://127.0.0.1:9/") == "http://127.0.0.1:9/2/users/by?usernames=a,b"
    assert request.with_query(usernames="c").query == (("usernames", "c"),)


def test_chunked_groups_and_deduplicates() -> None:
    names = [f"n{i}" for i in range(205)] + ["N0"]
    groups = chunked(names, 100)
    assert [len(g) for g in groups] == [100, 100, 5]
    assert chunked(["UCa", "UCA", "UCa"], 50, case_sensitive=True) == (("UCa", "UCA"),)


def test_every_outcome_has_an_observation_status() -> None:
    verdicts = {o for o in Outcome if o.status.verified}
    assert verdicts == {Outcome.PRESENT, Outcome.ABSENT}
    assert Outcome.CREDENTIAL_INVALID.status is ObservationStatus.ERROR
    for blocked in (Outcome.PERMISSION_MISSING, Outcome.RATE_LIMITED, Outcome.QUOTA_EXCEEDED):
        assert blocked.status is ObservationStatus.BLOCKED


def test_observation_from_a_present_answer_carries_the_facts() -> None:
    url = f"https://graph.facebook.com/v25.0/copperkettleroasters?access_token={SECRET}"
    fetched = answer("meta/fb_page.json", url=url)
    facts = Facts(display_name="Copper Kettle", followers=12, verified=Tri.TRUE, published=Tri.TRUE)
    obs = observation(
        Platform.FACEBOOK,
        "copperkettleroasters",
        fetched,
        Answer(Outcome.PRESENT, None, "json:id", facts),
    )
    assert obs.status is ObservationStatus.PRESENT
    assert (obs.display_name, obs.followers, obs.verified) == ("Copper Kettle", 12, Tri.TRUE)
    assert obs.account_state is AccountState.ACTIVE
    assert SECRET not in obs.url and SECRET not in (obs.final_url or "")
    assert obs.fetched_at == FETCHED_AT and obs.signal == "json:id"


def test_observation_of_an_unpublished_page_is_private() -> None:
    facts = Facts(published=Tri.FALSE)
    obs = observation(
        Platform.FACEBOOK, "x", answer(None), Answer(Outcome.PRESENT, None, "json:id", facts)
    )
    assert obs.account_state is AccountState.PRIVATE


def test_observation_of_a_dead_credential_is_an_error_never_absent() -> None:
    reason = Reason("credential_invalid", "the Meta token is not valid")
    failed = Answer[Facts](Outcome.CREDENTIAL_INVALID, reason, "json:error.code=190")
    obs = observation(Platform.INSTAGRAM, "copperkettlecoffee", answer(None, status=400), failed)
    assert obs.status is ObservationStatus.ERROR
    assert obs.reason == reason and obs.http_status == 400
    assert obs.display_name is None


def test_no_observation_from_any_meta_fixture_holds_the_token() -> None:
    base = "https://graph.facebook.com/v25.0/copperkettleroasters"
    for path in sorted((FIXTURES / "meta").glob("*.json")):
        url = f"{base}?fields=id&access_token={SECRET}"
        fetched = answer(
            f"meta/{path.name}", status=200 if "error" not in path.name else 400, url=url
        )
        obs = observation(
            Platform.FACEBOOK, "copperkettleroasters", fetched, meta.parse_page(fetched)
        )
        assert SECRET not in repr(obs), path.name


def test_a_long_api_message_is_cut_in_the_reason() -> None:
    rule = Rule(Outcome.ERROR, "api_error", "the API failed")
    reason = rule.answer("status:500", "x" * 5000).reason
    assert reason is not None and len(reason.text) < 400 and reason.text.endswith("…)")
