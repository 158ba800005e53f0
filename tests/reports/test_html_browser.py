"""The HTML report in headless Chromium (Debian's ``chromium``): no console errors, charts render,
a click on a column header sorts, filtering works, and the hostile bio never ran."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from scanner.reports import formatter_for
from scanner.reports.orphans import build, render_orphans
from tests.reports.builders import audit_result

if TYPE_CHECKING:
    from tests.reports.cdp import Browser

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _missing(what: str) -> None:
    """Skip locally; in CI (env CI set) the browser test must run, so fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI for the browser test")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def browser() -> Any:
    try:
        from tests.reports.cdp import chromium_path, launch
    except ImportError:  # the `websockets` test dependency
        _missing("the websockets package")
    binary = chromium_path()
    if binary is None:
        _missing("chromium (.ci/run installs Debian's chromium)")
    assert binary is not None
    with launch(binary) as b:
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            b.send(domain)
        yield b


def _open(browser: Browser, path: Path) -> None:
    browser.events.clear()
    browser.send("Page.navigate", url=path.as_uri())
    browser.wait_event("Page.loadEventFired")


def _problems(browser: Browser) -> list[Any]:
    """Console errors, uncaught exceptions, and log errors (CSP violations land here)."""
    out = []
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        thrown = method == "Runtime.exceptionThrown"
        logged = method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}
        if thrown or logged:
            out.append(params)
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            out.append(params["entry"])
    return out


def _column(browser: Browser, index: int) -> list[str]:
    return browser.evaluate(  # type: ignore[no-any-return]
        "Array.from(document.querySelectorAll('#findings-table tbody tr'))"
        f".map(r => r.cells[{index}].textContent.trim())"
    )


def _click_header(browser: Browser, index: int) -> None:
    box = browser.evaluate(
        f"(() => {{ const th = document.querySelectorAll('#findings-table thead th')[{index}];"
        "th.scrollIntoView({block: 'center'}); const r = th.getBoundingClientRect();"
        "return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    browser.click(box[0], box[1])


def test_html_report_in_chromium(browser: Browser, tmp_path: Path) -> None:
    result = audit_result()
    page = tmp_path / "audit.html"
    page.write_text(formatter_for("html").render(result), encoding="utf-8")
    _open(browser, page)

    # The hostile bio is on the page as text and did not run.
    assert browser.evaluate("document.title") == "Rollcall audit: Copper Kettle Coffee Roasters"
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.images.length") == 0
    assert browser.evaluate("document.body.innerText.includes(\"<script>document.title='pwned'\")")
    assert browser.evaluate("document.scripts.length") == 1

    # Charts render: every SVG chart has a real box, and the bars inside have size.
    charts = browser.evaluate(
        "Array.from(document.querySelectorAll('svg.chart')).map(s => {"
        "const r = s.getBoundingClientRect(); return [s.id, r.width, r.height,"
        "s.querySelectorAll('rect.bar, polyline.series, circle').length]; })"
    )
    assert {c[0] for c in charts} == {
        "chart-severity", "chart-states", "chart-activity", "chart-trend-severity",
        "chart-trend-states",
    }  # fmt: skip
    for chart_id, width, height, marks in charts:
        assert width > 100 and height > 50 and marks > 0, chart_id
    widest = browser.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('#chart-severity rect.bar'))"
        ".map(r => r.getBoundingClientRect().width))"
    )
    assert widest > 100

    # A real click on the "rule" header sorts ascending, a second click descending.
    before = _column(browser, 1)
    _click_header(browser, 1)
    ascending = _column(browser, 1)
    assert ascending == sorted(before) and ascending != before
    assert (
        browser.evaluate(
            "document.querySelectorAll('#findings-table thead th')[1].getAttribute('aria-sort')"
        )
        == "ascending"
    )
    _click_header(browser, 1)
    assert _column(browser, 1) == sorted(before, reverse=True)
    # Severity sorts by rank, not alphabetically.
    _click_header(browser, 0)
    assert _column(browser, 0)[0] == "info" or _column(browser, 0)[0] == "low"
    _click_header(browser, 0)
    assert _column(browser, 0)[0] == "critical"

    # Filtering by text and by severity.
    shown = browser.evaluate(
        "(() => { const f = document.getElementById('findings-filter'); f.value = 'ig-retail';"
        "f.dispatchEvent(new Event('input')); return [document.querySelectorAll("
        "'#findings-table tbody tr:not([hidden])').length, "
        "document.getElementById('findings-count').textContent]; })()"
    )
    assert shown == [4, "4 of 15 findings shown"]
    shown = browser.evaluate(
        "(() => { const f = document.getElementById('findings-filter'); f.value = '';"
        "f.dispatchEvent(new Event('input')); const s = document.getElementById('severity-filter');"
        "s.value = 'critical'; s.dispatchEvent(new Event('change'));"
        "return document.querySelectorAll('#findings-table tbody tr:not([hidden])').length; })()"
    )
    assert shown == 2

    browser.evaluate(
        "(() => { const s = document.getElementById('severity-filter'); s.value = '';"
        "s.dispatchEvent(new Event('change')); window.scrollTo(0, 0); })()"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = browser.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    (ARTIFACTS / "html-report.png").write_bytes(base64.b64decode(shot["data"]))
    assert (ARTIFACTS / "html-report.png").stat().st_size > 10_000

    assert _problems(browser) == []


def test_orphans_html_in_chromium(browser: Browser, tmp_path: Path) -> None:
    page = tmp_path / "orphans.html"
    page.write_text(render_orphans(build(audit_result()), "html"), encoding="utf-8")
    _open(browser, page)
    assert browser.evaluate("document.title") == "Orphaned pages: Copper Kettle Coffee Roasters"
    assert browser.evaluate("document.querySelectorAll('#pages tbody tr').length") == 7
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    shot = browser.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "orphans-report.png").write_bytes(base64.b64decode(shot["data"]))
    assert _problems(browser) == []


def _wrapped_badges(browser: Browser) -> list[str]:
    """Severity badges whose text takes more than one line box."""
    return browser.evaluate(  # type: ignore[no-any-return]
        "Array.from(document.querySelectorAll('.sev')).filter(b => {"
        "const r = document.createRange(); r.selectNodeContents(b);"
        "return r.getClientRects().length > 1; }).map(b => b.textContent)"
    )


def test_severity_badges_stay_whole_on_a_narrow_screen(browser: Browser, tmp_path: Path) -> None:
    """Issue 16: on a narrow window the findings table squeezed "medium" into "mediu / m"."""
    page = tmp_path / "audit.html"
    page.write_text(formatter_for("html").render(audit_result()), encoding="utf-8")
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=360,
        height=800,
        deviceScaleFactor=1,
        mobile=False,
    )
    try:
        _open(browser, page)
        badges = browser.evaluate("document.querySelectorAll('#findings-table .sev').length")
        assert badges > 10
        assert _wrapped_badges(browser) == []
        # The check can fail: with the page's own rule undone, badges do break at this width.
        browser.evaluate(
            "document.querySelectorAll('.sev').forEach(b => {"
            "b.style.whiteSpace = 'normal'; b.style.overflowWrap = 'anywhere'; })"
        )
        assert _wrapped_badges(browser) != []
    finally:
        browser.send("Emulation.clearDeviceMetricsOverride")
