"""`monitor backfill SUBSCRIPTION --days N`: past matches for a new or edited subscription.

Looks through the alerted stories of the last N days (each once, with its alerts), keeps
those the subscription matches under the view the stream would send it as
(``topic_choice.delivery_view``, the stored query and filters), skips stories this subscriber
already has a delivery for, and queues the rest as one digest due now. Delivery rows are
unique per (subscriber, story), so running a backfill twice, or a backfill overlapping the
live stream, never sends a story twice.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from monitor.config import Settings
from monitor.errors import BackfillError
from monitor.store import outbox
from monitor.store import subscribers as subscriber_store
from monitor.store.db import transaction
from monitor.store.migrate import checked_database
from monitor.store.stories import AlertedStory, alerted_stories
from monitor.subscriptions.fanout import SubscriptionIndex
from monitor.subscriptions.preferences import topic_vocabulary
from monitor.subscriptions.preview import stored_story_verdict
from monitor.subscriptions.topic_choice import StoryTopics, delivery_view


def run_backfill(
    settings: Settings, subscription_id: int, *, days: int, now: datetime | None = None
) -> int:
    now = now or datetime.now(UTC)
    with checked_database(settings) as engine:
        with transaction(engine) as conn:
            subscription = subscriber_store.get_subscription(conn, subscription_id)
            if subscription is None:
                raise BackfillError(f"no subscription {subscription_id} (monitor subscriber list)")
            subscriber = subscriber_store.get_subscriber(conn, subscription.subscriber_id)
            assert subscriber is not None
            if not subscriber.confirmed or subscriber.status != "active":
                raise BackfillError(f"subscriber {subscriber.email} is not confirmed and active")
            stories = alerted_stories(conn, now - timedelta(days=days))
        index = SubscriptionIndex(vocabulary=topic_vocabulary(*settings.topic_files()))
        index.load([(subscription, subscriber)])
        wanted = []
        for done, story in enumerate(stories, start=1):

            def wants(topic: str, story: AlertedStory = story) -> bool:
                return bool(index.matching(*stored_story_verdict(story.alert(topic)), topic))

            view = delivery_view(subscription.topic, StoryTopics(story.topics), wants)
            if view is not None:
                wanted.append(story.alert(view))
            if done % 500 == 0 or done == len(stories):
                print(
                    f"backfill: checked {done}/{len(stories)} stories, {len(wanted)} match",
                    file=sys.stderr,
                    flush=True,
                )
        with transaction(engine) as conn:
            already = outbox.delivered_story_ids(conn, subscriber.id, [r.id for r in wanted])
            fresh = [r for r in wanted if r.id not in already]
            created = outbox.add_deliveries(
                conn,
                [
                    outbox.NewDelivery(
                        subscriber.id, subscription.id, r.id, r.alert_id, mode="daily", due_at=now
                    )
                    for r in fresh
                ],
                now=now,
            )
        print(
            f"backfill: {len(wanted)} stories of the last {days} days match; "
            f"{len(already)} were already delivered; {created} queued as one digest"
        )
        return 0
