"""Trends with an offline run: shown as a hollow grey point, never joined to a line as a change."""

from __future__ import annotations

import re

from scanner.reports import formatter_for
from scanner.reports.charts import GREY, line_chart
from scanner.reports.views import trend_series
from tests.reports.builders import TRENDS, audit_result

# Run 3 of the fixture's four was offline: its critical findings could not be evaluated, so
# its open counts dropped to nothing, which a line would draw as a dramatic improvement.
OFFLINE_TRENDS = tuple(
    {**t, "offline": True, "complete": False, "open_findings": {"high": 1}, "not_evaluated": 40}
    if t["run_id"] == 3
    else t
    for t in TRENDS
)


def _points(svg: str) -> list[list[str]]:
    return [p.split() for p in re.findall(r'<polyline class="series" points="([^"]*)"', svg)]


def test_line_chart_skips_the_runs_set_aside_and_draws_them_hollow() -> None:
    svg = line_chart(
        "c", "Open", ["a", "b", "c", "d"], {"high": [2, 3, 0, 3]}, {"high": "#dc2626"}, {2: "why"}
    )
    [line] = _points(svg)
    assert len(line) == 3
    assert line[1].split(",")[1] == line[2].split(",")[1]  # b (3) joins d (3): flat, no dip
    hollow = re.findall(r'<circle class="aside"[^>]*>', svg)
    assert len(hollow) == 1 and 'fill="none"' in hollow[0] and f'stroke="{GREY}"' in hollow[0]
    assert "high c: 0 (why)</title>" in svg
    assert f'fill="{GREY}">why</text>' in svg  # the legend says why
    assert f'fill="{GREY}">c</text>' in svg  # and the run's label is greyed


def test_without_runs_set_aside_every_point_is_joined() -> None:
    svg = line_chart("c", "Open", ["a", "b"], {"high": [2, 3]}, {"high": "#dc2626"})
    assert [len(p) for p in _points(svg)] == [2]
    assert 'class="aside"' not in svg and 'stroke-width="1.5"' not in svg


def test_html_trends_set_the_offline_run_apart() -> None:
    result = audit_result(trends=OFFLINE_TRENDS)
    assert [p.offline for p in trend_series(result)] == [False, False, True, False]
    page = formatter_for("html").render(result)
    section = page[page.index('<section id="trends">') :]
    section = section[: section.index("</section>")]
    assert "Offline runs (hollow grey points)" in section
    severity = section[: section.index('id="chart-trend-states"')]
    assert {len(p) for p in _points(severity)} == {3}
    assert severity.count('<circle class="aside"') == 5  # one per severity line
    assert "critical 2026-09-15: 0 (offline run)" in severity


def test_html_trends_without_an_offline_run_have_no_note() -> None:
    page = formatter_for("html").render(audit_result())
    assert "Offline runs" not in page and 'class="aside"' not in page
