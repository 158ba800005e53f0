"""Meta Graph listings of who holds access (issue 13): the requests ask for the fields the
access review reads and carry no token; the rows parse into members; 190 is a dead token and
10/200/100 a permission problem, as on every other Graph call; ``two_fac_status`` is read
conservatively (an unknown value is unknown, never "off")."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from scanner.model import Tri
from scanner.platforms import api_spec
from scanner.platforms.api import Api, Outcome, meta
from tests.platforms.api.support import answer

V = api_spec(Api.META_GRAPH).version
BASE = api_spec(Api.META_GRAPH).base_url


def _query(request: meta.ApiRequest) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.url(BASE)).query)


@pytest.mark.parametrize(
    ("request_", "edge", "fields"),
    [
        (meta.assigned_users("104", V, "900"), "104/assigned_users", "id,name,user_type,tasks"),
        (meta.page_roles("104", V), "104/roles", "id,name,tasks"),
        (meta.agencies("104", V), "104/agencies", "id,name"),
        (meta.business_users("900", V), "900/business_users", "id,name,email,role,two_fac_status"),
        (meta.system_users("900", V), "900/system_users", "id,name,role"),
    ],
)
def test_listing_requests(request_: meta.ApiRequest, edge: str, fields: str) -> None:
    url = request_.url(BASE)
    assert urlsplit(url).path == f"/{V}/{edge}"
    query = _query(request_)
    assert query["fields"] == [fields] and query["limit"] == ["100"]
    assert "access_token" not in query
    assert ("business" in query) == edge.endswith("assigned_users")


def test_members_with_tasks_user_type_email_and_two_factor() -> None:
    body = {
        "data": [
            {"id": "1", "name": "Ada", "user_type": "BUSINESS_USER", "tasks": ["MANAGE"]},
            {"id": "2", "name": "Bot", "user_type": "SYSTEM_USER", "tasks": ["ANALYZE"]},
            {"id": "3", "email": "c@x.example", "role": "ADMIN", "two_fac_status": "not_enabled"},
            {"name": "no id: skipped"},
        ],
        "paging": {"cursors": {"before": "a", "after": "b"}},
    }
    parsed = meta.parse_members(answer(None, raw=json.dumps(body).encode()))
    assert parsed.outcome is Outcome.PRESENT and parsed.value is not None
    ada, bot, c = parsed.value
    assert (ada.tasks, ada.system_user, ada.two_factor) == (("MANAGE",), False, Tri.UNKNOWN)
    assert bot.system_user and bot.name == "Bot"
    assert (c.email, c.role, c.two_factor, c.name) == ("c@x.example", "ADMIN", Tri.FALSE, None)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("enabled", Tri.TRUE),
        ("two_fac_enabled", Tri.TRUE),
        ("not_enabled", Tri.FALSE),
        ("DISABLED", Tri.FALSE),
        ("pending", Tri.UNKNOWN),
        (None, Tri.UNKNOWN),
        (1, Tri.UNKNOWN),
    ],
)
def test_two_factor_status(status: object, expected: Tri) -> None:
    assert meta.two_factor(status) is expected


@pytest.mark.parametrize(
    ("fixture", "outcome"),
    [
        ("meta/fb_error_190_463_expired.json", Outcome.CREDENTIAL_INVALID),
        ("meta/fb_error_200_permission.json", Outcome.PERMISSION_MISSING),
        ("meta/fb_error_100_missing_permission.json", Outcome.PERMISSION_MISSING),
        ("meta/fb_error_4_throttled.json", Outcome.RATE_LIMITED),
    ],
)
def test_listing_errors_are_classified_like_every_graph_call(
    fixture: str, outcome: Outcome
) -> None:
    parsed = meta.parse_members(answer(fixture, status=400))
    assert parsed.outcome is outcome and parsed.value is None


def test_code_10_is_a_permission_problem() -> None:
    body = {"error": {"message": "(#10) Requires pages_manage_metadata", "code": 10}}
    parsed = meta.parse_members(answer(None, status=400, raw=json.dumps(body).encode()))
    assert parsed.outcome is Outcome.PERMISSION_MISSING


def test_a_body_without_data_is_unreadable() -> None:
    parsed = meta.parse_members(answer(None, raw=b'{"paging": {}}'))
    assert parsed.outcome is Outcome.ERROR and parsed.value is None
