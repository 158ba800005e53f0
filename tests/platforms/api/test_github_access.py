"""GitHub organization access review (issue 13) over real sockets against the sandbox: owners and
members across ``Link`` pages, two-factor from the ``2fa_disabled`` filter, outside collaborators
and invitations; a member's token (gaps, ACC-004 unverified), a token outside the organization
(holders unknown), a dead token (credential_invalid, no list), the organizations a token owns,
GitHub's error table, and the world file's checks of GitHub ``holders``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scanner.cli.common import execute_audit
from scanner.cli.demo import demo_config
from scanner.errors import ValidationError
from scanner.examples import example_inventory_path
from scanner.fetch import HostLimits
from scanner.fetch.client import HttpFetcher
from scanner.fetch.fake import FakeFetcher
from scanner.fetch.fake import Reply as FakeReply
from scanner.fetch.interface import Fetched
from scanner.fetch.politeness import SystemClock
from scanner.model import (
    FindingStatus,
    HolderKind,
    Observation,
    ObservationStatus,
    OwnedAccount,
    Platform,
    Reason,
    Tri,
)
from scanner.platforms import platform_fetch_config
from scanner.platforms.api import github_rest
from scanner.platforms.api.interface import Api, Outcome
from scanner.platforms.connectors import ApiAccess, ApiRun, Session, connector_for
from scanner.platforms.connectors.github import GitHubOrganization
from scanner.runs.audit import AuditOptions
from scanner.runs.observe import Target, observe_async
from scanner.sandbox import DEMO_CREDENTIALS, Sandbox, example_world_path, load_world, parse_world
from scanner.yamlsource import load_yaml_text

ENV = "ROLLCALL_GITHUB_TOKEN"
MEMBERS = github_rest.PER_PAGE + 5  # two pages of members at the connector's page size


def _holders() -> str:
    rows = [
        "      - {id: owner-a, role: admin}",
        "      - {id: owner-b, role: admin, two_factor: false}",
        "      - {id: owner-c, role: admin}",
    ]
    rows += [f"      - {{id: staff{i}, role: member}}" for i in range(MEMBERS)]
    rows += [
        "      - {id: helper, role: outside_collaborator}",
        "      - {kind: invitation, id: newcomer}",
        "      - {kind: invitation, email: friend@example.org, role: admin}",
    ]
    return "\n".join(rows)


WORLD = f"""\
name: gh-access
as_of: 2026-12-01
accounts:
  - platform: github
    handle: kettle-co
    display_name: Kettle Coffee
    kind: organization
    posts:
      - {{at: 2026-11-20T10:00:00Z, text: push}}
    holders:
{_holders()}
  - platform: github
    handle: kettle-bare
    kind: organization
  - platform: github
    handle: kettle-dev
    display_name: A developer
credentials:
  - {{api: github-api, token: gh-ok, scopes: [read:org]}}
  - {{api: github-api, token: gh-member, account: staff0, scopes: [read:org]}}
  - {{api: github-api, token: gh-outsider, account: stranger, scopes: [read:org]}}
  - {{api: github-api, token: gh-expired, state: expired}}
  - {{api: github-api, token: gh-revoked, state: revoked}}
