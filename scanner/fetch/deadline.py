"""Time budgets beyond one attempt: what one account's requests may spend, and when the run ends.

Both are measured on the fetcher's monotonic :class:`~scanner.fetch.politeness.Clock`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AccountBudget", "RunDeadline"]


class AccountBudget:
    """Seconds one account's requests may still spend holding a connection or backing off.

    Shared by every request made for the account (profile, activity, retries, redirects), and
    therefore mutable: each attempt and each backoff spends from it. Waiting for a turn behind
    other accounts is not spent: with a hundred accounts queued on one host, the last one must
    not time out before it was ever sent.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0

    @property
    def remaining(self) -> float:
        return max(0.0, self.seconds - self.spent)

    @property
    def exhausted(self) -> bool:
        return self.remaining <= 0

    def spend(self, seconds: float) -> None:
        self.spent += max(0.0, seconds)

    def __repr__(self) -> str:
        return f"AccountBudget({self.spent:.3f}/{self.seconds:g} s)"


@dataclass(frozen=True)
class RunDeadline:
    """The monotonic time the run must end by; ``seconds`` is the budget it was started with
    (for messages)."""

    at: float
    seconds: float

    @classmethod
    def start(cls, seconds: float, now: float) -> RunDeadline:
        return cls(at=now + seconds, seconds=seconds)

    def remaining(self, now: float) -> float:
        return max(0.0, self.at - now)
