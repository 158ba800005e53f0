"""What one site's answer means: only a positively matched missing signal reads absent; WAF
pages, login walls, changed pages, redirects elsewhere and 5xx stay unverified."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from scanner.errors import Problem
from scanner.fetch.fake import FakeFetcher, Reply
from scanner.fetch.interface import Fetched
from scanner.model import ObservationStatus as S
from scanner.platforms.sites import Site, handle_problem, judge, probe_site
from scanner.platforms.sites.sherlock import read_sherlock
from scanner.platforms.sites.wmn import read_wmn
from scanner.sandbox.blocks import waf_page
from scanner.sandbox.faults import WafVendor
from tests.platforms.sites import world

BASE = "https://sites.example.test"


def wmn(i: int, **changes: Any) -> Site:
    problems: list[Problem] = []
    (site,) = read_wmn("t.json", {"sites": [{**world.wmn_site(i, BASE), **changes}]}, problems)
    assert not problems
    return site


def sherlock(i: int, **changes: Any) -> Site:
    problems: list[Problem] = []
    data = {f"Site {i}": {**world.sherlock_site(i, BASE), **changes}}
    (site,) = read_sherlock("t.json", data, problems)
    assert not problems
    return site


def fetched(
    status: int,
    body: str,
    *,
    path: str = "/w1/alice",
    final: str | None = None,
    headers: dict[str, str] | None = None,
    content_type: str = "text/html; charset=utf-8",
) -> Fetched:
    url = BASE + path
    return Fetched(
        url=url,
        final_url=BASE + final if final else url,
        status=status,
        headers={"content-type": content_type, **(headers or {})},
        body=body.encode(),
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        redirects=(url,) if final else (),
    )


LOGIN_BODY = world.LOGIN.body


@pytest.mark.parametrize(
    ("site", "answer", "state"),
    [
        # WhatsMyName site 1: e 200 + profile-1, m 404 + "User not found".
        (wmn(1), fetched(200, '<div class="profile-1">a</div>'), S.PRESENT),
        (wmn(1), fetched(404, "<h1>User not found</h1>"), S.ABSENT),
        (wmn(1), fetched(404, "<h1>nginx</h1>"), S.ERROR),  # a 404 without the marker
        (
            wmn(1),
            fetched(200, "<p>redesigned page</p>"),
            S.ERROR,
        ),  # a changed page: unreadable, as on a platform
        (wmn(1), fetched(200, LOGIN_BODY), S.BLOCKED),
        (wmn(1), fetched(200, LOGIN_BODY, final="/login"), S.BLOCKED),
        (wmn(1), fetched(503, "User not found"), S.ERROR),
        (wmn(1), fetched(429, "User not found"), S.BLOCKED),
        (wmn(1), fetched(403, "User not found", headers={"x-ratelimit-remaining": "0"}), S.BLOCKED),
        # Both signals in one answer: neither verdict holds.
        (wmn(1, m_code=200), fetched(200, '<div class="profile-1">User not found'), S.ERROR),
        # Sherlock status_code (site 0): 404 with no redirect is absent, through one is not.
        (sherlock(0), fetched(200, "<h1>alice</h1>"), S.PRESENT),
        (sherlock(0), fetched(404, "<h1>404</h1>"), S.ABSENT),
        (sherlock(0), fetched(404, "<h1>404</h1>", final="/elsewhere"), S.ERROR),
        (sherlock(0), fetched(200, "<h1>home</h1>", final="/"), S.ERROR),
        (sherlock(0), fetched(200, LOGIN_BODY), S.BLOCKED),  # no marker: a login page is no profile
        (sherlock(0), fetched(403, "<h1>Forbidden</h1>"), S.BLOCKED),
        # Sherlock message (site 1).
        (sherlock(1), fetched(200, "<p>Nobody here by that name</p>"), S.ABSENT),
        (sherlock(1), fetched(200, "<h1>alice</h1>"), S.PRESENT),
        # Sherlock response_url (site 2): only a redirect to errorUrl is absent.
        (sherlock(2), fetched(200, "gone", path="/s2/bob", final="/s2/gone"), S.ABSENT),
        (sherlock(2), fetched(200, LOGIN_BODY, path="/s2/bob", final="/login"), S.BLOCKED),
        (sherlock(2), fetched(200, "<h1>bob</h1>", path="/s2/bob"), S.PRESENT),
    ],
)
def test_only_the_sites_own_signals_decide(site: Site, answer: Fetched, state: S) -> None:
    assert judge(site, answer).status is state


@pytest.mark.parametrize("vendor", list(WafVendor))
@pytest.mark.parametrize("site", [wmn(1), wmn(2), sherlock(0), sherlock(1), sherlock(2)])
def test_a_waf_page_is_blocked_even_when_it_carries_the_missing_text(
    vendor: WafVendor, site: Site
) -> None:
    page = waf_page(vendor, "seed")
    body = page.body.decode() + 'User not found Nobody here by that name <p class="missing">'
    headers = {k.lower(): v for k, v in page.headers}
    answer = fetched(page.status, body, headers=headers, content_type=headers["content-type"])
    verdict = judge(site, answer)
    assert verdict.status is S.BLOCKED and verdict.signal.startswith("fingerprint:"), verdict


def test_a_json_profile_quoting_a_waf_marker_is_still_present() -> None:
    site = wmn(3, e_string='"id":', m_string='"error":')
    body = json.dumps({"id": 1, "bio": "Incapsula incident ID"})
    answer = fetched(200, body, content_type="application/json")
    assert judge(site, answer).status is S.PRESENT


def test_handles_the_site_cannot_have_send_nothing() -> None:
    strict = sherlock(0, regexCheck="^[a-z]{2,8}$")
    assert handle_problem(strict, "alice") is None
    assert "pattern" in (handle_problem(strict, "Alice_99") or "")
    assert handle_problem(wmn(1), "two words") is not None
    assert handle_problem(wmn(1, strip_bad_char="."), "a.b") is None


def test_a_post_site_sends_the_handle_json_escaped_in_its_body() -> None:
    site = sherlock(0, request_method="POST", request_payload={"q": "{}"})
    fake = FakeFetcher(lambda req: Reply(404, "<h1>404</h1>", {"content-type": "text/html"}))
    obs = asyncio.run(probe_site(site, 'al"ice', fake))
    (request,) = fake.requests
    assert request.method == "POST" and json.loads(request.body) == {"q": 'al"ice'}
    assert request.headers["Content-Type"] == "application/json"
    assert obs.status is S.ABSENT and obs.url == f"{BASE}/s0/al%22ice"


def test_the_evidence_names_both_urls_and_the_signal() -> None:
    site = wmn(1, uri_pretty=f"{BASE}/people/{{account}}")
    fake = FakeFetcher({f"{BASE}/w1/alice": Reply(404, "User not found")})
    obs = asyncio.run(probe_site(site, "alice", fake))
    assert (obs.url, obs.probe_url) == (f"{BASE}/people/alice", f"{BASE}/w1/alice")
    assert obs.status is S.ABSENT and obs.http_status == 404
    assert obs.signal == "status:404+body:User not found" and obs.site == "whatsmyname:Site 1"
