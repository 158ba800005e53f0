"""The orphaned-page report of the example organization names every planted orphan, intern-era
and discovered page with the right person to act, and nothing else (the `orphans` section of
inventories/copper-kettle-planted.yaml)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from scanner.examples import example_inventory_path
from scanner.reports.htmlpage import e
from scanner.reports.orphans import OrphanEntry, OrphanReport, build, render_orphans
from scanner.reports.sanitize import markdown_text
from scanner.yamlsource import load_yaml
from tests.reports.example_audit import run_example_audit

PLANTED = Path(example_inventory_path()).with_name("copper-kettle-planted.yaml")


@pytest.fixture(scope="module")
def report() -> OrphanReport:
    return build(run_example_audit().result)


@pytest.fixture(scope="module")
def expected() -> dict[str, dict[str, Any]]:
    data: dict[str, Any] = load_yaml(PLANTED)
    orphans: dict[str, dict[str, Any]] = data["orphans"]
    return orphans


def _key(entry: OrphanEntry) -> str:
    return entry.account_id or f"{entry.platform}:{entry.handle}"


def test_every_planted_orphan_is_listed_with_the_right_person_to_act(
    report: OrphanReport, expected: dict[str, dict[str, Any]]
) -> None:
    listed = {_key(entry): entry for entry in report.entries}
    missing = sorted(set(expected) - set(listed))
    assert not missing, f"planted orphans missing from the report: {missing}"
    wrong = {
        key: {
            "act": (listed[key].act.email, want["act"]),
            "reasons": (sorted(listed[key].reasons), sorted(want["reasons"])),
        }
        for key, want in expected.items()
        if listed[key].act.email != want["act"]
        or sorted(listed[key].reasons) != sorted(want["reasons"])
    }
    assert not wrong, f"(reported, expected) differ: {wrong}"


def test_nothing_else_is_listed(report: OrphanReport, expected: dict[str, dict[str, Any]]) -> None:
    keys = [_key(entry) for entry in report.entries]
    assert len(keys) == len(set(keys)), f"a page is listed twice: {keys}"
    extra = sorted(set(keys) - set(expected))
    assert not extra, f"listed but not planted: {extra}"


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


def test_markdown_and_html_name_the_person_to_act(
    report: OrphanReport, expected: dict[str, dict[str, Any]]
) -> None:
    markdown, html = render_orphans(report, "markdown"), render_orphans(report, "html")
    for key, want in expected.items():
        # Markdown writes @ as an entity (no pings in a PR comment); HTML escapes as usual.
        assert markdown_text(want["act"]) in markdown, key
        assert markdown_text(key) in markdown, key
        assert e(want["act"]) in html and e(key) in html, key
