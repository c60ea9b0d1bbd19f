"""One story, for real: feed over HTTP → poller → Kafka → Faust worker → database → SMTP.

Both copies of the seed story (The Rio Times' original and MENAFN's syndicated copy) come
in from two feeds; they become one story with two sources, one alert and one email.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from monitor.feeds.commands import import_feeds
from monitor.store.db import transaction
from monitor.store.tables import alerts, emails, stories, story_sources
from monitor.subscriptions.commands import add_subscriber
from tests.roles import Roles, wait_until

SEED_TITLE = "Ukraine’s New Diplomatic Horizon In Latin America"


def test_seed_story_travels_from_feed_to_inbox(
    engines: Any,
    db_url: str,
    kafka_bootstrap: str,
    make_settings: Any,
    smtp_sink: Any,
    fixture_server: Any,
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
    import_feeds(
        engine,
        [
            {"url": fixture_server.url("example-riotimes-feed.xml"), "outlet": "The Rio Times"},
            {"url": fixture_server.url("example-menafn-feed.xml"), "outlet": "MENAFN"},
        ],
        settings=settings,
    )
    add_subscriber(
        settings,
        engine,
        email="desk@newsroom.example",
        name="LatAm desk",
        tz="America/Sao_Paulo",
        confirmed=True,
        subscription={"query": "Zelensk* AND (Paraguay OR Uruguay)", "filters": {}},
    )
    roles = Roles(settings, tmp_path / "logs").start("worker", "poller", "mailer")
    try:
        received = wait_until(lambda: smtp_sink.received, 120, what="the alert email")
        # Let any second (wrong) email arrive before judging.
        wait_until(lambda: _count(engine, story_sources) >= 6, 60, what="all six items stored")
        roles["mailer"].stop()
    finally:
        codes = roles.stop_all()
    assert all(code == 0 for code, _ in codes.values()), roles.logs()

    assert len(smtp_sink.received) == 1, [r.message["Subject"] for r in smtp_sink.received]
    message = received[0].message
    assert received[0].rcpt_tos == ["desk@newsroom.example"]
    assert "Diplomatic Horizon" in str(message["Subject"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://alerts.example.org/u/" in str(message["List-Unsubscribe"])
    parts = {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    }
    assert set(parts) == {"text/plain", "text/html"}
    assert "The Rio Times" in parts["text/plain"]
    assert "Paraguay" in parts["text/html"]

    with transaction(engine) as conn:
        seed = conn.execute(
            select(stories).where(stories.c.title.like("%Diplomatic Horizon%"))
        ).one()
        sources = (
            conn.execute(select(story_sources.c.outlet).where(story_sources.c.story_id == seed.id))
            .scalars()
            .all()
        )
        # The founding topic's alert (the package loads Russia–Latin America's too).
        alert = conn.execute(
            select(alerts).where(alerts.c.story_id == seed.id, alerts.c.topic == "ukraine-latam")
        ).one()
        sent = conn.execute(select(emails.c.status, emails.c.message_id)).all()
    assert sorted(sources) == ["MENAFN", "The Rio Times"]
    assert seed.credited_outlet == "The Rio Times"
    assert alert.category == "peace-plan"
    assert {"PY", "UY", "EC"} <= set(alert.countries)
    assert sent == [("sent", received[0].message_id)]
    assert datetime.now(UTC) > seed.first_seen_at


def _count(engine: Any, table: Any) -> int:
    from sqlalchemy import func

    with transaction(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
