"""`monitor dlq list|replay`: inspect items that failed repeatedly, and send them back.

Replay re-publishes each dead letter's original message to the items topic (processing is
idempotent, so an item that had partly succeeded is not doubled) and commits its place in
the dead-letter topic under its own consumer group, so each letter is replayed once.
"""

from __future__ import annotations

import sys
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


def replay(settings: Settings, limit: int) -> tuple[int, int]:
    """Re-publish up to ``limit`` letters not replayed before; return (replayed, unreadable)."""
    consumer = _consumer(settings, f"{settings.app_id}-dlq-replay")
    publisher = ItemPublisher(settings.kafka_bootstrap, settings.items_topic)
    replayed = unreadable = 0
    try:
        for record in consumer:
            envelope = orjson.loads(record.value)
            try:
                item = decode_item(envelope.get("value", ""))
            except ItemError as exc:
                unreadable += 1
                print(f"offset {record.offset}: cannot replay ({exc})", file=sys.stderr)
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


def dispatch(settings: Settings, args: Any) -> int:
    try:
        if args.action == "list":
            letters = list_letters(settings, args.limit)
            for letter in letters:
                when = datetime.fromtimestamp(letter.get("failed_at", 0), UTC).isoformat(
                    timespec="seconds"
                )
                preview = str(letter.get("value", ""))[:120].replace("\n", " ")
                print(f"offset {letter['offset']} at {when}: {letter.get('error')}\n    {preview}")
            print(f"{len(letters)} dead letters")
        else:
            done, bad = replay(settings, args.limit)
            print(f"{done} replayed, {bad} unreadable")
    except Exception as exc:
        if exc.__class__.__module__.startswith("kafka"):
            raise ServiceError(f"Kafka at {settings.kafka_bootstrap}: {exc}") from exc
        raise
    return 0
