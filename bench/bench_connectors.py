"""Benchmark (c): 300 accounts over the owner APIs (Meta Graph for Facebook and Instagram, X,
LinkedIn, TikTok, Threads, YouTube) served by scanner.sandbox with 100 ms latency per answer,
each API at its spec's default politeness; and Meta's batched ``?ids=`` Page lookups against
one-by-one lookups of the same Pages.

Run by hand: ``.venv/bin/python bench/bench_connectors.py`` (about 75 s: LinkedIn's 0.5 s
spacing paces it). Targets: every API, and the whole run, ≥ 0.85 of its politeness ceiling;
batched lookups ≤ 1/10 of the one-by-one requests. Requests are counted by the sandbox (its
request log), times by this process; the sandbox is a thread here, sharing the fetcher's GIL.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scanner.fetch import HttpFetcher, HttpFetcherFactory
from scanner.fetch.config import TokenSource
from scanner.fetch.politeness import SystemClock
from scanner.model import Observation, ObservationStatus, Platform
from scanner.platforms import api_spec, host_limits, platform_fetch_config, token_sources
from scanner.platforms.api.interface import Api
from scanner.platforms.connectors import ApiAccess, ApiRun, Session
from scanner.platforms.connectors.meta import FacebookPage
from scanner.runs.observe import Target, observe_async
from scanner.sandbox import Sandbox
from scanner.sandbox.world import World, parse_world

LATENCY = 0.100
ACCOUNTS = 300
TARGET = 0.85
MIN_REQUESTS = 10
"""An API that needed fewer requests (X: 43 users in one batched call) is bound by one answer's
latency and the run's start-up, not by its politeness: its ratio is printed, not judged."""
PLATFORMS = (
    Platform.FACEBOOK,
    Platform.INSTAGRAM,
    Platform.X,
    Platform.LINKEDIN,
    Platform.TIKTOK,
    Platform.THREADS,
    Platform.YOUTUBE,
)
API_OF = {
    Platform.FACEBOOK: Api.META_GRAPH,
    Platform.INSTAGRAM: Api.META_GRAPH,
    Platform.X: Api.X_API,
    Platform.LINKEDIN: Api.LINKEDIN_API,
    Platform.TIKTOK: Api.TIKTOK_API,
    Platform.THREADS: Api.THREADS_GRAPH,
    Platform.YOUTUBE: Api.YOUTUBE_API,
}
PER_ACCOUNT_TOKEN = (Platform.TIKTOK, Platform.THREADS)
"""A TikTok or Threads token is one user's (research owner-apis.md §2, §5): one each."""
SHARED_TOKENS = {
    Api.META_GRAPH: "bench-meta",
    Api.X_API: "bench-x",
    Api.LINKEDIN_API: "bench-li",
    Api.YOUTUBE_API: "bench-yt",
}


def handle_of(platform: Platform, i: int) -> str:
    return {
        Platform.FACEBOOK: f"ckpage{i}",
        Platform.INSTAGRAM: f"ck.ig{i}",
        Platform.X: f"CopperKettle{i}",
        Platform.LINKEDIN: f"company/copper-kettle-{i}",
        Platform.TIKTOK: f"cktok{i}",
        Platform.THREADS: f"ck.threads{i}",
        Platform.YOUTUBE: f"@cktube{i}",
    }[platform]


def bench_world() -> tuple[World, list[Target], dict[str, str]]:
    """The world (accounts round-robin over the platforms, each with two posts), the targets,
    and the tokens the fetch config carries (variable → token)."""
    accounts: list[dict[str, Any]] = []
    credentials: list[dict[str, Any]] = [
        {"api": api.value, "token": token} for api, token in SHARED_TOKENS.items()
    ]
    targets: list[Target] = []
    for i in range(ACCOUNTS):
        platform = PLATFORMS[i % len(PLATFORMS)]
        handle = handle_of(platform, i)
        account: dict[str, Any] = {
            "platform": platform.value,
            "handle": handle,
            "display_name": f"Copper Kettle {i}",
            "followers": 100 + i,
            "posts": [
                {"at": "2026-11-10T08:00:00Z", "text": "Morning brew"},
                {"at": "2026-10-01T08:00:00Z", "text": "Autumn menu"},
            ],
        }
        if platform is Platform.YOUTUBE:
            account["channel_id"] = f"UC{i:022d}"
        accounts.append(account)
        name = None
        if platform in PER_ACCOUNT_TOKEN:
            name = f"acct{i}"
            api = API_OF[platform]
            credentials.append({"api": api.value, "token": f"bench-{name}", "account": handle})
        targets.append(Target(platform, handle, credential=name))
    tokens = {default_env(api): token for api, token in SHARED_TOKENS.items()}
    for target in targets:
        if target.credential is not None:
            tokens[named_env(target.credential)] = f"bench-{target.credential}"
    data = {"name": "bench", "as_of": "2026-11-15", "accounts": accounts}
    world = parse_world({**data, "credentials": credentials}, "<bench>")
    return world, targets, tokens


