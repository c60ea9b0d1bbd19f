"""Recurring headlines through the real daemon: every day's story is alerted.

A wire service publishes "Latin America Daily Brief" every day, each day about something
else, and two short items headed just "Brazil". Each is a story of its own and is alerted;
MENAFN's syndicated copy of one brief still joins its original (poller → Kafka → worker →
database → SMTP, all real processes). With event threads on, each is also an event of its
own: Monday's Lula–Zelensky call, Tuesday's Vieira–Kuleba call and Wednesday's meeting of
Vieira with an ambassador share a country and an event type but not their people, so none
is folded into another's alert (whichever batches the items arrive in).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import func, select

from monitor.feeds.commands import import_feeds
from monitor.matching.classifier import classify
from monitor.matching.topic import load_topic
from monitor.services.fixture_server import Response
from monitor.store.db import transaction
from monitor.store.tables import alerts, stories, story_sources, story_threads
from monitor.subscriptions.commands import add_subscriber
from tests import PROJECT_ROOT
from tests.roles import Roles, wait_until

BRIEF = "Latin America Daily Brief"
DAYS = {
    "monday": "Argentine President Javier Milei received Ukrainian President Volodymyr Zelensky "
    "at the Casa Rosada in Buenos Aires on Monday, and the two leaders discussed Argentina's "
    "support for the Ukrainian peace formula and a summit with Latin American governments.",
    "tuesday": "Brazil's foreign minister Mauro Vieira spoke by telephone with Ukrainian "
    "foreign minister Dmytro Kuleba on Tuesday about a possible visit to Kyiv and the "
    "Brazilian proposal for peace talks between Ukraine and Russia.",
    "wednesday": "Chilean President Gabriel Boric announced humanitarian aid for Ukraine on "
    "Wednesday, including demining equipment and medical supplies, after meeting Ukraine's "
    "ambassador in Santiago.",
}
BRAZIL = {
    "call": "Lula told Zelensky in a call that Brazil backs peace negotiations between Ukraine "
    "and Russia.",
    "embassy": "Ukraine's ambassador met Brazil's foreign minister Mauro Vieira in Brasília to "
    "discuss grain exports and peace talks with Russia.",
}


def rss(title: str, items: list[tuple[str, str, str, datetime]]) -> bytes:
    """An RSS 2.0 document of (guid, title, description, published) items."""
    body = "".join(
        f"<item><title>{escape(t)}</title><guid isPermaLink='false'>{guid}</guid>"
        f"<link>https://wire.example/{guid}</link>"
        f"<pubDate>{format_datetime(when)}</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for guid, t, text, when in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{escape(title)}</title><link>https://wire.example/</link>{body}"
        "</channel></rss>"
    ).encode()


def test_each_days_brief_is_its_own_story_and_alert_and_a_copy_joins_its_original(
    engines: Any,
    db_url: str,
    kafka_bootstrap: str,
    make_settings: Any,
    smtp_sink: Any,
    fixture_server: Any,
    tmp_path: Path,
) -> None:
    topic = load_topic(PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml")
    judge = functools.partial(classify, topic)
    texts = [(BRIEF, t) for t in DAYS.values()] + [("Brazil", t) for t in BRAZIL.values()]
    assert all(judge(title, text, "en").relevant for title, text in texts), "fixture check"

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    day = {name: start + timedelta(days=n) for n, name in enumerate(DAYS)}
    first_poll = rss(
        "LatAm Wire",
        [
            ("brief-mon", BRIEF, DAYS["monday"], day["monday"]),
            ("brief-tue", BRIEF, DAYS["tuesday"], day["tuesday"]),
            ("brazil-1", "Brazil", BRAZIL["call"], day["monday"] + timedelta(hours=2)),
        ],
    )
    later_poll = rss(
        "LatAm Wire",
        [
            ("brief-wed", BRIEF, DAYS["wednesday"], day["wednesday"]),
            ("brazil-2", "Brazil", BRAZIL["embassy"], day["wednesday"] + timedelta(hours=1)),
            ("brief-tue", BRIEF, DAYS["tuesday"], day["tuesday"]),
        ],
    )
    excerpt = " ".join(DAYS["tuesday"].split()[:20]) + "..."
    menafn = rss(
        "MENAFN - Latest News",
        [("m-1", BRIEF.title(), f"(MENAFN- LatAm Wire) {excerpt}", day["tuesday"] + timedelta(hours=5))],
    )
    xml = {"Content-Type": "application/rss+xml"}
    fixture_server.routes["/wire.xml"] = Response(200, first_poll, xml)

    settings = make_settings(
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_security="none",
        threads="on",
    )
    engine = engines(settings.db_url)
    (wire,) = import_feeds(
        engine,
        [{"url": fixture_server.url("wire.xml"), "outlet": "LatAm Wire", "interval": 1}],
        settings=settings,
    )
    assert wire.outcome == "added", wire
    add_subscriber(
        settings,
        engine,
        email="desk@newsroom.example",
        name="LatAm desk",
        tz="UTC",
        confirmed=True,
        subscription={"query": None, "filters": {}},
    )
    roles = Roles(settings, tmp_path / "logs").start("worker", "poller", "mailer")
    try:
        wait_until(lambda: count(engine, story_sources) >= 3, 120, what="the first poll stored")
        fixture_server.routes["/wire.xml"] = Response(200, later_poll, xml)
        (copy,) = import_feeds(
            engine, [{"url": fixture_server.url("menafn.xml"), "outlet": "MENAFN"}],
            settings=settings,
        )
        assert copy.outcome == "added", copy
        fixture_server.routes["/menafn.xml"] = Response(200, menafn, xml)
        wait_until(lambda: count(engine, story_sources) >= 6, 120, what="every item stored")
        wait_until(lambda: len(smtp_sink.received) >= 5, 120, what="five alert emails")
        roles["mailer"].stop()
    finally:
        codes = roles.stop_all()
    assert all(code == 0 for code, _ in codes.values()), roles.logs()

    with transaction(engine) as conn:
        rows = conn.execute(
            select(stories.c.id, stories.c.title, stories.c.text, stories.c.credited_outlet,
                   stories.c.source_count).order_by(stories.c.id)
        ).all()
        alerted = set(conn.execute(select(alerts.c.story_id)).scalars())
        placed = {
            row.story_id: (row.thread_id, row.rule)
            for row in conn.execute(select(story_threads.c.story_id, story_threads.c.thread_id,
                                           story_threads.c.rule))
        }
    by_text = {next(n for n, t in {**DAYS, **BRAZIL}.items() if t[:40] in row.text): row
               for row in rows}
    assert sorted(by_text) == sorted([*DAYS, *BRAZIL]), [r.text[:60] for r in rows]
    assert len(rows) == 5, "three briefs and two 'Brazil' items: five stories"
    assert alerted == {row.id for row in rows}, "every story is alerted"
    assert by_text["tuesday"].source_count == 2, "MENAFN's copy joined Tuesday's brief"
    assert by_text["tuesday"].credited_outlet == "LatAm Wire"
    assert all(by_text[n].source_count == 1 for n in by_text if n != "tuesday")
    assert set(placed) == alerted, "threads on: every alerted story is placed in a thread"
    assert len({thread for thread, _ in placed.values()}) == 5, ("five acts, five threads", placed)
    assert {rule for _, rule in placed.values()} == {"new"}, placed

    bodies = [
        " ".join(part.get_content().replace("*", "").split())  # unwrapped, unhighlighted
        for received in smtp_sink.received
        for part in received.message.walk()
        if part.get_content_type() == "text/plain"
    ]
    for phrase in ("Casa Rosada", "by telephone", "demining", "backs peace", "grain exports"):
        assert sum(phrase in body for body in bodies) == 1, (phrase, [b[:300] for b in bodies])


def count(engine: Any, table: Any) -> int:
    with transaction(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
