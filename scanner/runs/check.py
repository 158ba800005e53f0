"""``rollcall check HANDLE``: where does a handle exist? Each built-in platform (its spec's
probe through the adapter, as an audit observes) and each usable imported site answers in the
five states, reported one by one as the answers arrive. Also the self-check of imported sites
(``rollcall platforms check``): a site whose known account does not read present, or whose
random name does not read absent, is degraded.
"""

from __future__ import annotations

import asyncio
import enum
import random
import string
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from scanner.fetch import Clock, Fetcher, FetcherFactory
from scanner.model import Observation, ObservationStatus, Platform, Reason
from scanner.platforms import adapter_for
from scanner.platforms.sites import Site, SiteObservation, handle_problem, probe_site, profile_url
from scanner.runs.clock import SYSTEM_CLOCK, now
from scanner.runs.observe import Target, observe_async
from scanner.runs.selfcheck import Rating

__all__ = [
    "Answer",
    "AnswerKind",
    "OnAnswer",
    "SiteCheck",
    "SiteProbe",
    "ask_sites",
    "check_handles",
    "check_handles_async",
    "check_sites",
    "degraded_marks",
    "random_handle",
    "written_as",
]


class AnswerKind(enum.StrEnum):
    PLATFORM = "platform"
    SITE = "site"


@dataclass(frozen=True)
class Answer:
    """One place's answer for one handle, with its evidence. ``where`` is the platform name or
    the site id (``whatsmyname:GitHub (User)``)."""

    handle: str
    kind: AnswerKind
    where: str
    status: ObservationStatus
    url: str
    fetched_at: datetime
    http_status: int | None = None
    final_url: str | None = None
    signal: str | None = None
    reason: Reason | None = None

    @property
    def answered(self) -> bool:
        """Present or absent, or a handle the place cannot have (invalid: nothing was sent)."""
        return self.status.verified or self.status is ObservationStatus.INVALID


OnAnswer = Callable[[Answer], None]


def _from_observation(obs: Observation) -> Answer:
    return Answer(
        handle=obs.handle,
        kind=AnswerKind.PLATFORM,
        where=obs.platform.value,
        status=obs.status,
        url=obs.url,
        fetched_at=obs.fetched_at,
        http_status=obs.http_status,
        final_url=obs.final_url,
        signal=obs.signal,
        reason=obs.reason,
    )


def _from_site(obs: SiteObservation) -> Answer:
    return Answer(
        handle=obs.handle,
        kind=AnswerKind.SITE,
        where=obs.site,
        status=obs.status,
        url=obs.url,
        fetched_at=obs.fetched_at,
        http_status=obs.http_status,
        final_url=obs.final_url,
        signal=obs.signal,
        reason=obs.reason,
    )


async def _site_answer(site: Site, handle: str, fetcher: Fetcher, clock: Clock) -> SiteObservation:
    """The site's observation; a handle the site cannot have is INVALID and sends nothing."""
    why = handle_problem(site, handle)
    if why is not None:
        reason = Reason("invalid_handle", f"{site.name}: the handle {why}")
        return _unprobed(site, handle, ObservationStatus.INVALID, "handle", reason, clock)
    try:
        return await probe_site(site, handle, fetcher.for_account())
    except Exception as exc:  # noqa: BLE001 - one broken answer must not sink the whole run
        reason = Reason("probe_error", f"{type(exc).__name__}: {exc}"[:500])
        return _unprobed(site, handle, ObservationStatus.ERROR, "exception", reason, clock)


def _unprobed(
    site: Site,
    handle: str,
    status: ObservationStatus,
    signal: str,
    reason: Reason,
    clock: Clock,
) -> SiteObservation:
    """A site's observation that no answer decided (never absent)."""
    return SiteObservation(
        site=site.id,
        name=site.name,
        handle=handle,
        status=status,
        url=profile_url(site, handle),
        probe_url=site.probe_url,
        fetched_at=now(clock),
        signal=signal,
        reason=reason,
    )


