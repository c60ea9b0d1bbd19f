"""Stacked bars over time and ranked horizontal bars, as SVG strings. Pure.

Every text that came from data (a country, a category, an outlet's name) is escaped here,
so a hostile outlet name is text in the picture, never markup. A bar's segments are drawn
bottom-up in the series' order and sum to the bucket's total, which is written above the
bar when the bars are wide enough to carry it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from monitor.web.charts.palette import GRID, INK, OUTLINE, series_fill

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 20, 48
LABEL_WIDTH = 230  # ranked bars: room for the names on the left
ROW = 26
MAX_NAME = 38


@dataclass(frozen=True, slots=True)
class Series:
    """One stacked series: ``key`` as stored (``BR``), ``label`` as read (``Brazil``)."""

    key: str
    label: str
    values: tuple[int, ...]
    other: bool = False

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True, slots=True)
class StackedChart:
    chart_id: str
    title: str
    description: str
    buckets: tuple[str, ...]  # each bar's label (its first day)
    series: tuple[Series, ...]

    def totals(self) -> list[int]:
        """Each bar's height: the sum of its segments."""
        return [sum(s.values[i] for s in self.series) for i in range(len(self.buckets))]


@dataclass(frozen=True, slots=True)
class RankedChart:
    chart_id: str
    title: str
    description: str
    rows: tuple[tuple[str, int], ...]  # (name, count), largest first


def top_series(
    counts: Mapping[str, Sequence[int]],
    labels: Mapping[str, str],
    *,
    keep: int,
    other_label: str,
) -> tuple[Series, ...]:
    """The ``keep`` largest series by total (ties by key), the rest summed as one "other"
    series, so a chart never needs more colours than the palette has."""
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))
    ranked = [(key, values) for key, values in ranked if sum(values) > 0]
    shown = [Series(key, labels.get(key, key), tuple(values)) for key, values in ranked[:keep]]
    rest = ranked[keep:]
    if rest:
        width = len(rest[0][1])
        summed = tuple(sum(values[i] for _, values in rest) for i in range(width))
        shown.append(Series("other", other_label, summed, other=True))
    return tuple(shown)


def rank(totals: Mapping[str, int], *, keep: int) -> tuple[tuple[str, int], ...]:
    """The ``keep`` largest (name, total) pairs, largest first, ties by name."""
    ranked = sorted(((n, c) for n, c in totals.items() if c > 0), key=lambda p: (-p[1], p[0]))
    return tuple(ranked[:keep])


def nice_step(maximum: int, ticks: int = 5) -> int:
    """A step of 1, 2 or 5 times a power of ten giving at most ``ticks`` gridlines."""
    if maximum <= ticks:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _frame(chart_id: str, title: str, description: str, width: int, height: int) -> str:
    return (
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )


def _short(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def stacked_bars_svg(chart: StackedChart) -> str:
    """The chart as an SVG string (``role="img"``, titled and described)."""
    out = [_frame(chart.chart_id, chart.title, chart.description, WIDTH, HEIGHT)]
    totals = chart.totals()
    count = max(len(chart.buckets), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = nice_step(max(totals, default=0))
    top_value = max(step, math.ceil(max(totals, default=0) / step) * step)
    scale = plot_h / top_value
    base = TOP + plot_h
    for tick in range(0, top_value + 1, step):
        grid_y = _number(base - tick * scale)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{grid_y}" y2="{grid_y}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{grid_y}" dy="0.35em" text-anchor="end" font-size="12" '
            f'fill="{INK}">{tick}</text>'
        )
    slot = plot_w / count
    bar = max(1.0, slot * 0.72)
    label_every = max(1, math.ceil(count / (plot_w / 44)))
    for i, bucket in enumerate(chart.buckets):
        x = LEFT + i * slot + (slot - bar) / 2
        y = float(base)
        for index, series in enumerate(chart.series):
            value = series.values[i]
            if value <= 0:
                continue
            height = value * scale
            y -= height
            out.append(
                f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(bar)}" '
                f'height="{_number(height)}" fill="{series_fill(index, other=series.other)}" '
                f'stroke="{OUTLINE}" stroke-width="0.75">'
                f"<title>{escape(series.label)}, {escape(bucket)}: {value}</title></rect>"
            )
        if totals[i] and bar >= 16:
            out.append(
                f'<text x="{_number(x + bar / 2)}" y="{_number(y - 4)}" text-anchor="middle" '
                f'font-size="11" fill="{INK}">{totals[i]}</text>'
            )
        if i % label_every == 0:
            out.append(
                f'<text x="{_number(x + bar / 2)}" y="{base + 16}" text-anchor="middle" '
                f'font-size="11" fill="{INK}">{escape(bucket[5:])}</text>'
            )
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="{INK}"/>')
    if chart.buckets:
        out.append(
            f'<text x="{LEFT}" y="{HEIGHT - 6}" font-size="11" fill="{INK}">'
            f"{escape(chart.buckets[0][:4])}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def ranked_bars_svg(chart: RankedChart) -> str:
    """Horizontal bars, largest first, each named on the left and counted on the right."""
    height = TOP + max(1, len(chart.rows)) * ROW + 8
    out = [_frame(chart.chart_id, chart.title, chart.description, WIDTH, height)]
    largest = max((count for _, count in chart.rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - RIGHT - 40
    for i, (name, count) in enumerate(chart.rows):
        y = TOP + i * ROW
        length = max(1.0, count / largest * room)
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + ROW / 2 - 2}" dy="0.35em" text-anchor="end" '
            f'font-size="13" fill="{INK}">{escape(_short(name))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{_number(length)}" height="{ROW - 10}" '
            f'fill="{series_fill(0)}" stroke="{OUTLINE}" stroke-width="0.75">'
            f"<title>{escape(name)}: {count}</title></rect>"
            f'<text x="{_number(LABEL_WIDTH + length + 6)}" y="{y + ROW / 2 - 2}" dy="0.35em" '
            f'font-size="13" fill="{INK}">{count}</text>'
        )
    out.append("</svg>")
    return "".join(out)
