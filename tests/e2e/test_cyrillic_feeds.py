"""Ukrainian and Russian feeds, for real: HTTP → poller → Kafka → worker → database → SMTP.

A Ukrainian feed (UTF-8) and a Russian one (windows-1251) each carry one story on the topic
and one that is not. Two subscribers have stored queries in Cyrillic, typed the way people
type them: an ASCII apostrophe for the feed's ’ in a wildcard ("зв'яз*"), е for ё ("провел"),
capitals.
Each gets exactly the one email their query asks for, and the Cyrillic survives into the
subject and the body. `monitor query test` then finds both stories with a Cyrillic query.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from monitor.feeds.commands import import_feeds
from monitor.services.fixture_server import FixtureServer
from monitor.store.db import transaction
from monitor.store.tables import alerts, stories, story_sources
from monitor.subscriptions.commands import add_subscriber
from tests import PROJECT_ROOT
from tests.roles import Roles, wait_until

FEEDS = PROJECT_ROOT / "tests" / "e2e" / "feeds"
UK_TITLE = "Сибіга провів телефонну розмову з міністром закордонних справ Бразилії"
RU_TITLE = "Лавров провёл переговоры с главой МИД Венесуэлы о ситуации на Украине"


def test_ukrainian_and_russian_feeds_reach_cyrillic_subscribers(
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
    engine = engines(settings.db_url)
    server = FixtureServer(FEEDS).start()
    try:
        import_feeds(
            engine,
            [
                {"url": server.url("ukrinform-uk.xml"), "outlet": "Укрінформ"},
                {"url": server.url("tass-ru.xml"), "outlet": "ТАСС"},
            ],
            settings=settings,
        )
        for email, query in [
            ("kyiv@newsroom.example", "Сибіг* AND зв'яз*"),
            ("moscow@newsroom.example", "ВЕНЕСУЭЛ* AND провел"),
        ]:
            add_subscriber(
                settings,
                engine,
                email=email,
                tz="Europe/Kyiv",
                confirmed=True,
                subscription={"query": query, "filters": {}},
            )
        roles = Roles(settings, tmp_path / "logs").start("worker", "poller", "mailer")
        try:
            wait_until(lambda: len(smtp_sink.received) >= 2, 120, what="two alert emails")
            # Let a third (wrong) email arrive before judging.
            wait_until(lambda: _count(engine, story_sources) >= 4, 60, what="all four items")
            roles["mailer"].stop()
        finally:
            codes = roles.stop_all()
    finally:
        server.stop()
    assert all(code == 0 for code, _ in codes.values()), roles.logs()

    by_rcpt = {r.rcpt_tos[0]: r for r in smtp_sink.received}
    assert sorted(by_rcpt) == ["kyiv@newsroom.example", "moscow@newsroom.example"]
    assert len(smtp_sink.received) == 2
    for rcpt, title, phrase in [
        ("kyiv@newsroom.example", UK_TITLE, "зв’язок між країнами"),
        ("moscow@newsroom.example", RU_TITLE, "Сергей Лавров провёл переговоры"),
    ]:
        received = by_rcpt[rcpt]
        raw_headers = received.data.split(b"\r\n\r\n", 1)[0]
        assert raw_headers.isascii()  # RFC 2047 encoded words, not raw UTF-8 bytes
        message = received.message
        assert title in str(message["Subject"])
        parts = {
            part.get_content_type(): part
            for part in message.walk()
            if part.get_content_maintype() == "text"
        }
        assert set(parts) == {"text/plain", "text/html"}
        for part in parts.values():
            assert part.get_content_charset() == "utf-8"
            assert title in _words(part.get_content())
        assert phrase in _words(parts["text/plain"].get_content())

    with transaction(engine) as conn:
        langs = dict(conn.execute(select(stories.c.title, stories.c.lang)).all())
        alerted = conn.execute(
            select(stories.c.title, alerts.c.countries)
            .join(alerts, alerts.c.story_id == stories.c.id)
            .where(alerts.c.topic == "ukraine-latam")  # the subscribers' (default) topic
        ).all()
    assert langs[UK_TITLE] == "uk" and langs[RU_TITLE] == "ru"
    assert sorted((title, list(countries)) for title, countries in alerted) == [
        (RU_TITLE, ["VE"]),
        (UK_TITLE, ["BR"]),
    ]

    preview = subprocess.run(
        [sys.executable, "-m", "monitor", "query", "test", "зв’яз* OR ПРОВЕЛ", "--days", "3650"],
        env={**os.environ, **settings.as_env(), "MONITOR_LOG_FORMAT": "console"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert preview.returncode == 0, preview.stderr
    assert "2 of 2 alerted stories" in preview.stdout
    assert UK_TITLE in preview.stdout and RU_TITLE in preview.stdout


def _words(body: str) -> str:
    """The body's words, without markup, highlight marks or line wrapping."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("*", "")
    return " ".join(text.split())


def _count(engine: Any, table: Any) -> int:
    from sqlalchemy import func

    with transaction(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
