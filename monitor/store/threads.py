"""SQL for event threads: the lock, the window's stored members, new threads and
placements, per-subscriber thread alerts, and what readers show of a thread.

Thread assignment reads the threads of a time window and then writes to them, so two
workers placing stories of one event at once could each start a thread for it. On
PostgreSQL ``lock_threads`` serializes that step with one transaction-level advisory lock
(taken after the batch's neighbourhood locks, by every worker in the same place, so no
cycle can form); SQLite's ``BEGIN IMMEDIATE`` already serializes writers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, and_, bindparam, cast, func, or_, select, text, update
from sqlalchemy.engine import Connection

from monitor.store.db import bulk_insert, one_of, upsert_insert
from monitor.store.tables import stories, story_sources, story_threads, thread_alerts, threads

# The advisory lock of thread assignment: the two-key form, a key space apart from the
# one-key locks of the batch's neighbourhoods (19 is the issue that asked for threads).
_LOCK_KEYS = (19, 0)


def lock_threads(conn: Connection) -> None:
    """Hold thread assignment for this transaction (PostgreSQL; SQLite needs nothing)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": _LOCK_KEYS[0], "b": _LOCK_KEYS[1]}
        )


def placements(conn: Connection, story_ids: Sequence[int]) -> dict[int, tuple[int, bool]]:
    """story id → (thread id, grouped with it) for the stories among ``story_ids`` already
    in a thread (placed once, never moved)."""
    if not story_ids:
        return {}
    rows = conn.execute(
        select(story_threads.c.story_id, story_threads.c.thread_id, story_threads.c.grouped).where(
            one_of(conn, story_threads.c.story_id, list(story_ids))
        )
    )
    return {int(s): (int(t), bool(g)) for s, t, g in rows}


def window_members(conn: Connection, first: date, last: date) -> list[tuple[int, int, date]]:
    """(story id, thread id, day) of the stories placed in ``[first, last]``, oldest thread
    first (an index-only scan of ``ix_story_threads_day``)."""
    rows = conn.execute(
        select(story_threads.c.story_id, story_threads.c.thread_id, story_threads.c.day)
        .where(story_threads.c.day >= first, story_threads.c.day <= last)
        .order_by(story_threads.c.thread_id, story_threads.c.day, story_threads.c.story_id)
    )
    return [(int(s), int(t), d) for s, t, d in rows]


