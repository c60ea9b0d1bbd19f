"""Trends, the pure part: the URL understood, and the counts turned into charts and tables.

The URL holds the whole view (``from``, ``to``: days in the reader's zone, both included;
``every``: ``day`` or ``week``; ``q``: a stored-query filter), so a view can be bookmarked.
A value that is not one of ours is named on the page and replaced by the default; a query
that does not parse is shown with its error's position, and no chart is drawn until it is
fixed (a chart of everything under a broken filter would mislead).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from monitor.errors import QueryError
from monitor.matching.query import Node, parse
from monitor.trends.periods import EVERY, Bucket, Every, buckets
from monitor.web.charts.bars import RankedChart, StackedChart, rank, top_series
from monitor.web.charts.palette import series_fill

DEFAULT_DAYS = 30
MAX_DAYS = 366
MAX_QUERY = 2000
SERIES_SHOWN = 7  # the palette's colours; the rest is "other"
OUTLETS_SHOWN = 10
VIEW_NAMES = ("from", "to", "every", "q")

Text = Callable[..., str]


@dataclass(frozen=True, slots=True)
class TrendsQuery:
    first: date
    last: date
    every: Every
    query: str
    node: Node | None
    error: QueryError | None
    problems: tuple[tuple[str, str], ...]

    def shown(self) -> dict[str, str]:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "every": self.every,
            "q": self.query,
        }

    def url_query(self, **extra: str) -> str:
        pairs = [(k, v) for k, v in self.shown().items() if v]
        pairs += [(k, v) for k, v in extra.items() if v]
        return urlencode(pairs)


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
    return day if day is not None and 2000 <= day.year < 2100 else None


def parse_trends(query: Mapping[str, str], today: date) -> TrendsQuery:
    """The view a Trends URL asks for; defaults (the last 30 days to ``today``, by day) for
    what is missing, and problems (catalog key, value) for what was not understood."""
    problems: list[tuple[str, str]] = []
    texts = {name: query.get(name, "").strip() for name in VIEW_NAMES}
    last = today
    if texts["to"]:
        last = _day(texts["to"]) or last
        if _day(texts["to"]) is None:
            problems.append(("trends.bad_date", texts["to"]))
    first = last - timedelta(days=DEFAULT_DAYS - 1)
    if texts["from"]:
        first = _day(texts["from"]) or first
        if _day(texts["from"]) is None:
            problems.append(("trends.bad_date", texts["from"]))
    if first > last:
        problems.append(("trends.bad_order", texts["from"]))
        first, last = last, first
    if (last - first).days + 1 > MAX_DAYS:
        problems.append(("trends.too_long", str(MAX_DAYS)))
        first = last - timedelta(days=MAX_DAYS - 1)
    every: Every = "day"
    if texts["every"] in EVERY:
        every = "week" if texts["every"] == "week" else "day"
    elif texts["every"]:
        problems.append(("trends.bad_every", texts["every"]))
    text = texts["q"][:MAX_QUERY]
    node, error = None, None
    if text:
        try:
            node = parse(text)
        except QueryError as exc:
            error = exc
    return TrendsQuery(first, last, every, text, node, error, tuple(problems))


@dataclass(frozen=True, slots=True)
class TrendsCharts:
    """Everything the page draws, from one count of the period."""

    countries: StackedChart
    categories: StackedChart
    outlets: RankedChart
    country_totals: dict[str, int]
    stories: int


def stacked_chart(
    chart_id: str,
    title: str,
    description: str,
    grouped: Mapping[str, Sequence[int]],
    labels: Mapping[str, str],
    groups: Sequence[Bucket],
    other_label: str,
) -> StackedChart:
    """One stacked chart of series already summed into ``groups`` (``volumes.grouped``)."""
    series = top_series(grouped, labels, keep=SERIES_SHOWN, other_label=other_label)
    return StackedChart(chart_id, title, description, tuple(g.label for g in groups), series)


def build_charts(
    by_kind: Mapping[str, Mapping[str, Sequence[int]]],
    stories: int,
    view: TrendsQuery,
    t: Text,
    *,
    outlet_totals: Mapping[str, int],
    country_name: Callable[[str], str],
    category_name: Callable[[str], str],
) -> TrendsCharts:
    """The charts of a period's counts (``volumes.split_kinds`` of ``PeriodCounts.counts``,
    per bucket of ``view.every``; the outlets' totals for the whole period)."""
    groups = tuple(buckets(view.first, view.last, view.every))
    unit = t(f"trends.every_{view.every}")
    countries = by_kind.get("country", {})
    categories = by_kind.get("category", {})
    period = {"first": view.first.isoformat(), "last": view.last.isoformat(), "unit": unit}
    return TrendsCharts(
        countries=stacked_chart(
            "chart-countries",
            t("trends.by_country", **period),
            t("trends.by_country_desc", **period, count=len(countries)),
            countries,
            {code: country_name(code) for code in countries},
            groups,
            t("trends.other"),
        ),
        categories=stacked_chart(
            "chart-categories",
            t("trends.by_category", **period),
            t("trends.by_category_desc", **period, count=len(categories)),
            categories,
            {slug: category_name(slug) for slug in categories},
            groups,
            t("trends.other"),
        ),
        outlets=RankedChart(
            "chart-outlets",
            t("trends.outlets", **period),
            t("trends.outlets_desc", **period, count=min(OUTLETS_SHOWN, len(outlet_totals))),
            rank(dict(outlet_totals), keep=OUTLETS_SHOWN),
        ),
        country_totals={code: sum(series) for code, series in countries.items()},
        stories=stories,
    )


def legend(chart: StackedChart) -> list[tuple[str, str]]:
    """(fill, label) of each series, in the chart's order."""
    return [(series_fill(i, other=s.other), s.label) for i, s in enumerate(chart.series)]


def map_rows(
    totals: Mapping[str, int], codes: Sequence[str], country_name: Callable[[str], str]
) -> list[tuple[str, str, int]]:
    """(code, name, count) for the region's countries and any other counted one, most
    covered first, then by name."""
    every = set(codes) | {code for code, count in totals.items() if count}
    rows = [(code, country_name(code), totals.get(code, 0)) for code in every]
    return sorted(rows, key=lambda row: (-row[2], row[1]))
