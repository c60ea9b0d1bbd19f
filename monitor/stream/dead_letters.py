"""`monitor dlq list|replay`: inspect items that failed repeatedly, and send them back.

Replay re-publishes each dead letter's original message to the items topic (processing is
idempotent, so an item that had partly succeeded is not doubled) and commits its place in
the dead-letter topic under its own consumer group, so each letter is replayed once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from monitor.config import Settings
from monitor.errors import ItemError, ServiceError
from monitor.feeds.publisher import ItemPublisher
from monitor.stream.codec import decode_item


def _consumer(settings: Settings, group: str | None) -> Any:
    from monitor.stream.kafka_python import KafkaConsumer

    return KafkaConsumer(
        settings.dead_letter_topic,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3000,
    )


def list_letters(settings: Settings, limit: int) -> list[dict[str, Any]]:
    consumer = _consumer(settings, None)
    letters = []
    try:
        for record in consumer:
            envelope = orjson.loads(record.value)
            envelope["offset"] = record.offset
            letters.append(envelope)
            if len(letters) >= limit:
                break
    finally:
        consumer.close()
    return letters


def replay_group(settings: Settings) -> str:
    """The consumer group whose committed offsets mark the letters already replayed."""
    return f"{settings.app_id}-dlq-replay"


def _say_unreadable(offset: int, problem: str) -> None:
    print(f"offset {offset}: cannot replay ({problem})", file=sys.stderr)


def replay(
    settings: Settings,
    limit: int,
    on_unreadable: Callable[[int, str], None] = _say_unreadable,
) -> tuple[int, int]:
    """Re-publish up to ``limit`` letters not replayed before; return (replayed, unreadable).
    ``on_unreadable(offset, problem)`` hears of each letter that cannot be replayed (the
    CLI prints it; the operations page shows it)."""
    consumer = _consumer(settings, replay_group(settings))
    publisher = ItemPublisher(settings.kafka_bootstrap, settings.items_topic)
    replayed = unreadable = 0
    try:
        for record in consumer:
            envelope = orjson.loads(record.value)
            try:
                item = decode_item(envelope.get("value", ""))
            except ItemError as exc:
                unreadable += 1
                on_unreadable(record.offset, str(exc))
            else:
                publisher.publish([item])
                replayed += 1
            consumer.commit()
            if replayed + unreadable >= limit:
                break
    finally:
        publisher.close()
        consumer.close()
    return replayed, unreadable


@dataclass(frozen=True, slots=True)
class Backlog:
    """The dead-letter topic's letters in all, and those not replayed yet."""

    letters: int
    waiting: int


def backlog(settings: Settings, timeout: float = 3.0) -> Backlog:
    """Counts from offsets alone (no letter is read): end offsets against the replay
    group's committed ones. Raises the client's error when Kafka does not answer."""
    from monitor.stream.kafka_python import KafkaAdminClient, OffsetSpec, TopicPartition

    with KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        bootstrap_timeout_ms=int(timeout * 1000),
        request_timeout_ms=int(timeout * 1000),
    ) as admin:
        topics = admin.describe_topics([settings.dead_letter_topic])
        indexes = [p["partition_index"] for t in topics for p in t.get("partitions") or []]
        partitions = [TopicPartition(settings.dead_letter_topic, i) for i in sorted(indexes)]
        if not partitions:
            return Backlog(0, 0)
        starts = admin.list_partition_offsets({tp: OffsetSpec.EARLIEST for tp in partitions})
        ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
        group = replay_group(settings)
        try:
            committed = admin.list_group_offsets({group: partitions}).get(group, {})
        except Exception:  # never replayed: nothing committed
            committed = {}
    letters = waiting = 0
    for tp in partitions:
        start = starts[tp].offset if tp in starts else 0
        end = ends[tp].offset if tp in ends else 0
        done = max(getattr(committed.get(tp), "offset", -1), start)
        letters += max(0, end - start)
        waiting += max(0, end - done)
    return Backlog(letters, waiting)


@contextmanager
def _kafka_errors_named(settings: Settings) -> Iterator[None]:
    """A Kafka client error as a service error that names the broker the settings point at."""
    try:
        yield
    except Exception as exc:
        if exc.__class__.__module__.startswith("kafka"):
            raise ServiceError(f"Kafka at {settings.kafka_bootstrap}: {exc}") from exc
        raise


def show_letters(settings: Settings, limit: int) -> int:
    """``dlq list``: the newest dead letters, with why each failed and a preview."""
    with _kafka_errors_named(settings):
        letters = list_letters(settings, limit)
    for letter in letters:
        when = datetime.fromtimestamp(letter.get("failed_at", 0), UTC).isoformat(
            timespec="seconds"
        )
        preview = str(letter.get("value", ""))[:120].replace("\n", " ")
        print(f"offset {letter['offset']} at {when}: {letter.get('error')}\n    {preview}")
    print(f"{len(letters)} dead letters")
    return 0


def replay_letters(settings: Settings, limit: int) -> int:
    """``dlq replay``: put dead letters back on the items topic, once each."""
    with _kafka_errors_named(settings):
        done, bad = replay(settings, limit)
    print(f"{done} replayed, {bad} unreadable")
    return 0
