"""Trends: alerted stories per day or week by country and by category, the top outlets, and
a map of the region shaded by volume; any of them filtered by a stored query.

    GET /trends                 the page (``from``, ``to``, ``every``, ``q``; see trends_view)
    GET /trends/{chart}.csv     one chart's table as CSV (countries, categories, outlets, map)

The counts are ``monitor.trends.volumes``, the same core as ``monitor spikes`` and the API's
GET /trends, on the reader's days: counted by the database (``period_counts``) unless a
query filters the charts. A query is tested with the exact evaluator on the ``MatchDoc``
``monitor query test`` builds (``alert_rows`` then ``tally``), so a chart filtered by a
query counts exactly what a subscription with that query would have matched. The charts
are SVG drawn on the server (``monitor.web.charts``); every one has a table and a CSV, and
the page needs no JavaScript.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from markupsafe import Markup

from monitor.matching.query import matches
from monitor.matching.query.candidates import candidate
from monitor.notify.labels import country_name
from monitor.store.db import transaction
from monitor.subscriptions.preferences import topic_vocabulary
from monitor.subscriptions.preview import stored_story_doc
from monitor.trends.volumes import (
    CATEGORY,
    COUNTRY,
    OUTLET,
    PeriodCounts,
    alert_rows,
    grouped,
    period_bounds,
    period_counts,
    split_kinds,
    split_totals,
    tally,
)
from monitor.web.charts.bars import ranked_bars_svg, stacked_bars_svg
from monitor.web.charts.choropleth import MapClass, choropleth_svg, class_of, map_classes
from monitor.web.charts.palette import pattern_defs
from monitor.web.charts.shapes import MapShapes, packaged_shapes
from monitor.web.charts.tables import Table, ranked_table, stacked_table, to_csv
from monitor.web.workspace import i18n
from monitor.web.workspace.context import Reader, Workspace
from monitor.web.workspace.trends_view import (
    Text,
    TrendsCharts,
    TrendsQuery,
    build_charts,
    legend,
    map_rows,
    parse_trends,
)

CSV_CHARTS = ("countries", "categories", "outlets", "map")


def category_namer(t: Text) -> Callable[[str], str]:
    """A category's name in the reader's language (its slug when the catalog has none)."""

    def name(slug: str) -> str:
        key = f"category.{slug}"
        return t(key) if i18n.catalog("en").has(key) else slug

    return name


def chart_tables(
    charts: TrendsCharts, rows: list[tuple[str, str, int]], every: str, t: Text
) -> dict[str, Table]:
    """Each chart's table, as the page shows it and the CSV writes it."""
    period, total = t(f"trends.period_{every}"), t("trends.total")
    return {
        "countries": stacked_table(charts.countries, period_label=period, total_label=total),
        "categories": stacked_table(charts.categories, period_label=period, total_label=total),
        "outlets": ranked_table(
            charts.outlets, name_label=t("trends.outlet"), count_label=t("trends.stories")
        ),
        "map": Table(
            (t("trends.code"), t("trends.country"), t("trends.stories")),
            tuple((code, name, count) for code, name, count in rows),
        ),
    }


def class_label(found: MapClass) -> str:
    """``3`` for a class of one count, ``4–6`` for a range."""
    return str(found.low) if found.low == found.high else f"{found.low}–{found.high}"


