"""Trends on stories the real worker stored, on both databases: sign-in, counts equal to the
stored alerts (stories, each once however many topics alerted it), CSV contents, query
filter and its errors, hostile outlets escaped."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from monitor.models import FeedItem
from monitor.store.db import make_engine, transaction
from monitor.store.sessions import open_session
from monitor.store.tables import alerts, stories
from monitor.web.workspace.context import Workspace
from monitor.web.workspace.security import SESSION_COOKIE
from monitor.web.workspace.trends import Trends
from tests.notify.test_mailer import ingest, subscribe
from tests.stream.test_handler import MENAFN, RIO
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site
from tests.web.workspace.test_coverage_pages import (
    CITIES,
    assert_only_our_markup,
    distinct_items,
)

HOSTILE_OUTLET = '=HYPERLINK("http://x.example";"<script>alert(1)</script>")'


def ingest_over_days(engine: object, items: list[FeedItem], days: int) -> None:
    """Alert ``items`` a few a day over the last ``days`` days, as the worker would have."""
    now = datetime.now(UTC)
    for n, item in enumerate(items):
        ingest(engine, [item], now=now - timedelta(days=n % days, hours=n % 5))


def first_alerts(site: Site) -> dict[tuple[int, str], datetime]:
    """The oracle's ground: for each (story, country) some alert names, when the first such
    alert was raised, straight from the table (a story alerted under two topics has two
    alerts and is still one story)."""
    first: dict[tuple[int, str], datetime] = {}
    with transaction(site.engine) as conn:
        for story_id, created, countries in conn.execute(
            select(alerts.c.story_id, alerts.c.created_at, alerts.c.countries)
        ):
            for code in countries or ():
                key = (story_id, code)
                first[key] = min(first.get(key, created), created)
    return first


def stored_country_totals(site: Site) -> Counter[str]:
    """The oracle: the stories each country's alerts name, counted straight from the table."""
    return Counter(code for _, code in first_alerts(site))


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def get_csv(site: Site, chart: str, **query: str) -> list[list[str]]:
    response, text = await site.get(f"/trends/{chart}.csv?" + urlencode(query))
    assert response.status == 200, text
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return read_csv(text)


def test_trends_need_sign_in(run: Run) -> None:
    async def body(site: Site) -> None:
        for path in ("/trends", "/trends/countries.csv", "/trends/map.csv?every=week"):
            response, _ = await site.get(path)
            assert response.status == 303
            location = response.headers["Location"].replace("%2F", "/")
            assert location.startswith("/signin?next=/trends"), location

    run(body)


