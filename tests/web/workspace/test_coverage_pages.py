"""Latest and Story on stories the real worker stored (fixture feeds through ItemHandler,
the classifier and fan-out), on both databases; the hostile corpus comes out escaped."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

from markupsafe import escape
from sqlalchemy import select

from monitor.feeds.normalize import normalize_feed
from monitor.models import FeedItem
from monitor.store.db import transaction
from monitor.store.tables import alerts, stories
from monitor.web.workspace.latest import PAGE_SIZE
from tests.feeds.feed_samples import HOSTILE, parse_fixture
from tests.notify.test_mailer import ingest, subscribe
from tests.stream.test_handler import MENAFN, RIO
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site

# A title the classifier alerts on, appended to each hostile item so it reaches Latest.
ON_TOPIC = " Ukraine Zelensky Latin America Brazil"


CITIES = (
    "Asunción",
    "Montevideo",
    "Lima",
    "Quito",
    "Bogotá",
    "Caracas",
    "La Paz",
    "Santiago",
    "Brasília",
    "Havana",
    "Panama",
    "Managua",
    "Tegucigalpa",
    "Kingston",
    "Nassau",
    "Bridgetown",
    "Paramaribo",
    "Georgetown",
    "Cayenne",
    "Belmopan",
    "San José",
    "San Salvador",
    "Guatemala",
    "Mexico",
    "Santo Domingo",
    "Port of Spain",
    "Castries",
    "Roseau",
    "Basseterre",
    "Saint George's",
)
SUBJECTS = (
    "grain",
    "drones",
    "refugees",
    "sanctions",
    "embassy",
    "ceasefire",
    "trade",
    "energy",
    "wheat",
    "diplomats",
)


def distinct_items(count: int) -> list[FeedItem]:
    """``count`` stories about Ukraine in Latin America that share no headline."""
    base = RIO[0]
    now = datetime.now(UTC)
    return [
        replace(
            base,
            item_id=f"distinct-{n}",
            guid=f"distinct-{n}",
            url=f"https://riotimes.example/{n}",
            title=f"Ukraine and {CITIES[n % 30]} talk {SUBJECTS[n % 10]}, {n * 7919} {n:b}",
            text=f"Zelensky's envoy met officials in {CITIES[n % 30]} about "
            f"{SUBJECTS[(n * 3) % 10]}; file {n * 104729}.",
            published=now - timedelta(minutes=n),
            fetched_at=now,
            simhash=0,
            title_key="",
        )
        for n in range(count)
    ]


RAW_TITLE = """<script>alert(1)</script><img src=x onerror="alert(2)"> 'quoted' & more"""


def hostile_feed_items() -> list[FeedItem]:
    """Every item the hostile corpus yields (the files the parser refuses yield none),
    made to alert."""
    found: list[FeedItem] = []
    for path in sorted(HOSTILE.iterdir()):
        if path.suffix not in (".xml", ".html", ".txt", ".json"):
            continue
        try:
            items = normalize_feed(parse_fixture(path.name)).items
        except Exception:
            continue
        found.extend(replace(item, title=item.title + ON_TOPIC) for item in items)
    # And markup the normalizer would strip, as if it had not: the page must not need it to.
    raw = replace(
        RIO[0],
        item_id="raw-markup",
        guid="raw-markup",
        url="https://x.example/r",
        title=RAW_TITLE + ON_TOPIC,
        text=RAW_TITLE + " Ukraine Zelensky Brazil",
        outlet='Outlet"><script>alert(3)</script>',
        simhash=0,
        title_key="",
    )
    return [*found, raw]


class Markup(HTMLParser):
    """Every start tag and attribute a browser would build from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


# The only elements our templates write, and the attributes they may carry.
TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "link",
    "body",
    "a",
    "header",
    "nav",
    "ul",
    "li",
    "div",
    "span",
    "form",
    "input",
    "button",
    "main",
    "h1",
    "h2",
    "h3",
    "p",
    "label",
    "select",
    "option",
    "ol",
    "time",
    "dl",
    "dt",
    "dd",
    "abbr",
    "footer",
    "script",
    "article",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "strong",
    "mark",
    "br",
    "code",
    "section",
    "blockquote",
    "meter",
    "details",
    "summary",
    "aside",
    "pre",
}


def assert_only_our_markup(page: str) -> None:
    parser = Markup()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag in TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in ("href", "src", "action"):
                assert value is not None
                assert value.startswith(("/", "#", "https://", "http://")), (tag, value)
        if tag == "script":
            assert (dict(attrs).get("src") or "").startswith("/static/")


