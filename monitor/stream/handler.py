"""What happens to a batch of items taken from the stream, in one database transaction.

For each item: skip it if already stored (a replay), join it to the story it is a copy of or
start a new story, classify new or improved stories, save an alert for relevant ones, and fan
the alert out to the subscriptions that want it as delivery rows. The transaction commits
before the agent acknowledges the batch, and every write is keyed, so a crash anywhere
replays the batch harmlessly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from monitor.logs import get_logger
from monitor.models import Classification, FeedItem
from monitor.notify.fanout import SubscriptionIndex
from monitor.store import stories as story_store
from monitor.store.db import transaction
from monitor.store.outbox import add_deliveries

log = get_logger(__name__)

Classify = Callable[[str, str, str | None], Classification]

NEAR_DUPLICATE_BITS = 3  # SimHash distance within which two copies are one story


@dataclass
class BatchOutcome:
    items: int = 0
    replayed: int = 0
    new_stories: int = 0
    joined: int = 0
    alerts: int = 0
    deliveries: int = 0
    alert_story_ids: list[int] = field(default_factory=list)


@dataclass
class ItemHandler:
    """Turns items into stories, alerts and deliveries. Thread-safe; call from a worker thread."""

    engine: Engine
    classify: Classify
    topic: str
    subscriptions: SubscriptionIndex
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def handle(
        self, items: Sequence[FeedItem], published_ms: Sequence[int | None] = ()
    ) -> BatchOutcome:
        outcome = BatchOutcome(items=len(items))
        if not items:
            return outcome
        stamps = list(published_ms) or [None] * len(items)
        self.subscriptions.refresh_if_changed(self.engine)
        started = time.perf_counter()
        with transaction(self.engine) as conn:
            now = self.clock()
            story_store.lock_neighbourhoods(conn, items)
            done = story_store.processed_item_ids(conn, [item.item_id for item in items])
            seen_in_batch: set[str] = set()
            for item, stamp in zip(items, stamps, strict=True):
                if item.item_id in done or item.item_id in seen_in_batch:
                    outcome.replayed += 1
                    continue
                seen_in_batch.add(item.item_id)
                story = story_store.find_story(
                    conn, item, max_distance=NEAR_DUPLICATE_BITS, now=now
                )
                if story is None:
                    story_id = story_store.create_story(conn, item, now=now)
                    outcome.new_stories += 1
                    worth_classifying = True
                else:
                    story_id = story.id
                    outcome.joined += 1
                    improved = story_store.absorb_copy(conn, story, item, now=now)
                    worth_classifying = improved and (
                        story_store.get_alert(conn, story_id, self.topic) is None
                    )
                story_store.add_source(conn, story_id, item, published_ms=stamp, now=now)
                if not worth_classifying:
                    continue
                verdict = self.classify(item.title, item.text, item.lang)
                if not verdict.relevant:
                    continue
                alert_id, created = story_store.save_alert(
                    conn, story_id, self.topic, verdict, now=now
                )
                if not created:
                    continue
                outcome.alerts += 1
                outcome.alert_story_ids.append(story_id)
                wanted = self.subscriptions.deliveries_for(
                    item, verdict, story_id=story_id, alert_id=alert_id, now=now
                )
                outcome.deliveries += add_deliveries(conn, wanted, now=now)
        log.debug(
            "batch.stored",
            items=outcome.items,
            alerts=outcome.alerts,
            seconds=round(time.perf_counter() - started, 4),
        )
        return outcome