def default_env(api: Api) -> str:
    """The variable of the API's default credential (its spec's ``token.env``)."""
    token = api_spec(api).token
    assert token is not None
    return token.env


def named_env(name: str) -> str:
    """The variable a named credential's rollcall.toml table would name."""
    return f"BENCH_{name.upper()}"


def fetch_config(base: str, targets: Sequence[Target], tokens: dict[str, str]) -> Any:
    """The sandbox as every API's endpoint; one named credential per TikTok/Threads account,
    declared the way rollcall.toml's [credentials.NAME] tables are."""
    sources = {name: tuple(group) for name, group in token_sources().items()}
    for target in targets:
        if target.credential is None:
            continue
        api = API_OF[target.platform].value
        default = sources[api][0]
        env = named_env(target.credential)
        named = TokenSource(env, default.host, default.header, default.scheme, target.credential)
        sources[api] = (*sources[api], named)
    endpoints = {a.value: f"{base}/{a.value}" for a in Api}
    return platform_fetch_config(endpoints=endpoints, token_sources=sources, tokens=tokens)


@dataclass(frozen=True)
class ApiFigure:
    """One API's share of the run: its requests (sandbox count) and how long its accounts took."""

    api: Api
    accounts: int
    requests: int
    seconds: float
    present: int

    @property
    def ceiling_seconds(self) -> float:
        """What the API's politeness allows for these requests: starts spaced by min_interval
        or by latency/concurrency, whichever is longer, the last one answering after LATENCY."""
        limits = api_spec(self.api).rate_limit
        assert limits is not None
        spacing = max(limits.min_interval, LATENCY / limits.concurrency)
        return LATENCY + (self.requests - 1) * spacing

    @property
    def ratio(self) -> float:
        return self.ceiling_seconds / self.seconds


def requests_by_api(sandbox: Sandbox) -> Counter[Api]:
    counted: Counter[Api] = Counter()
    for _method, target, _status in sandbox.request_log:
        name = target.lstrip("/").split("/", 1)[0]
        if name in {a.value for a in Api}:
            counted[Api(name)] += 1
    return counted


async def warm_up(fetcher: HttpFetcher) -> None:
    """Open each API's connections first (one request per slot to its base URL), so the figures
    are the steady state, as bench_fetch_concurrency does; then let the longest min_interval
    pass, so the warm-up does not pace the measured run."""
    calls = []
    longest = 0.0
    for api in Api:
        limits = api_spec(api).rate_limit
        assert limits is not None
        longest = max(longest, limits.min_interval)
        url = f"{api_spec(api).base_url}/"
        calls += [fetcher.get(url, platform=api.value) for _ in range(limits.concurrency)]
    await asyncio.gather(*calls)
    await asyncio.sleep(longest)


async def observe_all(
    targets: Sequence[Target], fetcher: HttpFetcher, apis: ApiRun
) -> dict[Api, tuple[list[Observation], float]]:
    """Every API's accounts at once over one fetcher, each API timed from the common start to
    its last observation."""
    started = time.perf_counter()

    async def one(api: Api) -> tuple[list[Observation], float]:
        mine = [t for t in targets if API_OF[t.platform] is api]
        seen = await observe_async(mine, fetcher, apis=apis)
        return seen, time.perf_counter() - started

    order = list(dict.fromkeys(API_OF.values()))
    results = await asyncio.gather(*(one(api) for api in order))
    return dict(zip(order, results, strict=True))


def run_all(sandbox: Sandbox, targets: Sequence[Target], tokens: dict[str, str]) -> list[ApiFigure]:
    config = fetch_config(sandbox.base_url, targets, tokens)
    apis = ApiRun(SystemClock(), ApiAccess.from_config(config))
    accounts = Counter(t.platform.value for t in targets)

    async def main() -> dict[Api, tuple[list[Observation], float]]:
        async with HttpFetcherFactory(config, host_limits())(accounts) as fetcher:
            await warm_up(fetcher)
            sandbox.reset_counters()
            return await observe_all(targets, fetcher, apis)

    results = asyncio.run(main())
    counted = requests_by_api(sandbox)
    return [
        ApiFigure(
            api,
            len(seen),
            counted[api],
            seconds,
            sum(1 for o in seen if o.status is ObservationStatus.PRESENT),
        )
        for api, (seen, seconds) in results.items()
    ]


