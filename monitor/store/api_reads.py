"""SQL for the read API: alerted stories a page at a time, and one story in full.

Pages are keyset pages over alerts, newest first by (created_at, id): a story appears
once per alert (once per topic). Country filters test the alert's JSON list of codes as
text (``"AR"`` with its quotes), which reads the same on SQLite and PostgreSQL; the
caller has checked the code is two capital letters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, cast, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from monitor.store.tables import alerts, stories, story_sources


@dataclass(frozen=True, slots=True)
class PageQuery:
    """Which alerted stories a page holds: filters, a period, and where the page starts."""

    since: datetime | None = None
    until: datetime | None = None
    country: str | None = None
    category: str | None = None
    lang: str | None = None
    after: tuple[datetime, int] | None = None  # (created_at, alert id) of the last row seen
    limit: int = 50


_PAGE_COLUMNS = (
    alerts.c.id.label("alert_id"),
    alerts.c.topic,
    alerts.c.score,
    alerts.c.category,
    alerts.c.countries,
    alerts.c.revision,
    alerts.c.created_at,
    alerts.c.updated_at,
    stories.c.id.label("story_id"),
    stories.c.title,
    stories.c.text,
    stories.c.url,
    stories.c.lang,
    stories.c.credited_outlet,
    stories.c.published_at,
    stories.c.first_seen_at,
    stories.c.source_count,
)


def alerted_page(
    conn: Connection, query: PageQuery, only: ColumnElement[bool] | None = None
) -> list[Any]:
    """Up to ``query.limit`` alert rows joined with their story, newest alert first
    (``only``: a further condition on the story, e.g. the search index's candidates)."""
    stmt = select(*_PAGE_COLUMNS).join(stories, stories.c.id == alerts.c.story_id)
    if only is not None:
        stmt = stmt.where(only)
    if query.since is not None:
        stmt = stmt.where(alerts.c.created_at >= query.since)
    if query.until is not None:
        stmt = stmt.where(alerts.c.created_at < query.until)
    if query.country is not None:
        stmt = stmt.where(cast(alerts.c.countries, Text).like(f'%"{query.country}"%'))
    if query.category is not None:
        stmt = stmt.where(alerts.c.category == query.category)
    if query.lang is not None:
        stmt = stmt.where(stories.c.lang == query.lang)
    if query.after is not None:
        at, alert_id = query.after
        stmt = stmt.where(
            or_(
                alerts.c.created_at < at,
                and_(alerts.c.created_at == at, alerts.c.id < alert_id),
            )
        )
    stmt = stmt.order_by(alerts.c.created_at.desc(), alerts.c.id.desc()).limit(query.limit)
    return list(conn.execute(stmt))


@dataclass(frozen=True, slots=True)
class StoryDetail:
    story: Any
    copies: list[Any]
    alerts: list[Any]


def story_detail(conn: Connection, story_id: int) -> StoryDetail | None:
    """A story with its copies and alerts; None when it has no alert (the API shows only
    alerted stories) or does not exist."""
    found = conn.execute(
        select(alerts).where(alerts.c.story_id == story_id).order_by(alerts.c.id)
    ).all()
    if not found:
        return None
    story = conn.execute(select(stories).where(stories.c.id == story_id)).first()
    if story is None:
        return None
    copies = conn.execute(
        select(
            story_sources.c.outlet,
            story_sources.c.original_outlet,
            story_sources.c.url,
            story_sources.c.title,
            story_sources.c.published_at,
            story_sources.c.first_seen_at,
        )
        .where(story_sources.c.story_id == story_id)
        .order_by(story_sources.c.id)
    ).all()
    return StoryDetail(story, list(copies), list(found))
