"""SQL for subscription feeds: the key hash of a subscription, and the alerts its feed shows.

A feed shows what the subscription matched and was going to deliver: its deliveries that
were not skipped (a paused subscription or an unconfirmed subscriber delivers nothing), the
latest revision per story, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from monitor.delivery.syndication import MAX_ENTRIES, FeedEntry
from monitor.store.tables import alerts, deliveries, stories, subscribers, subscriptions


@dataclass(frozen=True, slots=True)
class FeedOwner:
    """The subscription a feed key opens, with what decides whether it may be read."""

    subscription_id: int
    subscriber_id: int
    name: str
    subscriber_status: str
    created_at: datetime


def set_feed_key_hash(
    conn: Connection, subscription_id: int, key_hash: str | None, *, now: datetime
) -> bool:
    """Store a new key's hash (or None: revoke); False when there is no such subscription."""
    result = conn.execute(
        update(subscriptions)
        .where(subscriptions.c.id == subscription_id)
        .values(feed_key_hash=key_hash, updated_at=now)
    )
    return result.rowcount == 1


def feed_owner(conn: Connection, key_hash: str) -> FeedOwner | None:
    row = conn.execute(
        select(
            subscriptions.c.id,
            subscriptions.c.subscriber_id,
            subscriptions.c.name,
            subscriptions.c.created_at,
            subscribers.c.status,
        )
        .join(subscribers, subscribers.c.id == subscriptions.c.subscriber_id)
        .where(subscriptions.c.feed_key_hash == key_hash)
    ).first()
    if row is None:
        return None
    return FeedOwner(
        subscription_id=int(row.id),
        subscriber_id=int(row.subscriber_id),
        name=row.name,
        subscriber_status=row.status,
        created_at=row.created_at,
    )


def feed_entries(
    conn: Connection, subscription_id: int, limit: int = MAX_ENTRIES
) -> list[FeedEntry]:
    """The subscription's delivered (or due) alerts, one per story at its latest revision."""
    latest = (
        select(
            deliveries.c.story_id,
            func.max(deliveries.c.revision).label("revision"),
            func.max(deliveries.c.id).label("last_delivery"),
        )
        .where(deliveries.c.subscription_id == subscription_id, deliveries.c.status != "skipped")
        .group_by(deliveries.c.story_id)
        .order_by(func.max(deliveries.c.id).desc())
        .limit(limit)
        .subquery()
    )
    rows = conn.execute(
        select(
            stories.c.id,
            stories.c.title,
            stories.c.url,
            stories.c.text,
            stories.c.credited_outlet,
            stories.c.lang,
            stories.c.published_at,
            latest.c.revision,
            alerts.c.category,
            alerts.c.countries,
            alerts.c.score,
            alerts.c.updated_at,
            deliveries.c.created_at.label("delivered_at"),
        )
        .join(latest, latest.c.story_id == stories.c.id)
        .join(deliveries, deliveries.c.id == latest.c.last_delivery)
        # outer: an "all" subscription's story no topic alerted has no alert row (alert 0)
        .outerjoin(alerts, alerts.c.id == deliveries.c.alert_id)
        .order_by(latest.c.last_delivery.desc())
    )
    return [
        FeedEntry(
            story_id=int(row.id),
            revision=int(row.revision),
            title=row.title,
            url=row.url,
            text=row.text or "",
            outlet=row.credited_outlet or "",
            category=row.category,
            countries=tuple(str(code) for code in (row.countries or ())),
            lang=row.lang,
            score=float(row.score or 0.0),
            published=row.published_at,
            updated=row.updated_at or row.delivered_at,
        )
        for row in rows
    ]
