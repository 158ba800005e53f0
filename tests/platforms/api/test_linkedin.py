"""LinkedIn: organization by vanity name (an empty finder is not absence), followers, latest
published post, and the status/code table (401, ACCESS_DENIED, bare 429, version errors)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scanner.model import ObservationStatus
from scanner.platforms import api_spec
from scanner.platforms.api import Api, Outcome, linkedin
from tests.platforms.api.support import FETCHED_AT, answer

V = api_spec(Api.LINKEDIN_API).version


def test_requests_carry_the_versioned_rest_headers() -> None:
    for request in (
        linkedin.organization_by_vanity("copper-kettle-coffee-roasters", V),
        linkedin.network_size("71203344", V),
        linkedin.latest_posts("71203344", version="202611"),
        linkedin.my_organizations(V),
    ):
        headers = dict(request.headers)
        assert headers["X-Restli-Protocol-Version"] == "2.0.0"
        assert headers["LinkedIn-Version"].isdigit()
        assert request.path.startswith("/rest/")
    posts = linkedin.latest_posts("71203344", V).url("https://li.test")
    assert "author=urn%3Ali%3Aorganization%3A71203344" in posts
    assert linkedin.network_size("1", V).path == "/rest/networkSizes/urn%3Ali%3Aorganization%3A1"


def test_present_organization() -> None:
    result = linkedin.parse_organization(answer("linkedin/organizations_by_vanity.json"))
    assert result.outcome is Outcome.PRESENT and result.value is not None
    assert result.value.native_id == "71203344"
    assert result.value.display_name == "Copper Kettle Coffee Roasters"
    assert result.value.links == ("https://copperkettle.coffee",)


def test_empty_finder_is_unverified_not_absent() -> None:
    result = linkedin.parse_organization(answer("linkedin/organizations_empty.json"))
    assert result.outcome is Outcome.PERMISSION_MISSING
    assert result.outcome.status is ObservationStatus.BLOCKED
    assert result.reason is not None and result.reason.code == "not_visible"


def test_followers_from_network_size() -> None:
    result = linkedin.parse_followers(answer("linkedin/network_size.json"))
    assert result.value == 3861


def test_latest_published_post_skips_drafts() -> None:
    result = linkedin.parse_latest(answer("linkedin/posts.json"))
    assert result.value is not None
    assert result.value.latest == datetime.fromtimestamp(1763038800, tz=UTC)
    empty = linkedin.parse_latest(answer("linkedin/posts_empty.json"))
    assert empty.value is not None and empty.value.empty


@pytest.mark.parametrize(
    ("name", "status", "outcome", "code"),
    [
        ("linkedin/error_401.json", 401, Outcome.CREDENTIAL_INVALID, "credential_invalid"),
        (
            "linkedin/error_403_access_denied.json",
            403,
            Outcome.PERMISSION_MISSING,
            "permission_missing",
        ),
        ("linkedin/error_version.json", 426, Outcome.ERROR, "api_version"),
        ("linkedin/error_429.json", 429, Outcome.RATE_LIMITED, "rate_limited"),
    ],
)
def test_error_table(name: str, status: int, outcome: Outcome, code: str) -> None:
    result = linkedin.parse_organization(answer(name, status=status))
    assert result.outcome is outcome
    assert result.reason is not None and result.reason.code == code


def test_bare_429_stops_linkedin_until_midnight_utc() -> None:
    result = linkedin.parse_latest(answer("linkedin/error_429.json", status=429))
    assert result.throttle.stop
    midnight = datetime(2026, 12, 4, tzinfo=UTC)
    assert result.throttle.wait == (midnight - FETCHED_AT).total_seconds()


def test_html_error_page_is_an_error() -> None:
    fetched = answer(None, status=503, raw=b"<html>unavailable</html>")
    assert linkedin.parse_followers(fetched).outcome is Outcome.ERROR
