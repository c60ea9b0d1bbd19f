"""The mailer against a real SMTP server on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import functools
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.matching.classifier import classify
from monitor.matching.topic_set import TopicSet, classify_all
from monitor.notify.assemble import queue_confirmation
from monitor.notify.mailer import Mailer, assembly_continues, heartbeat_due
from monitor.notify.transport import SmtpTransport
from monitor.services.smtp_sink import SmtpSink
from monitor.store.db import make_engine, transaction
from monitor.store.subscribers import add_subscriber, add_subscription
from monitor.store.tables import email_attempts, emails
from monitor.stream.handler import ItemHandler
from monitor.subscriptions.fanout import SubscriptionIndex
from tests.notify.injection import (
    ALERT_HEADERS,
    HOSTILE_NAME,
    HOSTILE_NAME_READ,
    expected_subjects,
    hostile_items,
    read_clean_email,
    subject_read,
)
from tests.stream.test_handler import MENAFN, RIO, TOPIC, items_of


@pytest.fixture
def world(db_url: str, make_settings: Any, smtp_sink: SmtpSink) -> Any:
    settings = make_settings(
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_security="none",
        public_url="https://alerts.example.org",
    )
    engine = make_engine(settings.db_url)
    yield settings, engine, smtp_sink
    engine.dispose()


def subscribe(
    engine: Any,
    email: str,
    *,
    tz: str = "UTC",
    confirmed: bool = True,
    display_name: str = "",
    language: str = "en",
    **values: Any,
) -> int:
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        person, _ = add_subscriber(
            conn,
            email,
            display_name=display_name,
            time_zone=tz,
            language=language,
            confirmed=confirmed,
            now=now,
        )
        values.setdefault("filters", {})
        values.setdefault("name", email.split("@")[0])
        add_subscription(conn, person, now=now, **values)
    return person


def ingest(engine: Any, items: list[Any], now: datetime | None = None) -> None:
    handler = ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, TopicSet((TOPIC,))),
        subscriptions=SubscriptionIndex(recheck_seconds=0),
    )
    if now is not None:
        handler.clock = lambda: now
    handler.handle(items)


def run_pass(settings: Settings, engine: Any, now: datetime | None = None) -> int:
    async def go() -> int:
        mailer = Mailer(settings, engine, SmtpTransport(settings), worker="test-mailer")
        try:
            return await mailer.pass_once(now)
        finally:
            await mailer.transport.close()

    return asyncio.run(go())


def dev_items() -> list[Any]:
    """Several relevant stories (the dev-set wire feeds have many)."""
    return items_of("dev-wire-en.xml", "Dev wire")


def test_immediate_alert_is_delivered_once_with_full_headers(world: Any) -> None:
    settings, engine, sink = world
    subscribe(engine, "desk@example.org", mode="immediate")
    ingest(engine, RIO + MENAFN)
    assert run_pass(settings, engine) == 1
    assert run_pass(settings, engine) == 0  # nothing left, nothing twice
    (got,) = sink.received
    msg = got.message
    assert got.rcpt_tos == ["desk@example.org"]
    for header in ("Message-ID", "Date", "List-Id", "List-Unsubscribe", "From", "To"):
        assert msg[header], header
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/alternative"
    with transaction(engine) as conn:
        row = conn.execute(select(emails)).one()
        attempts = conn.execute(select(email_attempts)).all()
    assert row.status == "sent" and row.message_id == msg["Message-ID"]
    assert [a.outcome for a in attempts] == ["sent"]


def test_daily_digest_groups_stories_and_arrives_at_local_time(world: Any) -> None:
    settings, engine, sink = world
    subscribe(engine, "kyiv@example.org", tz="Europe/Kyiv", mode="daily", digest_time="08:00")
    noon = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # 12:00 in Kyiv, the day before DST starts
    ingest(engine, dev_items(), now=noon)
    assert run_pass(settings, engine, now=noon) == 0  # not due before 08:00 local
    assert run_pass(settings, engine, now=datetime(2026, 3, 28, 5, 59, tzinfo=UTC)) == 0
    due = datetime(2026, 3, 28, 6, 0, tzinfo=UTC)  # 08:00 EET (UTC+2)
    assert run_pass(settings, engine, now=due) == 1
    (digest,) = sink.received
    subject = str(digest.message["Subject"])
    assert "digest" in subject.lower()
    text = digest.message.get_body(("plain",)).get_content()
    with transaction(engine) as conn:
        from monitor.store.tables import alerts

        count = len(conn.execute(select(alerts.c.id)).all())
    assert count >= 3 and f"{count} stor" in text
    # Day after DST: the 08:00 digest is at 05:00 UTC.
    ingest(engine, RIO, now=due)
    assert run_pass(settings, engine, now=datetime(2026, 3, 29, 4, 59, tzinfo=UTC)) == 0


def test_quiet_hours_hold_alerts_and_release_them_as_one_bundle(world: Any) -> None:
    settings, engine, sink = world
    subscribe(
        engine,
        "night@example.org",
        tz="America/Sao_Paulo",
        mode="immediate",
        quiet_start="22:00",
        quiet_end="07:00",
    )
    night = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 00:00 in São Paulo
    ingest(engine, dev_items(), now=night)
    assert run_pass(settings, engine, now=night) == 0
    morning = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # 07:00 local
    assert run_pass(settings, engine, now=morning) == 1
    (bundle,) = sink.received
    assert (
        "quiet" in str(bundle.message["Subject"]).lower()
        or "held" in bundle.message.get_body(("plain",)).get_content().lower()
    )


def test_daily_cap_rolls_extra_alerts_into_a_catch_up_digest(world: Any) -> None:
    settings, engine, sink = world
    subscribe(engine, "capped@example.org", mode="immediate", daily_cap=1)
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    ingest(engine, dev_items(), now=now)
    assert run_pass(settings, engine, now=now) == 1
    assert run_pass(settings, engine, now=now + timedelta(hours=1)) == 0
    assert run_pass(settings, engine, now=datetime(2026, 11, 28, 8, 0, tzinfo=UTC)) == 1
    kinds = [str(r.message["Subject"]) for r in sink.received]
    assert len(kinds) == 2 and "digest" in kinds[1].lower()


def test_permanent_rejection_stops_retries_and_is_visible(world: Any) -> None:
    settings, engine, sink = world
    sink.handler.reject_rcpt.add("nobody@example.org")
    subscribe(engine, "nobody@example.org", mode="immediate")
    ingest(engine, MENAFN)
    run_pass(settings, engine)
    run_pass(settings, engine, now=datetime.now(UTC) + timedelta(hours=2))
    with transaction(engine) as conn:
        row = conn.execute(select(emails)).one()
        attempts = conn.execute(select(email_attempts.c.outcome)).scalars().all()
    assert row.status == "failed" and "550" in (row.last_error or "")
    assert attempts == ["permanent"]
    assert sink.received == []


def test_smtp_outage_delays_but_loses_nothing(world: Any) -> None:
    settings, engine, sink = world
    subscribe(engine, "desk@example.org", mode="immediate")
    ingest(engine, dev_items())
    with transaction(engine) as conn:
        from monitor.store.tables import deliveries

        expected = len(conn.execute(select(deliveries.c.id)).all())
    sink.stop()
    run_pass(settings, engine)
    with transaction(engine) as conn:
        failed = conn.execute(select(email_attempts.c.outcome)).scalars().all()
    assert failed and set(failed) == {"transient"}
    sink.start()
    later = datetime.now(UTC) + timedelta(hours=1)  # past every backoff
    run_pass(settings, engine, now=later)
    got = sink.wait_for(expected, timeout=10)
    ids = [r.message_id for r in got]
    assert len(ids) == expected == len(set(ids))


def test_unconfirmed_subscribers_get_only_the_confirmation(world: Any) -> None:
    settings, engine, sink = world
    person = subscribe(engine, "new@example.org", confirmed=False, mode="immediate")
    assert queue_confirmation(settings, engine, person, "new")
    assert not queue_confirmation(settings, engine, person, "new")  # queued once
    ingest(engine, MENAFN)
    run_pass(settings, engine)
    (only,) = sink.received
    body = only.message.get_body(("plain",)).get_content()
    assert "https://alerts.example.org/c/" in body
    assert "List-Unsubscribe" not in only.message


def test_concurrent_mailers_never_send_the_same_email_twice(world: Any, db_url: str) -> None:
    settings, engine, sink = world
    if not db_url.startswith("postgresql"):
        return  # SQLite has a single writer; the race needs PostgreSQL's SKIP LOCKED
    for n in range(5):
        subscribe(engine, f"reader{n}@example.org", mode="immediate")
    ingest(engine, dev_items())
    threads = [threading.Thread(target=run_pass, args=(settings, engine)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [r.message_id for r in sink.received]
    assert ids and len(ids) == len(set(ids))


def test_large_digest_runs_never_split_a_digest(world: Any) -> None:
    """Regression: a pass capped by deliveries split digests and dropped their later stories."""
    from monitor.store.outbox import due_delivery_details
    from monitor.store.tables import deliveries

    settings, engine, sink = world
    for n in range(40):
        subscribe(engine, f"reader{n}@example.org", mode="daily", digest_time="08:00")
    noon = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    ingest(engine, dev_items() + items_of("dev-wire-es.xml", "Dev wire"), now=noon)
    due = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    with transaction(engine) as conn:
        total = len(conn.execute(select(deliveries.c.id)).all())
        some = due_delivery_details(conn, due, subscriptions=7)
    assert total > 1000 and len({d.subscription_id for d in some}) == 7
    assert len(some) == 7 * total // 40  # whole subscriptions, every one of their deliveries
    while run_pass(settings, engine, now=due):
        pass
    assert len(sink.received) == 40
    per_digest = total // 40
    for message in sink.received:
        assert f"{per_digest} stories" in str(message.message["Subject"])
    with transaction(engine) as conn:
        states = set(conn.execute(select(deliveries.c.status)).scalars())
    assert states == {"queued"}


def test_restart_recovers_only_attempts_of_dead_mailers(world: Any) -> None:
    """Two mailers may share a host: a restart must not take over a live one's send."""
    import os
    import socket
    import subprocess
    import sys

    from monitor.store.outbox import claim_emails

    settings, engine, _sink = world
    subscribe(engine, "desk@example.org", mode="immediate")
    ingest(engine, dev_items()[:12])
    from monitor.notify.assemble import Assembler

    assert Assembler(settings, engine).run_once() >= 2  # queued, not sent
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)
    host = socket.gethostname()
    with transaction(engine) as conn:
        live = claim_emails(
            conn,
            now=datetime.now(UTC),
            worker=f"{host}:{os.getpid()}:mailer:other",
            lease=timedelta(minutes=5),
            limit=1,
        )
        dead = claim_emails(
            conn,
            now=datetime.now(UTC),
            worker=f"{host}:{dead_pid}:mailer:x",
            lease=timedelta(minutes=5),
            limit=1,
        )
    assert live and dead

    async def recover() -> int:
        return await Mailer(settings, engine, SmtpTransport(settings)).recover()

    assert asyncio.run(recover()) == 1
    with transaction(engine) as conn:
        outcomes = dict(
            conn.execute(select(email_attempts.c.email_id, email_attempts.c.outcome)).all()
        )
    assert outcomes[dead[0].id] == "interrupted" and outcomes[live[0].id] is None


