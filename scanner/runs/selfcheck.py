"""``rollcall platforms check``: test each spec against its known-present handles and freshly
generated absent ones, and rate it ok / degraded / broken.

A wrong verdict (a known account seen absent, a random name seen present) breaks a spec; an
answer we could not verify (blocked, error) or a promised field left empty only degrades it,
because it may be the network we run from rather than the spec (osint-anchors §9, lesson 6).
"""

from __future__ import annotations

import asyncio
import enum
import random
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, assert_never

from scanner.fetch import Clock, Fetcher, FetcherFactory
from scanner.model import Observation, ObservationStatus, Platform, Reason
from scanner.platforms.interface import PlatformAdapter
from scanner.platforms.registry import adapter_for
from scanner.runs.clock import SYSTEM_CLOCK
from scanner.runs.observe import Target, observe_async

__all__ = [
    "CheckResult",
    "PlatformCheck",
    "Rating",
    "absent_handles",
    "check_platforms",
    "check_platforms_async",
    "unreachable",
]


class Rating(enum.StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    BROKEN = "broken"

    @property
    def rank(self) -> int:
        match self:
            case Rating.OK:
                return 0
            case Rating.DEGRADED:
                return 1
            case Rating.BROKEN:
                return 2
            case _:
                assert_never(self)


@dataclass(frozen=True)
class CheckResult:
    """One probe of the self-check: what was expected, what was seen, what is wrong (if any)."""

    handle: str
    expected: ObservationStatus
    observation: Observation
    problem: str | None
    rating: Rating


@dataclass(frozen=True)
class PlatformCheck:
    platform: Platform
    rating: Rating
    results: tuple[CheckResult, ...]

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(f"{r.handle}: {r.problem}" for r in self.results if r.problem)


class _Seen(Protocol):
    """What :func:`unreachable` reads of a probe's answer (a platform's or a site's)."""

    @property
    def status(self) -> ObservationStatus: ...
    @property
    def reason(self) -> Reason | None: ...
    @property
    def signal(self) -> str | None: ...


def unreachable(checks: Sequence[PlatformCheck], sites: Sequence[_Seen] = ()) -> str | None:
    """Why the self-check could not check anything, or None when some probe got a verdict.

    Every probe ending ``error`` (no connection, a timeout, an unusable answer) says nothing
    about the specs or the sites: the check did not happen, which must not pass as "degraded"
    (issue 16). ``sites``: the imported sites' answers, probed beside the platforms.
    """
    results: list[_Seen] = [r.observation for c in checks for r in c.results]
    results += sites
    if not results or any(r.status is not ObservationStatus.ERROR for r in results):
        return None
    by_code: dict[str, list[str]] = {}
    for r in results:
        code, text = (r.reason.code, r.reason.text) if r.reason else (r.signal or "error", "")
        by_code.setdefault(code, []).append(text)
    causes = "; ".join(
        f"{code} ×{len(texts)}" + (f": {texts[0]}" if texts[0] else "")
        for code, texts in sorted(by_code.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    return f"could not reach anything: all {len(results)} probes ended in error ({causes})"


ABSENT_PROBES = 2
"""Random absent handles probed per platform."""


def absent_handles(
    adapter: PlatformAdapter, rng: random.Random, count: int = ABSENT_PROBES
) -> list[str]:
    """Random handles that fit the platform's rules (Sherlock generates them from its regex;
    we use lower-case letters and digits, which every platform accepts)."""
    rules = adapter.spec.handle
    fmt = adapter.spec.self_check.absent_format
    out: list[str] = []
    alphabet = string.ascii_lowercase + string.digits
    while len(out) < count:
        for length in (14, 12, 10, 8, 6, 5, 3):
            if length > rules.max_length:
                continue
            core = rng.choice(string.ascii_lowercase) + "".join(
                rng.choice(alphabet) for _ in range(length - 1)
            )
            handle = fmt.replace("{random}", core)
            if adapter.check_handle(handle) is None and handle not in out:
                out.append(handle)
                break
        else:
            raise ValueError(f"cannot generate a valid absent handle for {adapter.spec.name}")
    return out


def _judge(
    adapter: PlatformAdapter, handle: str, expected: ObservationStatus, obs: Observation
) -> CheckResult:
    status = obs.status
    why = f" ({obs.reason})" if obs.reason else ""
    if status is expected:
        if (
            expected is ObservationStatus.PRESENT
            and "display_name" in adapter.spec.extracts
            and obs.display_name is None
        ):
            return CheckResult(
                handle,
                expected,
                obs,
                "extraction: present but no display name was found",
                Rating.DEGRADED,
            )
        return CheckResult(handle, expected, obs, None, Rating.OK)
    if status in (ObservationStatus.BLOCKED, ObservationStatus.ERROR):
        return CheckResult(
            handle, expected, obs, f"unverified: {status.value}{why}", Rating.DEGRADED
        )
    return CheckResult(
        handle,
        expected,
        obs,
        f"wrong verdict: expected {expected.value}, got {status.value} [{obs.signal}]{why}",
        Rating.BROKEN,
    )


async def check_platforms_async(
    fetcher: Fetcher,
    platforms: Sequence[Platform],
    *,
    present: Mapping[Platform, Sequence[str]] | None = None,
    seed: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> list[PlatformCheck]:
    """Check every platform in ``platforms`` (``present`` overrides the specs' known handles)."""
    jobs = _jobs(platforms, present, random.Random(seed))
    # Through the orchestrator's one way to observe an account (its time budget, its guard
    # against a broken adapter).
    targets = [Target(p, h) for p, h, _ in jobs]
    observations = await observe_async(targets, fetcher, clock=clock)
    by_platform: dict[Platform, list[CheckResult]] = {p: [] for p in platforms}
    for (platform, handle, expected), obs in zip(jobs, observations, strict=True):
        by_platform[platform].append(_judge(adapter_for(platform), handle, expected, obs))
    checks = []
    for platform, results in by_platform.items():
        rating = max((r.rating for r in results), key=lambda r: r.rank, default=Rating.OK)
        checks.append(PlatformCheck(platform, rating, tuple(results)))
    return checks


def _jobs(
    platforms: Sequence[Platform],
    present: Mapping[Platform, Sequence[str]] | None,
    rng: random.Random,
) -> list[tuple[Platform, str, ObservationStatus]]:
    """(platform, handle, expected status) of every probe, platform by platform."""
    jobs: list[tuple[Platform, str, ObservationStatus]] = []
    for platform in platforms:
        adapter = adapter_for(platform)
        known = (present or {}).get(platform) or adapter.spec.self_check.present
        jobs.extend((platform, h, ObservationStatus.PRESENT) for h in known)
        jobs.extend((platform, h, ObservationStatus.ABSENT) for h in absent_handles(adapter, rng))
    return jobs


def check_platforms(
    fetchers: FetcherFactory,
    platforms: Sequence[Platform] | None = None,
    *,
    present: Mapping[Platform, Sequence[str]] | None = None,
    seed: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> list[PlatformCheck]:
    """Synchronous wrapper: one fetcher from ``fetchers`` for the whole check."""
    chosen = list(platforms) if platforms else list(Platform)
    accounts = {
        p.value: len((present or {}).get(p) or adapter_for(p).spec.self_check.present)
        + ABSENT_PROBES
        for p in chosen
    }

    async def run() -> list[PlatformCheck]:
        async with fetchers(accounts) as fetcher:
            return await check_platforms_async(
                fetcher, chosen, present=present, seed=seed, clock=clock
            )

    return asyncio.run(run())
