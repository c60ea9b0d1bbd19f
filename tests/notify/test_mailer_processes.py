"""Several mailer processes (MONITOR_MAILER_PROCESSES): each owns whole subscribers.

On SQLite and PostgreSQL, against a real SMTP server on loopback: two partitions, run at
once, deliver everything one mailer would, each subscriber by one partition only, with its
daily cap kept.
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from monitor.notify.mailer import Mailer, mailer_partition
from monitor.notify.transport import SmtpTransport
from monitor.store.db import transaction
from monitor.store.partition import EVERY_SUBSCRIBER, Partition
from monitor.store.tables import email_attempts, emails
from tests.notify.test_mailer import dev_items, ingest, subscribe, world  # noqa: F401


@pytest.mark.parametrize(
    ("instance", "processes", "expected"),
    [
        (None, 1, EVERY_SUBSCRIBER),
        (None, 3, EVERY_SUBSCRIBER),  # `--role mailer --once`: one pass for everyone
        ("mailer", 1, EVERY_SUBSCRIBER),
        ("mailer", 2, Partition(0, 2)),
        ("mailer-2", 2, Partition(1, 2)),
        ("mailer-3", 4, Partition(2, 4)),
    ],
)
def test_each_supervised_mailer_owns_the_partition_its_name_says(
    instance: str | None, processes: int, expected: Partition
) -> None:
    assert mailer_partition(instance, processes) == expected


@pytest.mark.parametrize("instance", ["mailer-3", "worker-2", "mailer-x", "mailer-0"])
def test_a_name_outside_the_mailers_is_refused(instance: str) -> None:
    with pytest.raises(ValueError, match=instance):
        mailer_partition(instance, 2)


def test_partitions_cover_every_subscriber_exactly_once() -> None:
    parts = [Partition(k, 3) for k in range(3)]
    for subscriber_id in range(1, 200):
        assert sum(p.owns(subscriber_id) for p in parts) == 1
    with pytest.raises(ValueError, match="0 <= index < count"):
        Partition(2, 2)


def _pass(settings: Any, engine: Any, partition: Partition, now: datetime) -> int:
    async def go() -> int:
        mailer = Mailer(
            settings,
            engine,
            SmtpTransport(settings),
            worker=f"test-mailer-{partition.index + 1}",
            partition=partition,
        )
        try:
            return await mailer.pass_once(now)
        finally:
            await mailer.transport.close()

    return asyncio.run(go())


def _at_once(settings: Any, engine: Any, now: datetime) -> list[int]:
    """One pass of each of two partitions, on two threads at the same time."""
    sent = [0, 0]

    def run(k: int) -> None:
        sent[k] = _pass(settings, engine, Partition(k, 2), now)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sent


def test_two_partitions_at_once_send_each_subscriber_whole_and_capped(world: Any) -> None:  # noqa: F811
    settings, engine, sink = world
    people = [
        subscribe(engine, f"reader{n}@example.org", mode="immediate", daily_cap=2) for n in range(6)
    ]
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    ingest(engine, dev_items(), now=now)
    sent = _at_once(settings, engine, now)
    # Both partitions worked, each for its three subscribers, two alerts each (the cap).
    assert sent == [6, 6]
    assert sorted(r.rcpt_tos[0] for r in sink.received) == sorted(
        f"reader{n}@example.org" for n in range(6) for _ in range(2)
    )
    # The next morning each gets the catch-up digest of the rest, from its own partition.
    assert _at_once(settings, engine, datetime(2026, 11, 28, 8, 0, tzinfo=UTC)) == [3, 3]
    assert _at_once(settings, engine, datetime(2026, 11, 28, 9, 0, tzinfo=UTC)) == [0, 0]
    ids = [r.message_id for r in sink.received]
    assert len(ids) == 18 and len(set(ids)) == 18
    with transaction(engine) as conn:
        rows = conn.execute(
            select(emails.c.subscriber_id, emails.c.status, email_attempts.c.worker).join(
                email_attempts, email_attempts.c.email_id == emails.c.id
            )
        ).all()
    workers: dict[int, set[str]] = defaultdict(set)
    for subscriber_id, status, worker in rows:
        assert status == "sent"
        workers[subscriber_id].add(worker)
    assert set(workers) == set(people)
    for subscriber_id, names in workers.items():
        assert names == {f"test-mailer-{subscriber_id % 2 + 1}"}, (subscriber_id, names)


def test_a_partition_leaves_the_other_partitions_work_due(world: Any) -> None:  # noqa: F811
    """One of two processes alone never touches the other's subscribers (it is down, or
    slow): their deliveries stay due, and go out when their own process runs."""
    from monitor.store import outbox

    settings, engine, sink = world
    people = [subscribe(engine, f"reader{n}@example.org", mode="immediate") for n in range(4)]
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    ingest(engine, dev_items(), now=now)
    first = _pass(settings, engine, Partition(0, 2), now)
    assert first > 0
    received = {r.rcpt_tos[0] for r in sink.received}
    assert received == {f"reader{n}@example.org" for n, p in enumerate(people) if p % 2 == 0}
    with transaction(engine) as conn:
        left = outbox.due_now(conn, now + timedelta(seconds=1))
        mine = outbox.due_now(conn, now + timedelta(seconds=1), Partition(0, 2))
    assert left["deliveries"] > 0 and mine == {"deliveries": 0, "emails": 0, "later": 0}
    assert _pass(settings, engine, Partition(1, 2), now) == left["deliveries"]
    assert {r.rcpt_tos[0] for r in sink.received} == {f"reader{n}@example.org" for n in range(4)}
