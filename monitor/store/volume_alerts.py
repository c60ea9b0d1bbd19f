"""The volume-alert ledger and the reads a volume watch needs (monitor/notify/volume.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.matching.query.candidates import Candidate
from monitor.store import search_index
from monitor.store.db import upsert_insert
from monitor.store.subscribers import SubscriberRow, SubscriptionRow, deliverable_subscriptions
from monitor.store.tables import alerts, stories, volume_alerts
from monitor.trends.spikes import Kind, VolumeVerdict
from monitor.trends.volumes import alert_rows, tally


def record(
    conn: Connection, verdicts: Sequence[VolumeVerdict], *, now: datetime
) -> list[VolumeVerdict]:
    """Store each verdict's alert; return those stored now (not already there). Two
    watches judging the same day at once raise each alert once: the unique key decides."""
    fresh: list[VolumeVerdict] = []
    for verdict in verdicts:
        inserted = conn.execute(
            upsert_insert(conn, volume_alerts)
            .values(
                key=verdict.key,
                day=verdict.day,
                kind=verdict.kind,
                observed=verdict.observed,
                expected=verdict.expected,
                tail_probability=verdict.tail_probability,
                detected_at=now,
            )
            .on_conflict_do_nothing(index_elements=["key", "day", "kind", "observed"])
            .returning(volume_alerts.c.id)
        ).scalar()
        if inserted is not None:
            fresh.append(verdict)
    return fresh


def latest_alerts(conn: Connection, since: date) -> dict[tuple[str, Kind], VolumeVerdict]:
    """Each (key, kind)'s latest alert on or after ``since``: what the cooldown reads."""
    rows = conn.execute(
        select(volume_alerts)
        .where(volume_alerts.c.day >= since)
        .order_by(volume_alerts.c.day, volume_alerts.c.observed)
    )
    latest: dict[tuple[str, Kind], VolumeVerdict] = {}
    for row in rows:
        kind: Kind = "spike" if row.kind == "spike" else "silence"
        latest[(row.key, kind)] = VolumeVerdict(
            row.key, row.day, kind, row.observed, row.expected, row.tail_probability
        )
    return latest


def topic_counts(
    conn: Connection, start: datetime, end: datetime, first_day: date, last_day: date
) -> dict[str, list[int]]:
    """``{"ukraine-latam/country:BR": [per UTC day …]}``: alerted stories per topic,
    country and category (``tally`` per topic over the alerts of [start, end))."""
    rows = alert_rows(conn, start, end)
    by_topic: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_topic[row.topic].append(row)
    counts: dict[str, list[int]] = {}
    for topic, topic_rows in by_topic.items():
        for key, series in tally(topic_rows, first_day, last_day).items():
            counts[f"{topic}/{key}"] = series
    return counts


def day_stories(conn: Connection, start: datetime, end: datetime) -> list[Any]:
    """The alerts of [start, end) with their stories: what a volume message shows."""
    return list(
        conn.execute(
            select(
                alerts.c.story_id,
                alerts.c.topic,
                alerts.c.category,
                alerts.c.countries,
                alerts.c.score,
                stories.c.title,
                stories.c.url,
                stories.c.credited_outlet,
                stories.c.published_at,
            )
            .join(stories, stories.c.id == alerts.c.story_id)
            .where(alerts.c.created_at >= start, alerts.c.created_at < end)
        )
    )


def volume_watchers(conn: Connection) -> list[tuple[SubscriptionRow, SubscriberRow]]:
    """Deliverable subscriptions that follow volume alerts."""
    return deliverable_subscriptions(conn, volume_alerts_only=True)


def candidate_stories(
    conn: Connection, start: datetime, end: datetime, found: Candidate
) -> set[int] | None:
    """The stories alerted in [start, end) that the full-text index names as a query's
    candidates (a superset of its matches), or None when it cannot narrow (every story)."""
    among = search_index.story_filter(conn, found)
    if among is None:
        return None
    return set(
        conn.execute(
            select(stories.c.id)
            .join(alerts, alerts.c.story_id == stories.c.id)
            .where(alerts.c.created_at >= start, alerts.c.created_at < end, among)
        ).scalars()
    )
