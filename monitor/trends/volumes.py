"""Counts of alerted stories per day, per country, category and credited outlet.

Two ways to one count. ``tally`` is the rule, pure, over ``alert_rows``: what a Trends chart
filtered by a query counts, since only the query evaluator can say which stories match.
``period_counts`` is the same rule as one SQL statement, grouped by the database, for
``monitor spikes`` (``daily_counts``), the API's GET /trends and the unfiltered Trends page:
at a million stories a year's alerts are 125,000 rows, too many to decode in Python for a
page (2.0 s for 30 days, 16 s for a year by week, before). A test holds the two equal on
both databases, in zones with daylight saving. Without a topic, when the reader's days
begin on whole hours, ``period_counts`` sums the worker's stored counts per hour instead
(``rollup``, ``store.trend_counts``: migration 0022), held equal to ``tally`` the same way.
The database sums into the page's buckets (days, or weeks: ``grouped`` is the rule), and
kinds a chart only ranks (outlets) into one total each: a year by week returns a row per
key and week, not per key and day. Days are calendar days of the alert's
creation in a zone (UTC unless the caller gives the reader's); SQL finds them with
``local_days`` arithmetic on Unix seconds, the same on SQLite and PostgreSQL. A story about
two countries counts once for each; an alert without a category or outlet is not counted
for that kind.

Stories are counted, not alerts: a story alerted under two topics (Ukraine–Latin America and
Russia–Latin America both load by default) has two alerts, and counts once under each key
either alert names (a country both name once, the categories each names once), on the day
of its first alert naming that key. With a ``topic`` (``alert_rows(topic=…)``) only that
topic's alerts are read, one per story, so the counts are that topic's view of the stories.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import Connection

from monitor.matching.query.candidates import Candidate
from monitor.store import search_index, trend_counts
from monitor.store.tables import alerts, stories
from monitor.trends.local_days import DayRun, bucket_runs, day_sql
from monitor.trends.periods import Every, buckets, regroup_all
from monitor.trends.rollup import ANY_KIND, answers

COUNTRY, CATEGORY, OUTLET = "country", "category", "outlet"
SPIKE_KINDS = (COUNTRY, CATEGORY)
ANY_KEY = "*"  # period_counts's own key: every alerted story, whatever it names


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
    query language reads: ``subscriptions.preview.stored_story_doc``'s columns. An alert whose
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


@dataclass(frozen=True, slots=True)
class PeriodCounts:
    """``counts``: ``tally``'s series, per bucket of the period (``periods.buckets``: each
    day, or each week); ``totals``: the keys of the kinds asked as totals, each one number
    for the whole period; ``stories``: the period's alerted stories, each once."""

    counts: dict[str, list[int]]
    stories: int
    totals: dict[str, int] = field(default_factory=dict)


def grouped(
    daily: Mapping[str, Sequence[int]],
    stories: int,
    first_day: date,
    last_day: date,
    every: Every = "day",
    totals: Iterable[str] = (),
) -> PeriodCounts:
    """``tally``'s daily series as ``period_counts`` returns them: summed into the period's
    buckets, and the keys of the ``totals`` kinds summed whole. Pure."""
    as_totals = frozenset(totals)
    groups = buckets(first_day, last_day, every)
    series = {k: v for k, v in daily.items() if k.partition(":")[0] not in as_totals}
    summed = {k: sum(v) for k, v in daily.items() if k.partition(":")[0] in as_totals}
    return PeriodCounts(
        regroup_all(series, first_day, groups), stories, {k: n for k, n in summed.items() if n}
    )


