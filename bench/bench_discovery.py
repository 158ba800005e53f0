"""Benchmark: discovery on the example organization against scanner.sandbox, once with every
page asked alone (``batch=False``) and once with batched probes (owner-API batches where the
example's credentials are loaded, Bluesky ``getProfiles``, GitHub GraphQL with GITHUB_TOKEN),
in the same process, at the specs' own per-host politeness (nothing lifted).

Run by hand: ``.venv/bin/python bench/bench_discovery.py`` (about three minutes). Prints each
run's requests (counted by the sandbox's request log) and wall time, per platform too, and the
ratios; target ≤ 1/3 of both with batching. Both runs must classify alike (checked).

It also prints each run's politeness floor: the time the busiest host's requests take at its
spec's pace (requests × min_interval: the least time between two requests' starts). Platforms with no batched lookup that allow
one request a second (Instagram, LinkedIn, Threads and TikTok's public pages) take 100 s for
100 guesses whatever else is batched, so the wall time cannot fall below that floor without
fewer guesses or faster pacing; the floor says how close the run came to it.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from scanner.fetch import HttpFetcherFactory
from scanner.fetch.config import FetchConfig
from scanner.inventory import load_inventory
from scanner.model import Inventory
from scanner.platforms import host_limits, platform_fetch_config
from scanner.platforms.connectors import ApiAccess, ApiRun
from scanner.policy import load_policy
from scanner.runs.clock import SYSTEM_CLOCK
from scanner.runs.discover import DiscoveryResult, discover
from scanner.sandbox import DEMO_CREDENTIALS, Sandbox, example_world_path, load_world

ROOT = Path(__file__).resolve().parents[1]
INVENTORY = ROOT / "inventories" / "copper-kettle.yaml"
TARGET = 1 / 3
PUBLIC_TOKEN = {"GITHUB_TOKEN": "bench-public-github-token"}
"""Any user's token opens GitHub GraphQL (the sandbox takes any); the owner-API tokens are the
example world's own (DEMO_CREDENTIALS)."""


@dataclass(frozen=True)
class Figure:
    label: str
    seconds: float
    requests: int
    by_target: Counter[str]
    result: DiscoveryResult


def config_for(sandbox: Sandbox) -> FetchConfig:
    """The sandbox as every platform and API, with the specs' politeness (``host_limits``
    left to the specs: one request a second on the login-walled platforms)."""
    tokens = {**DEMO_CREDENTIALS, **PUBLIC_TOKEN}
    return platform_fetch_config(
        endpoints=sandbox.endpoints(), allow_private_network=True, tokens=tokens
    )


def run(sandbox: Sandbox, inventory: Inventory, *, batch: bool) -> Figure:
    config = config_for(sandbox)
    apis = ApiRun(SYSTEM_CLOCK, ApiAccess.from_config(config))
    sandbox.reset_counters()
    started = time.perf_counter()
    result = discover(
        inventory,
        load_policy([]),
        HttpFetcherFactory(config, host_limits()),
        apis=apis,
        batch=batch,
    )
    seconds = time.perf_counter() - started
    log = sandbox.request_log
    by_target = Counter(target.lstrip("/").split("/", 1)[0] for _m, target, _s in log)
    label = "batched" if batch else "one by one"
    return Figure(label, seconds, len(log), by_target, result)


def verdicts(result: DiscoveryResult) -> tuple[set[tuple[str, str, str]], set[str]]:
    pages = {(d.platform.value, d.handle, d.classification.value) for d in result.discoveries}
    return pages, {f.fingerprint for f in result.findings}


def main() -> None:
    inventory = load_inventory(INVENTORY)
    with Sandbox(load_world(example_world_path())) as sandbox:
        off = run(sandbox, inventory, batch=False)
        on = run(sandbox, inventory, batch=True)
    same = verdicts(off.result) == verdicts(on.result)
    print(f"discovery on {INVENTORY.name}: {off.result.probed} pages probed, specs' politeness")
    print(f"{'':12}{'one by one':>22}{'batched':>22}")
    names = sorted(set(off.by_target) | set(on.by_target))
    for name in names:
        print(f"{name:12}{off.by_target[name]:>22}{on.by_target[name]:>22}")
    limits = host_limits()
    for figure in (off, on):
        seconds, host = max(
            (count * limits[h].min_interval, h)
            for h, count in figure.by_target.items()
            if h in limits
        )
        print(
            f"{figure.label}: politeness floor {seconds:.1f} s ({host}: "
            f"{figure.by_target[host]} requests at its pace), wall time {figure.seconds:.1f} s"
        )
    request_ratio = on.requests / off.requests
    time_ratio = on.seconds / off.seconds
    print(f"{'requests':12}{off.requests:>22}{on.requests:>22}   ratio {request_ratio:.2f}")
    print(f"{'seconds':12}{off.seconds:>22.1f}{on.seconds:>22.1f}   ratio {time_ratio:.2f}")
    print(f"same classifications and findings: {same}")
    for what, ratio in (("requests", request_ratio), ("time", time_ratio)):
        verdict = "met" if ratio <= TARGET else "NOT met"
        print(f"target {what} ≤ {TARGET:.2f}: {verdict} ({ratio:.2f})")


if __name__ == "__main__":
    main()