def page_lookups(sandbox: Sandbox) -> int:
    """Meta Page lookups in the request log: ``/{v}/?ids=…`` batches and ``/{v}/{page}`` single
    lookups (not ``debug_token`` nor a Page's edges such as ``published_posts``)."""
    count = 0
    for _method, target, _status in sandbox.request_log:
        if not target.startswith(f"/{Api.META_GRAPH.value}/"):
            continue
        path = target.split("?", 1)[0].split("/")[3:]  # after "", "meta-graph", version
        if path in ([], [""]) or (len(path) == 1 and path[0] != "debug_token"):
            count += 1
    return count


def meta_lookups(
    sandbox: Sandbox, targets: Sequence[Target], tokens: dict[str, str]
) -> list[tuple[int, int]]:
    """(Page lookups, all Meta requests) for the Facebook accounts: batched, as a run groups
    them, then one by one with the connector's single lookup."""
    pages = [t for t in targets if t.platform is Platform.FACEBOOK]
    config = fetch_config(sandbox.base_url, targets, tokens)
    access = ApiAccess.from_config(config)

    async def main(one_by_one: bool) -> list[Observation]:
        apis = ApiRun(SystemClock(), access)
        async with HttpFetcherFactory(config, host_limits())({"facebook": len(pages)}) as fetcher:
            if not one_by_one:
                return await observe_async(pages, fetcher, apis=apis)
            # The connector's own single lookup, as it answers an account a batch left out.
            credential = access.credential(Platform.FACEBOOK, None)
            assert credential is not None
            session = Session.open(Platform.FACEBOOK, credential, fetcher.for_account(), apis)
            connector = FacebookPage()
            return list(
                await asyncio.gather(*(connector.observe(t.handle, session) for t in pages))
            )

    figures = []
    for one_by_one in (False, True):
        sandbox.reset_counters()
        seen = asyncio.run(main(one_by_one))
        assert all(o.status is ObservationStatus.PRESENT for o in seen), seen
        figures.append((page_lookups(sandbox), sandbox.requests))
    return figures


def main() -> None:
    world, targets, tokens = bench_world()
    with Sandbox(world) as sandbox:
        for api in Api:
            sandbox.set_host_faults(api.value, [{"kind": "latency", "ms": LATENCY * 1000}])
        print(f"{len(targets)} accounts over {len(set(API_OF.values()))} owner APIs; sandbox "
              f"latency {LATENCY * 1000:.0f} ms per answer; each API at its spec's politeness")  # fmt: skip
        print(f"{'api':<14} {'C':>2} {'min_int':>7} {'accts':>5} {'present':>7} {'requests':>8} "
              f"{'ceiling s':>9} {'actual s':>8} {'ratio':>6}")  # fmt: skip
        figures = run_all(sandbox, targets, tokens)
        for f in figures:
            limits = api_spec(f.api).rate_limit
            assert limits is not None
            print(
                f"{f.api.value:<14} {limits.concurrency:>2} {limits.min_interval:>7.2f} "
                f"{f.accounts:>5} {f.present:>7} {f.requests:>8} {f.ceiling_seconds:>9.2f} "
                f"{f.seconds:>8.2f} {f.ratio:>6.2f}"
            )
        judged = [f for f in figures if f.requests >= MIN_REQUESTS]
        worst = min(f.ratio for f in judged)
        run_ratio = max(f.ceiling_seconds for f in figures) / max(f.seconds for f in figures)
        all_present = all(f.present == f.accounts for f in figures)
        verdict = "meets" if min(worst, run_ratio) >= TARGET and all_present else "MISSES"
        skipped = ", ".join(f"{f.api.value} ({f.requests})" for f in figures if f not in judged)
        if skipped:
            print(f"not a throughput figure, fewer than {MIN_REQUESTS} requests: {skipped}")
        print(f"worst API ratio to its politeness ceiling {worst:.2f}, whole run {run_ratio:.2f}; "
              f"all accounts present: {all_present} ({verdict} the {TARGET} target)")  # fmt: skip
        (batched, batched_all), (single, single_all) = meta_lookups(sandbox, targets, tokens)
    share = batched / single
    verdict = "meets" if share <= 0.1 else "MISSES"
    print(f"Meta Page lookups for {sum(t.platform is Platform.FACEBOOK for t in targets)} Pages: "
          f"batched ?ids= {batched} (all Meta requests {batched_all}), one by one {single} "
          f"(all {single_all}); share {share:.3f} ({verdict} the 1/10 target)")  # fmt: skip


if __name__ == "__main__":
    main()
