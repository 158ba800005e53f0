"""TikTok Display API: success bodies carry ``error.code == "ok"``; the error-code table;
the newest video's ``create_time`` and cursor paging over a POST body."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from scanner.model import Tri
from scanner.platforms.api import Method, Outcome, tiktok
from tests.platforms.api.support import answer


def test_ok_envelope_is_success() -> None:
    result = tiktok.parse_user(answer("tiktok/user_info.json"))
    assert result.outcome is Outcome.PRESENT and result.value is not None
    assert result.value.display_name == "Copper Kettle Coffee"
    assert result.value.followers == 25530
    assert result.value.verified is Tri.FALSE
    assert result.signal.startswith("json:error.code=ok")


def test_ok_envelope_without_the_user_is_an_error() -> None:
    raw = b'{"data":{},"error":{"code":"ok","message":"","log_id":"1"}}'
    assert tiktok.parse_user(answer(None, raw=raw)).outcome is Outcome.ERROR


@pytest.mark.parametrize(
    ("name", "status", "outcome"),
    [
        ("tiktok/error_access_token_invalid.json", 401, Outcome.CREDENTIAL_INVALID),
        ("tiktok/error_scope_not_authorized.json", 401, Outcome.PERMISSION_MISSING),
        ("tiktok/error_rate_limit.json", 429, Outcome.RATE_LIMITED),
    ],
)
def test_error_codes_decide_before_the_status(name: str, status: int, outcome: Outcome) -> None:
    result = tiktok.parse_user(answer(name, status=status))
    assert result.outcome is outcome


def test_rate_limit_waits_one_window() -> None:
    result = tiktok.parse_latest(answer("tiktok/error_rate_limit.json", status=429))
    assert result.throttle.wait == 60


def test_bare_401_without_the_envelope_is_a_dead_credential() -> None:
    fetched = answer(None, status=401, raw=b"Unauthorized", headers={"content-type": "text/plain"})
    assert tiktok.parse_user(fetched).outcome is Outcome.CREDENTIAL_INVALID


def test_latest_video_and_cursor_paging() -> None:
    request = tiktok.video_list()
    assert request.method is Method.POST and json.loads(request.body or "") == {"max_count": 1}
    fetched = answer("tiktok/video_list.json")
    result = tiktok.parse_latest(fetched)
    assert result.value is not None
    assert result.value.latest == datetime(2025, 11, 29, 17, 0, tzinfo=UTC)
    nxt = tiktok.next_request(fetched, request)
    assert nxt is not None
    assert json.loads(nxt.body or "") == {"max_count": 1, "cursor": 1764435600000}


def test_no_videos() -> None:
    fetched = answer("tiktok/video_list_empty.json")
    result = tiktok.parse_latest(fetched)
    assert result.value is not None and result.value.empty
    assert tiktok.next_request(fetched, tiktok.video_list()) is None
