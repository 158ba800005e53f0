"""LinkedIn access review (issue 13) over real sockets against the sandbox: an organization's ACL
rows as holders across start/count pages, a token without the admin permission (holders unknown,
never "nobody"), an expired token (credential_invalid, no access list), the organizations a
token administers, and the world file's checks of ``holders``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from scanner.errors import ValidationError
from scanner.fetch import HostLimits
from scanner.fetch.client import HttpFetcher
from scanner.fetch.fake import FakeFetcher, FakeRequest
from scanner.fetch.fake import Reply as FakeReply
from scanner.fetch.interface import Fetched
from scanner.fetch.politeness import SystemClock
from scanner.model import HolderKind, Observation, ObservationStatus, OwnedAccount, Platform, Reason
from scanner.platforms import platform_fetch_config
from scanner.platforms.api import linkedin
from scanner.platforms.api.interface import Api
from scanner.platforms.connectors import ApiAccess, ApiRun, Session
from scanner.platforms.connectors.base import MAX_PAGES
from scanner.platforms.connectors.others import LinkedInOrganization
from scanner.runs.observe import Target, observe_async
from scanner.sandbox import Sandbox, parse_world
from scanner.yamlsource import load_yaml_text

ENV = "ROLLCALL_LINKEDIN_TOKEN"
ADMINS = 3
STAFF = linkedin.ACL_PAGE + 2  # two pages of holders at the connector's page size


def _holders() -> str:
    rows = [f"      - {{id: 'urn:li:person:admin{i}', role: ADMINISTRATOR}}" for i in range(ADMINS)]
    rows += [
        f"      - {{id: 'urn:li:person:staff{i}', role: CONTENT_ADMINISTRATOR}}"
        for i in range(STAFF)
    ]
    rows.append("      - {id: 'urn:li:person:asked', role: ADMINISTRATOR, state: REQUESTED}")
    rows.append("      - {id: 'urn:li:person:gone', role: ADMINISTRATOR, state: REVOKED}")
    return "\n".join(rows)


WORLD = f"""\
name: li-access
as_of: 2026-12-01
accounts:
  - platform: linkedin
    handle: company/kettle-co
    display_name: Kettle Coffee
    followers: 10
    holders:
{_holders()}
  - platform: linkedin
    handle: company/kettle-jobs
    display_name: Kettle Jobs
  - platform: linkedin
    handle: company/kettle-hidden
    api_access: false
credentials:
  - {{api: linkedin-api, token: li-ok, scopes: [r_organization_admin, r_organization_social]}}
  - {{api: linkedin-api, token: li-narrow, scopes: [r_organization_social]}}
  - {{api: linkedin-api, token: li-expired, state: expired}}
