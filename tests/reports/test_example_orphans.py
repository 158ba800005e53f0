"""The orphaned-page report of the example organization: exactly the planted orphans (the
`orphans` section of inventories/copper-kettle-planted.yaml), most urgent first, each with its one
action, the one person who must act, a due date and an age in every format, "could not check"
where the activity was not read, and ages that come from the history (offline runs left out)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.cli.common import execute_audit
from scanner.cli.demo import demo_config
from scanner.examples import example_inventory_path
from scanner.model import AuditResult
from scanner.platforms import platform_fetch_config
from scanner.reports.htmlpage import e
from scanner.reports.layout import display_width
from scanner.reports.orphans import (
    Action,
    ActivityState,
    AgeState,
    OrphanEntry,
    OrphanReport,
    Urgency,
    build,
    render_orphans,
)
from scanner.reports.sanitize import markdown_text
from scanner.runs.audit import AuditOptions
from scanner.sandbox import DEMO_CREDENTIALS, Sandbox, example_world_path, load_world
from scanner.yamlsource import load_yaml
from tests.reports.example_audit import run_example_audit

PLANTED = Path(example_inventory_path()).with_name("copper-kettle-planted.yaml")
PLANTED_COUNT = 22


@pytest.fixture(scope="module")
def report() -> OrphanReport:
    return build(run_example_audit().result)


@pytest.fixture(scope="module")
def expected() -> dict[str, dict[str, Any]]:
    data: dict[str, Any] = load_yaml(PLANTED)
    orphans: dict[str, dict[str, Any]] = data["orphans"]
    return orphans


def test_the_planted_entries_are_exactly_the_entries(
    report: OrphanReport, expected: dict[str, dict[str, Any]]
) -> None:
    keys = [entry.key for entry in report.entries]
    assert len(expected) == PLANTED_COUNT
    assert len(keys) == len(set(keys)), f"a page is listed twice: {keys}"
    assert sorted(keys) == sorted(expected), (
        f"missing: {sorted(set(expected) - set(keys))}, not planted: {sorted(set(keys) - set(expected))}"
    )


def test_every_planted_orphan_has_its_reasons_action_and_person_to_act(
    report: OrphanReport, expected: dict[str, dict[str, Any]]
) -> None:
    listed = {entry.key: entry for entry in report.entries}
    wrong = {
        key: {
            "act": (listed[key].act.email, want["act"]),
            "reasons": (sorted(listed[key].reasons), sorted(want["reasons"])),
            "action": (listed[key].action.name.lower(), want["action"]),
        }
        for key, want in expected.items()
        if listed[key].act.email != want["act"]
        or sorted(listed[key].reasons) != sorted(want["reasons"])
        or listed[key].action is not Action[want["action"].upper()]
    }
    assert not wrong, f"(reported, expected) differ: {wrong}"


def test_listed_by_urgency(report: OrphanReport) -> None:
    # Takedowns first, then pages a former owner may still hold, then by severity (no history
    # here, so every age is unknown and the page's key breaks ties).
    assert [(x.key, x.urgency.value, x.severity.value) for x in report.entries] == [
        ("instagram:copperkettle.support", "takedown", "high"),
        ("x:copperkettle_hq", "takedown", "high"),
        ("fb-main", "access", "critical"),
        ("fb-school", "access", "critical"),
        ("bs-campus", "access", "high"),
        ("fb-pdx", "access", "high"),
        ("fb-seattle-cafes", "access", "high"),
        ("ig-merch", "access", "high"),
        ("tb-latteart", "access", "high"),
        ("tb-zine", "access", "high"),
        ("tt-baristas", "access", "high"),
        ("x-coldbrew", "access", "high"),
        ("fb-denver", "scheduled", "high"),
        ("li-company", "scheduled", "high"),
        ("x-deals", "scheduled", "high"),
        ("x-pdx", "scheduled", "high"),
        ("facebook:copperkettleevents", "scheduled", "medium"),
        ("linkedin:showcase/copperkettle-app", "scheduled", "medium"),
        ("reddit:r/copperkettlehq", "scheduled", "medium"),
        ("tiktok:copperkettleshop", "scheduled", "medium"),
        ("yt-school", "scheduled", "medium"),
        ("li-careers", "scheduled", "low"),
    ]
    assert {x.age.state for x in report.entries} == {AgeState.UNKNOWN}


def test_counts_and_the_csv_agree_with_the_planted_list(
    report: OrphanReport, expected: dict[str, dict[str, Any]]
) -> None:
    for reason, n in report.counts.items():
        assert n == sum(reason in want["reasons"] for want in expected.values()), reason
    rows = list(csv.DictReader(io.StringIO(render_orphans(report, "csv"))))
    acts = {
        row["account_id"] or f"{row['platform']}:{row['handle']}": row["act_email"] for row in rows
    }
    assert acts == {key: want["act"] for key, want in expected.items()}


def _unchecked(report: OrphanReport) -> list[OrphanEntry]:
    return [x for x in report.entries if x.activity is ActivityState.NOT_CHECKED]


def test_one_action_person_due_date_and_age_per_page_in_every_format(
    report: OrphanReport,
) -> None:
    entries = report.entries
    # The owner APIs show every inventoried page's posts but the one outside the Business
    # Manager's reach (its public page has no dates); discovered pages show theirs only where
    # discovery looked through an API (X's users/by dates copperkettle_hq's last post).
    assert [x.key for x in _unchecked(report)] == [
        "instagram:copperkettle.support",
        "fb-seattle-cafes",
        "facebook:copperkettleevents",
        "linkedin:showcase/copperkettle-app",
        "tiktok:copperkettleshop",
    ]

    rows = list(csv.DictReader(io.StringIO(render_orphans(report, "csv"))))
    assert [row["rank"] for row in rows] == [str(n) for n in range(1, PLANTED_COUNT + 1)]
    for x, row in zip(entries, rows, strict=True):
        assert row["action"] == x.action.value and "; " not in row["action"]
        assert (row["act_email"], row["due"], row["age"]) == (
            x.act.email,
            x.due.isoformat(),
            "unknown",
        )
        assert row["urgency"] == x.urgency.value
        assert (row["activity"] == "could_not_check") is (x in _unchecked(report))

    markdown = render_orphans(report, "markdown")
    # The pages' sections, before the access section that follows them.
    sections = markdown.split("\n## Access\n")[0].split("\n## ")[1:]
    assert len(sections) == PLANTED_COUNT
    for rank, (x, section) in enumerate(zip(entries, sections, strict=True), start=1):
        assert section.startswith(f"{rank}. {markdown_text(x.key)} —")
        assert section.count("- Recommended: ") == 1
        assert f"- Recommended: **{markdown_text(x.action.value)}** — because: " in section
        assert f"- Who must act: **{markdown_text(str(x.act))}**" in section
        assert f"- Due: **{x.due.isoformat()}**" in section
        assert "- Age: unknown: no history was kept for this audit" in section
        unchecked = "- Last post: could not check" in section
        assert unchecked is (x in _unchecked(report)), x.key

    html = render_orphans(report, "html")
    body = html.split('<section id="pages">')[1]
    html_rows = body.split("<tr>")[2:]  # after the header row
    assert len(html_rows) == PLANTED_COUNT
    for rank, (x, row) in enumerate(zip(entries, html_rows, strict=True), start=1):
        assert row.startswith(f'<td class="num">{rank}</td>')
        assert f"<b>{e(x.action.value)}</b><br>because: " in row
        assert e(x.act.email) in row and f"<b>{x.due.isoformat()}</b>" in row
        assert (">could not check</td>" in row) is (x in _unchecked(report)), x.key

    table = render_orphans(report, "table")
    lines = table.splitlines()
    header = next(n for n, line in enumerate(lines) if line.lstrip().startswith("# "))
    starts = [line for line in lines[header + 2 :] if re.match(r"^\s*\d+ ", line)]
    assert len(starts) == PLANTED_COUNT
    for rank, (x, line) in enumerate(zip(entries, starts, strict=True), start=1):
        assert line.lstrip().startswith(f"{rank} ")
        assert x.action.value in line and x.due.isoformat() in line and "unknown" in line
        assert (x.act.name or "") in line
        assert ("could not check" in line) is (x in _unchecked(report)), x.key


@pytest.mark.parametrize("width", [80, 120])
def test_the_terminal_table_fits(report: OrphanReport, width: int) -> None:
    text = render_orphans(report, "table", width=width)
    too_long = [line for line in text.splitlines() if display_width(line) > width]
    assert not too_long, too_long
    assert "#  page" in text and "who must act" in text and "due" in text


def test_markdown_and_html_name_the_person_to_act(
    report: OrphanReport, expected: dict[str, dict[str, Any]]
) -> None:
    markdown, html = render_orphans(report, "markdown"), render_orphans(report, "html")
    for key, want in expected.items():
        # Markdown writes @ as an entity (no pings in a PR comment); HTML escapes as usual.
        assert markdown_text(want["act"]) in markdown, key
        assert markdown_text(key) in markdown, key
        assert e(want["act"]) in html and e(key) in html, key


# --------------------------------------------------------------------------- ages from history


@pytest.fixture(scope="module")
def history_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[AuditResult]]:
    """An offline audit, then two live ones, of the example into one history database."""
    history = tmp_path_factory.mktemp("history") / "history.sqlite"
    world = load_world(example_world_path())
    offline = execute_audit(
        AuditOptions(
            inventory=example_inventory_path(), as_of=world.as_of, history=history, offline=True
        ),
        platform_fetch_config(),
    )
    runs = [offline]
    with Sandbox(world) as sandbox:
        for _ in range(2):
            options = AuditOptions(
                inventory=example_inventory_path(),
                as_of=world.as_of,
                history=history,
                discover=True,
            )
            config = demo_config(sandbox.endpoints(), DEMO_CREDENTIALS)
            runs.append(execute_audit(options, config))
    yield runs


def test_an_offline_run_cannot_date_a_problem(history_runs: list[AuditResult]) -> None:
    offline = build(history_runs[0])
    assert offline.entries, "an offline run still lists the roster's problems"
    for x in offline.entries:
        assert x.age.explain() == "unknown: an offline run is not compared with the history"
        assert x.activity is ActivityState.NOT_CHECKED


def test_the_first_live_run_after_an_offline_one_sees_every_problem_as_new(
    history_runs: list[AuditResult],
) -> None:
    first = build(history_runs[1])
    assert len(first.entries) == PLANTED_COUNT
    assert {x.age.state for x in first.entries} == {AgeState.NEW}
    assert "| new |" in render_orphans(first, "markdown")


def test_the_next_run_dates_every_problem_from_the_first_live_run(
    history_runs: list[AuditResult],
) -> None:
    started = history_runs[1].run.started_at
    second = build(history_runs[2])
    assert len(second.entries) == PLANTED_COUNT
    for x in second.entries:
        assert (x.age.state, x.age.since) == (AgeState.OPEN, started), x.key
    # Due from when it was first seen: the same date as in the first run's report.
    first_due = {x.key: x.due for x in build(history_runs[1]).entries}
    assert {x.key: x.due for x in second.entries} == first_due
    rows = list(csv.DictReader(io.StringIO(render_orphans(second, "csv"))))
    assert {row["age"] for row in rows} == {"open"}
    assert all(row["first_seen"] and row["age_days"] == "0" for row in rows)
    assert second.entries[0].urgency is Urgency.TAKEDOWN
