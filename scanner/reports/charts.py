"""Inline SVG charts for the HTML reports: horizontal bars, a histogram and line charts. No
script, no external resources; every label passes through ``sanitize.html_text``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scanner.reports.sanitize import html_text

__all__ = ["bar_chart", "column_chart", "line_chart"]

_FONT = 'font-family="system-ui, sans-serif" font-size="12"'
GREY = "#9ca3af"
"""Points a line chart shows but does not join (``line_chart(aside=...)``)."""


def _e(value: object) -> str:
    return html_text(str(value))


def bar_chart(chart_id: str, title: str, items: Sequence[tuple[str, int, str]]) -> str:
    """Horizontal bars: (label, value, colour) per row."""
    label_w, bar_w, row_h = 110, 260, 24
    height = row_h * max(len(items), 1) + 30
    top = max((v for _, v, _ in items), default=0) or 1
    parts = [
        f'<svg id="{_e(chart_id)}" class="chart" role="img" aria-labelledby="{_e(chart_id)}-title" '
        f'width="{label_w + bar_w + 50}" height="{height}" viewBox="0 0 {label_w + bar_w + 50} {height}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>',
        f'<text x="0" y="14" {_FONT} font-weight="600" fill="#111827">{_e(title)}</text>',
    ]
    for i, (label, value, color) in enumerate(items):
        y = 24 + i * row_h
        width = round(bar_w * value / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" {_FONT} fill="#374151">{_e(label)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{max(width, 1)}" height="{row_h - 8}" '
            f'fill="{_e(color)}"><title>{_e(label)}: {value}</title></rect>'
            f'<text x="{label_w + max(width, 1) + 6}" y="{y + 15}" {_FONT} fill="#111827">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def column_chart(chart_id: str, title: str, items: Sequence[tuple[str, int]], color: str) -> str:
    """Vertical columns (a histogram): (bin label, count) per column."""
    col_w, gap, plot_h = 52, 10, 140
    width = 40 + len(items) * (col_w + gap)
    height = plot_h + 70
    top = max((v for _, v in items), default=0) or 1
    base = 30 + plot_h
    parts = [
        f'<svg id="{_e(chart_id)}" class="chart" role="img" aria-labelledby="{_e(chart_id)}-title" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>',
        f'<text x="0" y="14" {_FONT} font-weight="600" fill="#111827">{_e(title)}</text>',
        f'<line x1="30" y1="{base}" x2="{width}" y2="{base}" stroke="#9ca3af"/>',
    ]
    for i, (label, value) in enumerate(items):
        x = 40 + i * (col_w + gap)
        h = max(round(plot_h * value / top), 1)
        parts.append(
            f'<rect class="bar" x="{x}" y="{base - h}" width="{col_w}" height="{h}" fill="{_e(color)}">'
            f"<title>{_e(label)}: {value}</title></rect>"
            f'<text x="{x + col_w / 2}" y="{base - h - 4}" text-anchor="middle" {_FONT} fill="#111827">{value}</text>'
            f'<text x="{x + col_w / 2}" y="{base + 16}" text-anchor="middle" {_FONT} fill="#374151">{_e(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


_PLOT_W, _PLOT_H, _LEFT, _TOP_PAD = 420, 150, 40, 30
"""A line chart's plot area: its size, and its offset from the left edge and from the top."""


@dataclass(frozen=True)
class _Scale:
    """Where a line chart puts run ``i`` of ``runs`` across, and a value of 0..``top`` up."""

    runs: int
    top: int

    def x(self, i: int) -> float:
        return _LEFT + (_PLOT_W * i / (self.runs - 1) if self.runs > 1 else _PLOT_W / 2)

    def y(self, v: int) -> float:
        return _TOP_PAD + _PLOT_H - _PLOT_H * v / self.top


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
    colors: Mapping[str, str],
    aside: Mapping[int, str] | None = None,
) -> str:
    """One polyline per series over the runs in ``labels`` (oldest first), with a legend.

    ``aside`` maps a run's index to why it is not comparable (an offline run): its points are
    drawn hollow and grey, and each line joins the runs before and after it, so the chart never
    shows it as a change."""
    aside = aside or {}
    top = max((v for values in series.values() for v in values), default=0) or 1
    scale = _Scale(max(len(labels), 1), top)
    parts = _line_frame(chart_id, title, top)
    parts += _run_labels(labels, aside, scale)
    for row, (name, values) in enumerate(series.items()):
        color = _e(colors.get(name, "#6b7280"))
        parts += _series_marks(name, values, color, labels, aside, scale)
        parts.append(_legend_swatch(row, name, color))
    parts += _aside_legend(aside, start=len(series))
    parts.append("</svg>")
    return "".join(parts)


