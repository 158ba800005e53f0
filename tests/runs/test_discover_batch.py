"""Batched probes against the sandbox (issue 14, item 5): Bluesky ``getProfiles`` and GitHub
GraphQL settle what they can, anything they leave out is asked alone, a failed batch is never an
absence, and discovery on the example decides alike with batching on and off."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from scanner.fetch import HostLimits, HttpFetcherFactory
from scanner.inventory import load_inventory
from scanner.model import AccountState, Observation, ObservationStatus, Platform
from scanner.platforms import host_limits, platform_fetch_config
from scanner.platforms.api.interface import Api
from scanner.platforms.connectors import ApiAccess, ApiRun
from scanner.platforms.github import GRAPHQL_LOGINS
from scanner.policy import load_policy
from scanner.runs.clock import SYSTEM_CLOCK
from scanner.runs.discover import DiscoveryResult, discover
from scanner.runs.observe import Target, observe
from scanner.sandbox import DEMO_CREDENTIALS, Sandbox, example_world_path, load_world
from scanner.sandbox.world import parse_world

ROOT = Path(__file__).resolve().parents[2]
GITHUB_TOKEN = {"GITHUB_TOKEN": "any-users-token"}

WORLD = {
    "name": "batch",
    "as_of": "2026-11-15",
    "accounts": [
        {
            "platform": "bluesky",
            "handle": "acmetools.bsky.social",
            "display_name": "Acme Tools",
            "bio": "Hammers · https://acmetools.example",
            "followers": 120,
            "created_at": "2024-02-01T10:00:00Z",
            "posts": [{"at": "2026-11-01T09:00:00Z", "text": "New hammers"}],
        },
        {
            "platform": "bluesky",
            "handle": "acmetoolshq.bsky.social",
            "display_name": "Acme Tools HQ",
            "followers": 7,
        },
        {"platform": "bluesky", "handle": "acme-tools.bsky.social", "state": "suspended"},
        {
            "platform": "github",
            "handle": "acmetools",
            "display_name": "Acme",
            "kind": "organization",
        },
        {"platform": "github", "handle": "acme-dev", "display_name": "Acme Dev"},
    ],
}
BLUESKY = (
    "acmetools.bsky.social",
    "acmetoolshq.bsky.social",
    "acme-tools.bsky.social",  # taken down: getProfiles leaves it out
    "acmetoolz.bsky.social",  # unknown: left out too
)
GITHUB = ("acmetools", "acme-dev", "acme-tools", "acmetoolz")


def _fetchers(sandbox: Sandbox, tokens: Mapping[str, str] = GITHUB_TOKEN) -> HttpFetcherFactory:
    # The sandbox is local: no need for the real platforms' pacing; no retries, so one
    # injected failure is one failed answer.
    config = platform_fetch_config(
        endpoints=sandbox.endpoints(),
        allow_private_network=True,
        host_limits={name: HostLimits(8, 0.0) for name in (*Platform, *Api)},
        tokens=dict(tokens),
        max_retries=0,
    )
    return HttpFetcherFactory(config, host_limits())


def _observe(
    sandbox: Sandbox, platform: Platform, handles: Sequence[str], *, batch: bool
) -> dict[str, Observation]:
    fetchers = _fetchers(sandbox)
    access = ApiAccess.from_config(platform_fetch_config(tokens=GITHUB_TOKEN))
    apis = ApiRun(SYSTEM_CLOCK, access)
    targets = [Target(platform, h, candidate=True) for h in handles]
    seen = observe(targets, fetchers, apis=apis, batch=batch)
    return {o.handle: o for o in seen}


def _queries(sandbox: Sandbox, method: str) -> list[dict[str, list[str]]]:
    return [
        parse_qs(urlsplit(target).query)
        for _m, target, _s in sandbox.request_log
        if urlsplit(target).path.endswith(method)
    ]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(parse_world(WORLD, "<batch>")) as running:
        yield running


def _fields(obs: Observation) -> tuple[object, ...]:
    return (
        obs.status,
        obs.account_state,
        obs.display_name,
        obs.bio,
        obs.links,
        obs.followers,
        obs.verified,
        obs.created_at,
        obs.last_activity_at,
        obs.no_activity_since,
        obs.signal,
    )


def test_get_profiles_left_out_actors_are_asked_alone_and_decided_there(sandbox: Sandbox) -> None:
    seen = _observe(sandbox, Platform.BLUESKY, BLUESKY, batch=True)
    (batch,) = _queries(sandbox, "app.bsky.actor.getProfiles")
    assert batch["actors"] == list(BLUESKY)
    alone = [q["actor"][0] for q in _queries(sandbox, "app.bsky.actor.getProfile")]
    assert sorted(alone) == ["acme-tools.bsky.social", "acmetoolz.bsky.social"]
    # The single probe decides what the batch left out: taken down (present), unknown (absent).
    down, unknown = seen["acme-tools.bsky.social"], seen["acmetoolz.bsky.social"]
    assert down.status is ObservationStatus.PRESENT
    assert down.account_state is AccountState.SUSPENDED
    assert unknown.status is ObservationStatus.ABSENT
    # The profiles the batch returned read exactly as getProfile's (feed read alone after).
    sandbox.reset_counters()
    single = _observe(sandbox, Platform.BLUESKY, BLUESKY, batch=False)
    assert not _queries(sandbox, "app.bsky.actor.getProfiles")
    for handle in BLUESKY:
        assert _fields(seen[handle]) == _fields(single[handle]), handle
    assert seen["acmetools.bsky.social"].last_activity_at is not None
    assert "getProfiles?" in seen["acmetools.bsky.social"].url  # the evidence it came from


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        # A 503 for the batch only: each actor is asked alone and decided there.
        ({"kind": "http_5xx", "count": 1}, "decided"),
        # Every call refused (429): nobody is absent, everybody unverified.
        ({"kind": "rate_limit", "reset": 0}, "unverified"),
    ],
)
def test_a_failed_batch_is_never_an_absence(
    sandbox: Sandbox, fault: dict[str, object], expected: str
) -> None:
    sandbox.set_host_faults(Platform.BLUESKY, [fault])
    seen = _observe(sandbox, Platform.BLUESKY, BLUESKY, batch=True)
    assert len(_queries(sandbox, "app.bsky.actor.getProfiles")) == 1
    alone = sorted(q["actor"][0] for q in _queries(sandbox, "app.bsky.actor.getProfile"))
    assert alone == sorted(BLUESKY)  # every actor re-asked alone
    statuses = {h: o.status for h, o in seen.items()}
    if expected == "decided":
        assert statuses == {
            "acmetools.bsky.social": ObservationStatus.PRESENT,
            "acmetoolshq.bsky.social": ObservationStatus.PRESENT,
            "acme-tools.bsky.social": ObservationStatus.PRESENT,
            "acmetoolz.bsky.social": ObservationStatus.ABSENT,
        }
    else:
        assert all(not s.verified for s in statuses.values()), statuses


def test_github_graphql_settles_absent_logins_and_asks_the_others_alone(
    sandbox: Sandbox,
) -> None:
    seen = _observe(sandbox, Platform.GITHUB, GITHUB, batch=True)
    posts = [t for m, t, _s in sandbox.request_log if m == "POST" and t.endswith("/graphql")]
    assert len(posts) == 1
    rest = sorted(urlsplit(t).path for m, t, _s in sandbox.request_log if m == "GET")
    # Only the logins that exist are asked alone (profile and events); the absent ones are
    # settled by NOT_FOUND for both the user and the organization alias.
    assert rest == [
        "/github/users/acme-dev",
        "/github/users/acme-dev/events/public",
        "/github/users/acmetools",
        "/github/users/acmetools/events/public",
    ]
    assert seen["acme-tools"].status is ObservationStatus.ABSENT
    assert seen["acmetoolz"].status is ObservationStatus.ABSENT
    assert seen["acme-tools"].signal is not None and "NOT_FOUND" in seen["acme-tools"].signal
    assert seen["acmetools"].status is ObservationStatus.PRESENT
    assert seen["acme-dev"].display_name == "Acme Dev"  # read from its REST profile


def test_github_graphql_needs_a_token_and_a_failed_query_proves_nothing(sandbox: Sandbox) -> None:
    # Without GITHUB_TOKEN: single REST probes only.
    fetchers = _fetchers(sandbox, tokens={})
    targets = [Target(Platform.GITHUB, h, candidate=True) for h in GITHUB]
    seen = observe(targets, fetchers, batch=True)
    assert not any(t.endswith("/graphql") for _m, t, _s in sandbox.request_log)
    assert [o.status for o in seen] == [
        ObservationStatus.PRESENT,
        ObservationStatus.PRESENT,
        ObservationStatus.ABSENT,
        ObservationStatus.ABSENT,
    ]
    # A query that fails (503): every login asked alone, each decided by its REST probe.
    sandbox.reset_counters()
    sandbox.set_host_faults(Platform.GITHUB, [{"kind": "http_5xx", "count": 1}])
    again = _observe(sandbox, Platform.GITHUB, GITHUB, batch=True)
    profiles = [t for m, t, _s in sandbox.request_log if m == "GET" and "/events" not in t]
    assert len(profiles) == len(GITHUB)
    assert [again[h].status for h in GITHUB] == [o.status for o in seen]


def _verdicts(result: DiscoveryResult) -> tuple[object, ...]:
    pages = sorted(
        (d.platform.value, d.handle, d.classification.value, d.evidence) for d in result.discoveries
    )
    findings = sorted((f.rule_id, f.fingerprint, f.message) for f in result.findings)
    return pages, findings, result.probed


def test_example_discovery_decides_alike_with_batching_on_and_off() -> None:
    inventory = load_inventory(ROOT / "inventories" / "copper-kettle.yaml")
    tokens = {**DEMO_CREDENTIALS, **GITHUB_TOKEN}
    results = {}
    with Sandbox(load_world(example_world_path())) as sandbox:
        for batch in (False, True):
            sandbox.reset_counters()
            fetchers = _fetchers(sandbox, tokens)
            access = ApiAccess.from_config(platform_fetch_config(tokens=tokens))
            results[batch] = (
                discover(
                    inventory,
                    load_policy([]),
                    fetchers,
                    apis=ApiRun(SYSTEM_CLOCK, access),
                    batch=batch,
                ),
                sandbox.requests,
                list(sandbox.request_log),
            )
    (off, off_requests, off_log), (on, on_requests, on_log) = results[False], results[True]
    assert _verdicts(on) == _verdicts(off)
    assert on.discoveries  # the planted pages are found either way
    assert on_requests < off_requests
    before, after = _by_host(off_log), _by_host(on_log)
    # LinkedIn's finder cannot say a guessed page is absent (it hides what the token may not
    # see): the guesses go straight to the public page, not to the API first and then the page.
    assert before["linkedin-api"] > 0
    assert after["linkedin-api"] == 0
    assert after["linkedin"] == before["linkedin"]
    # The owner's GitHub token looks logins up one at a time; GraphQL asks 25 at once, so the
    # guesses go there (the example has about 100), and none is asked through the owner's API.
    graphql = [t for m, t, _s in on_log if m == "POST" and t.endswith("/graphql")]
    assert before["github-api"] > 90
    assert 1 <= len(graphql) <= -(-before["github-api"] // GRAPHQL_LOGINS)
    assert after["github-api"] == 0
    # The Meta token answers for Facebook, absent Pages included (803), so the guesses there
    # are searched, in ?ids= batches, where the public pages alone could not be.
    assert on.not_searched == () and off.not_searched == ()
    assert 1 <= after["meta-graph"] <= 5


def _by_host(log: Sequence[tuple[str, str, int]]) -> Counter[str]:
    """Requests per sandbox route (its first path segment: a platform or an API)."""
    return Counter(target.lstrip("/").split("/", 1)[0] for _m, target, _s in log)