async def check_handles_async(
    handles: Sequence[str],
    fetcher: Fetcher,
    *,
    platforms: Sequence[Platform] = (),
    sites: Sequence[Site] = (),
    on_answer: OnAnswer | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> list[Answer]:
    """Ask every platform and site about every handle concurrently (the fetcher keeps each
    host polite); ``on_answer`` hears each answer as it arrives. Returns them all, in the order
    they arrived."""

    async def platform(p: Platform, handle: str) -> Answer:
        (obs,) = await observe_async([Target(p, handle)], fetcher, clock=clock)
        return _from_observation(obs)

    async def site(s: Site, handle: str) -> Answer:
        return _from_site(await _site_answer(s, handle, fetcher, clock))

    jobs: list[Awaitable[Answer]] = [
        platform(p, written) for h in handles for p in platforms for written in written_as(p, h)
    ]
    jobs += [site(s, h) for h in handles for s in sites]
    answers: list[Answer] = []
    for next_answer in asyncio.as_completed(jobs):
        answer = await next_answer
        answers.append(answer)
        if on_answer is not None:
            on_answer(answer)
    return answers


def written_as(platform: Platform, handle: str) -> tuple[str, ...]:
    """The handles to ask ``platform`` for a name as typed: itself when it fits the platform's
    rules, else the name in each of the platform's forms that fits (``r/NAME`` and ``u/NAME`` on
    Reddit, ``company/NAME`` on LinkedIn, ``NAME.bsky.social`` on Bluesky), once per account; a
    name no form fits is asked as typed (and answers ``invalid``, saying why)."""
    adapter = adapter_for(platform)
    if adapter.check_handle(handle) is None:
        return (handle,)
    rules = adapter.spec.handle
    forms: dict[str, str] = {}
    for before, after in rules.discovery_forms:
        form = f"{before}{handle.strip()}{after}"
        if (before or after) and adapter.check_handle(form) is None:
            forms.setdefault(rules.key(form), form)
    return tuple(forms.values()) or (handle,)


def _accounts(
    handles: Sequence[str], platforms: Sequence[Platform], sites: Sequence[Site]
) -> Counter[str]:
    """Requests per logical host, which scales the run's deadline (sites are paced per host
    with the default politeness)."""
    counts: Counter[str] = Counter(
        {p.value: sum(len(written_as(p, h)) for h in handles) for p in platforms}
    )
    for s in sites:
        counts[f"site:{urlsplit(s.probe_url).hostname}"] += len(handles)
    return counts


def check_handles(
    handles: Sequence[str],
    fetchers: FetcherFactory,
    *,
    platforms: Sequence[Platform] = (),
    sites: Sequence[Site] = (),
    on_answer: OnAnswer | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> list[Answer]:
    """Synchronous wrapper: one fetcher from ``fetchers`` for the whole check."""

    async def run() -> list[Answer]:
        async with fetchers(_accounts(handles, platforms, sites)) as fetcher:
            return await check_handles_async(
                handles, fetcher, platforms=platforms, sites=sites, on_answer=on_answer, clock=clock
            )

    return asyncio.run(run())


def ask_sites(
    pairs: Sequence[tuple[Site, str]],
    fetchers: FetcherFactory,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> list[Answer]:
    """Ask each site about its own handles (discovery's brand handles, which differ per site),
    the way ``check`` asks: same probe, same politeness per host. Same order as ``pairs``."""

    async def run() -> list[Answer]:
        counts = Counter(f"site:{urlsplit(s.probe_url).hostname}" for s, _ in pairs)
        async with fetchers(counts) as fetcher:
            seen = await asyncio.gather(*(_site_answer(s, h, fetcher, clock) for s, h in pairs))
        return [_from_site(obs) for obs in seen]

    return asyncio.run(run()) if pairs else []


@dataclass(frozen=True)
class SiteProbe:
    """One probe of a site's self-check: what was expected, what was seen, what is wrong."""

    observation: SiteObservation
    expected: ObservationStatus
    rating: Rating
    problem: str | None


@dataclass(frozen=True)
class SiteCheck:
    """The self-check of one site: its first known account and one random name, probed; ok only
    when the known account reads present and the random name absent (a site answering present
    for any name, a soft 404, is broken). ``random`` is None when no random name fits the
    site's rules; ``problem`` joins every probe's, the worst first."""

    site: str
    observation: SiteObservation
    rating: Rating
    problem: str | None
    random: SiteObservation | None = None

    @property
    def observations(self) -> tuple[SiteObservation, ...]:
        """Every probe's answer: the known account's, then the random name's."""
        return (self.observation,) if self.random is None else (self.observation, self.random)

    @property
    def probes(self) -> tuple[SiteProbe, ...]:
        """Each probe judged on its own."""
        known = SiteProbe(
            self.observation, ObservationStatus.PRESENT, *_judge_known(self.observation)
        )
        if self.random is None:
            return (known,)
        rand = SiteProbe(self.random, ObservationStatus.ABSENT, *_judge_random(self.random))
        return (known, rand)


RANDOM_LENGTHS = (12, 10, 8, 6, 14, 16, 5, 4, 3, 20)
"""Lengths tried for a site's random name, most likely to fit first."""


def random_handle(site: Site, rng: random.Random) -> str | None:
    """A random name that fits the site's rules (lower-case letters and digits, starting with a
    letter; letters only or digits only when the site's pattern wants that), or None."""
    alphabets = (
        string.ascii_lowercase + string.digits,
        string.ascii_lowercase,
        string.digits,
    )
    for alphabet in alphabets:
        for length in RANDOM_LENGTHS:
            first = rng.choice(alphabet if alphabet == string.digits else string.ascii_lowercase)
            name = first + "".join(rng.choice(alphabet) for _ in range(length - 1))
            if handle_problem(site, name) is None:
                return name
    return None


def _judge_known(obs: SiteObservation) -> tuple[Rating, str | None]:
    if obs.status is ObservationStatus.PRESENT:
        return Rating.OK, None
    if obs.status is ObservationStatus.ABSENT:
        return (
            Rating.BROKEN,
            f"wrong verdict: known account {obs.handle!r} reads absent [{obs.signal}]",
        )
    why = f" ({obs.reason.text})" if obs.reason else ""
    return Rating.DEGRADED, f"known account {obs.handle!r} unverified: {obs.status.value}{why}"


def _judge_random(obs: SiteObservation) -> tuple[Rating, str | None]:
    if obs.status is ObservationStatus.ABSENT:
        return Rating.OK, None
    if obs.status is ObservationStatus.PRESENT:
        return Rating.BROKEN, (
            f"wrong verdict: random name {obs.handle!r} reads present [{obs.signal}]: "
            "the site answers present for any name"
        )
    why = f" ({obs.reason.text})" if obs.reason else ""
    return Rating.DEGRADED, (
        f"could not confirm a missing name reads absent: random name {obs.handle!r} "
        f"unverified: {obs.status.value}{why}"
    )


def _judge_site(known: SiteObservation, rand: SiteObservation | None) -> SiteCheck:
    """Ok when the known account reads present and the random name absent; a wrong verdict
    (known absent, random present) breaks the site; anything unverified degrades it."""
    judged = [_judge_known(known)]
    if rand is None:
        no_name = "could not confirm a missing name reads absent: no random name fits the site"
        judged.append((Rating.DEGRADED, no_name))
    else:
        judged.append(_judge_random(rand))
    # The worst first: the start of the reason stored with the degraded mark.
    judged.sort(key=lambda j: -j[0].rank)
    problem = "; ".join(p for _, p in judged if p) or None
    return SiteCheck(known.site, known, judged[0][0], problem, rand)


def check_sites(
    fetchers: FetcherFactory,
    sites: Sequence[Site],
    *,
    seed: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> list[SiteCheck]:
    """Probe each site's first known account and one random name that fits its rules
    (``seed`` seeds them); disabled sites are left out, degraded ones are probed, so a fixed
    site comes back. Same order as ``sites``."""
    chosen = [s for s in sites if s.disabled is None and s.known]
    rng = random.Random(seed)
    names = [random_handle(s, rng) for s in chosen]

    async def run() -> list[SiteCheck]:
        async def one(site: Site, name: str | None) -> SiteCheck:
            known = _site_answer(site, site.known[0], fetcher, clock)
            if name is None:
                return _judge_site(await known, None)
            seen, rand = await asyncio.gather(known, _site_answer(site, name, fetcher, clock))
            return _judge_site(seen, rand)

        # Two requests per site (known and random) on each site's host.
        async with fetchers(_accounts(["known", "random"], [], chosen)) as fetcher:
            return list(await asyncio.gather(*map(one, chosen, names)))

    return asyncio.run(run()) if chosen else []


def degraded_marks(checks: Sequence[SiteCheck]) -> Mapping[str, str | None]:
    """Site id → why it is degraded (unverified) or broken (a wrong verdict), or None when it
    rated ok."""
    return {c.site: c.problem for c in checks}
