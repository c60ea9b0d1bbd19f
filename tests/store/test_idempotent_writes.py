"""Every keyed insert reports honestly whether it inserted, on both databases.

(psycopg reports rowcount -1 for INSERT … ON CONFLICT; the store must not rely on it.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.models import Classification, FeedItem
from monitor.store import feeds, outbox, stories
from monitor.store.db import transaction
from monitor.store.subscribers import add_subscriber, add_subscription

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
ITEM = FeedItem(
    item_id="g:1",
    feed_url="https://f.example/feed",
    outlet="Outlet",
    title="T",
    text="x",
    published=NOW,
    fetched_at=NOW,
    simhash=12345,
    title_key="t",
)
VERDICT = Classification(True, 0.9, "peace-plan", ("BR",), "en")


def test_second_insert_of_the_same_key_reports_not_created(db_url: str, engines: Any) -> None:
    engine = engines(db_url)
    with transaction(engine) as conn:
        assert feeds.add_feed(conn, "https://f.example/feed", now=NOW)[1] is True
        assert feeds.add_feed(conn, "https://f.example/feed", now=NOW)[1] is False
        (story_id,) = stories.insert_stories(
            conn,
            [
                {
                    "title": "T",
                    "text": "x",
                    "title_key": "t",
                    "simhash": 12345,
                    "published_at": NOW,
                    "first_seen_at": NOW,
                    "updated_at": NOW,
                    "credited_outlet": "Outlet",
                    "source_count": 0,
                    **stories.band_columns(12345),
                }
            ],
        )
        source = {
            "story_id": story_id,
            "item_id": ITEM.item_id,
            "feed_url": ITEM.feed_url,
            "outlet": "Outlet",
            "title": "T",
            "published_at": NOW,
            "first_seen_at": NOW,
        }
        assert stories.insert_sources(conn, [source]) == {ITEM.item_id}
        assert stories.insert_sources(conn, [source]) == set()
        first = stories.insert_alerts(conn, {story_id: VERDICT}, "topic", now=NOW)
        assert stories.insert_alerts(conn, {story_id: VERDICT}, "topic", now=NOW) == {}
        assert list(first) == [story_id]
        alert_id = first[story_id]
        person, _ = add_subscriber(conn, "a@example.org", confirmed=True, now=NOW)
        sub = add_subscription(conn, person, now=NOW, filters={})
        rows = [outbox.NewDelivery(person, sub, story_id, alert_id, "immediate", NOW)]
        assert outbox.add_deliveries(conn, rows, now=NOW) == 1
        assert outbox.add_deliveries(conn, rows, now=NOW) == 0
        kwargs = dict(
            subscriber_id=person,
            kind="alert",
            dedup_key="k",
            message_id="<m@x>",
            recipient="a@example.org",
            subject="s",
            raw=b"raw",
            now=NOW,
        )
        email_id, created = outbox.queue_email(conn, **kwargs)  # type: ignore[arg-type]
        assert created is True
        assert outbox.queue_email(conn, **kwargs) == (email_id, False)  # type: ignore[arg-type]


def test_seen_item_ids_older_than_retention_are_forgotten(db_url: str, engines: Any) -> None:
    from datetime import timedelta

    engine = engines(db_url)
    with transaction(engine) as conn:
        feed_id, _ = feeds.add_feed(conn, "https://f.example/feed", now=NOW)
        feeds.mark_items_seen(conn, feed_id, ["old"], NOW - timedelta(days=400))
        feeds.mark_items_seen(conn, feed_id, ["new"], NOW)
        assert feeds.forget_old_items(conn, NOW - timedelta(days=180)) == 1
        assert feeds.known_item_ids(conn, feed_id, ["old", "new"]) == {"new"}
