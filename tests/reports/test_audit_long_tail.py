"""The audit's long-tail sites in the terminal table and the Markdown comment: the counts per
state and every unverified site with its reason, web text neutralized as the format's other
strings are; nothing at all when discovery asked no site."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from scanner.model import AuditResult, ObservationStatus, Reason, SiteHit
from scanner.reports import formatter_for

AT = datetime(2026, 11, 15, 8, 1, tzinfo=UTC)
HOSTILE_REASON = "WAF page\x1b[2J\x1b]0;owned\x07 *bold* [x](javascript:1) | @team"


def _hits() -> tuple[SiteHit, ...]:
    def hit(
        handle: str,
        site: str,
        status: ObservationStatus,
        signal: str | None = None,
        reason: Reason | None = None,
    ) -> SiteHit:
        return SiteHit(handle, site, status, f"http://{site}.test/{handle}", AT, signal, reason)

    return (
        hit("copperkettle", "whatsmyname:Forum", ObservationStatus.PRESENT),
        hit("copperkettle", "sherlock:Absent", ObservationStatus.ABSENT),
        hit("copperkettle", "sherlock:Gone", ObservationStatus.ABSENT),
        hit(
            "copperkettle",
            "whatsmyname:Walled\x1b[31m",
            ObservationStatus.BLOCKED,
            signal="waf",
            reason=Reason("waf", HOSTILE_REASON),
        ),
        hit("copperkettle", "sherlock:Flaky", ObservationStatus.ERROR, signal="timeout"),
    )


def _with_sites(result: AuditResult, hits: tuple[SiteHit, ...]) -> AuditResult:
    return replace(result, site_hits=hits)


SUMMARY = (
    "Asked 5 sites about 1 brand handle: 1 present, 2 absent, 2 unverified (1 blocked, 1 error)."
)


def test_table_shows_site_counts_and_unverified_reasons(result: AuditResult) -> None:
    text = formatter_for("table").render(_with_sites(result, _hits()), color=False, width=100)
    assert "\x1b" not in text and "\x07" not in text
    assert f"Long-tail sites: {SUMMARY}" in " ".join(text.split())  # wrapped at 100
    assert "Unverified sites (2):" in text
    tail = text[text.index("Unverified sites (2):") :].splitlines()[1:]
    rows = [line for line in tail if line.startswith(("blocked", "error"))]
    assert len(rows) == 2 and all(len(line) <= 100 for line in tail)
    assert "whatsmyname:Walled" in rows[1] and "WAF page" in rows[1]
    assert "sherlock:Flaky" in rows[0] and "no usable answer (timeout)" in rows[0]
    assert "sherlock:Absent" not in text  # absent answers are only counted
    narrow = formatter_for("table").render(_with_sites(result, _hits()), width=60)
    tail = narrow[narrow.index("Unverified sites (2):") :].splitlines()[1:]
    assert all(len(line) <= 60 for line in tail) and "…" in narrow  # one line each, cut


def test_table_caps_the_unverified_list(result: AuditResult) -> None:
    many = tuple(
        SiteHit("ck", f"sherlock:S{i:02}", ObservationStatus.BLOCKED, "http://s.test", AT)
        for i in range(13)
    )
    text = formatter_for("table").render(_with_sites(result, many), width=100)
    assert "Unverified sites (13):" in text and "sherlock:S09" in text
    assert "sherlock:S10" not in text
    assert text.rstrip().endswith("… and 3 more (see --format json)")


def test_markdown_shows_site_counts_and_neutralized_reasons(result: AuditResult) -> None:
    text = formatter_for("markdown").render(_with_sites(result, _hits()))
    assert "\x1b" not in text and "\x07" not in text
    assert "### Long-tail sites" in text and SUMMARY in text
    assert "| state | site | handle | reason |" in text
    row = next(line for line in text.splitlines() if line.startswith("| blocked |"))
    assert "whatsmyname:Walled |" in row
    assert r"WAF page \*bold\* \[x\](javascript:1) \| &#64;team |" in row
    assert "| error | sherlock:Flaky | copperkettle | no usable answer (timeout) |" in text
    assert "sherlock:Absent" not in text


def test_no_site_section_without_site_hits(result: AuditResult) -> None:
    assert not result.site_hits
    assert "Long-tail" not in formatter_for("table").render(result)
    assert "Long-tail" not in formatter_for("markdown").render(result)
