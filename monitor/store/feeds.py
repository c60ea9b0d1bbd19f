"""SQL for the feed registry: feeds, their polling state, and the item ids already published."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from monitor.store.db import one_of, upsert_insert
from monitor.store.tables import feed_items, feeds


@dataclass(frozen=True, slots=True)
class FeedRow:
    id: int
    url: str
    name: str
    outlet: str
    language: str | None
    poll_interval: float | None
    state: str
    state_reason: str | None
    etag: str | None
    last_modified: str | None
    trust_validators: bool
    server_interval: float | None
    last_polled_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime
    error_count: int
    last_error: str | None
    last_status: int | None
    items_published: int


def _row(row: Any) -> FeedRow:
    return FeedRow(**{name: row._mapping[name] for name in FeedRow.__dataclass_fields__})


def add_feed(
    conn: Connection,
    url: str,
    *,
    name: str = "",
    outlet: str = "",
    language: str | None = None,
    poll_interval: float | None = None,
    state: str = "active",
    state_reason: str | None = None,
    now: datetime,
) -> tuple[int, bool]:
    """Register a feed; return (id, created). An existing URL is left as it is."""
    stmt = (
        upsert_insert(conn, feeds)
        .values(
            url=url,
            name=name or outlet or url,
            outlet=outlet or name,
            language=language,
            poll_interval=poll_interval,
            state=state,
            state_reason=state_reason,
            next_poll_at=now,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(feeds.c.id)
    )
    # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT.
    new_id = conn.execute(stmt).scalar()
    if new_id is not None:
        return int(new_id), True
    return int(conn.execute(select(feeds.c.id).where(feeds.c.url == url)).scalar_one()), False


def get_feed(conn: Connection, key: int | str) -> FeedRow | None:
    cond = feeds.c.id == key if isinstance(key, int) else feeds.c.url == key
    row = conn.execute(select(feeds).where(cond)).first()
    return _row(row) if row else None


def list_feeds(conn: Connection) -> list[FeedRow]:
    return [_row(r) for r in conn.execute(select(feeds).order_by(feeds.c.id))]


def due_feeds(conn: Connection, now: datetime, limit: int) -> list[FeedRow]:
    rows = conn.execute(
        select(feeds)
        .where(feeds.c.state == "active", feeds.c.next_poll_at <= now)
        .order_by(feeds.c.next_poll_at)
        .limit(limit)
    )
    return [_row(r) for r in rows]


def set_state(
    conn: Connection, feed_id: int, state: str, reason: str | None, now: datetime
) -> None:
    conn.execute(
        update(feeds)
        .where(feeds.c.id == feed_id)
        .values(state=state, state_reason=reason, next_poll_at=now, updated_at=now)
    )


def remove_feed(conn: Connection, feed_id: int) -> bool:
    conn.execute(delete(feed_items).where(feed_items.c.feed_id == feed_id))
    return conn.execute(delete(feeds).where(feeds.c.id == feed_id)).rowcount == 1


def record_poll(conn: Connection, feed_id: int, **values: Any) -> None:
    """Save the outcome of one poll (validators, schedule, error counters, new URL...)."""
    conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))


def known_item_ids(conn: Connection, feed_id: int, item_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(item_ids), 500):
        chunk = list(item_ids[start : start + 500])
        found.update(
            conn.execute(
                select(feed_items.c.item_id).where(
                    feed_items.c.feed_id == feed_id, one_of(conn, feed_items.c.item_id, chunk)
                )
            ).scalars()
        )
    return found


def mark_items_seen(conn: Connection, feed_id: int, item_ids: Iterable[str], now: datetime) -> None:
    rows = [
        {"feed_id": feed_id, "item_id": item_id, "first_seen_at": now, "last_seen_at": now}
        for item_id in item_ids
    ]
    if rows:
        stmt = upsert_insert(conn, feed_items)
        conn.execute(stmt.on_conflict_do_nothing(index_elements=["feed_id", "item_id"]), rows)


def forget_old_items(conn: Connection, before: datetime) -> int:
    """Drop seen-item records older than the feed history we still expect to be served."""
    return conn.execute(delete(feed_items).where(feed_items.c.last_seen_at < before)).rowcount


def items_seen_since(conn: Connection, since: datetime) -> dict[int, int]:
    """Feed id → items first seen (and published) since ``since``; feeds with none are absent."""
    rows = conn.execute(
        select(feed_items.c.feed_id, func.count())
        .where(feed_items.c.first_seen_at >= since)
        .group_by(feed_items.c.feed_id)
    )
    return {int(feed_id): int(n) for feed_id, n in rows}
