"""SQL Search reads besides the index: stories by id or newest first, with what their alerts
say (countries, category). Read-only.

Every stored story is in the archive, alerted or not; a story without an alert has no
countries or category (the classifier's verdict is kept only with an alert). A story with
alerts under several topics carries the union of their countries and the first alert's
category.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.store.db import one_of
from monitor.store.tables import alerts, stories

BATCH = 500


@dataclass(frozen=True, slots=True)
class ArchivedStory:
    """A story as Search reads, tests and shows it."""

    id: int
    title: str
    text: str
    url: str | None
    lang: str | None
    credited_outlet: str
    published_at: datetime
    source_count: int
    countries: tuple[str, ...]
    category: str | None


_COLUMNS = (
    stories.c.id,
    stories.c.title,
    stories.c.text,
    stories.c.url,
    stories.c.lang,
    stories.c.credited_outlet,
    stories.c.published_at,
    stories.c.source_count,
)


def newest_story_ids(
    conn: Connection,
    limit: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[int]:
    """The ``limit`` latest published stories' ids (published in [since, until)), latest
    first."""
    query = select(stories.c.id)
    if since is not None:
        query = query.where(stories.c.published_at >= since)
    if until is not None:
        query = query.where(stories.c.published_at < until)
    order = (stories.c.published_at.desc(), stories.c.id.desc())
    return [int(i) for i in conn.execute(query.order_by(*order).limit(limit)).scalars()]


def stories_by_ids(conn: Connection, ids: Sequence[int]) -> dict[int, ArchivedStory]:
    """These stories with their alerts' countries and category, by id."""
    found: dict[int, ArchivedStory] = {}
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        verdicts: dict[int, tuple[list[str], str | None]] = {}
        for verdict in conn.execute(
            select(alerts.c.story_id, alerts.c.countries, alerts.c.category)
            .where(one_of(conn, alerts.c.story_id, chunk))
            .order_by(alerts.c.id)
        ):
            countries, _ = verdicts.setdefault(int(verdict.story_id), ([], verdict.category))
            listed = verdict.countries
            for code in listed if isinstance(listed, list) else []:
                if isinstance(code, str) and code not in countries:
                    countries.append(code)
        for row in conn.execute(select(*_COLUMNS).where(one_of(conn, stories.c.id, chunk))):
            countries, category = verdicts.get(int(row.id), ([], None))
            found[int(row.id)] = ArchivedStory(
                id=int(row.id),
                title=row.title,
                text=row.text,
                url=row.url,
                lang=row.lang,
                credited_outlet=row.credited_outlet,
                published_at=row.published_at,
                source_count=int(row.source_count),
                countries=tuple(countries),
                category=category,
            )
    return found
