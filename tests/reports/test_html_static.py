"""The HTML report without a browser: self-contained, locked down by CSP, everything escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from scanner.model import AuditResult
from scanner.reports import formatter_for
from scanner.reports.html_report import TABLE_SCRIPT
from scanner.reports.htmlpage import CSS, csp_hash

XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _parse(text: str) -> _Collector:
    parser = _Collector()
    parser.feed(text)
    return parser


def test_self_contained_and_csp_pins_the_inline_blocks(result: AuditResult) -> None:
    text = formatter_for("html").render(result)
    parsed = _parse(text)
    scripts = [attrs for tag, attrs in parsed.tags if tag == "script"]
    assert scripts == [{}]  # exactly one inline script, no src
    assert parsed.scripts == [TABLE_SCRIPT]
    for tag, attrs in parsed.tags:
        assert tag not in {"img", "iframe", "object", "embed", "link", "image"}, tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs  # inline style attributes would need 'unsafe-inline'
        if tag != "a":
            assert not any(
                (v or "").startswith(("http:", "https:", "//"))
                for k, v in attrs.items()
                if k in {"src", "href"}
            )
    csp = next(
        a["content"]
        for t, a in parsed.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp is not None and "default-src 'none'" in csp
    assert f"script-src {csp_hash(TABLE_SCRIPT)}" in csp
    assert f"style-src {csp_hash(CSS)}" in csp
    assert "unsafe-inline" not in csp


def test_hostile_bio_is_text(result: AuditResult) -> None:
    text = formatter_for("html").render(result)
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;" in text
    assert "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in text
    assert not XML_INVALID.search(text)
    assert "\x1b" not in text
    assert 'href="javascript:' not in text


def test_sections_and_charts_present(result: AuditResult) -> None:
    text = formatter_for("html").render(result)
    for anchor in (
        'id="summary"', 'id="charts"', 'id="chart-severity"', 'id="chart-states"',
        'id="chart-activity"', 'id="trends"', 'id="chart-trend-severity"',
        'id="chart-trend-states"', 'id="findings-table"', 'id="departments"', 'id="accounts"',
        'id="baseline"', 'id="discoveries"',
    ):  # fmt: skip
        assert anchor in text, anchor
    assert text.count('<tr data-severity="') == 15


def test_without_history_there_are_no_trend_or_baseline_sections(empty_result: AuditResult) -> None:
    text = formatter_for("html").render(empty_result)
    assert 'id="trends"' not in text and 'id="baseline"' not in text
    assert 'id="chart-activity"' in text
