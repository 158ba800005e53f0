"""Every platform end to end over real sockets against the sandbox: present, absent, invalid,
the special states, blocked (login wall, WAF pages, 429 until retries run out), errors, and the
whole fault matrix (a faulted account ends blocked or error with a reason, never absent; the
bystander account in the same run is unaffected; nothing crashes)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scanner.fetch import FetchConfig, HttpFetcher, HttpFetcherFactory, Timeouts
from scanner.model import AccountState, Observation, ObservationStatus, Platform, Tri
from scanner.platforms import adapter_for, host_limits, platform_fetch_config
from scanner.runs.observe import Target, observe, observe_async
from scanner.sandbox import FaultKind, Sandbox, WafVendor, load_world
from tests.platforms.conftest import FAST_LIMITS

WORLD = Path(__file__).parent / "fixtures" / "world.yaml"

MAIN = {
    Platform.X: "kettle",
    Platform.INSTAGRAM: "kettle",
    Platform.FACEBOOK: "kettlepage",
    Platform.LINKEDIN: "company/kettle-co",
    Platform.TIKTOK: "kettle",
    Platform.THREADS: "kettle",
    Platform.YOUTUBE: "@kettle",
    Platform.MASTODON: "kettle@mastodon.social",
    Platform.BLUESKY: "kettle.bsky.social",
    Platform.GITHUB: "kettle",
    Platform.REDDIT: "u/kettle",
    Platform.MEDIUM: "kettle",
    Platform.TUMBLR: "kettle-zine",
}
BYSTANDER = {
    Platform.LINKEDIN: "company/bystander",
    Platform.YOUTUBE: "@bystander",
    Platform.MASTODON: "bystander@fosstodon.org",
    Platform.BLUESKY: "bystander.bsky.social",
    Platform.REDDIT: "u/bystander",
} | {
    p: "bystander"
    for p in Platform
    if p
    not in (
        Platform.LINKEDIN,
        Platform.YOUTUBE,
        Platform.MASTODON,
        Platform.BLUESKY,
        Platform.REDDIT,
    )
}
ABSENT = {
    Platform.LINKEDIN: "company/no-such-co",
    Platform.YOUTUBE: "@nosuchkettle",
    Platform.MASTODON: "nosuchkettle@mastodon.social",
    Platform.BLUESKY: "nosuchkettle.bsky.social",
    Platform.REDDIT: "u/nosuchkettle",
} | {
    p: "nosuchkettle"
    for p in Platform
    if p
    not in (
        Platform.LINKEDIN,
        Platform.YOUTUBE,
        Platform.MASTODON,
        Platform.BLUESKY,
        Platform.REDDIT,
    )
}
INVALID = {
    Platform.X: "way_too_long_for_x_handles",
    Platform.INSTAGRAM: "bad name",
    Platform.FACEBOOK: "abc",
    Platform.LINKEDIN: "company/-x",
    Platform.TIKTOK: "a",
    Platform.THREADS: "bad/name",
    Platform.YOUTUBE: "@ab",
    Platform.MASTODON: "kettle",
    Platform.BLUESKY: "kettle",
    Platform.GITHUB: "-kettle-",
    Platform.REDDIT: "u/ab",
    Platform.MEDIUM: "bad name",
    Platform.TUMBLR: "bad_blog_",
}
# Newest own post per main account, where the platform exposes activity dates.
LAST_ACTIVITY = {
    Platform.YOUTUBE: datetime(2026, 10, 30, 15, tzinfo=UTC),
    Platform.MASTODON: datetime(2026, 11, 2, 13, 52, 55, tzinfo=UTC),
    # The repost counts at its own time; the pinned post from 2025 is not recent activity.
    Platform.BLUESKY: datetime(2026, 11, 4, 12, 30, tzinfo=UTC),
    Platform.GITHUB: datetime(2026, 11, 11, 16, 15, tzinfo=UTC),
    Platform.REDDIT: datetime(2026, 11, 5, 14, tzinfo=UTC),
    Platform.MEDIUM: datetime(2026, 11, 3, 10, 27, 40, tzinfo=UTC),
    Platform.TUMBLR: datetime(2026, 10, 26, 17, 6, 8, tzinfo=UTC),
}
UNVERIFIED = (ObservationStatus.BLOCKED, ObservationStatus.ERROR)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(load_world(WORLD)) as sb:
        yield sb


@pytest.fixture(autouse=True)
def _clean(sandbox: Sandbox) -> None:
    sandbox.clear_faults()


def config(sb: Sandbox, **overrides: Any) -> FetchConfig:
    settings: dict[str, Any] = {
        "endpoints": sb.endpoints(),
        "max_retries": 1,
        "backoff_base": 0.01,
        "backoff_max": 0.02,
        "max_rate_limit_wait": 0.2,
        "tokens": {},
        "timeouts": Timeouts(connect=2, read=1, write=2, pool=10),
        "max_body_bytes": 1_000_000,
    }
    settings.update(overrides)
    return platform_fetch_config(**settings)


def look(sb: Sandbox, targets: Sequence[tuple[Platform, str]], **cfg: Any) -> list[Observation]:
    async def go() -> list[Observation]:
        async with HttpFetcher(config(sb, **cfg), FAST_LIMITS) as fetcher:
            return await observe_async([Target(p, h) for p, h in targets], fetcher)

    return asyncio.run(go())


def world_name(sb: Sandbox, platform: Platform, handle: str) -> str | None:
    account = sb.world.find(platform, handle)
    return account.display_name if account else None


# ------------------------------------------------------------------ verdicts


def test_present_on_every_platform(sandbox: Sandbox) -> None:
    targets = list(MAIN.items())
    for (platform, handle), obs in zip(targets, look(sandbox, targets), strict=True):
        assert obs.status is ObservationStatus.PRESENT, (platform, obs.reason, obs.signal)
        assert obs.account_state in (AccountState.ACTIVE, AccountState.UNKNOWN), platform
        assert obs.display_name == world_name(sandbox, platform, handle), platform
        assert obs.reason is None, (platform, obs.reason)
        assert obs.signal and obs.http_status == 200 and obs.body_sha256
        assert obs.fetched_at.tzinfo is UTC
        if platform in LAST_ACTIVITY:
            assert obs.last_activity_at == LAST_ACTIVITY[platform], platform
        else:
            assert obs.last_activity_at is None, platform  # not exposed: never guessed


def test_absent_on_every_platform(sandbox: Sandbox) -> None:
    targets = list(ABSENT.items())
    for (platform, _), obs in zip(targets, look(sandbox, targets), strict=True):
        assert obs.status is ObservationStatus.ABSENT, (platform, obs.reason, obs.signal)
        assert obs.reason is not None and obs.reason.code == "not_found"
        assert obs.signal and "+" in obs.signal  # a status *and* a marker decided it


def test_invalid_handles_send_nothing(sandbox: Sandbox) -> None:
    before = sandbox.requests
    targets = list(INVALID.items())
    for (platform, _), obs in zip(targets, look(sandbox, targets), strict=True):
        assert obs.status is ObservationStatus.INVALID, platform
        assert obs.reason is not None and obs.reason.code == "invalid_handle"
    assert sandbox.requests == before


def test_special_states(sandbox: Sandbox) -> None:
    cases = [
        (Platform.MASTODON, "kettlegone@fosstodon.org", AccountState.SUSPENDED),
        (Platform.BLUESKY, "kettlegone.bsky.social", AccountState.SUSPENDED),
        (Platform.BLUESKY, "kettlerest.bsky.social", AccountState.DEACTIVATED),
        (Platform.REDDIT, "r/kettlesecret", AccountState.PRIVATE),
        (Platform.REDDIT, "u/kettlebanned", AccountState.SUSPENDED),
        (Platform.YOUTUBE, "@kettlegone", AccountState.SUSPENDED),
        (Platform.TIKTOK, "kettle_private", AccountState.PRIVATE),
    ]
    observations = look(sandbox, [(p, h) for p, h, _ in cases])
    for (platform, handle, state), obs in zip(cases, observations, strict=True):
        assert obs.status is ObservationStatus.PRESENT, (platform, handle, obs.signal)
        assert obs.account_state is state, (platform, handle, obs.signal)


def test_extraction_details(sandbox: Sandbox) -> None:
    targets = [
        (Platform.TIKTOK, "kettle"),
        (Platform.X, "kettle"),
        (Platform.GITHUB, "kettle-quiet"),
        (Platform.REDDIT, "r/kettlecoffee"),
        (Platform.LINKEDIN, "company/kettle-co"),
    ]
    tiktok, x, quiet, sub, linkedin = look(sandbox, targets)
    assert (tiktok.verified, tiktok.followers) == (Tri.TRUE, 500)
    assert x.links == ("https://copperkettle.coffee",)
    assert x.created_at == datetime(2013, 5, 14, 10, tzinfo=UTC)
    assert quiet.last_activity_at is None and quiet.no_activity_since is not None
    assert sub.last_activity_at == datetime(2026, 11, 6, 14, tzinfo=UTC)
    assert linkedin.followers == 400


# ------------------------------------------------------------------ blocked and error


@pytest.mark.parametrize("platform", list(Platform), ids=str)
def test_login_wall_is_blocked(sandbox: Sandbox, platform: Platform) -> None:
    sandbox.set_faults(platform, MAIN[platform], ["login_wall"])
    (obs,) = look(sandbox, [(platform, MAIN[platform])])
    assert obs.status is ObservationStatus.BLOCKED, (obs.reason, obs.signal)


@pytest.mark.parametrize("vendor", list(WafVendor), ids=str)
def test_waf_pages_are_blocked_with_their_vendor(sandbox: Sandbox, vendor: WafVendor) -> None:
    for platform, handle in MAIN.items():
        sandbox.set_faults(platform, handle, [{"kind": "waf_challenge", "vendor": vendor.value}])
    for obs in look(sandbox, list(MAIN.items())):
        assert obs.status is ObservationStatus.BLOCKED, (obs.platform, obs.signal)
        assert obs.reason is not None and obs.reason.code == "waf_challenge"
        assert obs.signal is not None and obs.signal.startswith(f"fingerprint:{vendor.value}:")


def test_429_until_retries_are_exhausted_is_blocked(sandbox: Sandbox) -> None:
    for platform, handle in MAIN.items():
        sandbox.set_faults(platform, handle, [{"kind": "rate_limit", "retry_after": 0}])
    for obs in look(sandbox, list(MAIN.items()), max_retries=2):
        assert obs.status is ObservationStatus.BLOCKED, (obs.platform, obs.signal)
        # YouTube answers 429 with Google's "unusual traffic" captcha page.
        assert obs.reason is not None and obs.reason.code in ("rate_limited", "captcha")


def test_5xx_is_error_and_a_short_burst_recovers(sandbox: Sandbox) -> None:
    for platform, handle in MAIN.items():
        sandbox.set_faults(platform, handle, [{"kind": "http_5xx", "count": 50}])
    for obs in look(sandbox, list(MAIN.items())):
        assert obs.status is ObservationStatus.ERROR, (obs.platform, obs.signal)
        assert obs.reason is not None and obs.reason.code == "http_5xx"
    sandbox.set_faults(Platform.GITHUB, "kettle", [{"kind": "http_5xx", "count": 1}])
    (obs,) = look(sandbox, [(Platform.GITHUB, "kettle")], max_rate_limit_wait=5)
    assert obs.status is ObservationStatus.PRESENT


# ------------------------------------------------------------------ the fault matrix

FAULT_CASES: dict[FaultKind, dict[str, Any]] = {
    FaultKind.LATENCY: {"kind": "latency", "ms": 30},
    FaultKind.RATE_LIMIT: {"kind": "rate_limit"},
    FaultKind.ENFORCE_RATE: {"kind": "enforce_rate", "per_second": 50},
    FaultKind.HTTP_5XX: {"kind": "http_5xx", "count": 50},
    FaultKind.TIMEOUT: {"kind": "timeout", "seconds": 3},
    FaultKind.CONNECTION_RESET: {"kind": "connection_reset"},
    FaultKind.LOGIN_WALL: {"kind": "login_wall"},
    FaultKind.WAF_CHALLENGE: {"kind": "waf_challenge", "vendor": "cloudflare"},
    FaultKind.SOFT_404: {"kind": "soft_404"},
    FaultKind.HTML_INSTEAD_OF_JSON: {"kind": "html_instead_of_json"},
    FaultKind.TRUNCATED_BODY: {"kind": "truncated_body"},
    FaultKind.MALFORMED_BODY: {"kind": "malformed_body"},
    FaultKind.HUGE_BODY: {"kind": "huge_body", "bytes": 3_000_000},
    FaultKind.GZIP_BOMB: {"kind": "gzip_bomb", "expanded_bytes": 200_000_000},
    FaultKind.REDIRECT_LOOP: {"kind": "redirect_loop"},
    FaultKind.REDIRECT_PRIVATE: {"kind": "redirect_private"},
    FaultKind.WRONG_ENCODING: {"kind": "wrong_encoding"},
}
BENIGN = {FaultKind.LATENCY, FaultKind.ENFORCE_RATE}
"""Faults that slow answers down but do not spoil them: the account stays present."""


def test_fault_matrix_covers_every_fault_kind() -> None:
    assert set(FAULT_CASES) == set(FaultKind)


@pytest.mark.parametrize("kind", list(FaultKind), ids=str)
def test_fault_matrix(sandbox: Sandbox, kind: FaultKind) -> None:
    for platform, handle in MAIN.items():
        sandbox.set_faults(platform, handle, [FAULT_CASES[kind]])
    targets = [*MAIN.items(), *BYSTANDER.items()]
    observations = look(sandbox, targets)
    faulted, bystanders = observations[: len(MAIN)], observations[len(MAIN) :]
    for obs in faulted:
        if kind in BENIGN:
            assert obs.status is ObservationStatus.PRESENT, (obs.platform, obs.reason)
            continue
        assert obs.status in UNVERIFIED, (obs.platform, obs.status, obs.signal)
        assert obs.reason is not None and obs.reason.code != "adapter_error", obs.platform
        assert obs.reason.text
    for (platform, handle), obs in zip(BYSTANDER.items(), bystanders, strict=True):
        assert obs.status is ObservationStatus.PRESENT, (platform, kind, obs.signal)
        assert obs.display_name == world_name(sandbox, platform, handle)


def test_sync_observe_with_spec_politeness(sandbox: Sandbox) -> None:
    targets = [
        Target(Platform.GITHUB, "kettle"),
        Target(Platform.GITHUB, "nosuchkettle"),
        Target(Platform.MASTODON, "kettle"),
    ]
    seen: list[tuple[int, int]] = []
    fetchers = HttpFetcherFactory(config(sandbox), host_limits())
    result = observe(targets, fetchers, progress=lambda d, t: seen.append((d, t)))
    assert [o.status for o in result] == [
        ObservationStatus.PRESENT,
        ObservationStatus.ABSENT,
        ObservationStatus.INVALID,
    ]
    assert seen[-1] == (3, 3) and len(seen) == 3


def test_conditional_refetch_against_sandbox(sandbox: Sandbox) -> None:
    (first,) = look(sandbox, [(Platform.GITHUB, "kettle")])
    assert first.etag

    async def again() -> Observation:
        async with HttpFetcher(config(sandbox), FAST_LIMITS) as fetcher:
            return await adapter_for(Platform.GITHUB).observe("kettle", fetcher, first)

    second = asyncio.run(again())
    assert second.not_modified and second.status is ObservationStatus.PRESENT
    assert second.last_activity_at == first.last_activity_at
