"""Subscriptions choose a topic, for real: HTTP → poller → Kafka → worker → database → SMTP,
with the package's default topic directory (both shipped topics loaded).

A Russia–Venezuela oil deal with no war link reaches the `russia-latam` subscriber and an
`all` subscriber whose query names it, never the Ukraine subscriber (who gets the Chilean
aid story, as before). A football score no topic wants reaches only an `all` query that asks
for it. Each email says which topic its alert is for.
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from monitor.feeds.commands import import_feeds
from monitor.services.fixture_server import FixtureServer
from monitor.store.db import transaction
from monitor.store.tables import story_sources
from monitor.subscriptions.commands import add_subscriber
from tests import PROJECT_ROOT
from tests.roles import Roles, wait_until

FEEDS = PROJECT_ROOT / "tests" / "e2e" / "feeds"
RUSSIA = "Rosneft and Venezuela sign oil agreement in Caracas"
UKRAINE = "Chile sends humanitarian aid to Ukraine"
FOOTBALL = "Boca Juniors beat River Plate 2-1"


def test_each_subscriber_gets_the_stories_of_the_topic_they_chose(
    engines: Any,
    db_url: str,
    kafka_bootstrap: str,
    make_settings: Any,
    smtp_sink: Any,
    tmp_path: Path,
) -> None:
    settings = make_settings(
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_security="none",
        public_url="https://alerts.example.org",
    )
    assert [p.name for p in settings.topic_files()] == ["russia-latam.toml", "ukraine-latam.toml"]
    engine = engines(settings.db_url)
    server = FixtureServer(FEEDS).start()
    try:
        import_feeds(
            engine, [{"url": server.url("topics-en.xml"), "outlet": "LatAm Wire"}], settings=settings
        )
        chosen: list[tuple[str, dict[str, Any]]] = [
            ("ukraine@newsroom.example", {"query": None}),  # the default: ukraine-latam
            ("russia@newsroom.example", {"query": None, "topic": "russia-latam"}),
            ("everything@newsroom.example", {"query": "rosneft OR boca", "topic": "all"}),
        ]
        for email, subscription in chosen:
            add_subscriber(
                settings, engine, email=email, confirmed=True, subscription=subscription
            )
        roles = Roles(settings, tmp_path / "logs").start("worker", "poller", "mailer")
        try:
            wait_until(lambda: len(smtp_sink.received) >= 4, 120, what="four alert emails")
            wait_until(lambda: _count(engine) >= 3, 60, what="all three items")
            # Let a wrong fifth email arrive before judging.
            time.sleep(3)
            roles["mailer"].stop()
        finally:
            codes = roles.stop_all()
    finally:
        server.stop()
    assert all(code == 0 for code, _ in codes.values()), roles.logs()

    got: dict[str, list[tuple[str, str]]] = {}
    for received in smtp_sink.received:
        message = received.message
        body = _words(
            next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
        )
        topic = re.search(r"Topic: (.+?) (?:Peace|Summits|Trade|Security|UN |Humanitarian|"
                          r"Energy|Media|Other)", body)
        got.setdefault(received.rcpt_tos[0], []).append(
            (str(message["Subject"]), topic[1] if topic else "")
        )
    assert sorted(got) == [
        "everything@newsroom.example", "russia@newsroom.example", "ukraine@newsroom.example"
    ]
    (ukraine,) = got["ukraine@newsroom.example"]
    assert UKRAINE in ukraine[0] and ukraine[1] == "Ukraine–Latin America diplomacy"
    (russia,) = got["russia@newsroom.example"]
    assert RUSSIA in russia[0] and russia[1] == "Russia–Latin America relations"
    everything = got["everything@newsroom.example"]
    assert len(everything) == 2
    assert {(FOOTBALL in s, RUSSIA in s) for s, _ in everything} == {(True, False), (False, True)}
    topics = dict((RUSSIA in s, t) for s, t in everything)
    assert topics[True] == "Russia–Latin America relations"
    assert topics[False].startswith("All stories")


def _words(body: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("*", "")
    return " ".join(text.split())


def _count(engine: Any) -> int:
    with transaction(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(story_sources)).scalar_one())
