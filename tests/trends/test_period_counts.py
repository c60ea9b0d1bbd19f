"""The database's per-day counts (``period_counts``) equal the rule (``tally`` over
``alert_rows``) on both databases: readers in zones with daylight saving, alerts on a
day's first second and the one before, a story alerted under two topics (once before the
period), repeated and missing countries, empty categories and outlets, and an alert whose
story row is gone. Both ways: counted from the alerts, and summed from the stored counts
(``trend_counts``), kept by ``trend_counts.keep_added`` after each write (an alert, an
outlet changed) or once per batch as the worker keeps them, or rebuilt at once as
migration 0022 backfills; long periods read the per-day level (``trend_days``, 0023)
inside the weeks."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from monitor.models import Classification
from monitor.store import migrate, trend_counts
from monitor.store.db import bulk_insert, transaction
from monitor.store.stories import (
    band_columns,
    credited_outlets,
    insert_alerts,
    insert_stories,
    update_stories,
)
from monitor.store.tables import alerts
from monitor.store.tables import trend_counts as trend_counts_table
from monitor.store.tables import trend_days as trend_days_table
from monitor.store.tables import trend_weeks as trend_weeks_table
from monitor.trends.levels import split
from monitor.trends.local_days import bucket_runs, day_runs, day_start
from monitor.trends.periods import buckets
from monitor.trends.rollup import answers, week_of
from monitor.trends.volumes import (
    CATEGORY,
    COUNTRY,
    OUTLET,
    alert_rows,
    daily_counts,
    grouped,
    period_bounds,
    period_counts,
    tally,
)

KINDS = (COUNTRY, CATEGORY, OUTLET)
# (zone, first day, last day): São Paulo's 2018 spring change was at midnight
PERIODS = [
    ("America/Sao_Paulo", date(2018, 10, 30), date(2018, 11, 8)),
    ("Australia/Lord_Howe", date(2026, 4, 1), date(2026, 4, 10)),
    ("UTC", date(2018, 10, 30), date(2018, 11, 8)),
    ("Asia/Kathmandu", date(2018, 11, 1), date(2018, 11, 30)),
]
OUTLETS = ["Télam", "", "Agência Brasil", "O'Globo", "Ñandú"]
COUNTRY_SETS: list[list[str]] = [["BR"], ["AR", "BR"], [], ["BR", "BR"], ["MX"], ["UA", "AR"]]
CATEGORIES = ["peace-plan", "trade-economy", None, ""]


def moments(rng: random.Random) -> list[datetime]:
    """Random instants around every period, and each period day's first second, the second
    before it and a microsecond before it."""
    found: list[datetime] = []
    for name, first, last in PERIODS:
        zone = ZoneInfo(name)
        start, end = period_bounds(first - timedelta(days=1), last + timedelta(days=1), zone)
        span = (end - start).total_seconds()
        found += [start + timedelta(seconds=rng.uniform(0, span)) for _ in range(60)]
        for n in range((last - first).days + 2):
            begins = datetime.fromtimestamp(day_start(first + timedelta(days=n), zone), UTC)
            found += [begins, begins - timedelta(seconds=1), begins - timedelta(microseconds=1)]
    return found


def archive(engine: Any, written: str = "at once") -> None:
    """The alerts of ``moments``, ``written`` in one insert ("at once", the stored counts
    then rebuilt, as migration 0022 does; "before 0022", not at all) or one by one in a
    shuffled order through the worker's ``insert_alerts``, with outlets changed on the way,
    the counts kept after each write ("by the worker") or once per story as a batch's
    change is ("…, a batch's change at once")."""
    rng = random.Random(17)
    at = moments(rng)
    story_rows = [
        {
            "title": f"Story {n}",
            "text": "",
            "html": "",
            "url": f"https://example.org/{n}",
            "lang": "en",
            "credited_outlet": OUTLETS[n % len(OUTLETS)],
            "title_key": f"story {n}",
            "simhash": 0,
            "published_at": when,
            "first_seen_at": when,
            "updated_at": when,
            "source_count": 1,
            **band_columns(0),
        }
        for n, when in enumerate(at)
    ]
    with transaction(engine) as conn:
        ids = insert_stories(conn, story_rows)
        rows: list[dict[str, Any]] = []
        for n, (story_id, when) in enumerate(zip(ids, at, strict=True)):
            if n % 11 == 5:
                story_id = 10_000_000 + n  # its story row is gone
            rows.append(
                {
                    "story_id": story_id,
                    "topic": "ukraine-latam",
                    "score": 0.8,
                    "category": CATEGORIES[n % len(CATEGORIES)],
                    "countries": COUNTRY_SETS[n % len(COUNTRY_SETS)],
                    "matched": [],
                    "revision": 1,
                    "created_at": when,
                    "updated_at": when,
                }
            )
            if n % 3 == 0:  # the same story alerted again under another topic, later or earlier
                rows.append(
                    {
                        **rows[-1],
                        "topic": "russia-latam",
                        "category": CATEGORIES[(n + 1) % len(CATEGORIES)],
                        "countries": COUNTRY_SETS[(n + 1) % len(COUNTRY_SETS)],
                        "created_at": when + timedelta(hours=rng.uniform(-40, 40)),
                    }
                )
        if not written.startswith("by the worker"):
            bulk_insert(conn, alerts, rows)
            if written == "at once":
                trend_counts.rebuild(conn)
            return
        rng.shuffle(rows)
        batched = written == "by the worker, a batch's change at once"
        for n, row in enumerate(rows):
            story_id = row["story_id"]
            verdict = Classification(
                True, row["score"], row["category"], tuple(row["countries"]), "en"
            )
            changes = {}
            if n % 7 == 0:  # a fuller copy credits another outlet (or none)
                changes = {story_id: {"credited_outlet": OUTLETS[(n // 7) % len(OUTLETS)]}}
            if not batched:  # each write's change kept after it: the alert, then the outlet
                created = insert_alerts(
                    conn, {story_id: verdict}, row["topic"], now=row["created_at"]
                )
                trend_counts.keep_added(conn, {story_id}, set(created.values()))
                old_outlets = credited_outlets(conn, changes)
                update_stories(conn, changes, now=NOW)
                trend_counts.keep_added(conn, changes, set(), old_outlets)
                continue
            # as stream.handler does: the outlets before, then one change written last
            old_outlets = credited_outlets(conn, changes)
            update_stories(conn, changes, now=NOW)
            created = insert_alerts(conn, {story_id: verdict}, row["topic"], now=row["created_at"])
            trend_counts.keep_added(conn, {story_id}, set(created.values()), old_outlets)


NOW = datetime(2026, 12, 7, tzinfo=UTC)


def test_hours_answer_zones_whose_days_begin_on_whole_hours() -> None:
    """São Paulo and UTC are summed from the stored counts; Lord Howe (half-hour daylight
    saving) and Kathmandu (+05:45) are counted from the alerts."""
    answered = {
        name: answers(day_runs(first, last, ZoneInfo(name))) for name, first, last in PERIODS
    }
    assert answered == {
        "America/Sao_Paulo": True,
        "Australia/Lord_Howe": False,
        "UTC": True,
        "Asia/Kathmandu": False,
    }


@pytest.mark.parametrize(
    "written", ["at once", "by the worker", "by the worker, a batch's change at once"]
)
def test_the_database_counts_what_tally_counts(db_url: str, engines: Any, written: str) -> None:
    engine = engines(db_url)
    archive(engine, written)
    checked = 0
    with transaction(engine) as conn:
        for name, first, last in PERIODS:
            zone = ZoneInfo(name)
            for topic in (None, "russia-latam"):
                for kinds in (KINDS, (COUNTRY, CATEGORY), (OUTLET,)):
                    rows = alert_rows(conn, *period_bounds(first, last, zone), topic=topic)
                    want = tally(rows, first, last, zone=zone, kinds=kinds)
                    for stored in (True, False):
                        got = period_counts(
                            conn, first, last, zone=zone, kinds=kinds, topic=topic, stored=stored
                        )
                        assert got.counts == want, (name, topic, kinds, stored)
                        assert got.stories == len({row.story_id for row in rows}), (name, topic)
                    checked += sum(sum(series) for series in want.values())
                # by week, and with kinds summed whole (the outlets a chart ranks): the
                # daily rule summed into the page's buckets (``grouped``)
                rows = alert_rows(conn, *period_bounds(first, last, zone), topic=topic)
                daily = tally(rows, first, last, zone=zone, kinds=KINDS)
                stories = len({row.story_id for row in rows})
                for every in ("day", "week"):
                    for totals in ((), (OUTLET,), (COUNTRY, OUTLET)):
                        want_grouped = grouped(daily, stories, first, last, every, totals)
                        for stored in (True, False):
                            got = period_counts(
                                conn, first, last, every=every, zone=zone, kinds=KINDS,
                                totals=totals, topic=topic, stored=stored,
                            )  # fmt: skip
                            assert got == want_grouped, (name, topic, every, totals, stored)
                        if totals:
                            assert want_grouped.totals, (name, topic, every, totals)
                        size = len(buckets(first, last, every))  # weeks: 2, 2, 2 and 5
                        assert all(len(v) == size for v in got.counts.values()), (name, every)
            # every day of a month around the period, one day at a time (periods starting
            # after a story's first alert and ending before its second)
            if answers(day_runs(first, last, zone)):
                for n in range(-3, (last - first).days + 4):
                    day = first + timedelta(days=n)
                    rows = alert_rows(conn, *period_bounds(day, day, zone))
                    assert period_counts(conn, day, day, zone=zone, kinds=KINDS).counts == tally(
                        rows, day, day, zone=zone, kinds=KINDS
                    ), (name, day)
            assert daily_counts(conn, first, last) == tally(
                alert_rows(conn, *period_bounds(first, last)), first, last
            )
        # the awkward rows are there to be counted
        assert any(
            k.startswith("outlet:")
            for k in period_counts(conn, *PERIODS[0][1:], kinds=KINDS).counts
        )
        nothing = period_counts(conn, date(2000, 1, 1), date(2000, 1, 31), kinds=KINDS)
        assert nothing.counts == {} and nothing.stories == 0
    assert checked > 1_000


def test_migration_0022_counts_the_alerts_stored_before_it(db_url: str, engines: Any) -> None:
    migrate.downgrade(db_url, "0021")
    engine = engines(db_url)
    archive(engine, "before 0022")
    migrate.upgrade(db_url)
    with transaction(engine) as conn:
        for name, first, last in PERIODS[:3:2]:  # the zones the stored counts answer
            zone = ZoneInfo(name)
            rows = alert_rows(conn, *period_bounds(first, last, zone))
            want = tally(rows, first, last, zone=zone, kinds=KINDS)
            assert want and period_counts(conn, first, last, zone=zone, kinds=KINDS).counts == want
        stored = conn.execute(select(func.sum(trend_counts_table.c.stories))).scalar_one()
        assert stored > 1_000


# (zone, first day, last day) a quarter long around ``moments``' instants: weeks hold whole
# UTC days, read from the day rows (``trends.levels``); Chatham (+13:45) is counted
LONG_PERIODS = [
    ("America/Sao_Paulo", date(2018, 9, 3), date(2018, 12, 30)),  # DST began 4 November
    ("UTC", date(2018, 10, 1), date(2018, 12, 31)),
    ("Europe/Madrid", date(2018, 10, 1), date(2018, 12, 31)),  # DST ended 28 October
    ("America/New_York", date(2026, 3, 2), date(2026, 5, 31)),  # around Lord Howe's instants
    ("Pacific/Chatham", date(2018, 10, 1), date(2018, 12, 31)),
    ("Asia/Tokyo", date(2018, 10, 1), date(2018, 12, 30)),  # weeks with 9 hours elsewhere
]


def stored_rows(conn: Any, table: Any) -> dict[tuple[int, str, str], int]:
    rows = conn.execute(select(table.c.bucket, table.c.kind, table.c.name, table.c.stories))
    return {(b, k, n): s for b, k, n, s in rows if s}


@pytest.mark.parametrize("written", ["at once", "by the worker"])
def test_day_rows_and_hour_rows_count_what_tally_counts(
    db_url: str, engines: Any, written: str
) -> None:
    """Long periods by day and by week read the day rows inside the weeks and the hour rows
    at their edges; the answer is ``grouped(tally(…))``, the alerts' count, as ever. The day
    rows the worker keeps are the hour rows summed per UTC day (what ``rebuild`` writes)."""
    engine = engines(db_url)
    archive(engine, written)
    read_days = read_weeks = 0
    with transaction(engine) as conn:
        for name, first, last in LONG_PERIODS:
            zone = ZoneInfo(name)
            rows = alert_rows(conn, *period_bounds(first, last, zone))
            daily = tally(rows, first, last, zone=zone, kinds=KINDS)
            stories = len({row.story_id for row in rows})
            for every in ("day", "week"):
                runs = bucket_runs(first, last, zone, every)
                if answers(runs):
                    end = int(period_bounds(first, last, zone)[1].timestamp())
                    levels = split(runs, end)
                    read_days += sum(b - a for a, b in levels.days) // 86_400
                    read_weeks += sum(b - a for a, b in levels.weeks) // (7 * 86_400)
                for totals in ((), (OUTLET,)):
                    want = grouped(daily, stories, first, last, every, totals)
                    for stored in (True, False):
                        got = period_counts(
                            conn, first, last, every=every, zone=zone, kinds=KINDS,
                            totals=totals, stored=stored,
                        )  # fmt: skip
                        assert got == want, (name, every, totals, stored)
            assert sum(map(sum, daily.values())) > 100, name
        kept = stored_rows(conn, trend_days_table)
        kept_weeks = stored_rows(conn, trend_weeks_table)
        trend_counts.rebuild(conn)
        assert kept == stored_rows(conn, trend_days_table)
        assert kept_weeks == stored_rows(conn, trend_weeks_table)
        assert sum(kept.values()) == sum(stored_rows(conn, trend_counts_table).values())
        assert sum(kept_weeks.values()) == sum(kept.values())
    assert read_days >= 92  # UTC's days (by day) were read from the day rows
    assert read_weeks > 40  # the weeks of São Paulo, UTC, Madrid, New York and Tokyo


def test_migration_0024_sums_the_days_stored_before_it(db_url: str, engines: Any) -> None:
    migrate.downgrade(db_url, "0023")
    engine = engines(db_url)
    archive(engine, "before 0024")
    with transaction(engine) as conn:
        trend_counts.rebuild_hours(conn)  # what 0023 left: hours and days, no weeks
        trend_counts.rebuild_days(conn)
    migrate.upgrade(db_url)
    with transaction(engine) as conn:
        weeks = stored_rows(conn, trend_weeks_table)
        summed_days: dict[tuple[int, str, str], int] = {}
        for (bucket, kind, name), n in stored_rows(conn, trend_days_table).items():
            key = (week_of(bucket), kind, name)
            summed_days[key] = summed_days.get(key, 0) + n
        assert weeks == summed_days and len(weeks) > 50
        assert all(datetime.fromtimestamp(w, UTC).weekday() == 0 for w, _, _ in weeks)  # Mondays
        name, first, last = LONG_PERIODS[1]  # UTC: weeks only
        rows = alert_rows(conn, *period_bounds(first, last, ZoneInfo(name)))
        want = grouped(
            tally(rows, first, last, zone=ZoneInfo(name), kinds=KINDS),
            len({r.story_id for r in rows}), first, last, "week",
        )  # fmt: skip
        got = period_counts(conn, first, last, every="week", zone=ZoneInfo(name), kinds=KINDS)
        assert got == want


def test_migration_0023_sums_the_hours_stored_before_it(db_url: str, engines: Any) -> None:
    migrate.downgrade(db_url, "0022")
    engine = engines(db_url)
    archive(engine, "before 0022")
    with transaction(engine) as conn:
        trend_counts.rebuild_hours(conn)  # what 0022 left: hours, no days
    migrate.upgrade(db_url)
    with transaction(engine) as conn:
        days = stored_rows(conn, trend_days_table)
        hours = stored_rows(conn, trend_counts_table)
        summed_hours: dict[tuple[int, str, str], int] = {}
        for (bucket, kind, name), n in hours.items():
            key = (bucket // 86_400 * 86_400, kind, name)
            summed_hours[key] = summed_hours.get(key, 0) + n
        assert days == summed_hours and len(days) > 100
        for name, first, last in LONG_PERIODS[:2]:
            zone = ZoneInfo(name)
            rows = alert_rows(conn, *period_bounds(first, last, zone))
            want = grouped(
                tally(rows, first, last, zone=zone, kinds=KINDS),
                len({r.story_id for r in rows}),
                first,
                last,
                "week",
            )
            assert period_counts(conn, first, last, every="week", zone=zone, kinds=KINDS) == want
