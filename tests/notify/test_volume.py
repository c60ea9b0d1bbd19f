"""Volume alerts end to end: alerts in the store → the mailer's watch → the SMTP sink and a
webhook on loopback, on SQLite and PostgreSQL. Raised once, repeated only when it grows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.delivery.commands import NewDestination, create_destination
from monitor.notify.volume import VolumeWatch
from monitor.services.smtp_sink import SmtpSink
from monitor.store import volume_alerts as ledger
from monitor.store.db import make_engine, transaction
from monitor.store.tables import alerts, stories, subscriptions, volume_alerts
from monitor.trends.spikes import VolumeVerdict
from tests.delivery.receivers import Receivers
from tests.delivery.test_dispatcher import dispatch
from tests.notify.test_mailer import run_pass, subscribe

TODAY = date(2026, 12, 7)
NOW = datetime.combine(TODAY, time(15), tzinfo=UTC)
HOOK = "/hooks/volume-A1"


@pytest.fixture
def world(db_url: str, make_settings: Any, smtp_sink: SmtpSink) -> Iterator[Any]:
    receivers = Receivers().start()
    settings = make_settings(
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_security="none",
        public_url="https://alerts.example.org",
        destinations_allow_http=True,
        dispatch_host_spacing=0.0,
    )
    engine = make_engine(settings.db_url)
    yield settings, engine, smtp_sink, receivers
    engine.dispose()
    receivers.stop()


def add_day(
    engine: Any, day: date, n: int, countries: list[str], *, topic: str = "ukraine-latam"
) -> None:
    """``n`` alerted stories on ``day`` (noon UTC onward), about ``countries``."""
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    with transaction(engine) as conn:
        for i in range(n):
            story = conn.execute(
                stories.insert()
                .values(
                    title=f"Kyiv and {countries[0]}: story {i} of {day.isoformat()}",
                    text="Zelensky spoke with the president.",
                    url=f"https://news.example.org/{topic}/{day.isoformat()}/{countries[0]}/{i}",
                    credited_outlet="Example News",
                    published_at=noon,
                )
                .returning(stories.c.id)
            ).scalar_one()
            conn.execute(
                alerts.insert().values(
                    story_id=story,
                    topic=topic,
                    score=0.5 + i / 100,
                    category="summit-visit",
                    countries=countries,
                    matched=[],
                    created_at=noon + timedelta(minutes=i),
                    updated_at=noon,
                )
            )


def text_of(message: Any) -> str:
    return "\n".join(
        str(part.get_content())
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )


def test_a_spike_reaches_its_followers_once_and_again_only_when_it_grows(world: Any) -> None:
    settings, engine, sink, receivers = world
    for back in range(1, 16):
        add_day(engine, TODAY - timedelta(days=back), 1, ["BR"])
        add_day(engine, TODAY - timedelta(days=back), 1, ["AR"])
    add_day(engine, TODAY, 9, ["BR"])
    add_day(engine, TODAY, 9, ["BR"], topic="russia-latam")  # another topic's coverage
    follower = subscribe(
        engine,
        "brazil@example.org",
        name="Brazil desk",
        filters={"countries": ["BR"]},
        volume_alerts=True,
    )
    subscribe(engine, "argentina@example.org", filters={"countries": ["AR"]}, volume_alerts=True)
    subscribe(engine, "quiet@example.org", filters={"countries": ["BR"]})  # does not follow
    subscribe(
        engine,
        "russia@example.org",
        language="es",  # in the reader's words and numbers
        topic="russia-latam",
        filters={"countries": ["BR"]},
        volume_alerts=True,
    )
    with transaction(engine) as conn:
        desk = conn.execute(
            select(subscriptions.c.id).where(subscriptions.c.subscriber_id == follower)
        ).scalar_one()
    create_destination(settings, engine, NewDestination(desk, "webhook", receivers.url(HOOK)))

    assert run_pass(settings, engine, NOW) == 2
    by_recipient = {got.rcpt_tos[0]: got.message for got in sink.received}
    assert set(by_recipient) == {"brazil@example.org", "russia@example.org"}
    brazil = by_recipient["brazil@example.org"]
    assert "Brazil: 9 stories today against a usual 1.0" in str(brazil["Subject"])
    body = text_of(brazil)
    assert "Kyiv and BR: story 8 of 2026-12-07" in body  # the best-scored story first
    assert "Brazil desk" in body
    assert brazil["List-Unsubscribe"] is not None
    spanish = str(by_recipient["russia@example.org"]["Subject"])
    assert "Brasil: 9 noticias hoy, frente a 1,0 habituales" not in spanish  # no baseline: 0.5
    assert "Brasil: 9 noticias hoy, frente a 0,5 habituales" in spanish
    assert "Las noticias principales del día" in text_of(by_recipient["russia@example.org"])

    # The webhook gets the same alert, through the dispatcher's ledger.
    assert dispatch(settings, engine, NOW) == 1
    (hook,) = [r for r in receivers.received if r.path == HOOK]
    payload = json.loads(hook.body)
    assert payload["kind"] == "volume"
    assert payload["heading"].endswith("Brazil: 9 stories today against a usual 1.0")
    assert payload["groups"][0]["stories"][0]["title"] == "Kyiv and BR: story 8 of 2026-12-07"

    # Later the same day: the cooldown holds a repeat, and nothing is queued twice.
    assert run_pass(settings, engine, NOW + timedelta(minutes=30)) == 0
    add_day(engine, TODAY, 3, ["BR"])  # 12: not half again as many
    assert VolumeWatch(settings, engine).run_once(NOW + timedelta(hours=1)) == 0
    add_day(engine, TODAY, 2, ["BR"])  # 14 ≥ 1.5 × 9: the spike grew
    assert run_pass(settings, engine, NOW + timedelta(hours=2)) == 1
    assert "Brazil: 14 stories today" in str(sink.received[-1].message["Subject"])
    with transaction(engine) as conn:
        raised = conn.execute(
            select(volume_alerts.c.key, volume_alerts.c.observed).order_by(volume_alerts.c.id)
        ).all()
    assert [(k, n) for k, n in raised if k.endswith("country:BR")] == [
        ("russia-latam/country:BR", 9),
        ("ukraine-latam/country:BR", 9),
        ("ukraine-latam/country:BR", 14),
    ]


def test_a_second_watch_raises_nothing_twice(world: Any) -> None:
    settings, engine, _sink, _ = world
    for back in range(1, 16):
        add_day(engine, TODAY - timedelta(days=back), 1, ["BR"])
    add_day(engine, TODAY, 9, ["BR"])
    subscribe(engine, "brazil@example.org", filters={"countries": ["BR"]}, volume_alerts=True)
    first, second = VolumeWatch(settings, engine), VolumeWatch(settings, engine)
    assert first.run_once(NOW) == 1
    assert second.run_once(NOW) == 0  # the cooldown reads the first one's alert
    with transaction(engine) as conn:
        (raised,) = [
            VolumeVerdict(r.key, r.day, r.kind, r.observed, r.expected, r.tail_probability)
            for r in conn.execute(
                select(volume_alerts).where(volume_alerts.c.key.endswith("country:BR"))
            )
        ]
        # Two watches that judged at the same moment: the unique key lets one record it.
        assert ledger.record(conn, [raised], now=NOW) == []
        assert conn.execute(select(func.count()).select_from(volume_alerts)).scalar_one() == 2


def test_nobody_following_means_no_work_and_no_ledger_rows(world: Any) -> None:
    settings, engine, _sink, _ = world
    for back in range(1, 16):
        add_day(engine, TODAY - timedelta(days=back), 1, ["BR"])
    add_day(engine, TODAY, 9, ["BR"])
    subscribe(engine, "brazil@example.org", filters={"countries": ["BR"]})
    assert run_pass(settings, engine, NOW) == 0
    with transaction(engine) as conn:
        assert conn.execute(select(func.count()).select_from(volume_alerts)).scalar_one() == 0


def test_a_volume_check_interval_of_zero_never_checks(world: Any) -> None:
    settings, engine, _sink, _ = world
    quiet = settings.model_copy(update={"volume_check_interval": 0.0})
    for back in range(1, 16):
        add_day(engine, TODAY - timedelta(days=back), 1, ["BR"])
    add_day(engine, TODAY, 9, ["BR"])
    subscribe(engine, "brazil@example.org", filters={"countries": ["BR"]}, volume_alerts=True)
    assert run_pass(quiet, engine, NOW) == 0
    assert run_pass(settings, engine, NOW) == 1
