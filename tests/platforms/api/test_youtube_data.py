"""YouTube Data API v3: channels by handle and id, hidden subscriber counts, private channels,
no items, the newest upload with page tokens, and the error-reason table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scanner.model import AccountState, Tri
from scanner.platforms.api import Outcome, youtube_data
from tests.platforms.api.support import answer

MAIN = "UCk3ttl3C0ff33R0ast3rsPDX"


def test_requests() -> None:
    by_handle = youtube_data.channel_by_handle("copperkettlecoffee")
    assert dict(by_handle.query) == {
        "part": "snippet,statistics,status,contentDetails",
        "forHandle": "@copperkettlecoffee",
    }
    batches = youtube_data.channels_by_id([f"UC{i:022d}" for i in range(60)])
    assert [len(dict(b.query)["id"].split(",")) for b in batches] == [50, 10]
    upload = youtube_data.latest_upload("UUk3ttl3C0ff33R0ast3rsPDX")
    assert dict(upload.query)["maxResults"] == "1"


def test_present_channel() -> None:
    result = youtube_data.parse_channel(answer("youtube/channels_for_handle.json"))
    assert result.outcome is Outcome.PRESENT and result.value is not None
    facts = result.value
    assert facts.native_id == MAIN and facts.handle == "@copperkettlecoffee"
    assert facts.followers == 14200
    assert facts.verified is Tri.UNKNOWN  # no part exposes it
    assert facts.created_at == datetime(2014, 5, 9, 17, 21, 33, tzinfo=UTC)
    assert facts.extra_value("uploads") == "UUk3ttl3C0ff33R0ast3rsPDX"


def test_hidden_subscriber_count_stays_unknown() -> None:
    result = youtube_data.parse_channel(answer("youtube/channels_hidden_subscribers.json"))
    assert result.value is not None and result.value.followers is None


def test_no_items_is_absent() -> None:
    result = youtube_data.parse_channel(answer("youtube/channels_empty.json"))
    assert result.outcome is Outcome.ABSENT


def test_batch_by_id_with_a_private_and_a_missing_channel() -> None:
    ids = [MAIN, "UCk3ttl3Pr1vat3Arch1v3xx", "UCk3ttl3G0n3G0n3G0n3G0n3"]
    results = youtube_data.parse_channels(answer("youtube/channels_batch.json"), ids)
    assert results[MAIN].outcome is Outcome.PRESENT
    private = results["UCk3ttl3Pr1vat3Arch1v3xx"].value
    assert private is not None and private.state is AccountState.PRIVATE
    assert results["UCk3ttl3G0n3G0n3G0n3G0n3"].outcome is Outcome.ABSENT


def test_latest_upload_and_page_token() -> None:
    fetched = answer("youtube/playlist_items_p1.json")
    result = youtube_data.parse_latest(fetched)
    assert result.value is not None
    assert result.value.latest == datetime(2026, 11, 21, 15, 0, 7, tzinfo=UTC)
    assert result.value.field == "videoPublishedAt"
    nxt = youtube_data.next_request(fetched, youtube_data.latest_upload("UUx"))
    assert nxt is not None and dict(nxt.query)["pageToken"] == "EAAaBlBUOkNBRQ"
    empty = answer("youtube/playlist_items_empty.json")
    assert youtube_data.next_request(empty, youtube_data.latest_upload("UUx")) is None
    latest = youtube_data.parse_latest(empty)
    assert latest.value is not None and latest.value.empty


@pytest.mark.parametrize(
    ("name", "status", "outcome", "stop"),
    [
        ("youtube/error_400_key_invalid.json", 400, Outcome.CREDENTIAL_INVALID, False),
        ("youtube/error_403_access_not_configured.json", 403, Outcome.CREDENTIAL_INVALID, False),
        ("youtube/error_403_quota_exceeded.json", 403, Outcome.QUOTA_EXCEEDED, True),
    ],
)
def test_error_reasons(name: str, status: int, outcome: Outcome, stop: bool) -> None:
    result = youtube_data.parse_channel(answer(name, status=status))
    assert result.outcome is outcome
    assert result.throttle.stop is stop
    batch = youtube_data.parse_channels(answer(name, status=status), [MAIN])
    assert batch[MAIN].outcome is outcome


def test_every_reason_in_the_table_decides() -> None:
    for reason, rule in youtube_data.REASON_RULES.items():
        raw = f'{{"error":{{"code":403,"errors":[{{"reason":"{reason}"}}]}}}}'.encode()
        result = youtube_data.classify(answer(None, status=403, raw=raw))
        assert result is not None and result.outcome is rule.outcome, reason