"""


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    world = parse_world(load_yaml_text(WORLD, "li-access.yaml"), "li-access.yaml")
    with Sandbox(world) as sandbox:
        yield sandbox


def observe(sb: Sandbox, token: str, handle: str = "company/kettle-co") -> Observation:
    config = platform_fetch_config(endpoints=sb.endpoints(), tokens={ENV: token})
    apis = ApiRun(SystemClock(), ApiAccess.from_config(config))

    async def go() -> list[Observation]:
        async with HttpFetcher(config, {"default": HostLimits(8, 0.0)}) as fetcher:
            return await observe_async([Target(Platform.LINKEDIN, handle)], fetcher, apis=apis)

    (obs,) = asyncio.run(go())
    return obs


def owned(sb: Sandbox, token: str) -> tuple[OwnedAccount, ...] | Reason:
    config = platform_fetch_config(endpoints=sb.endpoints(), tokens={ENV: token})
    access = ApiAccess.from_config(config)
    apis = ApiRun(SystemClock(), access)
    credential = access.credential(Platform.LINKEDIN, None)
    assert credential is not None and credential.api is Api.LINKEDIN_API

    async def go() -> tuple[OwnedAccount, ...] | Reason:
        async with HttpFetcher(config, {"default": HostLimits(8, 0.0)}) as fetcher:
            session = Session.open(Platform.LINKEDIN, credential, fetcher.for_account(), apis)
            return await LinkedInOrganization().owned(session)

    return asyncio.run(go())


def test_holders_are_read_across_pages_with_roles_and_invitations(sb: Sandbox) -> None:
    sb.reset_counters()
    obs = observe(sb, "li-ok")
    assert obs.status is ObservationStatus.PRESENT
    access = obs.access
    assert access is not None and access.known and access.gaps == ()
    assert "q=organization" in access.url and "li-ok" not in access.url
    ids = [h.platform_id for h in access.holders]
    # Every approved row of both pages, the pending one as an invitation, the revoked one not.
    assert len(ids) == len(set(ids)) == ADMINS + STAFF + 1
    assert "urn:li:person:gone" not in ids
    assert f"urn:li:person:staff{STAFF - 1}" in ids  # on the second page
    by_id = {h.platform_id: h for h in access.holders}
    admin = by_id["urn:li:person:admin0"]
    assert (admin.kind, admin.role, admin.admin, admin.via) == (
        HolderKind.PERSON,
        "ADMINISTRATOR",
        True,
        "organizationAcls",
    )
    assert admin.name is None and admin.email is None
    staff = by_id["urn:li:person:staff0"]
    assert (staff.role, staff.admin) == ("CONTENT_ADMINISTRATOR", False)
    asked = by_id["urn:li:person:asked"]
    assert (asked.kind, asked.admin) == (HolderKind.INVITATION, False)
    assert sum(h.admin for h in access.holders) == ADMINS


def test_an_organization_whose_world_names_no_holder_is_refused_not_empty(sb: Sandbox) -> None:
    access = observe(sb, "li-ok", "company/kettle-jobs").access
    assert access is not None and not access.known and access.holders == ()


def test_a_token_without_the_admin_permission_leaves_holders_unknown(sb: Sandbox) -> None:
    obs = observe(sb, "li-narrow")
    assert obs.status is ObservationStatus.PRESENT  # the page itself is readable
    access = obs.access
    assert access is not None and not access.known and access.holders == ()
    assert access.reason is not None and access.reason.code == "access_unreadable"
    assert "rw_organization_admin" in access.reason.text
    assert "ADMINISTRATOR" in access.reason.text


def test_an_expired_token_is_a_credential_problem_and_lists_nobody(sb: Sandbox) -> None:
    obs = observe(sb, "li-expired")
    assert obs.status is ObservationStatus.ERROR
    assert obs.reason is not None and obs.reason.code == "credential_invalid"
    assert obs.access is None


def test_owned_lists_the_administered_organizations_by_handle(sb: Sandbox) -> None:
    got = owned(sb, "li-ok")
    assert not isinstance(got, Reason)
    assert {o.handle for o in got} == {"company/kettle-co", "company/kettle-jobs"}
    first = next(o for o in got if o.handle == "company/kettle-co")
    assert first.name == "Kettle Coffee" and first.native_id.isdigit()
    assert (first.platform, first.credential, first.via) == (
        Platform.LINKEDIN,
        ENV,
        "organizationAcls",
    )
    assert "q=roleAssignee" in first.url and "role=ADMINISTRATOR" in first.url


def test_owned_with_a_dead_token_says_why(sb: Sandbox) -> None:
    got = owned(sb, "li-expired")
    assert isinstance(got, Reason) and got.code == "credential_invalid"


def acl_page(paging: dict[str, Any], rows: int = 2) -> Fetched:
    elements = [
        {"roleAssignee": f"urn:li:person:p{i}", "role": "ANALYST", "state": "APPROVED"}
        for i in range(rows)
    ]
    body = json.dumps({"elements": elements, "paging": paging}).encode()
    at = datetime.now(UTC)
    url = "https://api.example.test/rest/organizationAcls"
    return Fetched(url, url, 200, {"content-type": "application/json"}, body, at)


@pytest.mark.parametrize(
    ("paging", "rows", "next_start"),
    [
        ({"start": 0, "count": 2, "total": 5}, 2, 2),
        ({"start": 4, "count": 2, "total": 5}, 1, None),
        ({"start": 0, "count": 2, "links": [{"rel": "next", "href": "/x?start=2&count=2"}]}, 2, 2),
        # a link pointing back would read the same page again: step past what was read
        ({"start": 4, "count": 2, "links": [{"rel": "next", "href": "/x?start=0"}]}, 2, 6),
        ({"start": 0, "count": 2}, 2, 2),  # no total: a full page may have more
        ({"start": 0, "count": 2}, 1, None),
        ({"start": 0, "count": 2, "total": 9}, 0, None),
    ],
)
def test_acl_paging(paging: dict[str, Any], rows: int, next_start: int | None) -> None:
    answer = linkedin.parse_acls(acl_page(paging, rows))
    assert answer.value is not None and answer.value.next_start == next_start
    request = linkedin.organization_acls("7", "202601")
    following = linkedin.next_acl_page(request, answer.value)
    assert (following is None) is (next_start is None)
    if following is not None:
        assert dict(following.query)["start"] == str(next_start)
        assert dict(following.query)["organization"] == "urn:li:organization:7"


def test_an_acl_row_without_its_member_fails_the_page() -> None:
    body = json.dumps({"elements": [{"role": "ADMINISTRATOR"}], "paging": {}}).encode()
    url = "https://api.example.test/rest/organizationAcls"
    fetched = Fetched(url, url, 200, {}, body, datetime.now(UTC))
    assert linkedin.parse_acls(fetched).value is None


def test_a_server_that_always_has_another_page_is_read_at_most_max_pages() -> None:
    def endless(request: FakeRequest) -> FakeReply:
        start = int(parse_qs(urlsplit(request.url).query)["start"][0])
        row = {"roleAssignee": f"urn:li:person:p{start}", "role": "ANALYST", "state": "APPROVED"}
        link = {"rel": "next", "href": f"/rest/organizationAcls?start={start + 1}"}
        return FakeReply.of_json({"elements": [row], "paging": {"start": start, "links": [link]}})

    fake = FakeFetcher(endless)
    config = platform_fetch_config(tokens={ENV: "li-secret"})
    access = ApiAccess.from_config(config)
    credential = access.credential(Platform.LINKEDIN, None)
    assert credential is not None
    session = Session.open(Platform.LINKEDIN, credential, fake, ApiRun(SystemClock(), access))
    got = asyncio.run(LinkedInOrganization().access("7", session))
    assert len(fake.requests) == MAX_PAGES
    assert got is not None and len(got.holders) == MAX_PAGES
    assert [g.code for g in got.gaps] == ["access_truncated"]


def world_errors(text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        parse_world(load_yaml_text(text, "w.yaml"), "w.yaml")
    return [str(p) for p in info.value.problems]


def test_world_holders_of_an_organization_are_checked_with_their_lines() -> None:
    text = """\
name: w
as_of: 2026-12-01
accounts:
  - platform: linkedin
    handle: company/a
    holders:
      - {id: 'urn:li:member:1', role: ADMINISTRATOR}
      - {id: 'urn:li:person:2', role: admin}
      - {id: 'urn:li:person:3', role: ANALYST, state: PENDING}
      - {id: 'urn:li:person:4', role: ANALYST, email: a@b.c}
      - {id: 'urn:li:person:5', role: ANALYST}
      - {id: 'urn:li:person:5', role: ADMINISTRATOR}
  - platform: x
    handle: kettle
    holders: [{id: 'urn:li:person:1', role: ADMINISTRATOR}]
"""
    errors = "\n".join(world_errors(text))
    assert "w.yaml:7" in errors and "expected urn:li:person:ID" in errors
    assert "w.yaml:8" in errors and "ADMINISTRATOR" in errors
    assert "w.yaml:9" in errors and "APPROVED, REQUESTED, REVOKED" in errors
    assert "w.yaml:10" in errors and "unknown key 'email'" in errors
    assert "w.yaml:12" in errors and "listed twice" in errors
    assert "w.yaml:15" in errors and "on facebook, github, linkedin accounts only" in errors
