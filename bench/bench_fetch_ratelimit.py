"""Benchmark (b): against a host enforcing N requests per 1-second window with a platform's real
rate-limit headers, the fetcher's achieved rate (target ≥ 0.85·N) and its 429 count (target: no
429 after the first), next to a naive client that ignores the headers.

Run by hand: ``.venv/bin/python bench/bench_fetch_ratelimit.py [--per-second N] [--seconds S]``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_fetch_server import ServerSpec, running_sandbox, running_server  # noqa: E402

from scanner.fetch import Fetched, HostLimits, HttpFetcher  # noqa: E402
from scanner.platforms import platform_fetch_config  # noqa: E402

SANDBOX_URLS = {
    # Accounts that exist in running_sandbox's world, so every answer within budget is a 200.
    "github": "https://api.github.com/users/copperkettle",
    "mastodon": "https://mastodon.social/api/v1/accounts/lookup?acct=copperkettle",
    "bluesky": "https://public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor=copperkettle.bsky.social",
    "reddit": "https://www.reddit.com/user/copperkettle/about.json",
}
FAMILIES = {
    # family: (platform, a real URL the platform adapter would build)
    "github": ("github", "https://api.github.com/users/copperkettle{i}"),
    "mastodon": ("mastodon", "https://mastodon.social/api/v1/accounts/lookup?acct=ck{i}"),
    "bluesky": (
        "bluesky",
        "https://public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor=ck{i}.bsky.social",
    ),
    "reddit": ("reddit", "https://www.reddit.com/user/ck{i}/about.json"),
}
CONCURRENCY = 4


async def _until_next_second() -> float:
    now = time.time()
    start = math.floor(now) + 1.0
    await asyncio.sleep(start - now)
    return start


async def fetcher_run(
    base: str, family: str, seconds: int, sandbox: bool = False
) -> tuple[int, int, float]:
    """(successes inside the measured whole windows, 429 responses received, seconds paused)."""
    platform, template = FAMILIES[family]
    if sandbox:
        template = SANDBOX_URLS[family]
    config = platform_fetch_config(
        endpoints={platform: f"{base}/{platform}"}, tokens={}, max_retries=3
    )
    limits = {platform: HostLimits(concurrency=CONCURRENCY, min_interval=0.0)}
    done: list[float] = []
    async with HttpFetcher(config, limits) as fetcher:
        start = await _until_next_second()
        end = start + seconds

        async def worker(k: int) -> None:
            i = k
            while time.time() < end:
                outcome = await fetcher.get(template.format(i=i), platform=platform)
                if isinstance(outcome, Fetched) and outcome.status == 200:
                    done.append(time.time())
                i += CONCURRENCY * 2

        await asyncio.gather(*(worker(k) for k in range(CONCURRENCY * 2)))
        stats = fetcher.stats
    inside = sum(1 for t in done if start <= t < end)
    return inside, stats.statuses.get(429, 0), stats.wait_seconds


async def naive_run(base: str, family: str, seconds: int) -> tuple[int, int]:
    """The same load from plain httpx that ignores every header: (successes, 429s)."""
    platform, _ = FAMILIES[family]
    counts = {200: 0, 429: 0}
    async with httpx.AsyncClient() as client:
        start = await _until_next_second()
        end = start + seconds

        async def worker() -> None:
            while time.time() < end:
                response = await client.get(f"{base}/{platform}/x")
                counts[response.status_code] = counts.get(response.status_code, 0) + 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return counts[200], counts[429]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-second", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="enforce the rate with scanner.sandbox's enforce_rate fault instead of the bench server",
    )
    args = parser.parse_args()
    if args.sandbox:
        run_sandbox(args.per_second, args.seconds)
        return
    n, seconds = args.per_second, args.seconds
    print(f"host enforces {n} requests per 1 s window; {seconds} whole windows measured; "
          f"per-host concurrency {CONCURRENCY}")  # fmt: skip
    print(f"{'family':<9} {'achieved/s':>10} {'ratio':>6} {'429s':>5} {'paused s':>8} "
          f"{'naive ok/s':>10} {'naive 429s':>10}")  # fmt: skip
    worst, most_429 = 1.0, 0
    for family in FAMILIES:
        spec = ServerSpec(per_second=n, window=1.0, family=family)
        with running_server(spec) as base:
            ok, throttled, paused = asyncio.run(fetcher_run(base, family, seconds))
        with running_server(spec) as base:
            naive_ok, naive_429 = asyncio.run(naive_run(base, family, seconds))
        rate = ok / seconds
        worst, most_429 = min(worst, rate / n), max(most_429, throttled)
        print(
            f"{family:<9} {rate:>10.1f} {rate / n:>6.2f} {throttled:>5} {paused:>8.2f} "
            f"{naive_ok / seconds:>10.1f} {naive_429:>10}"
        )
    verdict = "meets" if worst >= 0.85 and most_429 <= 1 else "MISSES"
    print(f"worst ratio {worst:.2f}, most 429s in a run {most_429} ({verdict} the targets)")


def run_sandbox(n: int, seconds: int) -> None:
    print(f"sandbox enforce_rate {n}/s per platform; {seconds} whole windows measured; "
          f"per-host concurrency {CONCURRENCY}")  # fmt: skip
    print(f"{'family':<9} {'achieved/s':>10} {'ratio':>6} {'429s':>5} {'paused s':>8}")
    faults = {f: [{"kind": "enforce_rate", "per_second": n}] for f in FAMILIES}
    with running_sandbox(faults) as base:
        for family in FAMILIES:
            ok, throttled, paused = asyncio.run(fetcher_run(base, family, seconds, sandbox=True))
            rate = ok / seconds
            print(f"{family:<9} {rate:>10.1f} {rate / n:>6.2f} {throttled:>5} {paused:>8.2f}")


if __name__ == "__main__":
    main()