class Trends:
    """The Trends area. ``shapes``: the map's shapes (the packaged ones unless given; None
    draws the table alone with a note, as a build without them would)."""

    def __init__(
        self, workspace: Workspace, shapes: MapShapes | Literal["packaged"] | None = "packaged"
    ) -> None:
        self.ws = workspace
        self.shapes = packaged_shapes() if shapes == "packaged" else shapes

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/trends", self.ws.signed_in(self.page)),
            web.get(r"/trends/{chart:[a-z]+}.csv", self.ws.signed_in(self.csv)),
        ]

    async def _count(self, view: TrendsQuery, zone: ZoneInfo, t: Text) -> TrendsCharts:
        kinds = (COUNTRY, CATEGORY, OUTLET)

        totals = (OUTLET,)  # the outlets chart ranks them: one number each

        def _load() -> PeriodCounts:
            with transaction(self.ws.engine) as conn:
                if view.node is None:
                    return period_counts(
                        conn,
                        view.first,
                        view.last,
                        every=view.every,
                        zone=zone,
                        kinds=kinds,
                        totals=totals,
                    )
                start, end = period_bounds(view.first, view.last, zone)
                rows = alert_rows(conn, start, end, with_text=True, within=candidate(view.node))
            rows = [row for row in rows if matches(view.node, stored_story_doc(row))]
            daily = tally(rows, view.first, view.last, zone=zone, kinds=kinds)
            stories = len({row.story_id for row in rows})
            return grouped(daily, stories, view.first, view.last, view.every, totals)

        counted = await asyncio.to_thread(_load)
        return build_charts(
            split_kinds(counted.counts),
            counted.stories,
            view,
            t,
            outlet_totals=split_totals(counted.totals).get(OUTLET, {}),
            country_name=country_name,
            category_name=category_namer(t),
        )

    def _region(self) -> list[str]:
        if self.shapes is not None:
            return [c.code for c in self.shapes.countries]
        return sorted(topic_vocabulary(self.ws.settings.topic_file).countries or ())

    async def page(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        t = self.ws.catalog(request).text
        view = parse_trends(request.query, datetime.now(UTC).astimezone(reader.zone).date())
        problems = [t(key, value=value) for key, value in view.problems]
        context: dict[str, Any] = {
            "view": view.shown(),
            "problems": problems,
            "error": None,
            "charts": None,
        }
        if view.error is not None:
            context["error"] = {
                "reason": view.error.reason,
                "position": view.error.position,
                "query": view.query,
                "pointer": " " * view.error.position + "^",
            }
            return self.ws.page(request, "trends.html.j2", title=t("trends.title"), **context)
        charts = await self._count(view, reader.zone, t)
        rows = map_rows(charts.country_totals, self._region(), country_name)
        tables = chart_tables(charts, rows, view.every, t)
        latest = {"from": view.first.isoformat(), "to": view.last.isoformat()}
        map_svg = None
        classes = map_classes([count for _, _, count in rows])
        if self.shapes is not None:
            map_svg = Markup(
                choropleth_svg(
                    self.shapes,
                    charts.country_totals,
                    chart_id="chart-map",
                    title=t("trends.map", first=latest["from"], last=latest["to"]),
                    description=t("trends.map_desc"),
                    name_of=country_name,
                    label_of=lambda name, count: t("trends.map_label", name=name, count=count),
                    link_of=lambda code: "/latest?" + _latest_query(code, latest),
                )
            )
        context.update(
            charts={
                "countries": Markup(stacked_bars_svg(charts.countries)),
                "categories": Markup(stacked_bars_svg(charts.categories)),
                "outlets": Markup(ranked_bars_svg(charts.outlets)),
                "map": map_svg,
            },
            legends={
                "countries": legend(charts.countries),
                "categories": legend(charts.categories),
            },
            map_legend=[
                (c.colour, t("trends.legend_none") if c.high == 0 else class_label(c))
                for c in classes
            ],
            map_rows=[
                {
                    "code": code,
                    "name": name,
                    "count": count,
                    "colour": class_of(count, classes).colour,
                    "href": "/latest?" + _latest_query(code, latest),
                }
                for code, name, count in rows
            ],
            tables=tables,
            defs=Markup(pattern_defs()),
            stories=charts.stories,
            csv_query=view.url_query(),
            period={"first": latest["from"], "last": latest["to"]},
        )
        return self.ws.page(request, "trends.html.j2", title=t("trends.title"), **context)

    async def csv(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        chart = request.match_info["chart"]
        if chart not in CSV_CHARTS:
            raise web.HTTPNotFound(text=f"no chart {chart!r}; charts: {', '.join(CSV_CHARTS)}")
        t = self.ws.catalog(request).text
        view = parse_trends(request.query, datetime.now(UTC).astimezone(reader.zone).date())
        if view.error is not None:
            return web.Response(status=400, text=f"q: {view.error}")
        charts = await self._count(view, reader.zone, t)
        rows = map_rows(charts.country_totals, self._region(), country_name)
        body = to_csv(chart_tables(charts, rows, view.every, t)[chart])
        name = f"trends-{chart}-{view.first.isoformat()}-{view.last.isoformat()}.csv"
        return web.Response(
            text=body,
            content_type="text/csv",
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )


def _latest_query(code: str, period: dict[str, str]) -> str:
    """Latest filtered by the country, over the same days."""
    return urlencode({"country": code, **period})
