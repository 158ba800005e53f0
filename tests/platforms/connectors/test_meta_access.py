"""Who holds a Facebook Page (issue 13), read by the Meta connector from the sandbox's Graph API
over real sockets: assigned users joined to the Business Manager's people across pages of
results, people outside the business, agencies; a refused listing is unknown, never "nobody";
a dead token gives no list at all; the Business Manager's own Pages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.fetch import HostLimits
from scanner.fetch.client import HttpFetcher
from scanner.fetch.politeness import SystemClock
from scanner.model import AccessList, HolderKind, Observation, ObservationStatus, Platform, Tri
from scanner.platforms import platform_fetch_config
from scanner.platforms.connectors import ApiAccess, ApiRun, Session
from scanner.platforms.connectors.meta import FacebookPage, InstagramBusiness
from scanner.sandbox import Sandbox, load_world

PEOPLE = 120
"""More business users on the Page than one page of Graph results holds (limit 100)."""
AGENCY = "300000000000001"
BOT = "200000000000001"


def _world_text() -> str:
    people = "\n".join(
        f"      - {{id: '{100000000000000 + i}', name: Person {i}, "
        f"email: p{i}@kettle.example, tasks: [{'MANAGE, ' if i < 3 else ''}CREATE_CONTENT], "
        f"two_factor: {'true' if i % 2 else 'false'}}}"
        for i in range(PEOPLE)
    )
    return f"""\
name: access-tests
as_of: 2026-11-15
accounts:
  - platform: facebook
    handle: kettlepage
    display_name: Kettle Café
    posts:
      - {{at: 2026-11-10T08:00:00Z, text: "Morning brew"}}
    holders:
{people}
      - {{kind: system_user, id: '{BOT}', tasks: [MANAGE, ANALYZE]}}
      - {{id: '400000000000001', name: Old Intern, tasks: [MANAGE]}}
      - {{kind: partner_business, id: '{AGENCY}'}}
  - platform: facebook
    handle: kettlequiet
    display_name: Kettle Quiet
  - platform: facebook
    handle: kettlehidden
    api_access: false
  - platform: instagram
    handle: kettle.ig
business:
  users:
    - {{id: '100000000000000', name: Person 0, email: p0@kettle.example, role: ADMIN,
       two_factor: true}}
  system_users:
    - {{id: '{BOT}', name: Rollcall Reader, role: EMPLOYEE}}
  agencies:
    - {{id: '{AGENCY}', name: Brew Agency}}
credentials:
  - {{api: meta-graph, token: meta-full,
     scopes: [pages_show_list, pages_read_engagement, pages_manage_metadata, business_management]}}
  - {{api: meta-graph, token: meta-narrow,
     scopes: [pages_show_list, pages_read_engagement, business_management]}}
  - {{api: meta-graph, token: meta-nobiz,
     scopes: [pages_show_list, pages_read_engagement, pages_manage_metadata]}}
  - {{api: meta-graph, token: meta-expired, state: expired}}
