"""SQL the workspace reads: alerted stories (Latest) and one story with its copies (Story).

Read-only. Latest is ordered by when monitor alerted (``alerts.created_at``, then id) and
paged by a cursor on that pair, so a page never repeats or skips a story while new alerts
arrive above it. A reader's own deliveries are read by subscriber id, never by story alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, cast, func, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from monitor.store.db import one_of
from monitor.store.tables import (
    alerts,
    deliveries,
    emails,
    feeds,
    stories,
    story_sources,
    subscriptions,
)


@dataclass(frozen=True, slots=True)
class CoverageFilter:
    """What Latest shows: each field narrows it; None (or empty) does not.

    ``country`` is an ISO code (checked by the caller: two capitals), ``lang`` a primary
    language subtag (``pt`` also finds ``pt-BR``), ``since``/``until`` bound the alert time.
    """

    country: str | None = None
    category: str | None = None
    lang: str | None = None
    outlet: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page of Latest starts or ends: an alert's time and id."""

    created_at: datetime
    alert_id: int


_LATEST_COLUMNS = (
    alerts.c.id.label("alert_id"),
    alerts.c.created_at,
    alerts.c.score,
    alerts.c.category,
    alerts.c.countries,
    stories.c.id.label("story_id"),
    stories.c.title,
    stories.c.credited_outlet,
    stories.c.source_count,
    stories.c.lang,
    stories.c.published_at,
)