def member_facts(conn: Connection, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The stored facts of these stories."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(story_ids), 500):
        chunk = list(story_ids[start : start + 500])
        for story_id, facts in conn.execute(
            select(story_threads.c.story_id, story_threads.c.facts).where(
                one_of(conn, story_threads.c.story_id, chunk)
            )
        ):
            found[int(story_id)] = facts
    return found


def insert_thread(conn: Connection, row: dict[str, Any]) -> int:
    """A new thread; its id."""
    return int(conn.execute(threads.insert().values(**row).returning(threads.c.id)).scalar_one())


def add_placements(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Each story's thread; a story already placed keeps its thread."""
    bulk_insert(conn, story_threads, rows, conflict=["story_id"])


@dataclass(frozen=True, slots=True)
class ThreadGrowth:
    """New members of one thread: how many, their days and the actors they bring."""

    thread_id: int
    stories_added: int
    first_day: date
    last_day: date
    countries: frozenset[str]
    actors: frozenset[str]


def grow_threads(conn: Connection, growths: Sequence[ThreadGrowth], *, now: datetime) -> None:
    """Add the batch's new members to their threads: one read, one executemany."""
    if not growths:
        return
    rows = {
        int(r.id): r
        for r in conn.execute(
            select(
                threads.c.id,
                threads.c.story_count,
                threads.c.countries,
                threads.c.actors,
                threads.c.first_day,
                threads.c.last_day,
            ).where(one_of(conn, threads.c.id, sorted(g.thread_id for g in growths)))
        )
    }
    values = []
    for growth in growths:
        row = rows[growth.thread_id]
        values.append(
            {
                "key": growth.thread_id,
                "story_count": row.story_count + growth.stories_added,
                "first_day": min(row.first_day, growth.first_day),
                "last_day": max(row.last_day, growth.last_day),
                "countries": sorted(set(row.countries or ()) | growth.countries),
                "actors": sorted(set(row.actors or ()) | growth.actors),
                "updated_at": now,
            }
        )
    conn.execute(
        update(threads)
        .where(threads.c.id == bindparam("key"))
        .values(
            story_count=bindparam("story_count"),
            first_day=bindparam("first_day"),
            last_day=bindparam("last_day"),
            countries=bindparam("countries", type_=threads.c.countries.type),
            actors=bindparam("actors", type_=threads.c.actors.type),
            updated_at=bindparam("updated_at", type_=threads.c.updated_at.type),
        ),
        values,
    )


# --- per-subscriber thread alerts (the fan-out's memory) --------------------------------------
def thread_alert_times(
    conn: Connection, thread_ids: Sequence[int]
) -> dict[tuple[int, int], datetime]:
    """(thread id, subscriber id) → when that subscriber was last alerted of it at once."""
    if not thread_ids:
        return {}
    rows = conn.execute(
        select(
            thread_alerts.c.thread_id, thread_alerts.c.subscriber_id, thread_alerts.c.alerted_at
        ).where(one_of(conn, thread_alerts.c.thread_id, sorted(set(thread_ids))))
    )
    return {(int(t), int(s)): at for t, s, at in rows}


def record_thread_alerts(
    conn: Connection,
    opened: Mapping[tuple[int, int], datetime],
    folded: Mapping[tuple[int, int], int],
) -> None:
    """Remember the alerts sent (a new update window) and count the reports folded: one
    executemany each (a batch can open windows for many subscribers)."""
    if opened:
        statement = upsert_insert(conn, thread_alerts)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["thread_id", "subscriber_id"],
                set_={"alerted_at": statement.excluded.alerted_at, "folded": 0},
            ),
            [
                {"thread_id": t, "subscriber_id": s, "alerted_at": at, "folded": 0}
                for (t, s), at in sorted(opened.items())
            ],
        )
    if folded:
        conn.execute(
            update(thread_alerts)
            .where(
                thread_alerts.c.thread_id == bindparam("key_thread"),
                thread_alerts.c.subscriber_id == bindparam("key_subscriber"),
            )
            .values(folded=thread_alerts.c.folded + bindparam("count")),
            [
                {"key_thread": t, "key_subscriber": s, "count": n}
                for (t, s), n in sorted(folded.items())
            ],
        )


# --- readers: emails and the workspace -------------------------------------------------------
def thread_of_stories(
    conn: Connection, story_ids: Sequence[int], *, grouped_only: bool = False
) -> dict[int, int]:
    """story id → thread id, for the threaded ones (``grouped_only``: for those grouped with
    their thread in alerts and digests)."""
    if not story_ids:
        return {}
    query = select(story_threads.c.story_id, story_threads.c.thread_id).where(
        one_of(conn, story_threads.c.story_id, sorted(set(story_ids)))
    )
    if grouped_only:
        query = query.where(story_threads.c.grouped.is_(True))
    return {int(s): int(t) for s, t in conn.execute(query)}


@dataclass(frozen=True, slots=True)
class EmailThreads:
    """What the assembler needs of threads for one pass: each due story's thread and how
    many other outlets reported that thread's event."""

    thread_of: dict[int, int]
    also_reported: dict[int, int]


def email_threads(conn: Connection, story_ids: Sequence[int]) -> EmailThreads:
    """The threads of the stories due for email: only a story grouped with its thread is
    emailed, or listed in a digest, as one of its thread's reports."""
    thread_of = thread_of_stories(conn, story_ids, grouped_only=True)
    return EmailThreads(thread_of, other_outlets(conn, thread_of))


