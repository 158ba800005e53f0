"""The orphaned-page report: who is listed, why, in what order, the one action, who must act, by
when and since when — and nothing else."""

from __future__ import annotations

import csv
import io
import itertools
import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.model import AuditResult, Role, Severity
from scanner.policy import default_pack_path, load_policy
from scanner.reports import Document, ReportFormat, formats_for
from scanner.reports.htmlpage import e
from scanner.reports.layout import display_width
from scanner.reports.orphans import (
    ACTION_PRECEDENCE,
    DEFAULT_DUE_DAYS,
    REASONS,
    Action,
    ActivityState,
    Age,
    AgeState,
    OrphanReason,
    Urgency,
    action_for,
    build,
    count_phrase,
    describe,
    due_days,
    recommend,
    render_orphans,
)
from tests.reports.builders import AS_OF, STARTED

R = OrphanReason
ORPHAN_FORMATS = formats_for(Document.ORPHANS)


def test_lists_exactly_the_orphans_with_reasons_and_who_must_act(result: AuditResult) -> None:
    report = build(result)
    got = {e.key: (set(e.reasons), e.act.role, e.act.email) for e in report.entries}
    assert got == {
        "x-main": ({R.OWNER_ENDING, R.UNVERIFIED}, "backup owner", "ben.cho@copperkettle.coffee"),
        "ig-retail": (
            {R.OWNER_DEPARTED, R.INACTIVE, R.DORMANT},
            "executive sponsor",
            "vera.lang@copperkettle.coffee",
        ),
        # The contract ended before the audit date: gone, whatever the roster's status says.
        "tt-popup": (
            {R.OWNER_DEPARTED, R.SILENT_SINCE_OWNER_LEFT, R.INACTIVE},
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


def test_ordered_by_urgency_then_severity_then_age(result: AuditResult) -> None:
    entries = build(result).entries
    assert [(e.key, e.urgency, e.severity) for e in entries] == [
        ("x:copperkettle_hq", Urgency.TAKEDOWN, Severity.HIGH),
        # Both high and a former owner may hold access; ig-retail's problem is older.
        ("ig-retail", Urgency.ACCESS, Severity.HIGH),
        ("tt-popup", Urgency.ACCESS, Severity.HIGH),
        ("masto-hr", Urgency.SCHEDULED, Severity.CRITICAL),  # OWN-001 is critical here
        ("bsky-old", Urgency.SCHEDULED, Severity.HIGH),
        ("instagram:copperkettle.berlin", Urgency.SCHEDULED, Severity.MEDIUM),
        ("x-main", Urgency.SCHEDULED, Severity.MEDIUM),
    ]
    assert entries[1].age.days > entries[2].age.days


def test_one_action_with_its_reason(result: AuditResult) -> None:
    entries = {e.key: e for e in build(result).entries}
    # The case: "hand over and resume posting; archive or delete" is now one action,
    # and a departed owner comes first: nothing is archived without someone holding the keys.
    ig = entries["ig-retail"]
    assert (ig.action, ig.action_reason) == (Action.REASSIGN_OWNER, R.OWNER_DEPARTED)
    assert ig.because == "owner has left"
    assert entries["x-main"].action is Action.REASSIGN_OWNER
    assert entries["bsky-old"].action is Action.ARCHIVE
    assert entries["x:copperkettle_hq"].action is Action.TAKEDOWN
    assert entries["instagram:copperkettle.berlin"].action is Action.ADD_TO_INVENTORY


def test_evidence(result: AuditResult) -> None:
    entries = {e.key: e for e in build(result).entries}
    tt = entries["tt-popup"]
    assert tt.owner_end_date == date(2026, 9, 30)
    assert tt.last_activity is not None and tt.last_activity.date() == date(2026, 9, 28)
    assert any("contract ended on 2026-09-30" in line for line in tt.evidence)
    assert tt.evidence[0] == "last post 2026-09-28 (48 days before 2026-11-15)"
    x = entries["x-main"]
    assert x.observation_status == "blocked" and x.last_known_good is not None
    assert any(line.startswith("last known good: present at 2026-10-15") for line in x.evidence)
    assert any("internship ends on 2026-11-30" in line for line in x.evidence)


def test_age_and_due_date_come_from_the_history(result: AuditResult) -> None:
    entries = {e.key: e for e in build(result).entries}
    # ig-retail: OWN-002 open since 2026-06-15 (ACT-002 since 2026-07-15): the oldest counts.
    ig = entries["ig-retail"]
    assert ig.age.state is AgeState.OPEN and ig.age.since == datetime.fromisoformat(
        "2026-06-15T08:00:00+00:00"
    )
    assert ig.age.days == (STARTED - ig.age.since).days == 153
    assert str(ig.age) == "153 days"
    # High: 30 days from when it was first seen, long past.
    assert ig.due == date(2026, 7, 15) and ig.overdue
    tt = entries["tt-popup"]  # ACT-003 is new in this run
    assert tt.age.state is AgeState.NEW and str(tt.age) == "new"
    assert tt.due == AS_OF + timedelta(days=30) and not tt.overdue
    x = entries["x-main"]  # nothing in the history tracks an ending internship or a blocked page
    assert x.age.state is AgeState.UNKNOWN
    assert x.age.explain() == "unknown: no finding tracks it in the history"
    assert x.due == AS_OF + timedelta(days=90)


def test_age_without_history(result: AuditResult) -> None:
    unrecorded = replace(result, baseline=None, run=replace(result.run, run_id=None))
    for entry in build(unrecorded).entries:
        assert entry.age.explain() == "unknown: no history was kept for this audit"
    # Recorded, and the first audit of this inventory: every problem is new.
    first = replace(result, baseline=None)
    assert {e.age.state for e in build(first).entries} == {AgeState.NEW}
    # An offline run is kept out of baselines, so it cannot date anything either.
    offline = replace(first, run=replace(first.run, offline=True))
    assert {e.age.state for e in build(offline).entries} == {AgeState.UNKNOWN}


def test_due_days_are_pack_params(result: AuditResult, tmp_path: Path) -> None:
    default = load_policy([default_pack_path()])
    assert dict(due_days(default)) == dict(DEFAULT_DUE_DAYS)
    assert set(DEFAULT_DUE_DAYS) == set(Severity)
    pack = tmp_path / "org.yaml"
    pack.write_text(
        "name: org\noverrides:\n  params:\n    orphans.due_days.high: 14\n", encoding="utf-8"
    )
    days = due_days(load_policy([default_pack_path(), pack]))
    assert days[Severity.HIGH] == 14 and days[Severity.MEDIUM] == 90
    tt = {e.key: e for e in build(result, days).entries}["tt-popup"]
    assert tt.due == AS_OF + timedelta(days=14)
    assert "high 14 days" in render_orphans(build(result, days), "markdown")


# --------------------------------------------------------------------------- the tables


def test_every_reason_has_traits_and_every_action_a_place_in_the_precedence() -> None:
    assert set(REASONS) == set(OrphanReason)
    assert sorted(ACTION_PRECEDENCE) == sorted(Action)
    assert len(set(ACTION_PRECEDENCE)) == len(ACTION_PRECEDENCE)
    for reason, traits in REASONS.items():
        # A reason weighs by its rules' severity or by a fixed one: never by nothing.
        assert traits.rules or traits.severity is not None, reason


@pytest.mark.parametrize(
    ("reasons", "action", "because"),
    [
        # The two opposite actions on one page: a year's silence means retire it.
        ((R.INACTIVE, R.DORMANT), Action.ARCHIVE, R.DORMANT),
        ((R.OWNER_DEPARTED, R.INACTIVE, R.DORMANT), Action.REASSIGN_OWNER, R.OWNER_DEPARTED),
        ((R.OWNER_ENDING, R.UNVERIFIED), Action.REASSIGN_OWNER, R.OWNER_ENDING),
        ((R.INACTIVE, R.SILENT_SINCE_OWNER_LEFT), Action.HAND_OVER, R.INACTIVE),
        ((R.RETIRED_LIVE, R.UNVERIFIED), Action.ARCHIVE, R.RETIRED_LIVE),
        ((R.ACTIVITY_UNKNOWN,), Action.VERIFY, R.ACTIVITY_UNKNOWN),
        ((R.ROGUE, R.OWNER_MISSING), Action.TAKEDOWN, R.ROGUE),
    ],
)
def test_conflicting_actions_resolve_by_the_precedence_table(
    reasons: tuple[OrphanReason, ...], action: Action, because: OrphanReason
) -> None:
    assert recommend(reasons) == (action, because)


@pytest.mark.parametrize(("a", "b"), list(itertools.permutations(OrphanReason, 2)))
def test_any_two_reasons_get_the_action_ranked_first(a: OrphanReason, b: OrphanReason) -> None:
    action, because = recommend((a, b))
    rank = ACTION_PRECEDENCE.index
    assert rank(action) == min(rank(action_for(a)), rank(action_for(b)))
    assert action_for(because) is action
    assert because == (a if action_for(a) is action else b)


def test_no_reason_no_recommendation() -> None:
    with pytest.raises(ValueError, match="at least one reason"):
        recommend(())


@pytest.mark.parametrize("reason", list(OrphanReason))
def test_every_reason_is_described_and_has_an_action(reason: OrphanReason) -> None:
    assert describe(reason)
    assert count_phrase(reason, 2).startswith("2 ")
    assert isinstance(action_for(reason), Action)


@pytest.mark.parametrize("role", list(Role))
def test_intern_era_only_for_interns(role: Role) -> None:
    silent, ending = describe(R.SILENT_SINCE_OWNER_LEFT, role), describe(R.OWNER_ENDING, role)
    assert ("intern-era" in silent) is (role is Role.INTERN)
    words = {Role.INTERN: "internship", Role.CONTRACTOR: "contract", Role.AGENCY: "agency"}
    if role in words:
        assert words[role] in silent + ending
        assert all(w not in ending for r, w in words.items() if r is not role and w != "contract")


def test_a_contractors_page_is_not_called_intern_era(result: AuditResult) -> None:
    tt = {e.key: e for e in build(result).entries}["tt-popup"]  # owner: a contractor
    assert tt.owner_role is Role.CONTRACTOR
    for fmt in ORPHAN_FORMATS:
        text = render_orphans(build(result), fmt.value)
        assert "intern-era" not in text, fmt
        if fmt is not ReportFormat.CSV:  # the CSV lists reasons by their stable names
            words = "contractor's page (went silent when the contract ended)"
            assert (e(words) if fmt is ReportFormat.HTML else words) in text, fmt


# --------------------------------------------------------------------------- summary


def test_summary_paragraph_counts(result: AuditResult) -> None:
    report = build(result)
    assert report.summary.startswith(
        "As of 2026-11-15, 5 of the 8 inventoried accounts of Copper Kettle Coffee Roasters need attention:"
    )
    assert "2 whose owner has left" in report.summary
    assert "2 that could not be verified" in report.summary
    assert (
        "Discovery found 1 official page missing from the inventory and 1 suspected rogue page."
        in report.summary
    )
    assert "(1 page overdue)" in report.summary
    assert report.counts[R.OWNER_ENDING] == 1 and report.counts[R.INACTIVE] == 2


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
    assert report.entries == ()
    assert "none of the 8 inventoried accounts" in report.summary
    for fmt in ORPHAN_FORMATS:
        text = render_orphans(report, fmt.value)
        match fmt:
            case ReportFormat.JSON:
                assert json.loads(text)["entries"] == []
            case ReportFormat.CSV:
                assert text.count("\r\n") == 1  # the header alone
            case _:
                assert "Nothing to act on." in text, fmt


def test_an_offline_run_says_what_it_could_not_check(result: AuditResult) -> None:
    # Offline, "none is inactive or unverified" would be a guess: the summary says what is missing.
    offline = replace(result, run=replace(result.run, offline=True))
    assert "This run was offline" in build(offline).summary
    quiet = replace(offline, findings=(), discoveries=(), accounts=result.accounts[:1])
    summary = build(quiet).summary
    assert "none of the" not in summary and "no owner problem was found" in summary
    assert "This run was offline" not in build(result).summary


# --------------------------------------------------------------------------- renderings


@pytest.mark.parametrize("fmt", list(ORPHAN_FORMATS))
def test_renderers_escape_hostile_text(fmt: ReportFormat, result: AuditResult) -> None:
    text = render_orphans(build(result), fmt.value)
    assert "\x00" not in text and "\x1b" not in text
    assert "<b>official</b>" not in text or fmt is ReportFormat.CSV


@pytest.mark.parametrize("width", [80, 120])
def test_terminal_table_fits_the_width(width: int, result: AuditResult) -> None:
    text = render_orphans(build(result), "table", width=width)
    assert max(display_width(line) for line in text.splitlines()) <= width
    header = next(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for column in ("page", "action", "who must act", "due", "age"):
        assert column in header, (width, column)


def test_terminal_table_is_the_default_and_is_no_markdown(result: AuditResult) -> None:
    text = render_orphans(build(result), "table")
    assert text.startswith("Orphaned pages: Copper Kettle Coffee Roasters (as of 2026-11-15)")
    assert "&lt;" not in text and "&#64;" not in text and "\\_" not in text and "**" not in text
    assert "could not check" in text  # the rogue page showed no posts to the audit
    assert "2026-07-15" in text and "overdue" in text


def test_markdown_rendering(result: AuditResult) -> None:
    text = render_orphans(build(result), "markdown")
    assert text.startswith("# Orphaned pages: Copper Kettle Coffee Roasters (as of 2026-11-15)")
    assert "| 1 | x copperkettle\\_hq<br>not in the inventory | takedown<br>high |" in text
    assert "## 2. ig-retail — instagram copperkettle.shop" in text
    assert (
        "- Who must act: **Maya Ortiz &lt;maya.ortiz&#64;copperkettle.coffee&gt; (policy owner, for the Retail department)**"
        in text
    )
    assert "- Recommended: **request a takedown** — because: suspected impersonation" in text
    assert "- Due: **2026-07-15** (overdue); severity high: 30 days" in text
    assert "- Age: 153 days (open since 2026-06-15)" in text
    assert "- Urgency: access at risk: someone who left may still hold" in text
    assert text.count("- Recommended: ") == text.count("- Who must act: ") == 7


def test_html_rendering_is_offline_and_escaped(result: AuditResult) -> None:
    text = render_orphans(build(result), "html")
    assert "<script" not in text
    assert "script-src 'none'" in text
    assert "Copper Kettle HQ" not in text or "&lt;b&gt;" in text
    assert "ben.cho@copperkettle.coffee<br>backup owner" in text
    assert text.count('<td class="num">') == 7 + sum(1 for n in build(result).counts.values() if n)
    assert '<span class="sev sev-high">high</span>' in text
    assert "<b>2026-07-15</b><br>overdue" in text


def test_csv_rendering(result: AuditResult) -> None:
    rows = list(csv.DictReader(io.StringIO(render_orphans(build(result), "csv"), newline="")))
    assert [r["rank"] for r in rows] == [str(n) for n in range(1, 8)]
    tt = next(r for r in rows if r["account_id"] == "tt-popup")
    assert tt["reasons"] == "owner_departed; inactive; silent_since_owner_left"
    assert tt["act_email"] == "maya.ortiz@copperkettle.coffee"
    assert tt["owner_end_date"] == "2026-09-30"
    assert (tt["action"], tt["urgency"], tt["severity"]) == ("reassign the owner", "access", "high")
    assert (tt["due"], tt["overdue"], tt["age"], tt["age_days"]) == ("2026-12-15", "no", "new", "")
    ig = next(r for r in rows if r["account_id"] == "ig-retail")
    assert (ig["age"], ig["age_days"], ig["first_seen"]) == ("open", "153", "2026-06-15T08:00:00Z")
    assert ig["activity"] == ActivityState.SEEN.value
    for row in rows:
        for name, cell in row.items():
            if name != "handle":  # a plain @handle stays as written (see csv_cell)
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)


def test_unknown_format_is_a_usage_error(result: AuditResult) -> None:
    with pytest.raises(
        UsageError,
        match="unknown orphans report format .pdf.; expected one of table, json, csv, markdown, html",
    ):
        render_orphans(build(result), "pdf")


@pytest.mark.parametrize("urgency", list(Urgency))
def test_every_urgency_is_explained_and_ordered(urgency: Urgency) -> None:
    assert urgency.explanation
    assert bool(urgency.label) is (urgency is not Urgency.SCHEDULED)
    assert any(t.urgency is urgency for t in REASONS.values())


@pytest.mark.parametrize("state", list(AgeState))
def test_every_age_reads_as_words(state: AgeState) -> None:
    age = Age(state, STARTED - timedelta(days=3), 3, "no history was kept for this audit")
    assert str(age) in {"new", "3 days", "unknown"}
    assert age.explain().startswith(str(age))
