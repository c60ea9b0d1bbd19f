"""SQL for stories (clusters of copies), their sources, and the alerts raised on them.

Clustering is decided in the database so it is correct whatever partition or worker an item
arrived on: each story's SimHash is split into bands (any two fingerprints within a few bits
share a band), candidates are found by title key or band, and on PostgreSQL transaction-level
advisory locks on the item's bands serialize concurrent workers looking at the same
neighbourhood. SQLite has a single writer, which gives the same guarantee.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Connection

from monitor.models import Classification, FeedItem
from monitor.store.db import upsert_insert
from monitor.store.tables import alerts, stories, story_bands, story_sources

CANDIDATE_WINDOW = timedelta(days=7)


def to_signed64(value: int) -> int:
    """SQL BIGINT is signed; SimHash values are unsigned 64-bit."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned64(value: int) -> int:
    return value & ((1 << 64) - 1)


def band_keys(simhash: int, bands: int = 4) -> list[int]:
    """Band i of the fingerprint, tagged with i, as signed 64-bit keys."""
    width = 64 // bands
    mask = (1 << width) - 1
    value = to_unsigned64(simhash)
    return [to_signed64((i << 56) | ((value >> (i * width)) & mask)) for i in range(bands)]


def hamming(a: int, b: int) -> int:
    return (to_unsigned64(a) ^ to_unsigned64(b)).bit_count()


@dataclass(frozen=True, slots=True)
class StoryRef:
    id: int
    simhash: int
    title: str
    text: str
    credited_outlet: str
    source_count: int


def lock_neighbourhoods(conn: Connection, items: Sequence[FeedItem]) -> None:
    """On PostgreSQL, take advisory locks on every band of the batch, in sorted order."""
    if conn.dialect.name != "postgresql":
        return
    keys = sorted({key for item in items if item.simhash for key in band_keys(item.simhash)})
    title_keys = sorted({item.title_key for item in items if item.title_key})
    if title_keys:
        keys += [
            to_signed64(int(h))
            for h in conn.execute(
                text("SELECT hashtextextended(k, 0) FROM unnest(CAST(:keys AS text[])) AS k"),
                {"keys": title_keys},
            ).scalars()
        ]
    for key in sorted(set(keys)):
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def processed_item_ids(conn: Connection, item_ids: Sequence[str]) -> set[str]:
    """Items already stored as a story source: replays of these change nothing."""
    found: set[str] = set()
    for start in range(0, len(item_ids), 500):
        chunk = list(item_ids[start : start + 500])
        found.update(
            conn.execute(
                select(story_sources.c.item_id).where(story_sources.c.item_id.in_(chunk))
            ).scalars()
        )
    return found


def find_story(
    conn: Connection, item: FeedItem, *, max_distance: int, now: datetime
) -> StoryRef | None:
    """The existing story this item is a copy of: same title key, or SimHash within reach."""
    since = now - CANDIDATE_WINDOW
    columns = (
        stories.c.id,
        stories.c.simhash,
        stories.c.title,
        stories.c.text,
        stories.c.credited_outlet,
        stories.c.source_count,
    )
    if item.title_key:
        row = conn.execute(
            select(*columns)
            .where(stories.c.title_key == item.title_key, stories.c.first_seen_at >= since)
            .order_by(stories.c.id)
            .limit(1)
        ).first()
        if row:
            return StoryRef(*row)
    if not item.simhash:
        return None
    rows = conn.execute(
        select(*columns)
        .join(story_bands, story_bands.c.story_id == stories.c.id)
        .where(
            story_bands.c.band_key.in_(band_keys(item.simhash)), stories.c.first_seen_at >= since
        )
        .order_by(stories.c.id)
    ).all()
    best: StoryRef | None = None
    best_distance = max_distance + 1
    for row in rows:
        distance = hamming(row.simhash, item.simhash)
        if distance < best_distance:
            best, best_distance = StoryRef(*row), distance
    return best


def create_story(conn: Connection, item: FeedItem, *, now: datetime) -> int:
    story_id = conn.execute(
        stories.insert()
        .values(
            title=item.title,
            text=item.text,
            html=item.html,
            url=item.url,
            lang=item.lang,
            credited_outlet=item.credited_outlet,
            title_key=item.title_key,
            simhash=to_signed64(item.simhash),
            published_at=item.published,
            first_seen_at=now,
            updated_at=now,
            source_count=0,
        )
        .returning(stories.c.id)
    ).scalar_one()
    if item.simhash:
        rows = [{"band_key": key, "story_id": story_id} for key in band_keys(item.simhash)]
        conn.execute(upsert_insert(conn, story_bands).values(rows).on_conflict_do_nothing())
    return int(story_id)