def other_outlets(conn: Connection, thread_of: Mapping[int, int]) -> dict[int, int]:
    """story id → how many outlets reported its thread's event besides the story's own
    copies (the email's "also reported by N outlets"), for stories with a thread; only the
    thread's grouped reports count (one alerted on its own may be another event)."""
    if not thread_of:
        return {}
    mates = conn.execute(
        select(story_threads.c.thread_id, story_sources.c.story_id, story_sources.c.outlet)
        .join(story_sources, story_sources.c.story_id == story_threads.c.story_id)
        .where(
            one_of(conn, story_threads.c.thread_id, sorted(set(thread_of.values()))),
            story_threads.c.grouped.is_(True),
        )
    )
    outlets: dict[int, dict[int, set[str]]] = {}  # thread → story → outlets
    for thread_id, story_id, outlet in mates:
        name = (outlet or "").strip().casefold()
        if name:
            outlets.setdefault(int(thread_id), {}).setdefault(int(story_id), set()).add(name)
    counts: dict[int, int] = {}
    for story_id, thread_id in thread_of.items():
        members = outlets.get(thread_id, {})
        own = members.get(story_id, set())
        others = set().union(*(o for s, o in members.items() if s != story_id)) - own
        counts[story_id] = len(others)
    return counts


@dataclass(frozen=True, slots=True)
class ThreadMember:
    """One report of a thread, with the rule that placed it and the facts the decision read."""

    story_id: int
    title: str
    credited_outlet: str
    published_at: datetime
    rule: str
    lang: str | None = None
    url: str | None = None
    facts: Mapping[str, Any] | None = None
    day: date | None = None
    grouped: bool = True  # alerted with its thread (thread_alerts.grouped_with_thread)


@dataclass(frozen=True, slots=True)
class ThreadLink:
    """A linked thread, shown by its first story."""

    thread_id: int
    story_id: int
    title: str


@dataclass(frozen=True, slots=True)
class ThreadView:
    """A thread as the workspace shows it: its data, its stories and its linked threads
    (the one it develops, and the later developments of it)."""

    id: int
    category: str | None
    countries: tuple[str, ...]
    actors: tuple[str, ...]
    first_day: date
    last_day: date
    story_count: int
    members: tuple[ThreadMember, ...]
    follows: ThreadLink | None
    followed_by: tuple[ThreadLink, ...]
    created_at: datetime | None = None
    updated_at: datetime | None = None


def thread_view(conn: Connection, story_id: int, *, limit: int = 50) -> ThreadView | None:
    """The thread of one story, or None when the story has none."""
    thread_id = thread_of_stories(conn, [story_id]).get(story_id)
    if thread_id is None:
        return None
    return thread_detail(conn, thread_id, limit=limit)