"""


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    world = parse_world(load_yaml_text(WORLD, "gh-access.yaml"), "gh-access.yaml")
    with Sandbox(world) as sandbox:
        yield sandbox


def observe(sb: Sandbox, token: str, handle: str = "kettle-co") -> Observation:
    config = platform_fetch_config(endpoints=sb.endpoints(), tokens={ENV: token})
    apis = ApiRun(SystemClock(), ApiAccess.from_config(config))

    async def go() -> list[Observation]:
        async with HttpFetcher(config, {"default": HostLimits(8, 0.0)}) as fetcher:
            return await observe_async([Target(Platform.GITHUB, handle)], fetcher, apis=apis)

    (obs,) = asyncio.run(go())
    return obs


def owned(sb: Sandbox, token: str) -> tuple[OwnedAccount, ...] | Reason:
    config = platform_fetch_config(endpoints=sb.endpoints(), tokens={ENV: token})
    access = ApiAccess.from_config(config)
    credential = access.credential(Platform.GITHUB, None)
    assert credential is not None and credential.api is Api.GITHUB_API

    async def go() -> tuple[OwnedAccount, ...] | Reason:
        async with HttpFetcher(config, {"default": HostLimits(8, 0.0)}) as fetcher:
            apis = ApiRun(SystemClock(), access)
            session = Session.open(Platform.GITHUB, credential, fetcher.for_account(), apis)
            return await GitHubOrganization().owned(session)

    return asyncio.run(go())


def test_github_accounts_have_the_organization_connector() -> None:
    assert isinstance(connector_for(Platform.GITHUB), GitHubOrganization)


def test_owners_members_2fa_collaborators_and_invitations_across_pages(sb: Sandbox) -> None:
    obs = observe(sb, "gh-ok")
    assert obs.status is ObservationStatus.PRESENT
    assert obs.signal is not None and obs.signal.startswith("github-api:")
    assert obs.display_name == "Kettle Coffee"
    assert obs.last_activity_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    access = obs.access
    assert access is not None and access.known and access.gaps == ()
    assert "role=admin" in access.url and "gh-ok" not in access.url
    by_id = {h.platform_id or h.email: h for h in access.holders}
    assert len(access.holders) == 3 + MEMBERS + 1 + 2
    owner = by_id["owner-a"]
    assert (owner.kind, owner.role, owner.admin, owner.two_factor, owner.via) == (
        HolderKind.PERSON,
        "admin",
        True,
        Tri.TRUE,
        "members",
    )
    assert by_id["owner-b"].two_factor is Tri.FALSE  # listed by ?filter=2fa_disabled
    assert sum(h.admin for h in access.holders) == 3
    last = by_id[f"staff{MEMBERS - 1}"]  # on the second page of members
    assert (last.role, last.admin, last.two_factor) == ("member", False, Tri.TRUE)
    helper = by_id["helper"]
    assert (helper.kind, helper.role, helper.admin) == (
        HolderKind.PERSON,
        "outside collaborator",
        False,
    )
    assert by_id["newcomer"].kind is HolderKind.INVITATION
    mailed = by_id["friend@example.org"]
    assert (mailed.kind, mailed.platform_id, mailed.role, mailed.admin) == (
        HolderKind.INVITATION,
        None,
        "admin",
        False,
    )


def test_a_members_token_leaves_2fa_and_invitations_as_gaps(sb: Sandbox) -> None:
    access = observe(sb, "gh-member").access
    assert access is not None and access.known
    assert {g.code for g in access.gaps} == {"two_factor_unreadable", "invitations_unreadable"}
    assert "only organization owners" in access.gaps[0].text
    assert all(h.two_factor is Tri.UNKNOWN for h in access.holders)
    assert not any(h.kind is HolderKind.INVITATION for h in access.holders)
    assert sum(h.admin for h in access.holders) == 3


def test_a_token_outside_the_organization_leaves_holders_unknown(sb: Sandbox) -> None:
    obs = observe(sb, "gh-outsider")
    assert obs.status is ObservationStatus.PRESENT  # the profile itself is public
    access = obs.access
    assert access is not None and not access.known and access.holders == ()
    assert access.reason is not None and access.reason.code == "access_unreadable"
    assert "not a member" in access.reason.text


def test_a_refused_member_listing_leaves_holders_unknown(sb: Sandbox) -> None:
    # The world names no holder of kettle-bare: GitHub's "You must be an admin" for every token.
    access = observe(sb, "gh-ok", "kettle-bare").access
    assert access is not None and not access.known and access.holders == ()
    assert access.reason is not None and access.reason.code == "access_unreadable"
    assert "must be an admin" in access.reason.text and "read:org" in access.reason.text


@pytest.mark.parametrize("token", ["gh-expired", "gh-revoked"])
def test_a_dead_token_is_a_credential_problem_and_lists_nobody(sb: Sandbox, token: str) -> None:
    obs = observe(sb, token)
    assert obs.status is ObservationStatus.ERROR
    assert obs.reason is not None and obs.reason.code == "credential_invalid"
    assert "Bad credentials" in obs.reason.text
    assert obs.access is None


def test_a_user_account_has_no_access_list(sb: Sandbox) -> None:
    obs = observe(sb, "gh-ok", "kettle-dev")
    assert obs.status is ObservationStatus.PRESENT and obs.access is None


def test_an_unknown_login_is_absent_by_githubs_documented_body(sb: Sandbox) -> None:
    obs = observe(sb, "gh-ok", "kettle-nobody")
    assert obs.status is ObservationStatus.ABSENT and obs.access is None


def test_owned_lists_the_organizations_the_token_owns(sb: Sandbox) -> None:
    got = owned(sb, "gh-ok")
    assert not isinstance(got, Reason)
    assert {o.handle for o in got} == {"kettle-co", "kettle-bare"}
    first = next(o for o in got if o.handle == "kettle-co")
    assert (first.platform, first.credential, first.via) == (
        Platform.GITHUB,
        ENV,
        "user/memberships/orgs",
    )
    assert first.native_id.isdigit() and "state=active" in first.url
    member = owned(sb, "gh-member")
    assert member == ()  # a member, owner of nothing
    dead = owned(sb, "gh-expired")
    assert isinstance(dead, Reason) and dead.code == "credential_invalid"


def _example_audit(tmp_path: Path, github_token: str) -> dict[str, dict[str, FindingStatus]]:
    loaded = load_world(example_world_path())
    tokens = dict(DEMO_CREDENTIALS) | {ENV: github_token}
    with Sandbox(loaded) as sandbox:
        options = AuditOptions(
            inventory=example_inventory_path(), as_of=loaded.as_of, use_history=False
        )
        result = execute_audit(options, demo_config(sandbox.endpoints(), tokens))
    out: dict[str, dict[str, FindingStatus]] = {}
    for f in result.findings:
        if f.account_id and f.account_id.startswith("gh-") and f.rule_id.startswith("ACC"):
            out.setdefault(f.account_id, {})[f.rule_id] = f.status
    for rule, account in result.passed:
        if account.startswith("gh-") and rule.startswith("ACC"):
            out.setdefault(account, {})[rule] = FindingStatus.PASS
    return out


def test_the_example_organizations_pass_and_a_members_token_leaves_2fa_unverified(
    tmp_path: Path,
) -> None:
    owners = _example_audit(tmp_path, DEMO_CREDENTIALS[ENV])
    holder_rules = {f"ACC-00{i}" for i in range(1, 7)}
    for account in ("gh-org", "gh-data", "gh-design"):
        assert owners[account] == dict.fromkeys(holder_rules, FindingStatus.PASS), account
    # Ben Carter's token: an owner of gh-org, a member of gh-data, not in gh-design.
    member = _example_audit(tmp_path, "sandbox-github-token-member")
    assert member["gh-org"]["ACC-004"] is FindingStatus.PASS
    assert member["gh-data"]["ACC-004"] is FindingStatus.ERROR
    assert member["gh-data"]["ACC-005"] is FindingStatus.PASS
    assert set(member["gh-design"].values()) == {FindingStatus.ERROR}


# --------------------------------------------------------------------------- GitHub's answers


def answer(status: int, body: object, **headers: str) -> Fetched:
    url = "https://api.example.test/orgs/kettle/members"
    merged = {"content-type": "application/json", **headers}
    return Fetched(url, url, status, merged, json.dumps(body).encode(), datetime.now(UTC))


@pytest.mark.parametrize(
    ("status", "body", "headers", "outcome"),
    [
        (401, {"message": "Bad credentials"}, {}, Outcome.CREDENTIAL_INVALID),
        # Recording error_403_not_org_admin: a permission problem, never a limit.
        (
            403,
            {"message": "You must be an admin to create an invitation to an organization."},
            {"x-ratelimit-remaining": "4980"},
            Outcome.PERMISSION_MISSING,
        ),
        (422, {"message": "Only owners can use this filter."}, {}, Outcome.PERMISSION_MISSING),
        # Recording error_403_rate_limit_unauth, and a secondary limit with Retry-After.
        (
            403,
            {"message": "API Rate Limit Exceeded for 92.104.200.119"},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"},
            Outcome.RATE_LIMITED,
        ),
        (
            403,
            {"message": "You have triggered an abuse detection mechanism."},
            {"retry-after": "60"},
            Outcome.RATE_LIMITED,
        ),
        (429, {"message": "slow down"}, {}, Outcome.RATE_LIMITED),
        (502, {"message": "Server Error"}, {}, Outcome.ERROR),
    ],
)
def test_githubs_error_table(
    status: int, body: object, headers: dict[str, str], outcome: Outcome
) -> None:
    got = github_rest.parse_logins(answer(status, body, **headers))
    assert got.outcome is outcome and got.value is None


def test_a_secondary_limit_asks_to_wait_retry_after() -> None:
    got = github_rest.classify(answer(403, {"message": "x"}, **{"retry-after": "60"}))
    assert got is not None and got.throttle.wait == 60.0


def test_the_link_header_gives_the_next_page_on_the_same_host() -> None:
    link = (
        '<https://elsewhere.example/orgs/kettle/members?role=admin&page=2&access_token=s>; rel="next", '
        '<https://api.github.com/orgs/kettle/members?role=admin&page=9>; rel="last"'
    )
    request = github_rest.members("kettle", "2022-11-28", role="admin")
    following = github_rest.next_request(answer(200, [], link=link), request)
    assert following is not None
    assert following.path == "/orgs/kettle/members"
    assert dict(following.query) == {"role": "admin", "page": "2"}
    assert following.url("https://api.github.com").startswith("https://api.github.com/")
    assert following.headers == request.headers
    last = '<https://api.github.com/orgs/kettle/members?page=1>; rel="prev"'
    assert github_rest.next_request(answer(200, [], link=last), request) is None
    assert github_rest.next_request(answer(200, []), request) is None


def test_a_member_row_without_a_login_fails_the_page() -> None:
    assert github_rest.parse_logins(answer(200, [{"id": 1}])).value is None


def test_a_rate_limited_profile_is_blocked_never_absent() -> None:
    reply = FakeReply.of_json(
        {"message": "API rate limit exceeded"},
        403,
        **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"},
    )
    fake = FakeFetcher(lambda request: reply)
    config = platform_fetch_config(tokens={ENV: "gh-secret"})
    access = ApiAccess.from_config(config)
    credential = access.credential(Platform.GITHUB, None)
    assert credential is not None
    session = Session.open(Platform.GITHUB, credential, fake, ApiRun(SystemClock(), access))
    obs = asyncio.run(GitHubOrganization().observe("kettle", session))
    assert obs.status is ObservationStatus.BLOCKED
    assert obs.reason is not None and obs.reason.code == "rate_limited"
    headers = fake.requests[0].headers
    assert headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert "gh-secret" not in fake.requests[0].url


def test_a_bare_not_found_is_no_proof_of_absence() -> None:
    fake = FakeFetcher(lambda request: FakeReply.of_json({"message": "Not Found"}, 404))
    config = platform_fetch_config(tokens={ENV: "gh-secret"})
    access = ApiAccess.from_config(config)
    credential = access.credential(Platform.GITHUB, None)
    assert credential is not None
    session = Session.open(Platform.GITHUB, credential, fake, ApiRun(SystemClock(), access))
    obs = asyncio.run(GitHubOrganization().observe("kettle", session))
    assert obs.status is not ObservationStatus.ABSENT and not obs.status.verified


def world_errors(text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        parse_world(load_yaml_text(text, "w.yaml"), "w.yaml")
    return [str(p) for p in info.value.problems]


def test_world_holders_of_a_github_organization_are_checked_with_their_lines() -> None:
    text = """\
name: w
as_of: 2026-12-01
accounts:
  - platform: github
    handle: kettle
    kind: organization
    holders:
      - {id: -bad-, role: admin}
      - {id: ok, role: owner}
      - {id: ok2, two_factor: maybe}
      - {kind: invitation}
      - {id: ok3, email: a@b.c}
      - {id: ok4, tasks: [MANAGE]}
      - {id: ok5}
      - {id: ok5, role: admin}
credentials:
  - {api: github-api, token: t, account: "not a login"}
"""
    errors = "\n".join(world_errors(text))
    assert "w.yaml:8" in errors and "expected a GitHub login" in errors
    assert "w.yaml:9" in errors and "admin, member, outside_collaborator" in errors
    assert "w.yaml:10" in errors and "two_factor" in errors
    assert "w.yaml:11" in errors and "or email" in errors
    assert "w.yaml:12" in errors and "an invitation's only" in errors
    assert "w.yaml:13" in errors and "unknown key 'tasks'" in errors
    assert "w.yaml:15" in errors and "listed twice" in errors
    assert "w.yaml:17" in errors and "the token user's GitHub login" in errors