def test_a_pass_with_poisoned_stories_sends_every_story_once_and_clean(world: Any) -> None:
    """Stories whose titles try header injection go out with the good ones, one email each,
    with the headers we set and nothing else (the hostile corpus: tests/notify/injection.py)."""
    from monitor.store.tables import deliveries

    settings, engine, sink = world
    subscribe(
        engine, "desk@example.org", mode="immediate", display_name=HOSTILE_NAME, name=HOSTILE_NAME
    )
    good = [i for i in dev_items() if classify(TOPIC, i.title, i.text, i.lang).relevant][:6]
    ingest(engine, good[:3] + hostile_items() + good[3:])
    with transaction(engine) as conn:
        expected = len(conn.execute(select(deliveries.c.id)).all())
    assert expected == len(hostile_items()) + len(good) and len(good) == 6
    assert run_pass(settings, engine) == expected
    received = sink.wait_for(expected, timeout=10)
    assert len(received) == expected == len({r.message_id for r in received})
    subjects = []
    for got in received:
        assert got.rcpt_tos == ["desk@example.org"]
        message = read_clean_email(got.data, "desk@example.org", ALERT_HEADERS)
        assert message["To"].addresses[0].display_name == HOSTILE_NAME_READ
        subjects.append(subject_read(message))
    assert set(expected_subjects().values()) <= set(subjects)
    with transaction(engine) as conn:
        states = set(conn.execute(select(deliveries.c.status)).scalars())
        sent = set(conn.execute(select(emails.c.status)).scalars())
    assert states == {"queued"} and sent == {"sent"}