def test_counts_equal_the_stored_alerts_in_charts_tables_and_csv(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org", tz="America/Sao_Paulo")
        ingest(site.engine, RIO + MENAFN)
        ingest_over_days(site.engine, distinct_items(30), 20)
        expected = stored_country_totals(site)
        assert sum(expected.values()) > 20 and len(expected) > 10
        await site.sign_in("reader@example.org")
        response, page = await site.get("/trends")
        assert response.status == 200
        assert_only_our_markup_and_svg(page)
        for chart in ("chart-countries", "chart-categories", "chart-outlets", "chart-map"):
            assert (
                f'id="{chart}"' in page and f'aria-labelledby="{chart}-title {chart}-desc"' in page
            )
        assert 'aria-current="page">Trends' in page
        with transaction(site.engine) as conn:
            alerted = len(set(conn.execute(select(alerts.c.story_id)).scalars()))
        assert f"{alerted} alerted stories from " in page
        # page weight: the stylesheet and scripts the page loads stay far under 200 KB
        assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', page)
        weight = 0
        for asset in assets:
            response, text = await site.get(asset.replace("&amp;", "&"))
            assert response.status == 200
            weight += len(text.encode())
        assert assets and weight < 20_000, weight
        assert len(page.encode()) < 150_000  # the inline SVG map is most of it

        # the map's table and CSV: every stored country, with its count
        rows = await get_csv(site, "map")
        assert rows[0] == ["Code", "Country", "Alerted stories"]
        got = {code: int(count) for code, _, count in rows[1:]}
        assert {code: n for code, n in got.items() if n} == dict(expected)
        assert got["GD"] == expected.get("GD", 0)  # small states are rows like the others
        # by country per day: each row's total is its segments' sum; all days sum to the stored
        rows = await get_csv(site, "countries")
        assert rows[0][0] == "Day" and rows[0][-1] == "Total"
        assert len(rows) - 1 == 30  # the default period: the last 30 days
        for line in rows[1:]:
            assert sum(int(n) for n in line[1:-1]) == int(line[-1])
        zone = ZoneInfo("America/Sao_Paulo")
        per_day = Counter(
            created.astimezone(zone).date().isoformat() for created in first_alerts(site).values()
        )
        assert {line[0]: int(line[-1]) for line in rows[1:] if line[-1] != "0"} == dict(per_day)
        # The alerted items fall on many local days whatever the hour of the run (near
        # midnight in São Paulo, items an hour apart straddle two dates; at noon they share one).
        assert len(per_day) >= 10
        assert sum(int(line[-1]) for line in rows[1:]) == sum(expected.values())
        # by week: the same stories in fewer bars
        weekly = await get_csv(site, "countries", every="week")
        assert weekly[0][0] == "Week from" and 5 <= len(weekly) - 1 <= 6
        assert sum(int(line[-1]) for line in weekly[1:]) == sum(expected.values())
        # categories: one per story and category its alerts name
        with transaction(site.engine) as conn:
            categorised = len(
                set(
                    conn.execute(
                        select(alerts.c.story_id, alerts.c.category).where(
                            alerts.c.category.is_not(None)
                        )
                    ).all()
                )
            )
        rows = await get_csv(site, "categories")
        assert sum(int(line[-1]) for line in rows[1:]) == categorised
        # outlets: the credited outlets' counts, largest first
        with transaction(site.engine) as conn:
            credited = Counter(
                name
                for (name,) in conn.execute(
                    select(stories.c.credited_outlet)
                    .where(stories.c.id.in_(select(alerts.c.story_id)))
                )
            )
        rows = await get_csv(site, "outlets")
        assert rows[0] == ["Outlet", "Alerted stories"]
        assert {name: int(n) for name, n in rows[1:]} == dict(credited.most_common(10))
        # a period without alerts: empty charts, zero everywhere, still a page
        old = (datetime.now(UTC) - timedelta(days=400)).date()
        response, page = await site.get(f"/trends?from={old}&to={old + timedelta(days=6)}")
        assert response.status == 200 and "0 alerted stories from" in page
        rows = await get_csv(site, "map", **{"from": str(old), "to": str(old + timedelta(days=6))})
        assert all(count == "0" for *_, count in rows[1:])
        response, _ = await site.get("/trends/nothing.csv")
        assert response.status == 404

    run(body)


def assert_only_our_markup_and_svg(page: str) -> None:
    """The page's HTML is our templates' tags; its SVG is checked by the pure tests."""
    html_only = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
    assert_only_our_markup(
        html_only.replace("<details", "<div")
        .replace("</details>", "</div>")
        .replace("<summary", "<span")
        .replace("</summary>", "</span>")
        .replace("<pre", "<p")
        .replace("</pre>", "</p>")
    )


def test_a_query_filters_every_chart_and_its_errors_show_their_position(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        items = distinct_items(30)
        ingest(site.engine, items)
        await site.sign_in("reader@example.org")
        # the oracle: stories whose headline names Lima (the query language folds accents)
        lima = sum(1 for n in range(30) if CITIES[n % 30] == "Lima")
        with transaction(site.engine) as conn:
            titles = [
                t
                for (t,) in conn.execute(
                    select(stories.c.title).join(alerts, alerts.c.story_id == stories.c.id)
                )
            ]
        assert sum("Lima" in t for t in titles) == lima == 1
        response, page = await site.get("/trends?" + urlencode({"q": "title:lima"}))
        assert response.status == 200 and f"{lima} alerted stories from" in page
        rows = await get_csv(site, "countries", q="title:lima")
        assert sum(int(line[-1]) for line in rows[1:]) >= 1
        outlets = await get_csv(site, "outlets", q="title:lima")
        assert sum(int(n) for _, n in outlets[1:]) == lima
        none = await get_csv(site, "outlets", q="title:nowhere")
        assert none == [["Outlet", "Alerted stories"]]
        # a syntax error: named with its position and the caret under it; no chart
        bad = 'Lula AND "peace'
        response, page = await site.get("/trends?" + urlencode({"q": bad}))
        assert response.status == 200
        assert "error at position 9" in page
        assert "Lula AND &#34;peace\n         ^" in page
        assert 'id="chart-countries"' not in page and 'aria-invalid="true"' in page
        response, text = await site.get("/trends/countries.csv?" + urlencode({"q": bad}))
        assert response.status == 400 and "position 9" in text
        # values that are not ours are named, and the defaults used
        response, page = await site.get("/trends?from=yesterday&every=%3Cscript%3E")
        assert 'role="alert"' in page and "&lt;script&gt;" in page and "<script>" not in page
        assert 'id="chart-countries"' in page

    run(body)


def test_hostile_outlet_names_are_escaped_in_the_page_and_inert_in_csv(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        items = [
            replace(item, outlet=HOSTILE_OUTLET, original_outlet=None) for item in distinct_items(3)
        ]
        ingest(site.engine, items)
        with transaction(site.engine) as conn:
            names = {n for (n,) in conn.execute(select(stories.c.credited_outlet))}
        assert HOSTILE_OUTLET in names, names
        await site.sign_in("reader@example.org")
        _response, page = await site.get("/trends")
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert_only_our_markup_and_svg(page)
        rows = await get_csv(site, "outlets")
        assert rows[1] == ["'" + HOSTILE_OUTLET, "3"]

    run(body)


def test_without_map_shapes_the_page_shows_the_table_and_says_why(
    db_url: str, make_settings: Any
) -> None:
    """A build without monitor/web/geo/lac.json: the Trends area given no shapes."""
    settings = make_settings(database_url=db_url)
    engine = make_engine(db_url)
    person = subscribe(engine, "reader@example.org")
    ingest(engine, RIO + MENAFN)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        open_session(conn, "t" * 43, person, now=now, expires_at=now + timedelta(hours=1))

    async def main() -> None:
        app = web.Application()
        app.add_routes(Trends(Workspace(settings, engine), shapes=None).routes())
        async with TestClient(TestServer(app), cookies={SESSION_COOKIE: "t" * 43}) as client:
            response = await client.get("/trends")
            page = await response.text()
            assert response.status == 200, page
            assert 'id="map-missing"' in page and "scripts/vendor-shapes" in page
            assert 'id="chart-map"' not in page and 'id="chart-countries"' in page
            rows = re.findall(
                r'<tr><th scope="row">.*?\((\w\w)\)</th><td class="num">(\d+)</td>', page
            )
            assert dict(rows)["AR"] == "1" and "GD" in dict(rows)  # the region from the topic

    try:
        asyncio.run(main())
    finally:
        engine.dispose()
