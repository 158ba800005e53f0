"""The real :class:`~scanner.fetch.interface.FetcherFactory`: one :class:`HttpFetcher` per phase
of a run, over one FetchConfig and the specs' politeness, each ending by the run's deadline.
"""

from __future__ import annotations

from collections.abc import Mapping

from scanner.fetch.client import HttpFetcher
from scanner.fetch.config import FetchConfig, HostLimits, effective_limits
from scanner.fetch.deadline import RunDeadline
from scanner.fetch.politeness import Clock, SystemClock

__all__ = ["REQUESTS_PER_ACCOUNT", "SECONDS_PER_REQUEST", "HttpFetcherFactory", "run_budget"]

REQUESTS_PER_ACCOUNT = 2
"""A profile request and at most one activity request (``PlatformAdapter.follow``)."""

SECONDS_PER_REQUEST = 1.0
"""A generous answer time for one public profile request, for the scaled run budget."""


def run_budget(
    accounts: Mapping[str, int], config: FetchConfig, limits: Mapping[str, HostLimits]
) -> float:
    """Seconds a phase observing ``accounts`` (how many per platform) may take:
    ``config.timeouts.run`` when set, else scaled to the accounts.

    Scaled: twice what the busiest platform needs at its politeness limits (two requests per
    account, each taking :data:`SECONDS_PER_REQUEST` or the platform's ``min_interval``,
    whichever paces it more), plus one account budget and one ``max_wait``. A healthy run stays
    well inside it; a host that trickles every answer is cut off instead of holding the report
    for hours (1,000 accounts × 60 s on two connections).
    """
    if config.timeouts.run is not None:
        return config.timeouts.run
    busiest = 0.0
    for platform, count in accounts.items():
        lim = effective_limits(platform, limits, config)
        pace = max(lim.min_interval, SECONDS_PER_REQUEST / lim.concurrency)
        busiest = max(busiest, count * REQUESTS_PER_ACCOUNT * pace)
    return 2 * busiest + config.timeouts.account + config.max_rate_limit_wait


class HttpFetcherFactory:
    """Opens an :class:`HttpFetcher` per phase. ``host_limits`` are the specs' politeness per
    platform name (the config file's win over them, see :func:`effective_limits`).

    A configured run budget (``config.timeouts.run``) starts when the factory is made, i.e. when
    the command starts, and covers every phase it opens (an audit's observe and discover alike);
    without one, each phase gets :func:`run_budget` from when it opens.
    """

    def __init__(
        self,
        config: FetchConfig,
        host_limits: Mapping[str, HostLimits],
        *,
        clock: Clock | None = None,
    ) -> None:
        self.config = config
        self._limits = dict(host_limits)
        self._clock: Clock = clock if clock is not None else SystemClock()
        run = config.timeouts.run
        self._deadline = None if run is None else RunDeadline.start(run, self._clock.monotonic())

    def deadline_for(self, accounts: Mapping[str, int]) -> RunDeadline:
        """The deadline of a phase observing ``accounts`` that opens now."""
        if self._deadline is not None:
            return self._deadline
        budget = run_budget(accounts, self.config, self._limits)
        return RunDeadline.start(budget, self._clock.monotonic())

    def __call__(self, accounts: Mapping[str, int]) -> HttpFetcher:
        return HttpFetcher(
            self.config,
            self._limits,
            clock=self._clock,
            run_deadline=self.deadline_for(accounts),
        )
