"""The workspace's faster reads give what the plain ones gave, on both databases.

Latest's outlet list (a skip scan instead of grouping every alert), the Countries page's
counts (story id and countries instead of whole stories) and Trends filtered by a query
(the index's candidates instead of every alert) are each compared with the straightforward
read they replace, on an archive with the awkward cases: outlets without alerts, an empty
outlet, a story with two alerts, a story indexed in part, an alert whose story is gone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from monitor.matching.query import matches, parse
from monitor.matching.query.candidates import candidate
from monitor.store import coverage, search_index
from monitor.store.db import bulk_insert, transaction
from monitor.store.stories import band_columns, insert_stories
from monitor.store.tables import alerts, stories
from monitor.subscriptions.preview import stored_story_doc
from monitor.trends.volumes import alert_rows

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
OUTLETS = ["Télam", "Agência Brasil", "", "Zeta Diario", "Alpha News", "alpha news", "Ñandú"]
TEXTS = [
    "Lula meets Zelensky on the peace plan",
    "Zelenski y Lula hablan del plan de paz",
    "Trade figures for the quarter",
    "Plano de paz da Ucrânia discutido em Brasília",
]


def _archive(engine: Any) -> list[int]:
    rows: list[dict[str, Any]] = []
    for n in range(60):
        at = NOW - timedelta(days=n % 40, hours=n)
        rows.append(
            {
                "title": f"Story {n}",
                "text": TEXTS[n % len(TEXTS)],
                "html": "",
                "url": f"https://example.org/{n}",
                "lang": ("en", "es", "pt-BR")[n % 3],
                "credited_outlet": OUTLETS[n % len(OUTLETS)],
                "title_key": f"story {n}",
                "simhash": 0,
                "published_at": at,
                "first_seen_at": at,
                "updated_at": at,
                "source_count": 1,
                **band_columns(0),
            }
        )
    with transaction(engine) as conn:
        ids = insert_stories(conn, rows)
        search_index.index_stories(
            conn, [(i, r["title"], r["text"]) for i, r in zip(ids, rows, strict=True)], fresh=True
        )
        alerted: list[dict[str, Any]] = []
        for n, story_id in enumerate(ids):
            # "Zeta Diario" (n % 7 == 3) and the stories in between stay without alerts
            if n % 7 == 3 or n % 5 == 4:
                continue
            alerted.append(
                {
                    "story_id": story_id,
                    "topic": "ukraine-latam",
                    "score": 0.8,
                    "category": ("peace-plan", "trade-economy")[n % 2],
                    "countries": [["BR"], ["AR", "BR"], []][n % 3],
                    "matched": [],
                    "revision": 1,
                    "created_at": rows[n]["first_seen_at"],
                    "updated_at": rows[n]["first_seen_at"],
                }
            )
            if n % 6 == 0:  # a second topic's alert, created later, with other countries
                alerted.append(
                    {
                        **alerted[-1],
                        "topic": "russia-latam",
                        "countries": ["MX"],
                        "created_at": rows[n]["first_seen_at"] + timedelta(minutes=5),
                    }
                )
        alerted.append({**alerted[0], "story_id": 10_000_000, "topic": "gone"})  # story deleted
        bulk_insert(conn, alerts, alerted)
        # A story indexed in part: a candidate for every query, whatever its words.
        conn.execute(
            text(
                "UPDATE story_search SET complete = false WHERE story_id = :id"
                if conn.dialect.name == "postgresql"
                else "UPDATE story_search SET complete = 0 WHERE rowid = :id"
            ),
            {"id": ids[2]},
        )
    return ids


def test_the_outlet_list_is_the_outlets_of_alerted_stories_in_order(
    db_url: str, engines: Any
) -> None:
    engine = engines(db_url)
    _archive(engine)
    with transaction(engine) as conn:
        plain = [
            str(name)
            for name in conn.execute(
                select(stories.c.credited_outlet)
                .join(alerts, alerts.c.story_id == stories.c.id)
                .where(stories.c.credited_outlet != "")
                .group_by(stories.c.credited_outlet)
                .order_by(stories.c.credited_outlet)
            ).scalars()
        ]
        listed = coverage.alerted_outlets(conn)
        assert coverage.alerted_outlets(conn, limit=2) == plain[:2]
    assert listed == plain
    assert "Zeta Diario" not in listed and "" not in listed
    assert len(listed) == 5


def _key(row: Any) -> tuple[Any, ...]:
    return (row.title, row.created_at, tuple(row.countries or ()), row.category)


def test_trends_under_a_query_count_the_same_stories_with_the_index(
    db_url: str, engines: Any
) -> None:
    engine = engines(db_url)
    ids = _archive(engine)
    start, end = NOW - timedelta(days=30), NOW + timedelta(days=1)
    for query in ('"peace plan" OR "plano de paz"', "zelensk*", "trade AND NOT lula", "lang:es"):
        node = parse(query)
        with transaction(engine) as conn:
            every = alert_rows(conn, start, end, with_text=True)
            narrowed = alert_rows(conn, start, end, with_text=True, within=candidate(node))
        wanted = sorted(_key(r) for r in every if matches(node, stored_story_doc(r)))
        found = sorted(_key(r) for r in narrowed if matches(node, stored_story_doc(r)))
        assert found == wanted, query
        assert wanted, query
        if query != "lang:es":  # a metadata-only query narrows nothing in the index
            assert len(narrowed) < len(every), query
    with transaction(engine) as conn:
        narrowed = alert_rows(conn, start, end, with_text=True, within=candidate(parse("lula")))
    titles = {r.title for r in narrowed}
    assert "Story 2" in titles, "a story indexed in part is always a candidate"
    assert ids


def test_an_outlet_is_read_outlet_first_only_while_it_has_few_stories() -> None:
    assert coverage.outlet_first(0, 10)
    assert coverage.outlet_first(10, 10)
    assert not coverage.outlet_first(11, 10)


def test_latest_by_outlet_gives_the_same_pages_read_either_way(db_url: str, engines: Any) -> None:
    engine = engines(db_url)
    _archive(engine)
    for wanted in (
        coverage.CoverageFilter(outlet="Télam"),
        coverage.CoverageFilter(outlet="Agência Brasil", lang="es"),
        coverage.CoverageFilter(outlet="alpha news", country="BR"),
        coverage.CoverageFilter(outlet="Zeta Diario"),  # no alerts at all
        coverage.CoverageFilter(outlet="Nobody"),  # no stories
    ):
        with transaction(engine) as conn:
            assert coverage.outlet_story_ids(conn, wanted.outlet or "", 0) in (None, [])
            plain = [
                r.alert_id
                for r in conn.execute(
                    select(alerts.c.id.label("alert_id"), alerts.c.created_at)
                    .join(stories, stories.c.id == alerts.c.story_id)
                    .where(*coverage._conditions(wanted))
                    .order_by(alerts.c.created_at.desc(), alerts.c.id.desc())
                )
            ]
            pages = {}
            for bound in (0, 1_000):  # 0: the newest alerts walked; 1,000: outlet first
                first = coverage.latest_alerts(conn, wanted, limit=3, outlet_bound=bound)
                rest = []
                if first:
                    last = first[-1]
                    rest = coverage.latest_alerts(
                        conn,
                        wanted,
                        before=coverage.Position(last.created_at, last.alert_id),
                        limit=100,
                        outlet_bound=bound,
                    )
                pages[bound] = [r.alert_id for r in first + rest]
        assert pages[0] == pages[1_000] == plain, wanted
        if wanted.outlet in ("Télam", "Agência Brasil"):
            assert plain, wanted