def thread_detail(conn: Connection, thread_id: int, *, limit: int = 50) -> ThreadView | None:
    """One thread with its first ``limit`` reports (oldest first), or None if there is none."""
    row = conn.execute(select(threads).where(threads.c.id == thread_id)).first()
    if row is None:
        return None
    members = conn.execute(
        select(
            stories.c.id,
            stories.c.title,
            stories.c.credited_outlet,
            stories.c.published_at,
            story_threads.c.rule,
            stories.c.lang,
            stories.c.url,
            story_threads.c.facts,
            story_threads.c.day,
            story_threads.c.grouped,
        )
        .join(story_threads, story_threads.c.story_id == stories.c.id)
        .where(story_threads.c.thread_id == thread_id)
        .order_by(stories.c.published_at, stories.c.id)
        .limit(limit)
    )
    later = list(
        conn.execute(
            select(threads.c.id).where(threads.c.follows_id == thread_id).order_by(threads.c.id)
        ).scalars()
    )
    linked = [int(i) for i in later] + ([row.follows_id] if row.follows_id is not None else [])
    first = _first_stories(conn, linked)
    return ThreadView(
        id=thread_id,
        category=row.category,
        countries=tuple(row.countries or ()),
        actors=tuple(row.actors or ()),
        first_day=row.first_day,
        last_day=row.last_day,
        story_count=row.story_count,
        members=tuple(
            ThreadMember(
                int(i),
                t,
                o or "",
                p,
                r,
                lang,
                url,
                facts if isinstance(facts, dict) else None,
                day,
                bool(grouped),
            )
            for i, t, o, p, r, lang, url, facts, day, grouped in members
        ),
        follows=first.get(row.follows_id) if row.follows_id is not None else None,
        followed_by=tuple(first[int(i)] for i in later if int(i) in first),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _first_stories(conn: Connection, thread_ids: Sequence[int]) -> dict[int, ThreadLink]:
    """Each thread's first story (lowest id), to link to."""
    if not thread_ids:
        return {}
    firsts = (
        select(story_threads.c.thread_id, func.min(story_threads.c.story_id).label("story_id"))
        .where(one_of(conn, story_threads.c.thread_id, sorted(set(thread_ids))))
        .group_by(story_threads.c.thread_id)
        .subquery()
    )
    rows = conn.execute(
        select(firsts.c.thread_id, firsts.c.story_id, stories.c.title).join(
            stories, stories.c.id == firsts.c.story_id
        )
    )
    return {int(t): ThreadLink(int(t), int(s), title) for t, s, title in rows}


def thread_counts(conn: Connection) -> tuple[int, int]:
    """(threads, threaded stories): stories per thread for the measurement."""
    return (
        int(conn.execute(select(func.count()).select_from(threads)).scalar_one()),
        int(conn.execute(select(func.count()).select_from(story_threads)).scalar_one()),
    )


def thread_sizes(conn: Connection, story_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """story id → (thread id, reports in the thread), for the threaded ones (Latest's link)."""
    if not story_ids:
        return {}
    rows = conn.execute(
        select(story_threads.c.story_id, threads.c.id, threads.c.story_count)
        .join(threads, threads.c.id == story_threads.c.thread_id)
        .where(one_of(conn, story_threads.c.story_id, sorted(set(story_ids))))
    )
    return {int(s): (int(t), int(n)) for s, t, n in rows}


@dataclass(frozen=True, slots=True)
class ThreadQuery:
    """Which threads a page of the API holds: filters, days, and where the page starts.

    ``first``/``last`` are days (both included): a thread is in when it has a report in
    that span (its days overlap it). Pages are newest thread first by (created_at, id),
    which never change, so a growing thread does not move between pages."""

    country: str | None = None
    category: str | None = None
    first: date | None = None
    last: date | None = None
    after: tuple[datetime, int] | None = None
    limit: int = 50


def thread_page(conn: Connection, query: ThreadQuery) -> list[Any]:
    """Up to ``query.limit`` thread rows, newest first. The country is tested in the JSON
    list as text (``"BR"`` with its quotes, the same on SQLite and PostgreSQL); the
    caller has checked it is two capital letters."""
    stmt = select(threads)
    if query.country is not None:
        stmt = stmt.where(cast(threads.c.countries, Text).like(f'%"{query.country}"%'))
    if query.category is not None:
        stmt = stmt.where(threads.c.category == query.category)
    if query.first is not None:
        stmt = stmt.where(threads.c.last_day >= query.first)
    if query.last is not None:
        stmt = stmt.where(threads.c.first_day <= query.last)
    if query.after is not None:
        at, thread_id = query.after
        stmt = stmt.where(
            or_(
                threads.c.created_at < at,
                and_(threads.c.created_at == at, threads.c.id < thread_id),
            )
        )
    stmt = stmt.order_by(threads.c.created_at.desc(), threads.c.id.desc()).limit(query.limit)
    return list(conn.execute(stmt))


def followers(conn: Connection, thread_ids: Sequence[int]) -> dict[int, list[int]]:
    """thread id → the ids of the later threads that develop it (oldest first)."""
    if not thread_ids:
        return {}
    found: dict[int, list[int]] = {}
    for thread_id, follows_id in conn.execute(
        select(threads.c.id, threads.c.follows_id)
        .where(one_of(conn, threads.c.follows_id, sorted(set(thread_ids))))
        .order_by(threads.c.id)
    ):
        found.setdefault(int(follows_id), []).append(int(thread_id))
    return found
