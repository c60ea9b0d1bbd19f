"""Publishes normalized items to Kafka with the kafka-python producer.

Idempotence and acks=all are set explicitly (setting acks alone silently turns idempotence
off in kafka-python 3), and every send future is checked: ``publish`` returns only when the
broker acknowledged every item, or raises so the poller keeps the feed's state unchanged and
re-polls — nothing is lost, and the item ids make the re-publication harmless downstream.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from monitor.errors import PublishError
from monitor.logs import get_logger
from monitor.models import FeedItem
from monitor.stream.codec import encode_item, routing_key

log = get_logger(__name__)


class ItemPublisher:
    def __init__(self, bootstrap: str, topic: str, *, delivery_timeout: float = 60.0) -> None:
        from monitor.stream.kafka_python import KafkaError, KafkaProducer

        self.topic = topic
        self.delivery_timeout = delivery_timeout
        try:
            self._producer = KafkaProducer(
                bootstrap_servers=bootstrap,
                enable_idempotence=True,
                acks="all",
                linger_ms=5,
                compression_type=None,
                max_in_flight_requests_per_connection=5,
                delivery_timeout_ms=int(delivery_timeout * 1000),
                request_timeout_ms=min(30_000, int(delivery_timeout * 1000) // 2),
                max_block_ms=int(delivery_timeout * 1000),
                bootstrap_timeout_ms=int(delivery_timeout * 1000),
            )
        except KafkaError as exc:
            raise PublishError(f"cannot connect a producer to {bootstrap}: {exc}") from exc

    def publish(self, items: Sequence[FeedItem]) -> None:
        """Send all items and wait for every acknowledgement (raises PublishError)."""
        from monitor.stream.kafka_python import KafkaError

        if not items:
            return
        started = time.monotonic()
        try:
            futures = [
                self._producer.send(self.topic, key=routing_key(item), value=encode_item(item))
                for item in items
            ]
            self._producer.flush(timeout=self.delivery_timeout)
            for future in futures:
                future.get(timeout=self.delivery_timeout)
        except KafkaError as exc:
            raise PublishError(f"{len(items)} items not acknowledged by the broker: {exc}") from exc
        log.debug("items.published", count=len(items), seconds=round(time.monotonic() - started, 3))

    def close(self, timeout: float = 10.0) -> None:
        """Flush and close; never raises. Anything still unacknowledged was never reported as
        published, so its feed state was not saved and the items will be published again."""
        from monitor.stream.kafka_python import KafkaError

        try:
            self._producer.close(timeout=timeout)
        except KafkaError as exc:
            log.warning(
                "publisher.close_unflushed",
                error=repr(exc),
                hint="the broker did not acknowledge in time; unacknowledged items are re-sent "
                "on the next poll",
            )