def test_latest_lists_alerted_stories_filters_and_pages(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org", tz="America/Sao_Paulo")
        ingest(site.engine, RIO + MENAFN)
        await site.sign_in("reader@example.org")
        response, page = await site.get("/latest")
        assert response.status == 200
        assert "Ukraine’s New Diplomatic Horizon In Latin America" in page
        assert "2 copies" in page
        assert "Times are shown in America/Sao_Paulo." in page
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d -03", page), "time in the reader's zone"
        # filters live in the URL and narrow the list
        for query, shown in (
            ({"country": "AR"}, True),
            ({"country": "MX"}, False),
            ({"category": "peace-plan"}, True),
            ({"lang": "en"}, True),
            ({"lang": "es"}, False),
            ({"outlet": "no such outlet"}, True),
        ):
            response, page = await site.get("/latest?" + urlencode(query))
            assert response.status == 200
            assert ("Diplomatic Horizon" in page) is shown, query
        response, page = await site.get("/latest?country=%3Cscript%3E&from=yesterday")
        assert 'role="alert"' in page and "&lt;script&gt;" in page and "<script>" not in page
        today = datetime.now(UTC).date()
        response, page = await site.get(
            f"/latest?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
        )
        assert "Diplomatic Horizon" in page
        response, page = await site.get(f"/latest?to={today - timedelta(days=3)}")
        assert "Diplomatic Horizon" not in page

    run(body)


def test_latest_pages_by_cursor_and_sends_what_arrived(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        ingest(site.engine, distinct_items(2 * PAGE_SIZE))
        with transaction(site.engine) as conn:
            total = len(conn.execute(select(alerts.c.id)).all())
        assert total > PAGE_SIZE
        await site.sign_in("reader@example.org")
        seen: list[str] = []
        path = "/latest"
        live = ""
        while path:
            response, page = await site.get(path)
            assert response.status == 200
            seen.extend(re.findall(r'data-alert="(\d+)"', page))
            live = live or re.search(r'data-updates="([^"]+)"', page)[1]  # type: ignore[index]
            older = re.search(r'<a href="([^"]+)" rel="next">', page)
            path = older[1].replace("&amp;", "&") if older else ""
        assert len(seen) == len(set(seen)) == total
        # nothing new yet; then a story arrives and the live URL returns it
        response, fragment = await site.get(live.replace("&amp;", "&"))
        assert response.status == 200 and "data-alert" not in fragment
        ingest(site.engine, RIO + MENAFN)
        response, fragment = await site.get(live.replace("&amp;", "&"))
        assert "Diplomatic Horizon" in fragment
        assert response.headers["X-Updates-Url"].startswith("/latest/updates?after=")
        response, again = await site.get(response.headers["X-Updates-Url"])
        assert "data-alert" not in again

    run(body)


def test_story_shows_copies_credit_evidence_and_the_readers_own_emails(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(
            site.engine,
            "reader@example.org",
            tz="America/Sao_Paulo",
            query="ukrain*",
            name="Ukraine desk",
        )
        subscribe(site.engine, "other@example.org", query="zelensky", name="Secret desk")
        ingest(site.engine, RIO + MENAFN)
        sent = await site.deliver()
        assert {m["To"].addresses[0].addr_spec for m in sent} >= {"reader@example.org"}
        with transaction(site.engine) as conn:
            story_id = conn.execute(
                select(stories.c.id).where(stories.c.title.like("%Diplomatic Horizon%"))
            ).scalar_one()
        await site.sign_in("reader@example.org")
        response, page = await site.get(f"/stories/{story_id}")
        assert response.status == 200
        assert "2 copies" in page or "Copies (2)" in page or page.count("<tr") >= 3
        assert "The Rio Times" in page and "MENAFN" in page
        assert 'class="credited"' in page
        assert "Credited" in page or "credited" in page
        assert "<mark>Ukraine</mark>" in page
        assert "Ukraine desk" in page and "Emailed" in page
        assert "Secret desk" not in page and "other@example.org" not in page
        assert re.search(r'<a href="https://[^"]+" rel="noopener noreferrer external">', page)
        response, _ = await site.get("/stories/99999999")
        assert response.status == 404

    run(body)


def test_the_hostile_corpus_comes_out_escaped(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        items = hostile_feed_items()
        ingest(site.engine, items)
        await site.sign_in("reader@example.org")
        pages: list[str] = []
        path = "/latest"
        while path:
            _, page = await site.get(path)
            pages.append(page)
            older = re.search(r'<a href="([^"]+)" rel="next">', page)
            path = older[1].replace("&amp;", "&") if older else ""
        with transaction(site.engine) as conn:
            ids = [row.story_id for row in conn.execute(select(alerts.c.story_id))]
        for story_id in ids:
            response, page = await site.get(f"/stories/{story_id}")
            assert response.status == 200
            pages.append(page)
        joined = "\n".join(pages)
        assert str(escape(RAW_TITLE)) in joined
        assert str(escape('Outlet"><script>alert(3)</script>')) in joined
        with transaction(site.engine) as conn:
            titles = [
                row.title
                for row in conn.execute(
                    select(stories.c.title).join(alerts, alerts.c.story_id == stories.c.id)
                )
            ]
        assert len(titles) > 10
        for title in titles:
            assert str(escape(title)) in joined, title
        for page in pages:
            assert_only_our_markup(page)
            assert "javascript:" not in page.lower().replace("&#39;", "'").split("&lt;")[0]

    run(body)
