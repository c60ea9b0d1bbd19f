"""SQL for the stored counts of alerted stories (``trend_counts`` per hour, ``trend_days``
per UTC day, ``trend_weeks`` per UTC week, ``trend_repeats``; monitor/trends/rollup.py
decides them): read a batch's stories' alerts, write the change, rebuild them all
(migrations 0022–0024, archives
filled outside the worker) and sum them over a reader's days (``trends.levels`` says which
level answers which part of the period).

Whoever writes alerts or stories' credited outlets (``stories.insert_alerts``,
``stories.update_stories``) writes the counts' change with ``keep_added`` in the same
transaction, so the counts are exactly the alerts' and survive what the alerts survive.
The worker (``stream.handler``) does it once per batch, last in its transaction: the
current hour's rows are touched by every batch, so they are locked for the shortest time
and in one order. Archives written outside the worker are counted again by ``rebuild``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.engine import Connection

from monitor.store.db import bulk_insert, one_of, upsert_insert
from monitor.store.tables import (
    alerts,
    stories,
    trend_counts,
    trend_days,
    trend_repeats,
    trend_weeks,
)
from monitor.trends.levels import MIDWEEK, NOON, spans_sql, split
from monitor.trends.local_days import DayRun, day_sql
from monitor.trends.rollup import (
    ANY_KIND,
    BUCKET_SECONDS,
    DAY_SECONDS,
    KINDS,
    MONDAY,
    WEEK_SECONDS,
    Rollup,
    by_day,
    by_week,
    contributions,
    delta,
)


def alert_rows_of(conn: Connection, story_ids: Iterable[int]) -> list[Any]:
    """Every alert of these stories with what the counts read (``rollup.contributions``)
    and its ``id``; the outlet is None when the story row is gone."""
    ids = sorted(set(story_ids))
    if not ids:
        return []
    stmt = (
        select(
            alerts.c.id,
            alerts.c.story_id,
            alerts.c.created_at,
            alerts.c.countries,
            alerts.c.category,
            stories.c.credited_outlet,
        )
        .select_from(alerts.join(stories, stories.c.id == alerts.c.story_id, isouter=True))
        .where(one_of(conn, alerts.c.story_id, ids))
    )
    return list(conn.execute(stmt))


@dataclass(frozen=True, slots=True)
class CountedAlert:
    """An alert as the counts read it (``alert_rows_of``'s columns but ``id``)."""

    story_id: int
    created_at: datetime
    countries: Any
    category: str | None
    credited_outlet: str | None


def keep_added(
    conn: Connection,
    story_ids: Iterable[int],
    new_alert_ids: Collection[int],
    old_outlets: Mapping[int, str] | None = None,
) -> None:
    """Write the change a batch made to these stories: alerts ``new_alert_ids`` added, and
    the stories in ``old_outlets`` credited to another outlet than that one. One read of
    the stories' alerts; the rows before are those rows without the new alerts, with the
    old outlets."""
    outlets = old_outlets or {}
    after = alert_rows_of(conn, story_ids)
    before = [
        CountedAlert(
            row.story_id,
            row.created_at,
            row.countries,
            row.category,
            outlets.get(row.story_id, row.credited_outlet),
        )
        for row in after
        if row.id not in new_alert_ids
    ]
    keep(conn, before, after)


def keep(conn: Connection, before: Sequence[Any], after: Sequence[Any]) -> None:
    """Write the change from ``before`` to ``after`` (every alert of the same stories, as
    ``alert_rows_of`` reads them, before and after a write): counts raised or lowered in
    key order, hours then days then weeks (``rollup.by_day``, ``by_week``: every writer
    locks rows in one order), the stories' repeats replaced."""
    old, new = contributions(before), contributions(after)
    changes = delta(old, new)
    _raise(conn, trend_counts, changes)
    _raise(conn, trend_days, by_day(changes))
    _raise(conn, trend_weeks, by_week(changes))
    _replace_repeats(conn, old, new, {int(row.story_id) for row in [*before, *after]})


def _raise(conn: Connection, table: Any, changes: Mapping[tuple[int, str, str], int]) -> None:
    """Add ``changes`` ((bucket, kind, name) -> stories) to ``table``'s counts, one upsert."""
    if not changes:
        return
    stmt = upsert_insert(conn, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["bucket", "kind", "name"],
        set_={"stories": table.c.stories + stmt.excluded.stories},
    )
    conn.execute(
        stmt,
        [
            {"bucket": bucket, "kind": kind, "name": name, "stories": n}
            for (bucket, kind, name), n in changes.items()
        ],
    )


def _replace_repeats(conn: Connection, old: Rollup, new: Rollup, story_ids: set[int]) -> None:
    if old.repeats == new.repeats:
        return
    if old.repeats:
        conn.execute(delete(trend_repeats).where(one_of(conn, trend_repeats.c.story_id, story_ids)))
    columns = ("story_id", "kind", "name", "bucket", "first_bucket")
    bulk_insert(
        conn, trend_repeats, [dict(zip(columns, r, strict=True)) for r in sorted(new.repeats)]
    )


def _seconds(conn: Connection, column: str) -> str:
    """Whole Unix seconds of a timestamp column (as ``trends.volumes`` reads them)."""
    if conn.dialect.name == "postgresql":
        return f"floor(extract(epoch FROM {column}))::bigint"
    return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"


def rebuild(conn: Connection) -> None:
    """Count every stored alert again, set-based (archives written outside the worker):
    the hours, then the days and the weeks from them."""
    rebuild_hours(conn)
    rebuild_days(conn)
    rebuild_weeks(conn)


def _week_sql(bucket: str) -> str:
    """``rollup.week_of`` in SQL (buckets are positive: integer division floors)."""
    return f"(({bucket} - {MONDAY}) / {WEEK_SECONDS} * {WEEK_SECONDS} + {MONDAY})"


def rebuild_weeks(conn: Connection) -> None:
    """Sum the day rows into UTC weeks again (migration 0024's backfill; ``rebuild``): a
    UTC week is seven whole UTC days."""
    _rebuild_level(conn, trend_weeks, "trend_days", _week_sql("bucket"))


def rebuild_days(conn: Connection) -> None:
    """Sum the hour rows into UTC days again (migration 0023's backfill; ``rebuild``)."""
    _rebuild_level(conn, trend_days, "trend_counts", f"bucket / {DAY_SECONDS} * {DAY_SECONDS}")


def _rebuild_level(conn: Connection, table: Any, finer: str, bucket: str) -> None:
    """Replace ``table``'s rows with the ``finer`` table's summed into ``bucket`` (SQL of
    the finer row's bucket), written in bucket order: a period's rows on few pages, as the
    worker writes them."""
    conn.execute(delete(table))
    conn.execute(
        text(
            f"INSERT INTO {table.name} (bucket, kind, name, stories)"
            f" SELECT {bucket}, kind, name, sum(stories) FROM {finer}"
            f" GROUP BY {bucket}, kind, name HAVING sum(stories) <> 0"
            f" ORDER BY {bucket}, kind, name"
        )
    )


def rebuild_hours(conn: Connection) -> None:
    """Count every stored alert again per hour, set-based (migration 0022's backfill). The
    same rule as ``rollup.contributions``."""
    if conn.dialect.name == "postgresql":
        elements, code = "json_array_elements_text(a.countries) AS c(code)", "c.code"
    else:
        elements, code = "json_each(a.countries) AS c", "c.value"
    hour = f"{_seconds(conn, 'a.created_at')} / {BUCKET_SECONDS} * {BUCKET_SECONDS}"
    named = (
        f"SELECT a.story_id, {hour} AS bucket, '{ANY_KIND}' AS kind, '' AS name FROM alerts AS a"
        f" UNION ALL SELECT a.story_id, {hour}, 'country', {code} FROM alerts AS a"
        f" CROSS JOIN {elements}"
        f" UNION ALL SELECT a.story_id, {hour}, 'category', a.category FROM alerts AS a"
        " WHERE a.category <> ''"
        f" UNION ALL SELECT a.story_id, {hour}, 'outlet', s.credited_outlet FROM alerts AS a"
        " JOIN stories AS s ON s.id = a.story_id WHERE s.credited_outlet <> ''"
    )
    conn.execute(delete(trend_repeats))
    conn.execute(delete(trend_counts))
    conn.execute(
        text(
            "INSERT INTO trend_counts (bucket, kind, name, stories)"
            " SELECT bucket, kind, name, count(*) FROM ("
            f"SELECT story_id, kind, name, min(bucket) AS bucket FROM ({named}) AS n"
            " GROUP BY story_id, kind, name) AS firsts GROUP BY bucket, kind, name"
        )
    )
    conn.execute(
        text(
            "INSERT INTO trend_repeats (story_id, kind, name, bucket, first_bucket)"
            " SELECT n.story_id, n.kind, n.name, n.bucket, f.bucket FROM"
            f" ({named}) AS n JOIN (SELECT story_id, kind, name, min(bucket) AS bucket"
            f" FROM ({named}) AS m GROUP BY story_id, kind, name"
            "  HAVING count(DISTINCT bucket) > 1) AS f"
            " ON f.story_id = n.story_id AND f.kind = n.kind AND f.name = n.name"
            " WHERE n.bucket > f.bucket"
            " GROUP BY n.story_id, n.kind, n.name, n.bucket, f.bucket"
        )
    )


def summed(
    conn: Connection,
    runs: Sequence[DayRun],
    start: int,
    end: int,
    kinds: Iterable[str],
    totals: Collection[str] = (),
) -> list[tuple[str, str, int, int]]:
    """(kind, name, day, stories) over the hours [start, end) (Unix seconds, whole hours)
    for ``kinds`` and ``*``, days numbered by ``runs`` (``local_days``), a (kind, name, day)
    possibly several times, some negative, summing to the count: the pairs first named in
    the period, from week and day rows counted in the bucket holding their middle, hour
    rows in their own bucket and the hour rows of those weeks and days lying elsewhere taken
    back out of the middle's bucket (``levels.split``); and those named before it and again inside, on their first
    hour inside. The kinds in ``totals`` are summed over the whole period, on day 0 (a
    chart that ranks outlets needs no series)."""
    wanted = sorted({*kinds, ANY_KIND})

    def day(second: str) -> str:
        found = day_sql(runs, second)
        if not totals:
            return found
        listed = ", ".join(f"'{kind}'" for kind in sorted(totals))  # known words only
        return f"(CASE WHEN kind IN ({listed}) THEN 0 ELSE {found} END)"

    unknown = set(totals) - KINDS
    if unknown:
        raise ValueError(f"not a kind of the stored counts: {sorted(unknown)}")
    levels = split(runs, end)  # runs[0] begins at ``start``
    noon_of_day = f"(bucket / {DAY_SECONDS} * {DAY_SECONDS} + {NOON})"
    parts = (
        ("trend_weeks", levels.weeks, f"(bucket + {MIDWEEK})", "sum(stories)"),
        ("trend_days", levels.days, f"(bucket + {NOON})", "sum(stories)"),
        ("trend_counts", levels.hours, "bucket", "sum(stories)"),
        ("trend_counts", levels.moved, noon_of_day, "-sum(stories)"),
        ("trend_counts", levels.moved_from_weeks, f"({_week_sql('bucket')} + {MIDWEEK})",
         "-sum(stories)"),
    )
    selects = [
        f"SELECT kind, name, {day(second)} AS day, {summed} FROM {table}"
        f" WHERE {spans_sql(spans, 'bucket')} AND kind IN :kinds GROUP BY kind, name, day"
        for table, spans, second, summed in parts
        if spans
    ]
    statement = text(
        " UNION ALL ".join(selects)
        + f" UNION ALL SELECT kind, name, {day('bucket')} AS day, count(*) FROM ("
        "SELECT kind, name, story_id, min(bucket) AS bucket FROM trend_repeats"
        " WHERE bucket >= :start AND bucket < :end AND first_bucket < :start"
        " AND kind IN :kinds GROUP BY kind, name, story_id) AS again GROUP BY kind, name, day"
    ).bindparams(bindparam("kinds", expanding=True))
    rows = conn.execute(statement, {"start": start, "end": end, "kinds": wanted})
    return [(str(k), str(n), int(d), int(c)) for k, n, d, c in rows]
