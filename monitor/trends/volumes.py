"""Counts of alerted stories per day, per country, category and credited outlet.

One core for every count monitor shows: ``monitor spikes`` (``daily_counts``), the API's
GET /trends and the workspace's Trends page all read ``alert_rows`` and count with the pure
``tally``. Days are calendar days of the alert's creation in a zone (UTC unless the caller
gives the reader's). Countries are a JSON list per alert, so the counting happens here in
Python over the alerts of the period (a few thousand rows a month for a topic like ours),
not in SQL that would differ between SQLite and PostgreSQL. A story about two countries
counts once for each; an alert without a category or outlet is not counted for that kind.

Stories are counted, not alerts: a story alerted under two topics (Ukraine–Latin America and
Russia–Latin America both load by default) has two alerts, and counts once under each key
either alert names (a country both name once, the categories each names once), on the day
of its first alert naming that key. With a ``topic`` (``alert_rows(topic=…)``) only that
topic's alerts are read, one per story, so the counts are that topic's view of the stories.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.matching.query.candidates import Candidate
from monitor.store import search_index
from monitor.store.tables import alerts, stories

COUNTRY, CATEGORY, OUTLET = "country", "category", "outlet"
SPIKE_KINDS = (COUNTRY, CATEGORY)


def period_bounds(first_day: date, last_day: date, zone: tzinfo = UTC) -> tuple[datetime, datetime]:
    """The instants that start ``first_day`` and end ``last_day`` (both included) in ``zone``."""
    start = datetime.combine(first_day, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end


def alert_rows(
    conn: Connection,
    start: datetime,
    end: datetime,
    *,
    with_text: bool = False,
    topic: str | None = None,
    within: Candidate | None = None,
) -> list[Any]:
    """The alerts created in [start, end) (``topic``: only its alerts) with what counting
    needs, its story's id included (``tally`` counts stories), and, ``with_text``, what the
    query language reads: ``notify.preview.stored_story_doc``'s columns. An alert whose
    story row is gone still counts (its outlet is None), except under a query, which
    needs the story's text. ``within`` (with ``with_text``): only the stories the full-text
    index names as candidates for a query (``matching.query.candidates``, a superset of its
    matches), so a chart filtered by a query reads and tests those, not every alert."""
    columns = [
        alerts.c.story_id,
        alerts.c.topic,
        alerts.c.created_at,
        alerts.c.countries,
        alerts.c.category,
        stories.c.credited_outlet,
    ]
    if with_text:
        columns += [stories.c.title, stories.c.text, stories.c.url, stories.c.lang]
    joined = alerts.join(stories, stories.c.id == alerts.c.story_id, isouter=not with_text)
    stmt = (
        select(*columns)
        .select_from(joined)
        .where(alerts.c.created_at >= start, alerts.c.created_at < end)
    )
    if topic is not None:
        stmt = stmt.where(alerts.c.topic == topic)
    if with_text and within is not None:
        among = search_index.story_filter(conn, within)
        if among is not None:
            stmt = stmt.where(among)
    return list(conn.execute(stmt))


def tally(
    rows: Iterable[Any],
    first_day: date,
    last_day: date,
    *,
    zone: tzinfo = UTC,
    kinds: Iterable[str] = SPIKE_KINDS,
) -> dict[str, list[int]]:
    """``{"country:BR": [n_day0, …], "category:peace-plan": […], "outlet:…": […]}``: how
    many stories each key has on every day from ``first_day`` to ``last_day``, a story
    counted once per key however many of its alerts (one per topic) name it, on the day of
    the first that does. Pure; rows outside the period are ignored."""
    wanted = frozenset(kinds)
    days = (last_day - first_day).days + 1
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    counted: set[tuple[str, int]] = set()
    for row in sorted(rows, key=lambda r: r.created_at):
        index = (row.created_at.astimezone(zone).date() - first_day).days
        if not 0 <= index < days:
            continue
        keys: list[str] = []
        if COUNTRY in wanted:
            keys += [f"{COUNTRY}:{code}" for code in row.countries or ()]
        if CATEGORY in wanted and row.category:
            keys.append(f"{CATEGORY}:{row.category}")
        if OUTLET in wanted and row.credited_outlet:
            keys.append(f"{OUTLET}:{row.credited_outlet}")
        for key in keys:
            if (key, row.story_id) not in counted:
                counted.add((key, row.story_id))
                counts[key][index] += 1
    return dict(counts)


def split_kinds(counts: dict[str, list[int]]) -> dict[str, dict[str, list[int]]]:
    """``{"country": {"BR": […]}, "category": {…}, "outlet": {…}}`` from ``tally``'s keys."""
    by: dict[str, dict[str, list[int]]] = {COUNTRY: {}, CATEGORY: {}, OUTLET: {}}
    for key, series in sorted(counts.items()):
        kind, _, name = key.partition(":")
        if kind in by:
            by[kind][name] = series
    return by


def daily_counts(
    conn: Connection, first_day: date, last_day: date, *, topic: str | None = None
) -> dict[str, list[int]]:
    """Countries' and categories' stories per UTC day (``tally`` over ``alert_rows``)."""
    start, end = period_bounds(first_day, last_day)
    return tally(alert_rows(conn, start, end, topic=topic), first_day, last_day)
