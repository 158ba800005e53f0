"""The shared classification pipeline, markers and date parsing, on hand-made responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scanner.fetch.interface import Fetched, FetchFailed
from scanner.model import AccountState, ObservationStatus, Platform, Reason
from scanner.platforms import spec_for
from scanner.platforms.base import clean_links, parse_count
from scanner.platforms.classify import GLOBAL_FINGERPRINTS, classify
from scanner.platforms.dates import parse_datetime
from scanner.platforms.htmlpage import html_to_text, parse_html
from scanner.platforms.interface import MarkerOp
from scanner.platforms.markers import MARKER_KINDS, Response, parse_marker

NOW = datetime(2026, 11, 15, tzinfo=UTC)
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


def fetched(status: int, body: str | bytes, ctype: str = JSON, **headers: str) -> Fetched:
    data = body.encode() if isinstance(body, str) else body
    hdrs = {"content-type": ctype, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return Fetched("https://x.test/u", "https://x.test/u", status, hdrs, data, NOW)


def verdict(platform: Platform, outcome: Fetched | FetchFailed, probe: str = "profile"):  # type: ignore[no-untyped-def]
    spec = spec_for(platform)
    return classify(spec, spec.probes[probe], outcome)


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-08-01", datetime(2026, 8, 1, tzinfo=UTC)),
        ("2026-08-01T13:52:55.413Z", datetime(2026, 8, 1, 13, 52, 55, 413000, tzinfo=UTC)),
        ("2025-05-03T14:06:22.189401Z", datetime(2025, 5, 3, 14, 6, 22, 189401, tzinfo=UTC)),
        ("2019-07-15T18:29:57.191+00:00", datetime(2019, 7, 15, 18, 29, 57, 191000, tzinfo=UTC)),
        ("2023-12-11T15:38:12+01:00", datetime(2023, 12, 11, 14, 38, 12, tzinfo=UTC)),
        ("2026-11-01T09:00:00.123456789Z", datetime(2026, 11, 1, 9, 0, 0, 123456, tzinfo=UTC)),
        ("Sun, 10 Dec 2023 12:06:08 -0500", datetime(2023, 12, 10, 17, 6, 8, tzinfo=UTC)),
        ("Fri, 24 Nov 2023 18:27:40 GMT", datetime(2023, 11, 24, 18, 27, 40, tzinfo=UTC)),
        (1552433444.0, datetime(2019, 3, 12, 23, 30, 44, tzinfo=UTC)),
        (1578872963, datetime(2020, 1, 12, 23, 49, 23, tzinfo=UTC)),
        ("2015-03-01T10:00:00", datetime(2015, 3, 1, 10, tzinfo=UTC)),
    ],
)
def test_dates_are_parsed_to_aware_utc(raw: object, expected: datetime) -> None:
    got = parse_datetime(raw)
    assert got == expected
    assert got is not None and got.tzinfo is UTC


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "yesterday",
        True,
        float("nan"),
        1e20,
        -5,
        [],
        "2026-13-45",
        # Calendar edges that overflow when moved to UTC (a hostile body, not a crash).
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+05:00",
        "Fri, 31 Dec 9999 23:59:59 -0500",
    ],
)
def test_unreadable_dates_are_none(raw: object) -> None:
    assert parse_datetime(raw) is None


def test_timezone_conversion_keeps_the_instant() -> None:
    est = timezone(timedelta(hours=-5))
    assert parse_datetime(datetime(2026, 1, 1, tzinfo=est).isoformat()) == datetime(
        2026, 1, 1, 5, tzinfo=UTC
    )


# ------------------------------------------------------------------ markers


def test_marker_syntax_and_errors() -> None:
    m = parse_marker("meta:og:type=profile")
    assert (m.kind, m.key, m.op, m.value) == ("meta", "og:type", MarkerOp.EQUALS, "profile")
    assert parse_marker("title~^Login").op is MarkerOp.MATCHES
    assert parse_marker("body:a=b~c").key == "a=b~c"
    assert parse_marker("!json:x").negate
    for bad in ["", "nokind", "jsn:x", "json:", "title:x", "body:", "json:x~(", "!!json:x"]:
        with pytest.raises(ValueError, match="expected|unknown|bad"):
            parse_marker(bad)


PAGE = """<html><head><title>A &amp; B</title>
<meta property="og:type" content="profile"><link rel="canonical" href="https://c.test/x">
<script type="application/ld+json">{"@type":"ProfilePage","mainEntity":{"name":"N"}}</script>
</head><body><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">
{"__DEFAULT_SCOPE__":{"webapp.user-detail":{"statusCode":0}}}</script></body></html>"""

MARKER_CASES = {
    "json": (fetched(200, '{"a":{"b":[1,true]}}'), "json:a.b.1=true", "json:a.c"),
    "xml": (fetched(200, "<rss><channel/></rss>", "text/xml"), "xml:rss", "xml:feed"),
    "meta": (fetched(200, PAGE, HTML), "meta:og:type=profile", "meta:og:type=article"),
    "link": (fetched(200, PAGE, HTML), "link:canonical~c\\.test", "link:alternate"),
    "title": (fetched(200, PAGE, HTML), "title=A & B", "title~^B"),
    "jsonld": (fetched(200, PAGE, HTML), "jsonld:ProfilePage", "jsonld:Organization"),
    "body": (fetched(200, PAGE, HTML), "body:og:type", "body~(?i)nothing here"),
    "header": (fetched(200, "{}", x_a="0"), "header:x-a=0", "header:x-b"),
    "final_url": (fetched(200, "{}"), "final_url~x\\.test/u$", "final_url=https://other"),
    "rehydration": (fetched(200, PAGE, HTML), "rehydration:statusCode=0", "rehydration:x"),
}


@pytest.mark.parametrize("kind", MARKER_KINDS)
def test_every_marker_kind(kind: str) -> None:
    response, yes, no = MARKER_CASES[kind]
    r = Response(response)
    assert r.matches(parse_marker(yes))
    assert not r.matches(parse_marker(no))
    assert not r.matches(parse_marker("!" + yes))


def test_undecodable_body_matches_nothing() -> None:
    r = Response(fetched(200, "Caf\xe9".encode("cp1252"), HTML))
    assert r.text is None and not r.matches(parse_marker("body:Caf"))


# ------------------------------------------------------------------ classification


@pytest.mark.parametrize(
    ("body", "headers", "name"),
    [
        ("<title>Just a moment...</title>", {}, "cloudflare"),
        ("ok", {"cf_mitigated": "challenge"}, "cloudflare"),
        ("Request unsuccessful. Incapsula incident ID: 1-2", {}, "incapsula"),
        ("<title>DDoS-Guard</title>", {}, "ddos_guard"),
        ("<script>AwsWafIntegration.getToken()</script>", {}, "aws_waf"),
        ('<div id="px-captcha"></div><script>window._pxAppId="PX1"</script>', {}, "perimeterx"),
        (
            "Our systems have detected unusual traffic from your computer network.",
            {},
            "unusual_traffic",
        ),
    ],
)
def test_global_fingerprints_come_first(body: str, headers: dict[str, str], name: str) -> None:
    # Even a 404 (the missing status) behind a WAF page is blocked, never absent.
    v = verdict(Platform.GITHUB, fetched(404, body, HTML, **headers))
    assert v.status is ObservationStatus.BLOCKED
    assert v.signal.startswith(f"fingerprint:{name}:")
    assert {fp.name for fp in GLOBAL_FINGERPRINTS} >= {name}


def test_common_statuses() -> None:
    assert verdict(Platform.REDDIT, fetched(429, "{}")).reason == Reason(
        "rate_limited", "Reddit is rate limiting us (HTTP 429)"
    )
    v = verdict(Platform.GITHUB, fetched(403, '{"message":"x"}', x_ratelimit_remaining="0"))
    assert v.status is ObservationStatus.BLOCKED and v.reason and v.reason.code == "rate_limited"
    v = verdict(Platform.MASTODON, fetched(502, "<html>bad gateway</html>", HTML))
    assert v.status is ObservationStatus.ERROR and v.reason and v.reason.code == "http_5xx"
    v = verdict(Platform.GITHUB, fetched(200, "<html><title>Hi</title></html>", HTML))
    assert v.status is ObservationStatus.BLOCKED
    assert v.reason and v.reason.code == "unexpected_content_type"
    v = verdict(Platform.GITHUB, fetched(200, "plain", "text/plain"))
    assert v.status is ObservationStatus.ERROR
    v = verdict(Platform.GITHUB, fetched(200, '{"login": "a", "type": "User"'))
    assert v.status is ObservationStatus.ERROR and v.reason and v.reason.code == "malformed_body"
    v = verdict(Platform.GITHUB, fetched(404, '{"message":"Gone fishing"}'))
    assert v.status is ObservationStatus.ERROR
    assert v.reason and v.reason.code == "not_found_unconfirmed"
    v = verdict(Platform.GITHUB, fetched(400, '{"message":"Gone fishing"}'))
    assert v.status is ObservationStatus.ERROR and v.reason and v.reason.code == "no_signal"
    v = verdict(Platform.INSTAGRAM, fetched(200, "<html><title>x</title></html>", HTML))
    assert v.status is ObservationStatus.BLOCKED


def test_fetch_failures_are_errors_with_their_reason() -> None:
    for code in ("timeout", "ssrf_refused", "too_large", "decompression_bomb", "redirect_limit"):
        failed = FetchFailed("https://x.test/u", Reason(code, "why"), NOW)
        v = verdict(Platform.BLUESKY, failed)
        assert (v.status, v.signal, v.reason) == (
            ObservationStatus.ERROR,
            f"fetch:{code}",
            Reason(code, "why"),
        )


def test_conflicting_signals_are_an_error() -> None:
    body = '{"did":"d","handle":"h","error":"InvalidRequest","message":"Profile not found"}'
    spec = spec_for(Platform.BLUESKY)
    profile = spec.probes["profile"]
    both = type(profile)(
        profile.name,
        profile.url,
        profile.content,
        profile.exists,
        tuple(type(s)(frozenset({200}), s.content, s.markers) for s in profile.missing),
    )
    v = classify(spec, both, fetched(200, body))
    assert (
        v.status is ObservationStatus.ERROR and v.reason and v.reason.code == "conflicting_signals"
    )


def test_states_beat_missing_and_bare_200_is_not_presence() -> None:
    v = verdict(Platform.BLUESKY, fetched(400, '{"error":"AccountTakedown","message":"x"}'))
    assert (v.status, v.state) == (ObservationStatus.PRESENT, AccountState.SUSPENDED)
    v = verdict(Platform.GITHUB, fetched(200, "{}"))
    assert v.status is ObservationStatus.ERROR


# ------------------------------------------------------------------ helpers


def test_counts_links_and_html_text() -> None:
    assert [parse_count(v) for v in ("2,362", "783.4K", "1.2M", 554, "996.0", "x", -1, True)] == [
        2362,
        783400,
        1200000,
        554,
        996,
        None,
        None,
        None,
    ]
    assert clean_links(["javascript:alert(1)", "twitch.tv/x", "https://a.test", "ftp://b"]) == (
        "https://twitch.tv/x",
        "https://a.test",
    )
    text, hrefs = html_to_text('<p>Hi <a href="https://a.test">a.test</a></p><p>Bye</p>')
    assert (text, hrefs) == ("Hi a.test\nBye", ("https://a.test",))
    page = parse_html("<title>x</title><meta name=description content='d'>" * 2000)
    assert len(page.meta["description"]) <= 500