"""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    path: Path = tmp_path_factory.mktemp("world") / "access-world.yaml"
    path.write_text(_world_text(), encoding="utf-8")
    with Sandbox(load_world(path)) as sb:
        yield sb


def _with_session(sandbox: Sandbox, token: str, platform: Platform, work: Any) -> Any:
    """Runs ``work(session)`` with a real fetcher against the sandbox and the token."""
    config = platform_fetch_config(
        endpoints=sandbox.endpoints(),
        allow_private_network=True,
        tokens={"ROLLCALL_META_TOKEN": token},
    )
    access = ApiAccess.from_config(config)
    credential = access.credential(platform, None)
    assert credential is not None

    async def main() -> Any:
        async with HttpFetcher(config, {"default": HostLimits(8, 0)}) as fetcher:
            run = ApiRun(SystemClock(), access)
            return await work(Session.open(platform, credential, fetcher, run))

    return asyncio.run(main())


def observe(sandbox: Sandbox, token: str, handle: str = "kettlepage") -> Observation:
    obs: Observation = _with_session(
        sandbox, token, Platform.FACEBOOK, lambda s: FacebookPage().observe(handle, s)
    )
    return obs


def test_holders_across_pages_with_kinds_roles_two_factor_and_emails(sandbox: Sandbox) -> None:
    obs = observe(sandbox, "meta-full")
    assert obs.status is ObservationStatus.PRESENT and obs.last_activity_at is not None
    access = obs.access
    assert isinstance(access, AccessList) and access.known and access.gaps == ()
    assert "/assigned_users?" in access.url and "meta-full" not in access.url
    by_via: dict[str, list[Any]] = {}
    for h in access.holders:
        by_via.setdefault(h.via, []).append(h)
    people = [h for h in by_via["assigned_users"] if h.kind is HolderKind.PERSON]
    assert len(people) == PEOPLE  # two pages of assigned_users, and of business_users
    assert {h.email for h in people} == {f"p{i}@kettle.example" for i in range(PEOPLE)}
    first = next(h for h in people if h.platform_id == "100000000000000")
    assert (first.name, first.role, first.admin) == ("Person 0", "MANAGE, CREATE_CONTENT", True)
    assert first.two_factor is Tri.TRUE  # the business block's entry wins over nothing
    seventh = next(h for h in people if h.platform_id == "100000000000007")
    assert (seventh.admin, seventh.two_factor, seventh.role) == (False, Tri.TRUE, "CREATE_CONTENT")
    eighth = next(h for h in people if h.platform_id == "100000000000008")
    assert eighth.two_factor is Tri.FALSE
    assert sum(h.admin for h in people) == 3
    (bot,) = [h for h in by_via["assigned_users"] if h.kind is HolderKind.SYSTEM_USER]
    assert (bot.platform_id, bot.name, bot.admin, bot.email) == (BOT, "Rollcall Reader", True, None)
    assert bot.two_factor is Tri.UNKNOWN
    (outsider,) = by_via["roles"]
    assert (outsider.kind, outsider.name, outsider.admin) == (HolderKind.PERSON, "Old Intern", True)
    assert outsider.two_factor is Tri.UNKNOWN and outsider.email is None
    (agency,) = by_via["agencies"]
    assert (agency.kind, agency.platform_id, agency.name) == (
        HolderKind.PARTNER,
        AGENCY,
        "Brew Agency",
    )
    assert (agency.role, agency.admin) == ("partner", False)


def test_a_page_nobody_was_given_is_a_known_empty_list(sandbox: Sandbox) -> None:
    obs = observe(sandbox, "meta-full", "kettlequiet")
    assert obs.access is not None and obs.access.known and obs.access.holders == ()


def test_a_token_without_the_permission_leaves_the_holders_unknown(sandbox: Sandbox) -> None:
    obs = observe(sandbox, "meta-narrow")
    assert obs.status is ObservationStatus.PRESENT  # the Page itself is readable
    access = obs.access
    assert access is not None and not access.known and access.holders == ()
    assert access.reason is not None and access.reason.code == "access_unreadable"
    assert "pages_manage_metadata" in access.reason.text and "MANAGE" in access.reason.text
    assert "/assigned_users?" in access.url


def test_without_business_management_two_factor_is_a_gap_not_a_no(sandbox: Sandbox) -> None:
    access = observe(sandbox, "meta-nobiz").access
    assert access is not None and access.known and len(access.holders) == PEOPLE + 3
    (gap,) = access.gaps
    assert gap.code == "two_factor_unreadable" and "business_management" in gap.text
    assert all(h.two_factor is Tri.UNKNOWN and h.email is None for h in access.holders)


def test_an_expired_token_gives_credential_invalid_and_no_access_list(sandbox: Sandbox) -> None:
    obs = observe(sandbox, "meta-expired")
    assert obs.status is ObservationStatus.ERROR
    assert obs.reason is not None and obs.reason.code == "credential_invalid"
    assert obs.access is None
    direct = _with_session(
        sandbox,
        "meta-expired",
        Platform.FACEBOOK,
        lambda s: FacebookPage().access("123", s),
    )
    assert direct is None


def test_owned_lists_the_business_managers_pages_and_instagram_accounts(
    sandbox: Sandbox,
) -> None:
    pages = _with_session(sandbox, "meta-full", Platform.FACEBOOK, FacebookPage().owned)
    assert isinstance(pages, tuple)
    assert {p.handle for p in pages} == {"kettlepage", "kettlequiet"}  # not the unreachable one
    page = next(p for p in pages if p.handle == "kettlepage")
    assert page.platform is Platform.FACEBOOK and page.native_id.isdigit()
    assert (page.name, page.credential, page.via) == (
        "Kettle Café",
        "ROLLCALL_META_TOKEN",
        "owned_pages",
    )
    assert "/owned_pages?" in page.url and "meta-full" not in page.url
    ig = _with_session(sandbox, "meta-full", Platform.INSTAGRAM, InstagramBusiness().owned)
    assert [(a.platform, a.handle, a.via) for a in ig] == [
        (Platform.INSTAGRAM, "kettle.ig", "owned_instagram_accounts")
    ]
    dead = _with_session(sandbox, "meta-expired", Platform.FACEBOOK, FacebookPage().owned)
    assert not isinstance(dead, tuple) and dead.code == "credential_invalid"
