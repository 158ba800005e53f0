"""The world's Page ``holders`` and Business Manager (issue 13): mistakes named with their line,
and the Graph listings the sandbox serves from them (cursor paging, the permission error)."""

from __future__ import annotations

import httpx
import pytest

from scanner.errors import ValidationError
from scanner.platforms.api import meta
from scanner.platforms.api.interface import Outcome
from scanner.sandbox import Sandbox, parse_world
from scanner.yamlsource import load_yaml_text
from tests.sandbox.api_support import fetch

MV = "v25.0"
WORLD = """\
name: holders
as_of: 2026-11-15
accounts:
  - platform: facebook
    handle: kettlepage
    holders:
      - {id: '11', name: Ada, email: ada@kettle.example, tasks: [MANAGE], two_factor: false}
      - {id: '12', name: Ben, tasks: [CREATE_CONTENT]}
      - {id: '13', name: Cy, tasks: [MODERATE]}
      - {kind: system_user, id: '21', tasks: [ANALYZE]}
      - {kind: partner_business, id: '31'}
business:
  users: [{id: '14', name: Dee, email: dee@kettle.example, role: ADMIN, two_factor: true}]
  system_users: [{id: '21', name: Reader}]
  agencies: [{id: '31', name: Brew Agency}]
credentials:
  - {api: meta-graph, token: full, scopes: [pages_manage_metadata, business_management]}
  - {api: meta-graph, token: narrow, scopes: [pages_show_list]}
"""


def errors(text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        parse_world(load_yaml_text(text, "w.yaml"), "w.yaml")
    return [f"{p.line}: {p.message}" for p in info.value.problems]


def test_holder_and_business_mistakes_are_named_with_their_lines() -> None:
    found = errors(
        """name: w
as_of: 2026-11-15
accounts:
  - platform: facebook
    handle: page
    holders:
      - {kind: agency, id: '1'}
      - {name: No Id}
      - {id: '2', tasks: [manage], two_factor: maybe}
      - {id: '3'}
      - {id: '4', name: Eve, two_factor: true}
      - {id: '5', name: Fay, emial: f@x.example}
  - platform: x
    handle: someone
    holders: [{id: '1', name: A}]
business:
  users: [{id: '9', name: Gus, kind: person}]
  partners: []
"""
    )
    assert any(
        e.startswith("7: accounts[0].holders[0].kind: expected one of person") for e in found
    )
    assert "8: accounts[0].holders[1].id: expected the platform's id" in found
    assert any(e.startswith("9: accounts[0].holders[2].tasks: expected task names") for e in found)
    assert "9: accounts[0].holders[2].two_factor: expected true or false" in found
    assert "10: page.holders[3]: no name; give one, or list the id in business.users" in found
    assert "11: page.holders[4].two_factor: a business user's; give their email" in found
    assert any(e.startswith("12: accounts[0].holders[5]: unknown key 'emial'") for e in found)
    assert any(
        e.startswith("15: accounts[1].holders: a list of holders, on facebook") for e in found
    )
    assert any(e.startswith("17: business.users[0]: unknown key 'kind'") for e in found)
    assert any(e.startswith("18: business: unknown key 'partners'") for e in found)


def test_the_listings_page_by_cursor_and_join_the_business(client: httpx.Client) -> None:
    world = parse_world(load_yaml_text(WORLD, "w.yaml"), "w.yaml")
    with Sandbox(world) as sb:
        page = meta.parse_page(fetch(sb, client, meta.page("kettlepage", MV), "full")).value
        assert page is not None and page.native_id is not None
        request = meta.assigned_users(page.native_id, MV).with_query(limit="1")
        seen: list[tuple[str, str | None, tuple[str, ...]]] = []
        pages = 0
        next_request: meta.ApiRequest | None = request
        while next_request is not None:
            fetched = fetch(sb, client, next_request, "full")
            rows = meta.parse_members(fetched).value
            assert rows is not None and len(rows) <= 1
            seen += [(m.native_id, m.user_type, m.tasks) for m in rows]
            next_request = meta.next_request(fetched, next_request)
            pages += 1
        # Ada is a business user by her email; Ben and Cy are people outside the business.
        assert seen == [("11", "BUSINESS_USER", ("MANAGE",)), ("21", "SYSTEM_USER", ("ANALYZE",))]
        assert pages == 2
        roles = meta.parse_members(fetch(sb, client, meta.page_roles(page.native_id, MV), "full"))
        assert [m.name for m in roles.value or ()] == ["Ben", "Cy"]
        agencies = meta.parse_members(fetch(sb, client, meta.agencies(page.native_id, MV), "full"))
        assert [(m.native_id, m.name) for m in agencies.value or ()] == [("31", "Brew Agency")]
        business = fetch(sb, client, meta.my_businesses(MV), "full").json()["data"][0]["id"]
        users = meta.parse_members(fetch(sb, client, meta.business_users(business, MV), "full"))
        assert {(m.native_id, m.email, m.role, m.two_factor.value) for m in users.value or ()} == {
            ("14", "dee@kettle.example", "ADMIN", "true"),
            ("11", "ada@kettle.example", "EMPLOYEE", "false"),
        }
        refused = fetch(sb, client, meta.assigned_users(page.native_id, MV), "narrow")
        assert refused.status == 400
        assert meta.parse_members(refused).outcome is Outcome.PERMISSION_MISSING
        assert "pages_manage_metadata" in refused.json()["error"]["message"]
        no_biz = meta.parse_members(fetch(sb, client, meta.business_users(business, MV), "narrow"))
        assert no_biz.outcome is Outcome.PERMISSION_MISSING
