"""One handle normalisation, driven by each spec's ``handle`` block: the prefix a platform
ignores, the name inside a handle, the form discovery copies, and the facts handed to the
layers that know no platform (fetch hosts and tokens, policy capabilities)."""

from __future__ import annotations

import pytest

from scanner.model import Platform
from scanner.platforms import (
    adapter_for,
    all_capabilities,
    all_specs,
    handle_key,
    name_part,
    normalize_handle,
    platform_fetch_config,
    platform_hosts,
    spec_for,
    token_env_names,
    token_sources,
)
from scanner.platforms.api import Api

DID = "did:plc:z72i7hdynmk6r22z27h6tvur"


@pytest.mark.parametrize(
    ("platform", "handle", "normalized", "key", "name"),
    [
        (Platform.X, " @CopperKettle ", "CopperKettle", "copperkettle", "CopperKettle"),
        (
            Platform.LINKEDIN,
            "company/copper-kettle",
            "company/copper-kettle",
            "copper-kettle",
            "copper-kettle",
        ),
        # One namespace of vanity names: a showcase page's key is its name too.
        (
            Platform.LINKEDIN,
            "showcase/Kettle-Labs",
            "showcase/Kettle-Labs",
            "kettle-labs",
            "Kettle-Labs",
        ),
        (
            Platform.MASTODON,
            "@ck@mastodon.social",
            "ck@mastodon.social",
            "ck@mastodon.social",
            "ck",
        ),
        (Platform.REDDIT, "r/reddit.com", "r/reddit.com", "r/reddit.com", "reddit.com"),
        (Platform.YOUTUBE, "@CopperKettle", "CopperKettle", "copperkettle", "CopperKettle"),
        (Platform.BLUESKY, DID, DID, DID, None),  # a DID is an opaque id: no name
    ],
)
def test_normalize_key_and_name_part(
    platform: Platform, handle: str, normalized: str, key: str, name: str | None
) -> None:
    assert normalize_handle(platform, handle) == normalized
    assert handle_key(platform, handle) == key
    assert name_part(platform, handle) == name


def test_an_opaque_id_has_no_name() -> None:
    assert name_part(Platform.YOUTUBE, "UC" + "a" * 22) is None


@pytest.mark.parametrize(
    ("platform", "handle", "affixes"),
    [
        (Platform.REDDIT, "u/CopperKettleHQ", ("u/", "")),
        (Platform.MASTODON, "copperkettle@fosstodon.org", ("", "@fosstodon.org")),
        (Platform.BLUESKY, "copper-kettle.bsky.social", ("", ".bsky.social")),
        (Platform.BLUESKY, "copperkettle.coffee", None),  # a custom domain is no reusable form
        (Platform.YOUTUBE, "@copperkettle", ("@", "")),
        (Platform.YOUTUBE, "UC" + "a" * 22, None),  # a channel id has no name to swap
        (Platform.LINKEDIN, "company/copper-kettle", ("company/", "")),
        (Platform.INSTAGRAM, "copperkettle.support", ("", "")),
    ],
)
def test_discovery_copies_the_form_around_the_name(
    platform: Platform, handle: str, affixes: tuple[str, str] | None
) -> None:
    assert spec_for(platform).handle.affixes(handle) == affixes


def test_discovery_forms_without_an_inventoried_handle() -> None:
    assert spec_for(Platform.REDDIT).handle.discovery_forms == (("r/", ""), ("u/", ""))
    assert spec_for(Platform.MASTODON).handle.discovery_forms == ()  # no instance to guess
    assert spec_for(Platform.X).handle.discovery_forms == (("", ""),)


def test_profile_url_of_an_opaque_id_uses_the_specs_id_url() -> None:
    channel = "UC" + "a" * 22
    youtube = spec_for(Platform.YOUTUBE)
    assert adapter_for(Platform.YOUTUBE).profile_url(channel) == youtube.id_display_url.format(
        handle=channel
    )
    assert adapter_for(Platform.YOUTUBE).profile_url("@ck") == youtube.display_url.format(
        handle="ck"
    )


def test_fetch_facts_come_from_the_specs() -> None:
    specs = all_specs()
    hosts = platform_hosts()
    # Platforms and owner-API endpoints (issue 12) are both override names.
    assert {p.value for p in specs} | {a.value for a in Api} == set(hosts)
    assert hosts["mastodon"] == ("*",) and hosts["meta-graph"] == ("graph.facebook.com",)
    sources = token_sources()
    assert [s.env for s in sources["github"]] == ["GITHUB_TOKEN"]
    assert [s.env for s in sources["meta-graph"]] == ["ROLLCALL_META_TOKEN"]
    assert "GITHUB_TOKEN" in token_env_names() and "ROLLCALL_X_TOKEN" in token_env_names()
    config = platform_fetch_config(tokens={})
    assert config.platform_hosts == hosts and config.token_sources == sources
    assert all_capabilities()[Platform.MEDIUM] == specs[Platform.MEDIUM].extracts
