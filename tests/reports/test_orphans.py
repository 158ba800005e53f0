"""The orphaned-page report: who is listed, why, who can act, what to do — and nothing else."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

import pytest

from scanner.errors import UsageError
from scanner.model import AuditResult
from scanner.reports.orphans import (
    Action,
    OrphanFormat,
    OrphanReason,
    action_for,
    build,
    count_phrase,
    describe,
    render_orphans,
)

R = OrphanReason


def test_lists_exactly_the_orphans_with_reasons_and_who_can_act(result: AuditResult) -> None:
    report = build(result)
    got = {
        (e.account_id or f"{e.platform}:{e.handle}"): (set(e.reasons), e.act.role, e.act.email)
        for e in report.entries
    }
    assert got == {
        "x-main": ({R.OWNER_ENDING, R.UNVERIFIED}, "backup owner", "ben.cho@copperkettle.coffee"),
        "ig-retail": (
            {R.OWNER_DEPARTED, R.INACTIVE, R.DORMANT},
            "executive sponsor",
            "vera.lang@copperkettle.coffee",
        ),
        "tt-popup": (
            {R.OWNER_ENDING, R.INTERN_ERA, R.INACTIVE},
            "policy owner, for the Retail department",
            "maya.ortiz@copperkettle.coffee",
        ),
        "bsky-old": ({R.RETIRED_LIVE}, "backup owner", "ben.cho@copperkettle.coffee"),
        "masto-hr": (
            {R.OWNER_MISSING, R.UNVERIFIED},
            "executive sponsor",
            "pia.ng@copperkettle.coffee",
        ),
        "x:copperkettle_hq": ({R.ROGUE}, "policy owner", "maya.ortiz@copperkettle.coffee"),
        "instagram:copperkettle.berlin": (
            {R.UNLISTED_OFFICIAL},
            "policy owner",
            "maya.ortiz@copperkettle.coffee",
        ),
    }


def test_grouped_by_department_and_sponsor(result: AuditResult) -> None:
    report = build(result)
    groups = [
        (g.department, g.sponsor.name if g.sponsor else None, [e.account_id for e in g.entries])
        for g in report.groups
    ]
    assert groups == [
        ("Marketing", "Vera Lang", ["bsky-old", "x-main"]),
        ("People", "Pia Ng", ["masto-hr"]),
        ("Retail", "Otto King", ["tt-popup"]),
        ("Retail", "Vera Lang", ["ig-retail"]),
        ("Not in the inventory", None, [None, None]),
    ]


def test_evidence_and_actions(result: AuditResult) -> None:
    entries = {e.account_id: e for e in build(result).entries}
    tt = entries["tt-popup"]
    assert tt.owner_end_date == date(2026, 9, 30)
    assert tt.last_activity is not None and tt.last_activity.date() == date(2026, 9, 28)
    assert tt.actions == (Action.REASSIGN_OWNER, Action.HAND_OVER)
    assert any("contract ended 2026-09-30" in line for line in tt.evidence)
    assert tt.evidence[0] == "last post 2026-09-28 (48 days before 2026-11-15)"
    x = entries["x-main"]
    assert x.observation_status == "blocked" and x.last_known_good is not None
    assert any(line.startswith("last known good: present at 2026-10-15") for line in x.evidence)
    assert any("internship ends 2026-11-30" in line for line in x.evidence)
    assert x.actions == (Action.REASSIGN_OWNER, Action.VERIFY)
    assert entries["bsky-old"].actions == (Action.ARCHIVE,)
    assert entries["ig-retail"].actions == (Action.REASSIGN_OWNER, Action.HAND_OVER, Action.ARCHIVE)


def test_summary_paragraph_counts(result: AuditResult) -> None:
    report = build(result)
    assert report.summary.startswith(
        "As of 2026-11-15, 5 of the 8 inventoried accounts of Copper Kettle Coffee Roasters need attention:"
    )
    assert "1 whose owner has left" in report.summary
    assert "2 that could not be verified" in report.summary
    assert (
        "Discovery found 1 official page missing from the inventory and 1 suspected rogue page."
        in report.summary
    )
    assert report.counts[R.OWNER_ENDING] == 2 and report.counts[R.INACTIVE] == 2


def test_a_clean_organization_says_so(result: AuditResult) -> None:
    quiet = replace(
        result,
        findings=(),
        discoveries=(),
        accounts=tuple(
            a for a in result.accounts if a.account.id in {"gh-main", "reddit-sub", "yt-planned"}
        ),
    )
    report = build(quiet)
    assert report.groups == ()
    assert "none of the 8 inventoried accounts" in report.summary
    assert "Nothing to act on." in render_orphans(report, "markdown")


def test_an_offline_run_says_what_it_could_not_check(result: AuditResult) -> None:
    # Offline, "none is inactive or unverified" would be a guess: the summary says what is missing.
    offline = replace(result, run=replace(result.run, offline=True))
    assert "This run was offline" in build(offline).summary
    quiet = replace(offline, findings=(), discoveries=(), accounts=result.accounts[:1])
    summary = build(quiet).summary
    assert "none of the" not in summary and "no owner problem was found" in summary
    assert "This run was offline" not in build(result).summary


@pytest.mark.parametrize("reason", list(OrphanReason))
def test_every_reason_is_described_and_has_an_action(reason: OrphanReason) -> None:
    assert describe(reason)
    assert count_phrase(reason, 2).startswith("2 ")
    assert isinstance(action_for(reason), Action)


@pytest.mark.parametrize("fmt", list(OrphanFormat))
def test_renderers_escape_hostile_text(fmt: OrphanFormat, result: AuditResult) -> None:
    text = render_orphans(build(result), fmt.value)
    assert "\x00" not in text and "\x1b" not in text
    assert "<b>official</b>" not in text or fmt is OrphanFormat.CSV


def test_markdown_rendering(result: AuditResult) -> None:
    text = render_orphans(build(result), "markdown")
    assert text.startswith("# Orphaned pages: Copper Kettle Coffee Roasters (as of 2026-11-15)")
    assert (
        "## Retail — Otto King <otto.king&#64;copperkettle.coffee> (executive sponsor)" not in text
    )
    assert (
        "## Retail — Otto King &lt;otto.king&#64;copperkettle.coffee&gt; (executive sponsor)"
        in text
    )
    assert (
        "- Who can act: **Maya Ortiz &lt;maya.ortiz&#64;copperkettle.coffee&gt; (policy owner, for the Retail department)**"
        in text
    )
    assert "- Recommended: request a takedown" in text


def test_html_rendering_is_offline_and_escaped(result: AuditResult) -> None:
    text = render_orphans(build(result), "html")
    assert "<script" not in text
    assert "script-src 'none'" in text
    assert "Copper Kettle HQ" not in text or "&lt;b&gt;" in text
    assert "Ben Cho &lt;ben.cho@copperkettle.coffee&gt; (backup owner)" in text


def test_csv_rendering(result: AuditResult) -> None:
    rows = list(csv.DictReader(io.StringIO(render_orphans(build(result), "csv"), newline="")))
    assert len(rows) == 7
    tt = next(r for r in rows if r["account_id"] == "tt-popup")
    assert tt["reasons"] == "owner_ending; inactive; intern_era"
    assert tt["act_email"] == "maya.ortiz@copperkettle.coffee"
    assert tt["owner_end_date"] == "2026-09-30"
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_unknown_format_is_a_usage_error(result: AuditResult) -> None:
    with pytest.raises(UsageError, match="expected one of markdown, html, csv"):
        render_orphans(build(result), "pdf")
