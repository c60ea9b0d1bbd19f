"""The Faust app and its one agent: items topic → ItemHandler → database.

Faust facts this module is built around (see docs/kafka.md):

* An exception escaping the agent loop still acknowledges the event, so the item would be
  lost. The loop body never raises: infrastructure errors (database down) are retried with
  backoff until they succeed; an item that fails on its own goes to the dead-letter topic
  with its error, and only then is it acknowledged.
* Agent concurrency stays 1 (higher can commit past an item still in flight).
* ``processing_guarantee`` stays at-least-once; writes are idempotent (unique keys).
* Blocking SQLAlchemy work runs in a thread with timeouts, so rebalances never hang on it.
* If the process is told to stop while a batch's write is unresolved, it exits hard
  instead of letting Faust acknowledge (and commit) the unwritten batch.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust
import orjson

from monitor import metrics
from monitor.config import Settings
from monitor.errors import ItemError, StoreError
from monitor.logs import get_logger
from monitor.models import FeedItem
from monitor.private_files import private_dir
from monitor.runtime.failpoints import failpoint
from monitor.stream.codec import decode_item
from monitor.stream.handler import BatchOutcome, ItemHandler

log = get_logger(__name__)


def make_app(settings: Settings) -> faust.App:
    # Faust makes an (empty, with the memory store) data directory; keep it under var_dir
    # rather than in whatever directory the worker was started from.
    datadir = settings.var_dir / "faust" / settings.app_id
    private_dir(datadir.parent)
    return faust.App(
        settings.app_id,
        datadir=str(datadir),
        broker=f"kafka://{settings.kafka_bootstrap.replace(',', ';kafka://')}",
        store="memory://",
        autodiscover=False,
        topic_disable_leader=True,
        topic_allow_declare=False,  # topics are created up front by monitor.stream.topics
        topic_partitions=settings.partitions,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        # A worker killed without a goodbye holds its partitions until its session expires;
        # Faust's 60 s default would stall the stream that long.
        broker_session_timeout=settings.kafka_session_timeout,
        broker_heartbeat_interval=min(3.0, settings.kafka_session_timeout / 4),
        broker_rebalance_timeout=settings.kafka_session_timeout * 2,
        broker_commit_every=1000,
        consumer_metadata_max_age_ms=5_000,
        stream_wait_empty=True,
        web_enabled=False,
        producer_acks=-1,
        worker_redirect_stdouts=False,
        processing_guarantee="at_least_once",
        loghandlers=[],
    )


class ItemAgent:
    """Binds the handler to a Faust app: batching, retries, dead letters, metrics."""

    def __init__(
        self,
        app: faust.App,
        settings: Settings,
        handler: ItemHandler,
        *,
        on_batch: Callable[[BatchOutcome, Sequence[int | None]], None] | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.handler = handler
        self._inflight: asyncio.Future[BatchOutcome] | None = None
        # One long-lived thread for all database work: batches are sequential anyway, and a
        # single thread keeps the allocator to one arena instead of fragmenting several.
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self.on_batch = on_batch
        self.items_topic = app.topic(
            settings.items_topic,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
        )
        self.dead_letters = app.topic(
            settings.dead_letter_topic,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
        )
        app.agent(self.items_topic, name="process_items", concurrency=1)(self._run)

    async def _run(self, stream: faust.StreamT[bytes]) -> None:
        async for events in stream.take_events(  # type: ignore[attr-defined]
            self.settings.worker_batch_size, within=self.settings.worker_batch_seconds
        ):
            await self._process(events)

    async def _process(self, events: Sequence[Any]) -> None:
        items: list[FeedItem] = []
        stamps: list[int | None] = []
        for event in events:
            try:
                items.append(decode_item(event.value))
                stamps.append(_timestamp_ms(event))
            except ItemError as exc:
                await self._dead_letter(event.key, event.value, str(exc))
        if not items:
            return
        try:
            outcome = await self._store_with_retry(items, stamps)
        except asyncio.CancelledError:
            # Stopping. Faust acknowledges the taken events when this generator closes, so
            # that is only allowed once the batch is known to be stored.
            if await self._inflight_succeeded():
                raise
            log.error("worker.exit_unstored", items=len(items))
            os._exit(75)
        failpoint("worker.after_commit")  # crash test: stored, offsets not committed
        _record(outcome, stamps)
        if self.on_batch:  # benchmarks and tests observe committed batches here
            self.on_batch(outcome, stamps)

    async def _store_with_retry(
        self, items: list[FeedItem], stamps: list[int | None]
    ) -> BatchOutcome:
        delay = 0.2
        attempt = 0
        while True:
            attempt += 1
            try:
                self._inflight = asyncio.get_running_loop().run_in_executor(
                    self._store_thread, self.handler.handle, items, stamps
                )
                return await asyncio.wait_for(
                    asyncio.shield(self._inflight), timeout=self.settings.db_timeout * 4
                )
            except StoreError as exc:
                # The database is down: wait and retry the same batch, never skip it.
                metrics.STORE_ERRORS.inc()
                log.warning(
                    "worker.store_unavailable",
                    attempt=attempt,
                    error=str(exc),
                    retry_in=round(delay, 2),
                )
            except TimeoutError:
                metrics.STORE_ERRORS.inc()
                log.warning("worker.store_timeout", attempt=attempt)
            except Exception as exc:  # a bad item (or a bug) — isolate it
                log.exception("worker.batch_failed", items=len(items), error=repr(exc))
                if len(items) == 1:
                    if attempt >= self.settings.item_max_attempts:
                        await self._dead_letter(
                            items[0].item_id.encode(), _encode_for_dlq(items[0]), repr(exc)
                        )
                        return BatchOutcome(items=1)
                else:
                    return await self._store_one_by_one(items, stamps)
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 10.0)

    async def _store_one_by_one(
        self, items: list[FeedItem], stamps: list[int | None]
    ) -> BatchOutcome:
        total = BatchOutcome(items=len(items))
        for item, stamp in zip(items, stamps, strict=True):
            part = await self._store_with_retry([item], [stamp])
            total.replayed += part.replayed
            total.new_stories += part.new_stories
            total.joined += part.joined
            total.alerts += part.alerts
            total.deliveries += part.deliveries
            total.alert_story_ids += part.alert_story_ids
        return total

    async def _dead_letter(self, key: bytes | None, value: bytes | None, error: str) -> None:
        """Publish the failed message with its error; waits for the broker's acknowledgement."""
        envelope = orjson.dumps(
            {
                "error": error,
                "failed_at": time.time(),
                "value": (value or b"").decode("utf-8", errors="replace"),
            }
        )
        while True:
            try:
                fut = await self.dead_letters.send(key=key, value=envelope)
                await fut
                break
            except Exception as exc:
                log.warning("worker.dead_letter_retry", error=repr(exc))
                await asyncio.sleep(1.0)
        metrics.DEAD_LETTERED.inc()
        log.error("item.dead_lettered", error=error)

    async def _inflight_succeeded(self) -> bool:
        """Wait (bounded) for the database call in flight; True if it committed."""
        if self._inflight is None:
            return False
        try:
            await asyncio.wait_for(asyncio.shield(self._inflight), self.settings.db_timeout)
        except BaseException:
            return False
        return True


def _record(outcome: BatchOutcome, stamps: Sequence[int | None]) -> None:
    metrics.ITEMS_PROCESSED.inc(outcome.items)
    metrics.ITEMS_DEDUPLICATED.inc(outcome.replayed + outcome.joined)
    metrics.ALERTS_CREATED.inc(outcome.alerts)
    metrics.DELIVERIES_CREATED.inc(outcome.deliveries)
    now_ms = time.time() * 1000
    for stamp in stamps:
        if stamp:
            metrics.PROCESSING_LATENCY.observe(max(0.0, (now_ms - stamp) / 1000))


def _timestamp_ms(event: Any) -> int | None:
    stamp = getattr(event.message, "timestamp", None)
    return int(stamp * 1000) if stamp else None


def _encode_for_dlq(item: FeedItem) -> bytes:
    from monitor.stream.codec import encode_item

    return encode_item(item)