def _seconds(conn: Connection, column: str) -> str:
    """Unix seconds (whole) of a timestamp column, in the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return f"floor(extract(epoch FROM {column}))::bigint"
    # Stored as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'; strftime would round the fraction to
    # milliseconds (a microsecond before midnight is midnight), so it reads whole seconds.
    return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"


def _counted_sql(conn: Connection, kinds: frozenset[str], totals: frozenset[str]) -> str:
    """Rows (label, day, stories) over the CTE ``a`` (the period's alerts with their local
    ``day`` and ``alerts``, how many the story has in the period) that sum to ``tally``'s
    counts, plus ``ANY_KEY``'s. A story with one alert counts on its day under each key the
    alert names: grouped straight by (category, day), (outlet, day) and day, which is most
    of the rows. Countries (an alert may repeat one) and stories with several alerts go
    through (key, story) pairs, each counted on the first day its alerts name the key.
    The ``totals`` kinds are counted on day 0 whatever their day."""

    def day(kind: str) -> str:
        return "0" if kind in totals else "a.day"

    if conn.dialect.name == "postgresql":
        elements, code = "json_array_elements_text(a.countries) AS c(code)", "c.code"
        collated = ' COLLATE "C"'  # bytewise: the order is never shown, and it is cheaper
    else:
        elements, code = "json_each(a.countries) AS c", "c.value"
        collated = ""
    pairs = [f"SELECT '{ANY_KEY}' AS label, a.story_id, a.day FROM a WHERE a.alerts > 1"]
    single = [f"SELECT '{ANY_KEY}', a.day, count(*) FROM a WHERE a.alerts = 1 GROUP BY a.day"]
    if COUNTRY in kinds:
        pairs.append(
            f"SELECT '{COUNTRY}:' || {code}, a.story_id, {day(COUNTRY)} FROM a"
            f" CROSS JOIN {elements}"
        )
    for kind, name in ((CATEGORY, "a.category"), (OUTLET, "a.credited_outlet")):
        if kind in kinds:
            pairs.append(
                f"SELECT '{kind}:' || {name}, a.story_id, {day(kind)} FROM a"
                f" WHERE a.alerts > 1 AND {name} <> ''"
            )
            single.append(  # grouped by the label bytewise: strcoll was most of the sort
                f"SELECT ('{kind}:' || {name}){collated}, {day(kind)}, count(*) FROM a"
                f" WHERE a.alerts = 1 AND {name} <> '' GROUP BY 1, 2"
            )
    firsts = (
        f"SELECT label{collated} AS label, story_id, min(day) AS day"
        f" FROM ({' UNION ALL '.join(pairs)}) AS keyed GROUP BY 1, story_id"
    )
    return " UNION ALL ".join(
        [*single, f"SELECT label, day, count(*) FROM ({firsts}) AS firsts GROUP BY label, day"]
    )


def period_counts(
    conn: Connection,
    first_day: date,
    last_day: date,
    *,
    every: Every = "day",
    zone: tzinfo = UTC,
    kinds: Iterable[str] = SPIKE_KINDS,
    totals: Iterable[str] = (),
    topic: str | None = None,
    stored: bool = True,
) -> PeriodCounts:
    """``grouped(tally(alert_rows(conn, *period_bounds(first_day, last_day, zone),
    topic=topic), …), …)``, counted by the database (``_counted_sql``): per day, or per
    week (``every``), the kinds in ``totals`` (a subset of ``kinds``) as one number each.
    The rows read are the period's alerts through ``ix_alerts_created_at`` and, for
    outlets, their stories' outlets; what returns is a few rows per key and bucket, summed
    here. Without a ``topic``, in a zone whose days begin on whole hours during the period
    (``rollup.answers``), the worker's stored counts are summed instead (``stored``: False
    counts the alerts, to compare)."""
    wanted, as_totals = frozenset(kinds), frozenset(totals)
    runs = bucket_runs(first_day, last_day, zone, every)
    start, end = period_bounds(first_day, last_day, zone)
    size = len(buckets(first_day, last_day, every))
    if stored and topic is None and answers(runs):
        rows: Iterable[tuple[str, int, int]] = (
            (ANY_KEY if kind == ANY_KIND else f"{kind}:{name}", bucket, count)
            for kind, name, bucket, count in trend_counts.summed(
                conn, runs, int(start.timestamp()), int(end.timestamp()), wanted, as_totals
            )
        )
    else:
        rows = _counted_rows(conn, runs, start, end, wanted, as_totals, topic)
    counts: dict[str, list[int]] = {}
    sums: dict[str, int] = {}
    alerted = 0
    for label, bucket, count in rows:  # a (label, bucket) may repeat
        if label == ANY_KEY:
            alerted += int(count)
        elif label.partition(":")[0] in as_totals:
            sums[label] = sums.get(label, 0) + int(count)
        elif 0 <= bucket < size:
            counts.setdefault(str(label), [0] * size)[int(bucket)] += int(count)
    return PeriodCounts(
        {key: series for key, series in counts.items() if any(series)},
        alerted,
        {key: n for key, n in sums.items() if n},
    )


def _counted_rows(
    conn: Connection,
    runs: list[DayRun],
    start: datetime,
    end: datetime,
    kinds: frozenset[str],
    totals: frozenset[str],
    topic: str | None,
) -> list[tuple[str, int, int]]:
    """(label, bucket, stories) counted from the period's alerts (``_counted_sql``)."""
    outlet = "s.credited_outlet" if OUTLET in kinds else "NULL AS credited_outlet"
    joined = " LEFT JOIN stories AS s ON s.id = al.story_id" if OUTLET in kinds else ""
    day = day_sql(runs, _seconds(conn, "al.created_at"))
    statement = text(
        "WITH a AS ("
        f"SELECT al.story_id, {day} AS day, al.countries, al.category, {outlet},"
        " count(*) OVER (PARTITION BY al.story_id) AS alerts"
        f" FROM alerts AS al{joined}"
        " WHERE al.created_at >= :start AND al.created_at < :end"
        + (" AND al.topic = :topic" if topic is not None else "")
        + f") {_counted_sql(conn, kinds, totals)}"
    ).bindparams(
        bindparam("start", type_=alerts.c.created_at.type),
        bindparam("end", type_=alerts.c.created_at.type),
    )
    values: dict[str, Any] = {"start": start, "end": end}
    if topic is not None:
        values["topic"] = topic
    return [(str(label), int(day), int(n)) for label, day, n in conn.execute(statement, values)]


def split_totals(totals: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """``{"outlet": {"Reuters": 12}}`` from ``PeriodCounts.totals``' keys."""
    by: dict[str, dict[str, int]] = {}
    for key, count in sorted(totals.items()):
        kind, _, name = key.partition(":")
        by.setdefault(kind, {})[name] = count
    return by


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
    """Countries' and categories' stories per UTC day (``tally`` over ``alert_rows``, as
    ``period_counts`` counts it)."""
    return period_counts(conn, first_day, last_day, topic=topic).counts
