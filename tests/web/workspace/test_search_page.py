"""Search on stories the real worker stored (fixture feeds through ItemHandler), on both
databases: the query language, facets, paging, exports, errors at their position, and
hostile stories escaped. Every result set is checked against the exact evaluator."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import select

from monitor.errors import QueryError
from monitor.matching.query import matches, parse
from monitor.models import FeedItem
from monitor.store import search_index
from monitor.store.archive import stories_by_ids
from monitor.store.db import transaction
from monitor.store.tables import stories
from monitor.subscriptions.preview import stored_story_doc
from monitor.web.workspace.search import PAGE_SIZE
from tests.notify.test_mailer import ingest, subscribe
from tests.stream.test_handler import MENAFN, RIO
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site
from tests.web.workspace.test_coverage_pages import (
    assert_only_our_markup,
    distinct_items,
    hostile_feed_items,
)

FORMULA_TITLE = '=HYPERLINK("https://evil.example","click") Ukraine Zelensky Brazil'


def off_topic_items() -> list[FeedItem]:
    """Stories the classifier does not alert on: in the archive, never on Latest."""
    now = datetime.now(UTC)
    return [
        replace(
            RIO[0],
            item_id=f"football-{n}",
            guid=f"football-{n}",
            url=f"https://sport.example/{n}",
            title=f"Football in Curitiba, round {n}",
            text="The São Paulo derby ended level; the coach praised the defence.",
            published=now - timedelta(hours=n + 1),
            fetched_at=now,
            simhash=0,
            title_key="",
        )
        for n in range(3)
    ]


def formula_item() -> FeedItem:
    return replace(
        RIO[0],
        item_id="formula",
        guid="formula",
        url="https://x.example/formula",
        title=FORMULA_TITLE,
        text="-2+3 Zelensky envoy",
        outlet="@outlet",
        simhash=0,
        title_key="",
    )


def oracle(site: Site, query: str) -> set[int]:
    """The stories the exact evaluator matches, reading every stored story."""
    node = parse(query)
    with transaction(site.engine) as conn:
        ids = [int(i) for i in conn.execute(select(stories.c.id)).scalars()]
        found = stories_by_ids(conn, ids)
    return {i for i, story in found.items() if matches(node, stored_story_doc(story))}


async def exported_ids(site: Site, **params: str) -> set[int]:
    response, body = await site.get("/search/export.json?" + urlencode(params))
    assert response.status == 200, body
    return {item["story_id"] for item in json.loads(body)["items"]}


def story_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<h3 class="headline"><a href="/stories/(\d+)">', page)]


def next_link(page: str) -> str:
    found = re.search(r'<a href="([^"]+)" rel="next">', page)
    return found[1].replace("&amp;", "&") if found else ""


def test_a_reader_must_be_signed_in(run: Run) -> None:
    async def body(site: Site) -> None:
        for path in ("/search?q=lula", "/search/export.csv?q=lula", "/search/export.json"):
            response, _ = await site.get(path)
            assert response.status == 303
            assert response.headers["Location"].startswith("/signin?next=/search")

    run(body)


def test_the_query_language_finds_what_the_exact_evaluator_finds(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org", tz="America/Sao_Paulo")
        ingest(site.engine, RIO + MENAFN + distinct_items(12) + off_topic_items())
        with transaction(site.engine) as conn:
            stored = len(conn.execute(select(stories.c.id)).all())
            assert search_index.indexed_count(conn) == stored  # the worker filled the index
        await site.sign_in("reader@example.org")
        cases = {
            "Zelensky NEAR/2 envoy": 12,
            "envoy ONEAR/1 Zelensky": 0,  # ONEAR keeps the order: Zelensky's envoy
            '"envoy met officials" AND (Asunción OR Lima)': 2,
            '"envoy met officials" AND (asuncion OR LIMA)': 2,  # accents and case never matter
            "Zelensk* AND NOT drones": 10,  # 12 envoys, 3 about drones, 1 more story
            "zelenski": 0,  # no spelling tolerance: the language promises folding only
            "Curitiba": 3,  # the archive holds stories that were never alerted
            "São NEAR/0 Paulo": 3,
            "country:AR AND Diplomatic": 1,
            "title:Zelensky": 0,
        }
        for query, count in cases.items():
            expected = oracle(site, query)
            assert len(expected) == count, (query, len(expected))
            assert await exported_ids(site, q=query) == expected, query
            response, page = await site.get("/search?" + urlencode({"q": query}))
            assert response.status == 200
            assert set(story_ids(page)) == expected, query
        # results link to the Story page, with times in the reader's zone
        response, page = await site.get("/search?q=Curitiba")
        (first, *_) = story_ids(page)
        response, story = await site.get(f"/stories/{first}")
        assert response.status == 200 and "Football in Curitiba" in story
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d -03", page)
        assert "/subscriptions/new?query=Curitiba" in page

    run(body)


def test_facets_filter_by_the_url_and_pages_never_repeat(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        ingest(site.engine, distinct_items(PAGE_SIZE + 10) + RIO + MENAFN + off_topic_items())
        await site.sign_in("reader@example.org")
        response, page = await site.get("/search?q=Zelensky")
        expected = oracle(site, "Zelensky")
        assert len(expected) > PAGE_SIZE
        # paging by cursor: every result once
        seen: list[int] = []
        path = "/search?q=Zelensky"
        while path:
            response, page = await site.get(path)
            assert response.status == 200
            seen.extend(story_ids(page))
            path = next_link(page)
        assert len(seen) == len(set(seen)) and set(seen) == expected
        # facet counts, and a facet link that narrows the results in the URL
        response, page = await site.get("/search?q=Zelensky")
        languages = re.findall(
            r'<a href="(/search\?[^"]*lang=(\w+)[^"]*)">\2</a> '
            r'<span class="count">(\d+)</span>',
            page,
        )
        assert languages, "no language facet"
        href, lang, count = languages[0]
        assert parse_qs(urlsplit(href.replace("&amp;", "&")).query)["q"] == ["Zelensky"]
        assert await exported_ids(site, q="Zelensky", lang=lang) == {
            i for i in expected if i in oracle(site, f"Zelensky lang:{lang}")
        }
        assert len(await exported_ids(site, q="Zelensky", lang=lang)) == int(count)
        outlet = re.search(
            r'<h3 id="facet-outlet">Outlet</h3>\s*<ul>\s*<li><a href="([^"]+)"', page
        )
        assert outlet, "no outlet facet"
        response, narrowed = await site.get(outlet[1].replace("&amp;", "&"))
        assert 'aria-current="true"' in narrowed
        # a country facet comes from the alerts' countries
        response, page = await site.get("/search?q=Diplomatic&country=AR")
        assert len(story_ids(page)) == 1
        response, page = await site.get("/search?q=Diplomatic&country=MX")
        assert story_ids(page) == []
        assert '<a href="/search?q=Diplomatic&amp;sort=time" aria-current="true"' in page
        # a value of the wrong shape is named and ignored
        response, page = await site.get("/search?q=Diplomatic&country=Brazil!")
        assert "country: BRAZIL!" in page and len(story_ids(page)) == 1
        # a period: days in the reader's zone, both included
        ukraine = oracle(site, "Ukraine")
        with transaction(site.engine) as conn:
            published = {s.id: s.published_at for s in stories_by_ids(conn, list(ukraine)).values()}
        in_2023 = {i for i, at in published.items() if at.year == 2023}
        assert in_2023 and in_2023 != ukraine
        period = {"from": "2023-01-01", "to": "2023-12-31"}
        assert await exported_ids(site, q="Ukraine", **period) == in_2023
        response, page = await site.get("/search?" + urlencode({"q": "Ukraine", **period}))
        assert set(story_ids(page)) == in_2023 and 'value="2023-12-31"' in page
        response, page = await site.get("/search?q=Zelensky&from=yesterday")
        assert "from: yesterday" in page
        # sorting by relevance finds the same stories; a title hit comes first
        relevant = await exported_ids(site, q="drones", sort="relevance")
        assert relevant == oracle(site, "drones")
        response, page = await site.get("/search?q=drones&sort=relevance")
        with transaction(site.engine) as conn:
            top = stories_by_ids(conn, story_ids(page)[:1])
        assert "drones" in next(iter(top.values())).title

    run(body)


def test_exports_are_files_safe_to_open_in_a_spreadsheet(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        ingest(site.engine, RIO + MENAFN + [formula_item()])
        await site.sign_in("reader@example.org")
        response, text = await site.get("/search/export.csv?q=Zelensky")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {int(r["story_id"]) for r in rows} == oracle(site, "Zelensky")
        (hostile,) = [r for r in rows if "HYPERLINK" in r["title"]]
        assert hostile["title"] == "'" + FORMULA_TITLE
        for row in rows:
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@")), value
            assert row["story_page"].endswith(f"/stories/{row['story_id']}")
        response, body_text = await site.get("/search/export.json?q=Zelensky&sort=relevance")
        exported = json.loads(body_text)
        assert exported["query"] == "Zelensky" and exported["capped"] is False
        assert any(item["title"] == FORMULA_TITLE for item in exported["items"])  # JSON as is
        response, _ = await site.get("/search/export.csv?q=lula+AND+(")
        assert response.status == 400

    run(body)


def test_a_syntax_error_is_shown_at_its_position(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        await site.sign_in("reader@example.org")
        query = 'lula AND "peace plan'
        with pytest.raises(QueryError) as raised:
            parse(query)
        position = raised.value.position
        assert position > 0
        response, page = await site.get("/search?" + urlencode({"q": query}))
        assert response.status == 400
        assert f"error at position {position}" in page
        assert str(escape(query)) + "\n" + " " * position + "^" in page
        assert 'aria-invalid="true"' in page
        assert "/subscriptions/new" not in page

    run(body)


def test_hostile_stories_come_out_escaped(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        ingest(site.engine, hostile_feed_items())
        await site.sign_in("reader@example.org")
        pages: list[str] = []
        path = "/search?q=Zelensky"
        while path:
            response, page = await site.get(path)
            assert response.status == 200
            pages.append(page)
            path = next_link(page)
        joined = "\n".join(pages)
        with transaction(site.engine) as conn:
            titles = list(conn.execute(select(stories.c.title)).scalars())
        assert len(titles) > 10
        for title in titles:
            assert str(escape(title)) in joined, title
        for page in pages:
            assert_only_our_markup(page)
        response, page = await site.get("/search?" + urlencode({"q": "<script>alert(1)</script>"}))
        assert "<script>alert(1)" not in page
        assert_only_our_markup(page)

    run(body)
