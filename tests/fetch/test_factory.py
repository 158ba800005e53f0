"""scanner.fetch.factory: the real fetchers a run receives, and the run deadline they carry."""

from __future__ import annotations

from scanner.fetch import FetchConfig, HostLimits, HttpFetcher, RunDeadline, Timeouts
from scanner.fetch.factory import HttpFetcherFactory, run_budget
from tests.fetch.conftest import FakeClock

LIMITS = {"github": HostLimits(2, 0.5)}


def test_a_configured_run_budget_starts_with_the_factory_and_covers_every_phase() -> None:
    clock = FakeClock()
    config = FetchConfig(tokens={}, timeouts=Timeouts(run=30))
    factory = HttpFetcherFactory(config, LIMITS, clock=clock)
    started = clock.monotonic()
    clock.mono += 10  # the first phase (observe) took 10 s
    assert factory.deadline_for({"github": 5}) == RunDeadline(started + 30, 30)
    assert factory.deadline_for({"github": 500}) == RunDeadline(started + 30, 30)


def test_without_a_run_budget_each_phase_gets_one_scaled_to_its_accounts() -> None:
    clock = FakeClock()
    config = FetchConfig(tokens={}, timeouts=Timeouts(account=60), max_rate_limit_wait=30)
    factory = HttpFetcherFactory(config, LIMITS, clock=clock)
    clock.mono += 10
    small = factory.deadline_for({"github": 1})
    assert small == RunDeadline(clock.monotonic() + 2 * 1.0 + 60 + 30, 2 * 1.0 + 60 + 30)
    large = factory.deadline_for({"github": 10})
    assert large.seconds == run_budget({"github": 10}, config, LIMITS) == 2 * 10.0 + 60 + 30


def test_each_call_opens_a_new_http_fetcher() -> None:
    factory = HttpFetcherFactory(FetchConfig(tokens={}), LIMITS)
    first, second = factory({"github": 1}), factory({"github": 1})
    assert isinstance(first, HttpFetcher) and isinstance(second, HttpFetcher)
    assert first is not second
    assert first.limits_for("github") == HostLimits(2, 0.5)
