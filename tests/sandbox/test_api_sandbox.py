"""The owner APIs' machinery: names shared with the scanner, world credentials and their checks,
demo tokens, secrets read from headers only, token states and quotas changed at run time, and
faults on API hosts."""

from __future__ import annotations

import httpx
import pytest

from scanner.errors import ValidationError
from scanner.model import Platform
from scanner.platforms.api import meta, threads, tiktok, x, youtube_data
from scanner.platforms.api.interface import Api, Outcome
from scanner.sandbox import (
    DEMO_CREDENTIALS,
    ApiName,
    FaultSpecError,
    Sandbox,
    example_world_path,
    load_world,
    parse_world,
)
from scanner.sandbox.example_world import EXAMPLE_CREDENTIALS, example_world_text
from scanner.sandbox.keyring import Keyring
from scanner.sandbox.world import CREDENTIAL_KEYS
from scanner.yamlsource import load_yaml_text
from tests.sandbox.api_support import fetch

MV = "v25.0"
DEFAULT_ENV = {
    # The shared design of issue 12: each default variable and the API its token is for.
    "ROLLCALL_META_TOKEN": ApiName.META_GRAPH,
    "ROLLCALL_THREADS_TOKEN": ApiName.THREADS_GRAPH,
    "ROLLCALL_X_TOKEN": ApiName.X_API,
    "ROLLCALL_LINKEDIN_TOKEN": ApiName.LINKEDIN_API,
    "ROLLCALL_TIKTOK_TOKEN": ApiName.TIKTOK_API,
    "ROLLCALL_YOUTUBE_API_KEY": ApiName.YOUTUBE_API,
    "ROLLCALL_GITHUB_TOKEN": ApiName.GITHUB_API,
}


def test_api_names_are_the_scanners_endpoint_names(sb: Sandbox) -> None:
    assert {a.value for a in ApiName} == {a.value for a in Api}
    for api in ApiName:
        assert sb.endpoints()[api.value] == f"{sb.base_url}/{api.value}"
    assert sb.url("x-api", "/2/users/me") == f"{sb.base_url}/x-api/2/users/me"


def test_demo_credentials_are_the_example_worlds_valid_tokens() -> None:
    world = load_world(example_world_path())
    keyring = Keyring(world)
    for env, token in DEMO_CREDENTIALS.items():
        credential = world.credential(token)
        assert credential is not None, env
        assert keyring.check(credential.api, token).problem is None, env
        assert env.startswith(next(e for e, api in DEFAULT_ENV.items() if api is credential.api))
    for env, api in DEFAULT_ENV.items():
        credential = world.credential(DEMO_CREDENTIALS[env])
        assert credential is not None and credential.api is api
    # One-user tokens: one per account, so every TikTok and Threads account can be audited.
    for api, platform in (
        (ApiName.TIKTOK_API, Platform.TIKTOK),
        (ApiName.THREADS_GRAPH, Platform.THREADS),
    ):
        owners = [
            c.account
            for t in DEMO_CREDENTIALS.values()
            if (c := world.credential(t)) and c.api is api
        ]
        assert len(set(owners)) == len(owners) == 3, platform


def test_the_example_organization_is_seen_through_its_apis(client: httpx.Client) -> None:
    """Every account the example organization owns on the six brand platforms answers with a
    last activity through the demo tokens; the rogue Instagram pages stay out of reach."""
    with Sandbox(example_world_path()) as sb:
        token = DEMO_CREDENTIALS
        assets = meta.parse_assets(
            fetch(sb, client, meta.me_accounts(MV), token["ROLLCALL_META_TOKEN"])
        )
        reachable = [a for a in sb.world.on(Platform.FACEBOOK) if a.api_access]
        assert assets.value is not None and len(assets.value) == len(reachable)
        business = fetch(sb, client, meta.my_businesses(MV), token["ROLLCALL_META_TOKEN"]).json()[
            "data"
        ][0]["id"]
        owned = meta.parse_assets(
            fetch(
                sb,
                client,
                meta.owned_instagram_accounts(business, MV),
                token["ROLLCALL_META_TOKEN"],
            )
        )
        assert owned.value is not None
        handles = {a.handle for a in owned.value}
        assert "thecopperkettle" not in handles and "copperkettle.support" not in handles
        assert len(handles) == len(sb.world.on(Platform.INSTAGRAM)) - 2
        for asset in owned.value:
            latest = meta.parse_latest(
                fetch(
                    sb, client, meta.latest_media(asset.native_id, MV), token["ROLLCALL_META_TOKEN"]
                ),
                "timestamp",
            )
            assert latest.value is not None and latest.value.latest is not None, asset

        names = [a.handle for a in sb.world.on(Platform.X)]
        (request,) = x.users_by_usernames(names)
        users = x.parse_users(fetch(sb, client, request, token["ROLLCALL_X_TOKEN"]), names)
        assert all(u.value is not None and u.value.last_activity_at for u in users.values())

        for env in (
            "ROLLCALL_TIKTOK_TOKEN",
            "ROLLCALL_TIKTOK_TOKEN_BARISTAS",
            "ROLLCALL_TIKTOK_TOKEN_PDX",
        ):
            latest_video = tiktok.parse_latest(fetch(sb, client, tiktok.video_list(), token[env]))
            assert latest_video.value is not None and latest_video.value.latest is not None, env
        for env in (
            "ROLLCALL_THREADS_TOKEN",
            "ROLLCALL_THREADS_TOKEN_SEATTLE",
            "ROLLCALL_THREADS_TOKEN_PDX",
        ):
            latest_thread = threads.parse_latest(
                fetch(sb, client, threads.latest_thread("v1.0"), token[env])
            )
            assert latest_thread.value is not None and latest_thread.value.latest is not None, env


