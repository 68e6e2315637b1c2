"""Server-side SVG charts for the dashboard: no script, no CDN, colours from dashboard.css."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 40


def _n(value: float) -> str:
    return f"{value:.1f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return float(step)
    return float(value)


def _frame(
    title: str, body: list[str], top: float, ticks: Sequence[str], legend: list[str]
) -> SafeString:
    """Axes, gridlines at quarters of `top`, x tick labels, a legend, and the plotted body."""
    inner_h = HEIGHT - TOP - BOTTOM
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>',
            WIDTH,
            HEIGHT + 20 * ((len(legend) + 3) // 4),
            title,
            title,
        )
    ]
    for i in range(5):
        y = TOP + inner_h * (1 - i / 4)
        value = top * i / 4
        shown = f"{value:g}" if value >= 1 or value == 0 else f"{value:.2f}"
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                _n(y),
                _n(y),
                LEFT - 4,
                _n(y + 4),
                shown,
            )
        )
    parts.extend(mark_safe(b) for b in body)  # noqa: S308 - built with format_html below
    slot = (WIDTH - LEFT - RIGHT) / max(len(ticks), 1)
    every = max(1, len(ticks) // 10)
    for i, tick in enumerate(ticks):
        if i % every == 0:
            parts.append(
                format_html(
                    '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _n(LEFT + slot * (i + 0.5)),
                    HEIGHT - BOTTOM + 16,
                    tick,
                )
            )
    for i, item in enumerate(legend):
        x, y = LEFT + (i % 4) * 150, HEIGHT + 4 + 20 * (i // 4)
        parts.append(
            format_html(
                '<rect class="{}" x="{}" y="{}" width="12" height="12"/>'
                '<text class="legend" x="{}" y="{}">{}</text>',
                f"s-{item}",
                x,
                y - 10,
                x + 16,
                y,
                item.replace("_", " "),
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part escaped above


def stacked_bars(
    title: str, ticks: Sequence[str], series: dict[str, Sequence[float]]
) -> SafeString:
    """One bar per tick, stacked by series (e.g. comments per day by outcome)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(ticks))]
    top = _nice_max(max(totals, default=0))
    inner_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(ticks), 1)
    body = []
    for i, tick in enumerate(ticks):
        base = 0.0
        for name, values in series.items():
            value = values[i]
            if value <= 0:
                continue
            h = inner_h * value / top
            y = TOP + inner_h * (1 - (base + value) / top)
            body.append(
                str(
                    format_html(
                        '<rect class="{}" x="{}" y="{}" width="{}" height="{}">'
                        "<title>{}: {} {}</title></rect>",
                        f"s-{name}",
                        _n(LEFT + slot * i + slot * 0.1),
                        _n(y),
                        _n(slot * 0.8),
                        _n(h),
                        tick,
                        f"{value:g}",
                        name.replace("_", " "),
                    )
                )
            )
            base += value
    return _frame(title, body, top, ticks, list(series))


def lines(
    title: str, ticks: Sequence[str], series: dict[str, Sequence[float | None]]
) -> SafeString:
    """One line per series over the ticks; gaps where a value is missing."""
    values = [v for vs in series.values() for v in vs if v is not None]
    top = _nice_max(max(values, default=0))
    inner_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(ticks), 1)
    body = []
    for name, vs in series.items():
        points = [
            (LEFT + slot * (i + 0.5), TOP + inner_h * (1 - v / top))
            for i, v in enumerate(vs)
            if v is not None
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(str(format_html('<polyline class="{}" points="{}"/>', f"l-{name}", path)))
            body.extend(
                str(
                    format_html(
                        '<circle class="{}" cx="{}" cy="{}" r="3"/>', f"s-{name}", _n(x), _n(y)
                    )
                )
                for x, y in points
            )
    return _frame(title, body, top, ticks, list(series))


def histogram(title: str, name: str, counts: Sequence[int]) -> SafeString:
    """Counts in equal bins from 0 to 1."""
    ticks = [f"{i / len(counts):.2f}" for i in range(len(counts))]
    return stacked_bars(title, ticks, {name: counts})


def rates(title: str, rows: Sequence[tuple[str, float | None, str]]) -> SafeString:
    """Horizontal bars of rates in [0, 1], one per row: (name, rate, note)."""
    height = 28 * max(len(rows), 1) + 24
    width, start, span = 900, 240, 420
    parts = [
        str(
            format_html(
                '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">'
                "<title>{}</title>",
                width,
                height,
                title,
                title,
            )
        )
    ]
    for i, (name, rate, note) in enumerate(rows):
        y = 8 + 28 * i
        parts.append(
            str(
                format_html(
                    '<text class="legend" x="0" y="{}">{}</text>'
                    '<rect class="track" x="{}" y="{}" width="{}" height="18"/>'
                    '<rect class="s-overturned" x="{}" y="{}" width="{}" height="18"/>'
                    '<text class="legend" x="{}" y="{}">{}</text>',
                    y + 14,
                    name,
                    start,
                    y,
                    span,
                    start,
                    y,
                    _n(span * (rate or 0.0)),
                    start + span + 8,
                    y + 14,
                    note,
                )
            )
        )
    if not rows:
        parts.append('<text class="legend" x="0" y="20">No automatic decision was reviewed.</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html


def empty_note(text: str) -> SafeString:
    return format_html('<p class="chart-empty">{}</p>', escape(text))
