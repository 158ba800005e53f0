"""The check run: every place answers once per handle, each answer is handed on as it arrives,
and a handle a site cannot have is ``invalid`` with nothing sent."""

from __future__ import annotations

from typing import Any

from scanner.errors import Problem
from scanner.fetch.fake import FakeFetcher, Reply
from scanner.model import ObservationStatus as S
from scanner.platforms.sites import Site
from scanner.platforms.sites.sherlock import read_sherlock
from scanner.runs.check import AnswerKind, check_handles
from tests.platforms.sites import world

BASE = "https://sites.example.test"


def _sites(count: int, **changes: Any) -> tuple[Site, ...]:
    problems: list[Problem] = []
    data = {f"Site {i}": {**world.sherlock_site(i, BASE), **changes} for i in range(count)}
    sites = read_sherlock("t.json", data, problems)
    assert not problems
    return tuple(sites)


def test_each_answer_is_handed_on_once_as_it_arrives() -> None:
    sites = _sites(6, regexCheck="^[a-z]+$")

    def reply(request: Any) -> Reply:
        path = request.url.removeprefix(BASE)
        return Reply(200 if path.endswith("/" + world.KNOWN) else 404, "<h1>x</h1>")

    fake = FakeFetcher(reply)
    heard: list[Any] = []
    answers = check_handles(
        [world.KNOWN, "Bad_Name"], fake.factory(), sites=sites, on_answer=heard.append
    )
    assert heard == answers and len(answers) == 12
    assert all(a.kind is AnswerKind.SITE for a in answers)
    bad = [a for a in answers if a.handle == "Bad_Name"]
    assert {a.status for a in bad} == {S.INVALID}
    assert not [u for u in fake.urls if "Bad_Name" in u]  # nothing sent for an invalid handle
    known = {a.where: a.status for a in answers if a.handle == world.KNOWN}
    assert known == {s.id: S.PRESENT for s in sites}