def _line_frame(chart_id: str, title: str, top: int) -> list[str]:
    """The opening ``<svg>``, its title and the two axes with their end values."""
    width, height = _LEFT + _PLOT_W + 130, _TOP_PAD + _PLOT_H + 40
    base = _TOP_PAD + _PLOT_H
    return [
        f'<svg id="{_e(chart_id)}" class="chart" role="img" aria-labelledby="{_e(chart_id)}-title" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>',
        f'<text x="0" y="14" {_FONT} font-weight="600" fill="#111827">{_e(title)}</text>',
        f'<line x1="{_LEFT}" y1="{base}" x2="{_LEFT + _PLOT_W}" y2="{base}" stroke="#9ca3af"/>',
        f'<line x1="{_LEFT}" y1="{_TOP_PAD}" x2="{_LEFT}" y2="{base}" stroke="#9ca3af"/>',
        f'<text x="{_LEFT - 6}" y="{_TOP_PAD + 4}" text-anchor="end" {_FONT} fill="#374151">{top}</text>',
        f'<text x="{_LEFT - 6}" y="{base}" text-anchor="end" {_FONT} fill="#374151">0</text>',
    ]


def _run_labels(labels: Sequence[str], aside: Mapping[int, str], scale: _Scale) -> list[str]:
    """Run labels under the x axis: all of up to 8 runs, else the ends and about six between."""
    n = scale.runs
    parts = []
    for i, label in enumerate(labels):
        if n <= 8 or i in (0, n - 1) or i % max(n // 6, 1) == 0:
            fill = GREY if i in aside else "#374151"
            parts.append(
                f'<text x="{scale.x(i):.1f}" y="{_TOP_PAD + _PLOT_H + 16}" text-anchor="middle" {_FONT} '
                f'fill="{fill}">{_e(label)}</text>'
            )
    return parts


def _series_marks(
    name: str,
    values: Sequence[int],
    color: str,
    labels: Sequence[str],
    aside: Mapping[int, str],
    scale: _Scale,
) -> list[str]:
    """One series: a line through the comparable runs, and a point per run (hollow when aside)."""
    x, y = scale.x, scale.y
    parts = []
    joined = [(i, v) for i, v in enumerate(values) if i not in aside]
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in joined)
    if len(joined) > 1:
        parts.append(
            f'<polyline class="series" points="{points}" fill="none" stroke="{color}" stroke-width="2">'
            f"<title>{_e(name)}</title></polyline>"
        )
    for i, v in enumerate(values):
        label = _e(labels[i] if i < len(labels) else "")
        if i in aside:
            parts.append(
                f'<circle class="aside" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="none" '
                f'stroke="{GREY}" stroke-width="1.5">'
                f"<title>{_e(name)} {label}: {v} ({_e(aside[i])})</title></circle>"
            )
        else:
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}">'
                f"<title>{_e(name)} {label}: {v}</title></circle>"
            )
    return parts


def _legend_swatch(row: int, name: str, color: str) -> str:
    """A series' legend entry: its (escaped) colour and its name, on legend line ``row``."""
    ly = _TOP_PAD + row * 18
    return (
        f'<rect x="{_LEFT + _PLOT_W + 16}" y="{ly}" width="10" height="10" fill="{color}"/>'
        f'<text x="{_LEFT + _PLOT_W + 32}" y="{ly + 9}" {_FONT} fill="#111827">{_e(name)}</text>'
    )


def _aside_legend(aside: Mapping[int, str], *, start: int) -> list[str]:
    """A hollow grey point per distinct reason runs are aside, from legend line ``start`` on."""
    parts = []
    for row, reason in enumerate(dict.fromkeys(aside.values()), start=start):
        ly = _TOP_PAD + row * 18
        parts.append(
            f'<circle cx="{_LEFT + _PLOT_W + 21}" cy="{ly + 5}" r="4" fill="none" stroke="{GREY}" '
            f'stroke-width="1.5"/><text x="{_LEFT + _PLOT_W + 32}" y="{ly + 9}" {_FONT} '
            f'fill="{GREY}">{_e(reason)}</text>'
        )
    return parts