def test_several_connections_send_each_email_once_and_mark_every_one(world: Any) -> None:
    """MONITOR_SMTP_CONNECTIONS=3: the pass's emails go out over three connections at once;
    each arrives once, and every one is marked sent with its one attempt."""
    settings, engine, sink = world
    settings = settings.model_copy(update={"smtp_connections": 3})
    for n in range(8):
        subscribe(engine, f"reader{n}@example.org", mode="immediate")
    ingest(engine, dev_items())
    sent = run_pass(settings, engine)
    ids = [r.message_id for r in sink.received]
    assert sent == len(ids) > 8 and len(set(ids)) == len(ids)
    assert len({r.peer for r in sink.received}) == 3
    with transaction(engine) as conn:
        states = conn.execute(select(emails.c.status, emails.c.attempts)).all()
        outcomes = conn.execute(select(email_attempts.c.outcome)).scalars().all()
    assert {tuple(row) for row in states} == {("sent", 1)} and len(states) == sent
    assert outcomes == ["sent"] * sent


def test_one_pass_sends_every_assembly_round(world: Any) -> None:
    """The pass composes in rounds (two subscriptions here) and sends each round's emails
    while the next is composed: every digest of the six goes out in the one pass, whole."""
    from monitor.store.tables import deliveries

    settings, engine, sink = world
    for n in range(6):
        subscribe(engine, f"reader{n}@example.org", mode="daily", digest_time="08:00")
    noon = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    ingest(engine, dev_items(), now=noon)
    due = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)

    beats: list[int] = []  # emails received at each progress call (the heartbeat's hook)

    async def go() -> int:
        mailer = Mailer(settings, engine, SmtpTransport(settings), worker="test-mailer")
        mailer.assembler.round_subscriptions = 2
        mailer.progress = lambda: beats.append(len(sink.received))
        try:
            return await mailer.pass_once(due)
        finally:
            await mailer.transport.close()

    assert asyncio.run(go()) == 6
    assert beats and beats[-1] == 6 and beats == sorted(beats)
    assert sorted(r.rcpt_tos[0] for r in sink.received) == [
        f"reader{n}@example.org" for n in range(6)
    ]
    with transaction(engine) as conn:
        total = len(conn.execute(select(deliveries.c.id)).all())
        states = set(conn.execute(select(deliveries.c.status)).scalars())
    assert states == {"queued"}
    for message in sink.received:
        assert f"{total // 6} stories" in str(message.message["Subject"])
    assert run_pass(settings, engine, now=due) == 0


def test_a_long_pass_beats_every_few_seconds() -> None:
    assert heartbeat_due(0.0, 5.0) and heartbeat_due(100.0, 106.0)
    assert not heartbeat_due(100.0, 104.9)


def test_assembly_goes_on_while_rounds_queue_emails_and_the_mailer_runs() -> None:
    assert assembly_continues(3, stopping=False)
    assert not assembly_continues(0, stopping=False)  # nothing more due (or all held)
    assert not assembly_continues(3, stopping=True)