def add_source(
    conn: Connection, story_id: int, item: FeedItem, *, published_ms: int | None, now: datetime
) -> bool:
    """Record this copy; False when the item was already recorded (a replay)."""
    inserted = conn.execute(
        upsert_insert(conn, story_sources)
        .values(
            story_id=story_id,
            item_id=item.item_id,
            feed_url=item.feed_url,
            outlet=item.outlet,
            original_outlet=item.original_outlet,
            url=item.url,
            title=item.title,
            published_at=item.published,
            first_seen_at=now,
            published_ms=published_ms,
        )
        .on_conflict_do_nothing(index_elements=["item_id"])
        .returning(story_sources.c.id)
    ).scalar()
    if inserted is not None:
        conn.execute(
            update(stories)
            .where(stories.c.id == story_id)
            .values(source_count=stories.c.source_count + 1, updated_at=now)
        )
    return inserted is not None


def absorb_copy(conn: Connection, story: StoryRef, item: FeedItem, *, now: datetime) -> bool:
    """Let a new copy improve the story: credit the original outlet, keep the fuller text.

    Returns True when the story's text changed (worth classifying again).
    """
    values: dict[str, Any] = {}
    if item.original_outlet and story.credited_outlet != item.original_outlet:
        values["credited_outlet"] = item.original_outlet
    text_changed = len(item.text) > len(story.text) * 1.2
    if text_changed:
        values.update(text=item.text, html=item.html)
    if values:
        values["updated_at"] = now
        conn.execute(update(stories).where(stories.c.id == story.id).values(**values))
    return text_changed


def get_alert(conn: Connection, story_id: int, topic: str) -> Any:
    return conn.execute(
        select(alerts).where(alerts.c.story_id == story_id, alerts.c.topic == topic)
    ).first()


def save_alert(
    conn: Connection, story_id: int, topic: str, verdict: Classification, *, now: datetime
) -> tuple[int, bool]:
    """Insert the alert once per (story, topic); return (alert id, created)."""
    matched = [
        {"rule": e.rule, "term": e.term, "field": e.field, "start": e.start, "end": e.end}
        for e in verdict.matched
    ]
    inserted = conn.execute(
        upsert_insert(conn, alerts)
        .values(
            story_id=story_id,
            topic=topic,
            score=verdict.score,
            category=verdict.category,
            countries=list(verdict.countries),
            matched=matched,
            revision=1,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["story_id", "topic"])
        .returning(alerts.c.id)
    ).scalar()
    if inserted is not None:
        return int(inserted), True
    alert_id = conn.execute(
        select(alerts.c.id).where(alerts.c.story_id == story_id, alerts.c.topic == topic)
    ).scalar_one()
    return int(alert_id), False


def count_rows(conn: Connection) -> dict[str, int]:
    return {
        "stories": conn.execute(select(func.count()).select_from(stories)).scalar_one(),
        "sources": conn.execute(select(func.count()).select_from(story_sources)).scalar_one(),
        "alerts": conn.execute(select(func.count()).select_from(alerts)).scalar_one(),
    }


def recent_alerts(conn: Connection, limit: int = 20) -> list[Any]:
    return list(
        conn.execute(
            select(
                alerts.c.id,
                alerts.c.story_id,
                alerts.c.score,
                alerts.c.category,
                alerts.c.countries,
                alerts.c.created_at,
                stories.c.title,
                stories.c.credited_outlet,
                stories.c.source_count,
            )
            .join(stories, stories.c.id == alerts.c.story_id)
            .order_by(alerts.c.id.desc())
            .limit(limit)
        )
    )


def stories_since(conn: Connection, since: datetime) -> Iterable[Any]:
    return conn.execute(
        select(stories).where(stories.c.first_seen_at >= since).order_by(stories.c.id)
    )


def alerted_stories_since(conn: Connection, since: datetime, limit: int | None = None) -> list[Any]:
    """Stories with an alert, newest first, joined with what the alert recorded."""
    stmt = (
        select(
            stories.c.id, stories.c.title, stories.c.text, stories.c.url, stories.c.lang,
            stories.c.credited_outlet, stories.c.published_at, stories.c.first_seen_at,
            alerts.c.id.label("alert_id"), alerts.c.category, alerts.c.countries, alerts.c.score,
        )
        .join(alerts, alerts.c.story_id == stories.c.id)
        .where(stories.c.first_seen_at >= since)
        .order_by(stories.c.first_seen_at.desc(), stories.c.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(conn.execute(stmt))
