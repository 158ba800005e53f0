"""A present profile whose activity cannot be read is unknown, never inactive: over real sockets,
every platform's activity request faults or dates its items unusably, and ACT-001/ACT-002 end
``error`` with the reason while the profile stays present and nothing fails.

GitHub, Mastodon, Bluesky, Reddit and YouTube read activity with a follow-up request; Medium and
Tumblr read it from the feed that is their profile request, so there a fault leaves the whole
observation unverified (still ``error``, never ``fail``) and unusable dates leave it present.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from scanner.cli.exitcodes import ExitCode
from scanner.cli.main import run
from scanner.model import (
    Account,
    FindingStatus,
    Inventory,
    Observation,
    ObservationStatus,
    Platform,
)
from scanner.platforms import adapter_for, all_capabilities
from scanner.policy import Policy, default_pack_path, evaluate, load_policy
from tests.platforms.conftest import fixture, fixture_json, run_with_fetcher
from tests.policy.helpers import AS_OF, account, organization, person, roster

# ------------------------------------------------------------------ a small hostile server


@dataclass(frozen=True)
class Answer:
    """One canned HTTP answer; ``reset`` drops the connection instead (RST, no response)."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    reset: bool = False


class Server:
    """Answers GETs by path+query from ``routes``; anything else is a plain 599."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                answer = routes.get(self.path, Answer(599, b"no route"))
                if answer.reset:
                    # SO_LINGER 0: close() sends RST, the client sees "connection reset".
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.close_connection = True
                    self.connection.close()
                    return
                self.send_response(answer.status)
                for key, value in answer.headers:
                    self.send_header(key, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def finish(self) -> None:
                with contextlib.suppress(OSError):  # the reset answer closed the socket
                    super().finish()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Quiet(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a deliberately reset connection is not a server error

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def endpoints(self) -> dict[str, str]:
        return {p.value: f"{self.base_url}/{p.value}" for p in Platform}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(default_pack_path())


def json_answer(data: object) -> Answer:
    return Answer(200, json.dumps(data).encode(), (("content-type", "application/json"),))


def xml_answer(text: str) -> Answer:
    return Answer(200, text.encode(), (("content-type", "text/xml; charset=UTF-8"),))


# ------------------------------------------------------------------ the platforms


@dataclass(frozen=True)
class Case:
    """One platform: handle, its profile route and answer, and its activity route with a
    builder of an activity answer whose single item carries the given date."""

    platform: Platform
    handle: str
    profile_path: str
    profile: Answer
    activity_path: str
    dated: Callable[[object], Answer]
    follow_up: bool = True
    """False when the feed is the profile request (Medium, Tumblr)."""


def _mastodon_profile() -> Answer:
    # No last_status_at (servers before 3.1 send none): only the statuses can date activity.
    data = fixture_json("mastodon_account.json")
    data["last_status_at"] = None
    return json_answer(data)


def _rss(pub_date: object, *, channel: bool = True) -> Answer:
    date = "" if pub_date is None else f"<pubDate>{pub_date}</pubDate>"
    item = f"<item><title>Why we roast light</title>{date}</item>"
    inner = (
        "<channel><title>Stories by Copper Kettle on Medium</title>"
        "<description>Small-batch coffee. https://copperkettle.coffee</description>"
        f"{item}</channel>"
        if channel
        else item
    )
    return xml_answer(f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">{inner}</rss>')


def _youtube_feed(published: object) -> Answer:
    date = "" if published is None else f"<published>{published}</published>"
    return xml_answer(
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Copper Kettle Coffee</title><published>2016-02-01T12:00:00+00:00</published>"
        f"<entry><title>Cupping the new harvest</title>{date}</entry></feed>"
    )


_BSKY = "actor=copperkettle.bsky.social"
CASES: dict[Platform, Case] = {
    Platform.GITHUB: Case(
        Platform.GITHUB,
        "copperkettle",
        "/users/copperkettle",
        json_answer(fixture_json("github_user.json")),
        "/users/copperkettle/events/public",
        lambda d: json_answer([{"type": "PushEvent", "created_at": d}]),
    ),
    Platform.MASTODON: Case(
        Platform.MASTODON,
        "copperkettle@mastodon.social",
        "/api/v1/accounts/lookup?acct=copperkettle",
        _mastodon_profile(),
        "/api/v1/accounts/109300000000000001/statuses?limit=5&exclude_replies=true",
        lambda d: json_answer([{"id": "1", "created_at": d}]),
    ),
    Platform.BLUESKY: Case(
        Platform.BLUESKY,
        "copperkettle.bsky.social",
        f"/xrpc/app.bsky.actor.getProfile?{_BSKY}",
        json_answer(fixture_json("bluesky_profile.json")),
        f"/xrpc/app.bsky.feed.getAuthorFeed?{_BSKY}&limit=10",
        lambda d: json_answer({"feed": [{"post": {"record": {"createdAt": d}, "indexedAt": d}}]}),
    ),
    Platform.REDDIT: Case(
        Platform.REDDIT,
        "u/copperkettle",
        "/user/copperkettle/about.json",
        json_answer(fixture_json("reddit_user_about.json")),
        "/user/copperkettle/submitted.json?sort=new",
        lambda d: json_answer(
            {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"created_utc": d}}]}}
        ),
    ),
    Platform.YOUTUBE: Case(
        Platform.YOUTUBE,
        "@copperkettle",
        "/@copperkettle",
        Answer(200, fixture("youtube_channel.html"), (("content-type", "text/html"),)),
        "/feeds/videos.xml?channel_id=UCcopperKettle0000000001",
        _youtube_feed,
    ),
    Platform.MEDIUM: Case(
        Platform.MEDIUM,
        "@copperkettle",
        "/feed/@copperkettle",
        _rss("Mon, 03 Nov 2026 10:27:40 GMT"),
        "/feed/@copperkettle",
        _rss,
        follow_up=False,
    ),
    Platform.TUMBLR: Case(
        Platform.TUMBLR,
        "copperkettle",
        "/rss",
        _rss("Sun, 26 Oct 2026 12:06:08 -0500"),
        "/rss",
        _rss,
        follow_up=False,
    ),
}

# ------------------------------------------------------------------ faults and bad dates

_HTML = (("content-type", "text/html; charset=utf-8"),)
# 16 MiB of zeros gzip to ~16 KB: far past the body cap and the decompression-ratio guard.
_BOMB = gzip.compress(b"\0" * (16 << 20), compresslevel=9)

FAULTS: dict[str, Answer] = {
    "http_500": Answer(500, b"Internal Server Error", (("content-type", "text/plain"),)),
    "http_503": Answer(503, b"Service Unavailable", (("content-type", "text/plain"),)),
    "http_429": Answer(
        429, b"slow down", (("content-type", "text/plain"), ("retry-after", "3600"))
    ),
    "waf_page": Answer(
        403,
        b"<html><head><title>Just a moment...</title></head><body>Checking your browser"
        b" before accessing. Ray ID: 8f00</body></html>",
        (*_HTML, ("server", "cloudflare"), ("cf-mitigated", "challenge")),
    ),
    "login_wall": Answer(
        200,
        b"<html><head><title>Log in</title></head><body><form action='/login'>"
        b"<input type='password' name='password'></form></body></html>",
        _HTML,
    ),
    "connection_reset": Answer(reset=True),
    "decompression_bomb": Answer(
        200, _BOMB, (("content-type", "application/json"), ("content-encoding", "gzip"))
    ),
    "bad_utf8": Answer(
        200,
        b'[{"created_at": "2026-11-01T09:00:00Z", "text": "caf\xe9 \xff\xfe"}]',
        (("content-type", "application/json; charset=utf-8"),),
    ),
}
# The feed platforms get the same bad UTF-8 as XML.
_BAD_UTF8_XML = Answer(
    200,
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>caf\xe9'
    b" \xff</title></channel></rss>",
    (("content-type", "text/xml; charset=UTF-8"),),
)

BAD_DATES: dict[str, object] = {
    "null": None,
    "unparseable": "someday soon",
    "year_0001": "0001-01-01T00:00:00Z",
    "year_9999": "9999-12-31T00:00:00Z",
}
# Reddit dates are epoch seconds; RSS dates are RFC 822 (where email.utils reads "0001" and "1"
# as 2001).
_REDDIT_DATES: dict[str, object] = {
    "null": None,
    "unparseable": "someday soon",
    "year_0001": -62135596800.0,
    "year_9999": 253402214400.0,
}
_RSS_DATES: dict[str, object] = {
    "null": None,
    "unparseable": "someday soon",
    "year_0001": "Mon, 01 Jan 0001 10:00:00 GMT",
    "year_1": "Mon, 01 Jan 1 10:00:00 GMT",
    "year_9999": "Fri, 31 Dec 9999 10:00:00 GMT",
}


def _bad_dates(case: Case) -> dict[str, Answer]:
    if case.platform is Platform.REDDIT:
        return {k: case.dated(v) for k, v in _REDDIT_DATES.items()}
    if not case.follow_up:
        answers = {k: case.dated(v) for k, v in _RSS_DATES.items()}
        answers["no_channel"] = _rss("Mon, 03 Nov 2026 10:27:40 GMT", channel=False)
        return answers
    return {k: case.dated(v) for k, v in BAD_DATES.items()}


def _fault(case: Case, name: str) -> Answer:
    xml = not case.follow_up or case.platform is Platform.YOUTUBE
    return _BAD_UTF8_XML if name == "bad_utf8" and xml else FAULTS[name]


FAULT_CASES = [pytest.param(p, f, id=f"{p.value}-{f}") for p in CASES for f in FAULTS]
DATE_CASES = [
    pytest.param(p, name, id=f"{p.value}-{name}") for p in CASES for name in _bad_dates(CASES[p])
]

# ------------------------------------------------------------------ observing and judging

_ROSTER = roster(
    [
        person("ana@copperkettle.coffee", policy_acknowledged=AS_OF.replace(month=6)),
        person("ben@copperkettle.coffee"),
        person("cara@copperkettle.coffee"),
    ]
)
_ORG = organization(
    {"name": "Copper Kettle", "domains": ["copperkettle.coffee", "copperkettlecoffee.com"]}
)


def _account(case: Case) -> Account:
    """An inventory entry that is compliant on every rule that does not read activity."""
    return account(
        {
            "id": f"acct-{case.platform.value}",
            "platform": case.platform.value,
            "handle": case.handle,
            "department": "Marketing",
            "owner": "ana@copperkettle.coffee",
            "backup_owner": "ben@copperkettle.coffee",
            "executive_sponsor": "cara@copperkettle.coffee",
            "objective": "Grow coffee subscriptions",
            "metrics": ["subscription_signups", "website_clicks", "engagement_rate"],
            "last_attested": AS_OF.replace(month=9),
            "security": {
                "mfa": True,
                "credentials": "vault",
                "recovery_email": "social@copperkettle.coffee",
            },
        }
    )


def observe(server: Server, case: Case, activity: Answer) -> Observation:
    server.routes.clear()
    prefix = f"/{case.platform.value}"
    server.routes[prefix + case.profile_path] = case.profile
    server.routes[prefix + case.activity_path] = activity
    adapter = adapter_for(case.platform)
    return run_with_fetcher(server.endpoints(), lambda f: adapter.observe(case.handle, f))


def judge(policy: Policy, case: Case, obs: Observation) -> tuple[dict[str, Any], set[str]]:
    """(findings by rule id, rule ids passed) for the one account."""
    acct = _account(case)
    inventory = Inventory("inventory.yaml", "0" * 64, _ORG, (acct,), _ROSTER)
    result = evaluate(
        inventory, {acct.id: obs}, policy, None, as_of=AS_OF, capabilities=all_capabilities()
    )
    findings = {f.rule_id: f for f in result.findings}
    assert len(findings) == len(result.findings), "one finding per rule"
    return findings, {rule for rule, _ in result.passed}


def assert_unknown_activity(policy: Policy, case: Case, obs: Observation) -> None:
    findings, passed = judge(policy, case, obs)
    assert obs.reason is not None, obs
    assert not [f for f in findings.values() if f.status is FindingStatus.FAIL], findings
    for rule in ("ACT-001", "ACT-002"):
        assert rule not in passed
        finding = findings[rule]
        assert finding.status is FindingStatus.ERROR, finding
        assert obs.reason.text in finding.message, (finding.message, obs.reason)


# ------------------------------------------------------------------ the tests


def test_control_readable_activity_passes(server: Server, policy: Policy) -> None:
    """The same profiles with one recent, well-dated item: ACT-001/ACT-002 pass, nothing fails
    (so every error below is the fault's doing)."""
    when = datetime(2026, 11, 3, 10, 27, 40, tzinfo=UTC)
    for case in CASES.values():
        recent: object = when.isoformat()
        if case.platform is Platform.REDDIT:
            recent = when.timestamp()
        elif not case.follow_up:
            recent = format_datetime(when, usegmt=True)
        obs = observe(server, case, case.dated(recent))
        assert obs.status is ObservationStatus.PRESENT and obs.reason is None, obs
        assert obs.last_activity_at is not None, obs
        findings, passed = judge(policy, case, obs)
        assert not findings, (case.platform, findings)
        assert {"ACT-001", "ACT-002"} <= passed, case.platform


@pytest.mark.parametrize(("platform", "fault"), FAULT_CASES)
def test_activity_request_fault_is_unknown_not_inactive(
    server: Server, policy: Policy, platform: Platform, fault: str
) -> None:
    case = CASES[platform]
    obs = observe(server, case, _fault(case, fault))
    if case.follow_up:
        assert obs.status is ObservationStatus.PRESENT, obs
        assert obs.reason is not None and obs.reason.code == "activity_unavailable", obs.reason
        assert obs.display_name  # the profile's own facts are kept
    else:
        # The feed is the profile: a fault there is an unverified observation, never absent.
        assert obs.status in (ObservationStatus.BLOCKED, ObservationStatus.ERROR), obs
    assert obs.last_activity_at is None and obs.no_activity_since is None
    assert_unknown_activity(policy, case, obs)


@pytest.mark.parametrize(("platform", "bad"), DATE_CASES)
def test_unusable_activity_dates_are_unknown_not_inactive(
    server: Server, policy: Policy, platform: Platform, bad: str
) -> None:
    case = CASES[platform]
    answer = _bad_dates(case)[bad]
    obs = observe(server, case, answer)
    assert obs.status is ObservationStatus.PRESENT, obs
    assert obs.reason is not None, obs
    expected = "profile_unreadable" if bad == "no_channel" else "activity_unavailable"
    assert obs.reason.code == expected, obs.reason
    assert obs.last_activity_at is None and obs.no_activity_since is None
    # Never read as 2001 or as recent: the reason names the impossible date, or calls it
    # unreadable (a negative epoch, a one-digit year).
    if bad == "year_9999":
        assert "9999-12-31 lies in the future of the fetch time" in obs.reason.text
    elif bad.startswith("year_"):
        assert "2001" not in obs.reason.text
        assert "before" in obs.reason.text or "no readable date" in obs.reason.text
    assert_unknown_activity(policy, case, obs)


def test_mastodon_profile_last_status_in_year_9999_is_unusable(
    server: Server, policy: Policy
) -> None:
    case = CASES[Platform.MASTODON]
    data = fixture_json("mastodon_account.json")
    data["last_status_at"] = "9999-12-31"
    profile = json_answer(data)
    statuses = case.dated("2026-11-03T10:27:40Z")
    obs = observe(server, dataclasses.replace(case, profile=profile), statuses)
    assert obs.status is ObservationStatus.PRESENT
    assert obs.last_activity_at is None
    assert obs.reason is not None and "9999-12-31 lies in the future" in obs.reason.text
    assert_unknown_activity(policy, case, obs)


def test_creation_date_outside_the_window_is_dropped_with_a_reason(server: Server) -> None:
    case = CASES[Platform.GITHUB]
    data = fixture_json("github_user.json")
    data["created_at"] = "1999-01-01T00:00:00Z"  # before GitHub existed
    obs = observe(
        server,
        dataclasses.replace(case, profile=json_answer(data)),
        case.dated("2026-11-03T10:27:40Z"),
    )
    assert obs.status is ObservationStatus.PRESENT
    assert obs.created_at is None and obs.last_activity_at is not None
    assert obs.reason is not None and obs.reason.code == "date_unusable"
    assert "creation date 1999-01-01 is before GitHub existed (2007-10-20)" in obs.reason.text


INVENTORY = """\
organization:
  name: Copper Kettle
  domains: [copperkettle.coffee]
  roster: roster.csv
accounts:
  - id: gh-main
    platform: github
    handle: copperkettle
    display_name: Copper Kettle
    status: active
    department: Marketing
    owner: ana@copperkettle.coffee
    backup_owner: ben@copperkettle.coffee
    executive_sponsor: cara@copperkettle.coffee
    objective: Grow coffee subscriptions
    metrics: [subscription_signups, website_clicks, engagement_rate]
    last_attested: 2026-10-01
    security: {mfa: true, credentials: vault, recovery_email: social@copperkettle.coffee}
"""
ROSTER = """\
email,name,department,role,status,start_date,end_date,policy_acknowledged
ana@copperkettle.coffee,Ana,Marketing,employee,active,2020-01-01,,2026-06-01
ben@copperkettle.coffee,Ben,Marketing,employee,active,2020-01-01,,2026-06-01
cara@copperkettle.coffee,Cara,Marketing,employee,active,2020-01-01,,2026-06-01
"""


@pytest.mark.parametrize(("limit", "code"), [("0.5", ExitCode.INCOMPLETE), ("1", ExitCode.CLEAN)])
def test_unread_activity_counts_toward_max_unverified(
    server: Server,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    limit: str,
    code: ExitCode,
) -> None:
    """One account whose events answer a WAF page: present, but unverified (1 of 1 > 0.5)."""
    case = CASES[Platform.GITHUB]
    server.routes.clear()
    server.routes["/github" + case.profile_path] = case.profile
    server.routes["/github" + case.activity_path] = FAULTS["waf_page"]
    (tmp_path / "inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    args = ["audit", str(tmp_path / "inventory.yaml"), "--no-history", "--as-of", "2026-11-15"]
    args += ["--endpoint", f"github={server.base_url}/github", "--max-unverified", limit]
    assert run([*args, "--format", "json"]) == code
    doc = json.loads(capsys.readouterr().out)
    assert doc["run"]["complete"] is (code is ExitCode.CLEAN)
    statuses = {f["rule_id"]: f["status"] for f in doc["findings"]}
    assert statuses == {"ACT-001": "error", "ACT-002": "error"}
    assert run([*args, "--format", "table"]) == code
    assert "1 account unverified" in capsys.readouterr().out
