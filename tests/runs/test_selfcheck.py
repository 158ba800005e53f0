"""scanner.runs.selfcheck over the fake fetcher: ratings from the answers, one fetcher per check."""

from __future__ import annotations

from scanner.fetch.fake import Answer, FakeFetcher, FakeRequest
from scanner.model import Platform
from scanner.runs.selfcheck import ABSENT_PROBES, Rating, check_platforms, unreachable
from tests.platforms.conftest import reply

USERS = "https://api.github.com/users/"


def github(present: bool) -> FakeFetcher:
    """GitHub that knows ``copperkettle`` (when ``present``) and nobody else."""

    def answer(request: FakeRequest) -> Answer:
        name = request.url.removeprefix(USERS)
        if present and name == "copperkettle":
            return reply("github_user.json")
        if present and name == "copperkettle/events/public":
            return reply("github_events.json")
        return reply("github_404.json", 404)

    return FakeFetcher(answer)


def test_right_verdicts_rate_ok_over_one_fetcher() -> None:
    fake = github(present=True)
    factory = fake.factory()
    present = {Platform.GITHUB: ["copperkettle"]}
    (check,) = check_platforms(factory, [Platform.GITHUB], present=present, seed=1)
    assert check.rating is Rating.OK, check.problems
    assert factory.opened == [{"github": 1 + ABSENT_PROBES}] and factory.closed == 1
    assert len(check.results) == 1 + ABSENT_PROBES


def test_a_known_account_seen_absent_breaks_the_spec() -> None:
    present = {Platform.GITHUB: ["copperkettle"]}
    (check,) = check_platforms(github(present=False).factory(), [Platform.GITHUB], present=present)
    assert check.rating is Rating.BROKEN
    assert any("wrong verdict: expected present" in p for p in check.problems)
    assert unreachable([check]) is None


def test_no_answer_at_all_is_unreachable_not_degraded() -> None:
    checks = check_platforms(FakeFetcher().factory(), [Platform.GITHUB, Platform.BLUESKY])
    assert all(c.rating is Rating.DEGRADED for c in checks)
    reason = unreachable(checks)
    assert reason is not None and reason.startswith("could not reach anything")