def _conditions(wanted: CoverageFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if wanted.country:
        # Countries are a JSON list; its text holds each code in quotes (the caller checked
        # the code is two capitals, so it carries no LIKE wildcard).
        found.append(cast(alerts.c.countries, Text).like(f'%"{wanted.country}"%'))
    if wanted.category:
        found.append(alerts.c.category == wanted.category)
    if wanted.lang:
        found.append(or_(stories.c.lang == wanted.lang, stories.c.lang.like(f"{wanted.lang}-%")))
    if wanted.outlet:
        found.append(stories.c.credited_outlet == wanted.outlet)
    if wanted.since:
        found.append(alerts.c.created_at >= wanted.since)
    if wanted.until:
        found.append(alerts.c.created_at < wanted.until)
    return found


def latest_alerts(
    conn: Connection,
    wanted: CoverageFilter,
    *,
    before: Position | None = None,
    after: Position | None = None,
    limit: int,
    outlet_bound: int | None = None,
) -> list[Any]:
    """Alerted stories newest first: older than ``before`` (the next page) or newer than
    ``after`` (what arrived since the page was drawn), at most ``limit``. An outlet with
    at most ``outlet_bound`` stories (default ``OUTLET_FIRST_BOUND``) is read outlet first
    (``outlet_story_ids``): the same rows, another plan."""
    conditions = _conditions(wanted)
    if wanted.outlet:
        bound = OUTLET_FIRST_BOUND if outlet_bound is None else outlet_bound
        few = outlet_story_ids(conn, wanted.outlet, bound)
        if few is not None:
            conditions.append(one_of(conn, alerts.c.story_id, few))
    if before is not None:
        conditions.append(
            or_(
                alerts.c.created_at < before.created_at,
                and_(alerts.c.created_at == before.created_at, alerts.c.id < before.alert_id),
            )
        )
    if after is not None:
        conditions.append(
            or_(
                alerts.c.created_at > after.created_at,
                and_(alerts.c.created_at == after.created_at, alerts.c.id > after.alert_id),
            )
        )
    stmt = (
        select(*_LATEST_COLUMNS)
        .join(stories, stories.c.id == alerts.c.story_id)
        .where(*conditions)
        .order_by(alerts.c.created_at.desc(), alerts.c.id.desc())
        .limit(limit)
    )
    return list(conn.execute(stmt))


# An outlet with at most this many stories is read outlet first (see ``outlet_story_ids``):
# on a million stories, 10,000 ids read and sent back cost ~15 ms.
OUTLET_FIRST_BOUND = 10_000


def outlet_first(stories_counted: int, bound: int) -> bool:
    """Whether Latest reads an outlet's alerts through its stories (counted up to
    ``bound + 1``) rather than walking the newest alerts: when it has at most ``bound``
    stories. A big outlet fills a page within the newest few thousand alerts; reading all
    its stories' ids would cost more than that walk (pure: ``latest_alerts`` decides by it)."""
    return stories_counted <= bound


def outlet_story_ids(conn: Connection, outlet: str, bound: int) -> list[int] | None:
    """The ids of the outlet's stories when ``outlet_first`` says so (else None), read
    from ``ix_stories_credited_outlet`` alone: counted first, so a big outlet costs a
    count of ``bound + 1`` index entries, not their transfer.

    Latest filtered by a rare outlet took 0.6-5 s on a million stories: PostgreSQL walked
    ``ix_alerts_created_at`` newest first and probed each alert's story for its outlet
    (every one of the 250,000 alerts, in parallel workers, for 26 rows), as it took the
    outlet for ten times commoner than it is. Given the outlet's story ids as an array,
    it reads the alerts once and sorts the few that match. The condition is implied by
    the outlet's own (which stays), so the rows are the same either way."""
    of_outlet = select(stories.c.id).where(stories.c.credited_outlet == outlet)
    counted = conn.execute(
        select(func.count()).select_from(of_outlet.limit(bound + 1).subquery())
    ).scalar_one()
    if not outlet_first(int(counted), bound):
        return None
    return [int(i) for i in conn.execute(of_outlet).scalars()]


def alerted_outlets(conn: Connection, limit: int = 500) -> list[str]:
    """The credited outlets of alerted stories, for the outlet filter (in name order).

    Read as a skip scan of ``ix_stories_credited_outlet``: each next outlet is one index
    probe (``min`` above the last), kept when one of its stories has an alert. Grouping
    the alerts instead read every alert and its story on each Latest page: seconds on an
    archive of a million stories."""
    return [str(name) for name in conn.execute(_ALERTED_OUTLETS, {"limit": limit}).scalars()]


_ALERTED_OUTLETS = text(
    "WITH RECURSIVE outlet(name) AS ("
    " SELECT min(credited_outlet) FROM stories WHERE credited_outlet <> ''"
    " UNION ALL"
    " SELECT (SELECT min(s.credited_outlet) FROM stories AS s"
    "         WHERE s.credited_outlet > outlet.name)"
    " FROM outlet WHERE outlet.name IS NOT NULL)"
    " SELECT name FROM outlet WHERE name IS NOT NULL AND EXISTS ("
    "  SELECT 1 FROM stories AS s JOIN alerts AS a ON a.story_id = s.id"
    "  WHERE s.credited_outlet = outlet.name)"
    " ORDER BY name LIMIT :limit"
)


def story(conn: Connection, story_id: int) -> Any | None:
    return conn.execute(select(stories).where(stories.c.id == story_id)).first()


def story_alert(conn: Connection, story_id: int) -> Any | None:
    """The story's alert (the newest topic's, should there be several)."""
    return conn.execute(
        select(alerts).where(alerts.c.story_id == story_id).order_by(alerts.c.id.desc()).limit(1)
    ).first()


def story_copies(conn: Connection, story_id: int) -> list[Any]:
    """Every copy of the story with the name of the feed it came from (if still registered)."""
    stmt = (
        select(
            story_sources.c.id,
            story_sources.c.outlet,
            story_sources.c.original_outlet,
            story_sources.c.url,
            story_sources.c.title,
            story_sources.c.published_at,
            story_sources.c.first_seen_at,
            story_sources.c.feed_url,
            func.coalesce(feeds.c.name, "").label("feed_name"),
        )
        .outerjoin(feeds, feeds.c.url == story_sources.c.feed_url)
        .where(story_sources.c.story_id == story_id)
        .order_by(story_sources.c.published_at, story_sources.c.id)
    )
    return list(conn.execute(stmt))


def reader_deliveries(conn: Connection, subscriber_id: int, story_ids: Sequence[int]) -> list[Any]:
    """This subscriber's deliveries of these stories: which subscription matched, what was
    emailed and when. Only ``subscriber_id``'s rows, whatever the stories."""
    if not story_ids:
        return []
    stmt = (
        select(
            deliveries.c.story_id,
            deliveries.c.subscription_id,
            deliveries.c.mode,
            deliveries.c.status,
            deliveries.c.due_at,
            deliveries.c.created_at,
            func.coalesce(subscriptions.c.name, "").label("subscription_name"),
            subscriptions.c.query,
            emails.c.kind.label("email_kind"),
            emails.c.status.label("email_status"),
            emails.c.subject.label("email_subject"),
            emails.c.sent_at,
        )
        .outerjoin(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
        .outerjoin(emails, emails.c.id == deliveries.c.email_id)
        .where(deliveries.c.subscriber_id == subscriber_id, deliveries.c.story_id.in_(story_ids))
        .order_by(deliveries.c.created_at, deliveries.c.id)
    )
    return list(conn.execute(stmt))