def test_secrets_in_urls_are_not_read(sb: Sandbox, client: httpx.Client) -> None:
    """Tokens travel in headers only: one in the query string is no token at all."""
    r = client.get(sb.url("meta-graph", f"/{MV}/kettlepage?access_token=meta-ok"))
    assert r.status_code == 400 and r.json()["error"]["code"] == 104
    r = client.get(
        sb.url("youtube-api", "/youtube/v3/channels?part=id&forHandle=@kettletube&key=yt-ok")
    )
    assert r.status_code == 403 and r.json()["error"]["errors"][0]["reason"] == "forbidden"
    r = client.get(sb.url("x-api", "/2/users/me"), headers={"Authorization": "Basic eC1vazo="})
    assert r.status_code == 401


def test_credential_states_change_at_run_time(sb: Sandbox, client: httpx.Client) -> None:
    def page() -> meta.Answer[meta.Facts]:
        return meta.parse_page(fetch(sb, client, meta.page("kettlepage", MV), "meta-ok"))

    assert page().outcome is Outcome.PRESENT
    sb.set_credential_state("meta-ok", "expired")
    assert page().signal == "json:error.code=190+json:error.error_subcode=463"
    sb.set_credential_state("meta-ok", "revoked")
    assert page().signal == "json:error.code=190+json:error.error_subcode=466"
    sb.set_credential_state("meta-ok", None)
    assert page().outcome is Outcome.PRESENT
    sb.set_credential_state("meta-ok", "revoked")
    sb.clear_faults()
    assert page().outcome is Outcome.PRESENT
    # A world token that was expired can be made valid again, except past its expires_at.
    sb.set_credential_state("meta-expired", "valid")
    assert (
        meta.parse_page(fetch(sb, client, meta.page("kettlepage", MV), "meta-expired")).outcome
        is Outcome.PRESENT
    )
    sb.set_credential_state("meta-lapsed", "valid")
    lapsed = meta.parse_page(fetch(sb, client, meta.page("kettlepage", MV), "meta-lapsed"))
    assert lapsed.outcome is Outcome.CREDENTIAL_INVALID


def test_faults_apply_to_api_hosts_and_accounts(sb: Sandbox, client: httpx.Client) -> None:
    request = x.user_by_username("KettleCo")
    sb.set_host_faults("x-api", [{"kind": "http_5xx", "count": 1}])
    assert fetch(sb, client, request, "x-ok").status == 503
    assert fetch(sb, client, request, "x-ok").status == 200

    sb.set_faults(
        "meta-graph", "KettlePage", [{"kind": "redirect_private", "target": "http://10.0.0.1/x"}]
    )
    r = client.get(
        sb.url("meta-graph", f"/{MV}/kettlepage"), headers={"Authorization": "Bearer meta-ok"}
    )
    assert r.status_code == 302 and r.headers["location"] == "http://10.0.0.1/x"
    quiet = fetch(sb, client, meta.page("kettlequiet", MV), "meta-ok")
    assert quiet.status == 200

    sb.set_host_faults("youtube-api", ["html_instead_of_json"])
    answer = youtube_data.parse_channel(
        fetch(sb, client, youtube_data.channel_by_handle("@kettletube"), "yt-ok")
    )
    assert answer.outcome is Outcome.ERROR

    for fault in ("login_wall", "soft_404"):
        with pytest.raises(FaultSpecError, match="does not apply to an API"):
            sb.set_host_faults("tiktok-api", [fault])
        with pytest.raises(FaultSpecError, match="does not apply to an API"):
            sb.set_faults("x-api", "KettleCo", [fault])


WORLD_HEAD = """name: w
as_of: 2026-11-15
accounts:
  - {platform: tiktok, handle: tok}
  - {platform: facebook, handle: page, instagram: nobody.ig}
"""


def world_errors(text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        parse_world(load_yaml_text(WORLD_HEAD + text, "w.yaml"), "w.yaml")
    return [f"{p.line}: {p.message}" for p in info.value.problems]


def test_world_credentials_are_checked_with_their_lines() -> None:
    errors = world_errors(
        """hosts:
  x-api: {faults: [login_wall]}
credentials:
  - {api: meta-grph, token: a}
  - {api: tiktok-api, token: b}
  - {api: tiktok-api, token: c, account: someone}
  - {api: x-api, token: d, state: stale, quota: 5}
  - {api: youtube-api, token: d}
"""
    )
    # Problems come sorted by line.
    assert errors == [
        "5: page.instagram: no instagram account 'nobody.ig'",
        "7: hosts.x-api: login_wall does not apply to an API",
        "9: credentials[0].api: unknown API 'meta-grph'; did you mean 'meta-graph'? "
        "(expected one of meta-graph, threads-graph, x-api, linkedin-api, tiktok-api, youtube-api, github-api)",
        "10: credentials[1]: a tiktok-api token belongs to one user; add 'account'",
        "11: credentials[2].account: no tiktok account 'someone' here",
        "12: credentials[3].state: expected one of valid, expired, revoked",
        "12: credentials[3].quota: expected a whole number ≥ 0, for youtube-api only",
        "13: credentials[4].token: already used by another credential",
    ]


def test_the_example_world_documents_every_credential_key() -> None:
    assert set(CREDENTIAL_KEYS) == {k for c in EXAMPLE_CREDENTIALS for k in c}
    text = example_world_text()
    rows = {line.split()[1] for line in text.splitlines() if line.startswith("#   ")}
    assert set(CREDENTIAL_KEYS) <= rows
    world = parse_world(load_yaml_text(text, "example.yaml"), "example.yaml")
    assert len(world.credentials) == len(EXAMPLE_CREDENTIALS)
    assert ApiName.X_API in world.host_faults
