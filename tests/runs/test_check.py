"""The check run: every place answers once per handle, each answer is handed on as it arrives,
and a handle a site cannot have is ``invalid`` with nothing sent."""

from __future__ import annotations

from typing import Any

from scanner.errors import Problem
from scanner.fetch.fake import FakeFetcher, Reply
from scanner.model import ObservationStatus as S
from scanner.platforms.sites import Site
from scanner.platforms.sites.sherlock import read_sherlock
from scanner.runs.check import AnswerKind, check_handles, check_sites, degraded_marks
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


def test_the_site_self_check_probes_a_random_name_that_fits_each_site() -> None:
    # Site 0 answers honestly, Site 3 present for any name, Site 6 rate-limits the random
    # name, and no lower-case random name fits Site 9's pattern.
    problems: list[Problem] = []
    data = {
        "Site 0": {**world.sherlock_site(0, BASE), "regexCheck": "^[a-z]+$"},
        "Site 3": world.sherlock_site(3, BASE),
        "Site 6": world.sherlock_site(6, BASE),
        "Site 9": {**world.sherlock_site(9, BASE), "regexCheck": "^(steamer|[A-Z]{2,})$"},
    }
    sites = read_sherlock("t.json", data, problems)
    assert not problems

    def reply(request: Any) -> Reply:
        where, _, name = request.url.removeprefix(BASE + "/").partition("/")
        if name == world.KNOWN or where == "s3":
            return Reply(200, "<h1>x</h1>")
        return Reply(429 if where == "s6" else 404, "<h1>x</h1>")

    fake = FakeFetcher(reply)
    checks = {c.site.removeprefix("sherlock:"): c for c in check_sites(fake.factory(), sites)}
    assert {n: c.rating.value for n, c in checks.items()} == {
        "Site 0": "ok",
        "Site 3": "broken",
        "Site 6": "degraded",
        "Site 9": "degraded",
    }
    assert len(fake.urls) == 7  # a known account per site, a random name for three of them
    ok = checks["Site 0"]
    assert ok.random is not None and ok.random.handle.isalpha() and ok.problem is None
    assert [p.expected for p in ok.probes] == [S.PRESENT, S.ABSENT]
    assert "the site answers present for any name" in str(checks["Site 3"].problem)
    assert str(checks["Site 6"].problem).startswith("could not confirm a missing name reads")
    assert "no random name fits" in str(checks["Site 9"].problem)
    assert degraded_marks(list(checks.values()))["sherlock:Site 0"] is None
