"""A reader's days as arithmetic on Unix seconds agree with ``datetime`` in zones with
daylight saving at midnight, half-hour and 45-minute offsets, and a skipped day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.trends.local_days import DayRun, bucket_runs, day_of, day_runs, day_sql, day_start
from monitor.trends.periods import buckets

PERIODS = [
    ("UTC", date(2026, 11, 1), date(2026, 12, 6)),
    ("America/Sao_Paulo", date(2018, 10, 28), date(2019, 2, 20)),  # DST began and ended at midnight
    ("America/Havana", date(2026, 3, 1), date(2026, 11, 10)),  # DST ends 01:00 → 00:00
    ("Australia/Lord_Howe", date(2026, 3, 30), date(2026, 10, 10)),  # a 30-minute change
    ("Asia/Kathmandu", date(2026, 1, 1), date(2026, 1, 31)),  # +05:45
    ("Pacific/Apia", date(2011, 12, 27), date(2012, 1, 3)),  # 30 December 2011 never happened
    ("Europe/Madrid", date(2025, 12, 1), date(2026, 12, 6)),  # a year, two changes
]


def instants(first: date, last: date, zone: ZoneInfo) -> list[datetime]:
    """Every 17 minutes through the period, and each day's first second and the one before."""
    start = datetime.fromtimestamp(day_start(first, zone), UTC)
    end = datetime.fromtimestamp(day_start(last + timedelta(days=1), zone), UTC)
    found = []
    at = start
    while at < end:
        found.append(at)
        at += timedelta(minutes=17)
    for n in range((last - first).days + 1):
        begins = datetime.fromtimestamp(day_start(first + timedelta(days=n), zone), UTC)
        found += [t for t in (begins, begins - timedelta(seconds=1)) if start <= t < end]
    return found


@pytest.mark.parametrize(("name", "first", "last"), PERIODS)
def test_the_day_of_an_instant_is_its_local_date(name: str, first: date, last: date) -> None:
    zone = ZoneInfo(name)
    runs = day_runs(first, last, zone)
    for at in instants(first, last, zone):
        expected = (at.astimezone(zone).date() - first).days
        assert day_of(runs, int(at.timestamp())) == expected, (name, at)


@pytest.mark.parametrize(("name", "first", "last"), PERIODS, ids=[p[0] for p in PERIODS])
def test_the_week_of_an_instant_is_the_bucket_of_its_local_date(
    name: str, first: date, last: date
) -> None:
    """Weeks (Monday to Sunday, partial at the ends) through daylight saving changes,
    odd offsets and a skipped day: ``bucket_runs`` numbers the period's buckets."""
    zone = ZoneInfo(name)
    weeks = buckets(first, last, "week")
    runs = bucket_runs(first, last, zone, "week")
    for at in instants(first, last, zone):
        local = at.astimezone(zone).date()
        expected = next(n for n, week in enumerate(weeks) if week.first <= local <= week.last)
        assert day_of(runs, int(at.timestamp())) == expected, (name, at)
    assert bucket_runs(first, last, zone, "day") == day_runs(first, last, zone)


def test_runs_are_few_and_name_the_odd_days() -> None:
    assert day_runs(date(2026, 11, 1), date(2026, 12, 6)) == [
        DayRun(int(datetime(2026, 11, 1, tzinfo=UTC).timestamp()), 0, 86_400)
    ]
    # São Paulo, spring 2018: a 23-hour 4 November between runs of whole days
    runs = day_runs(date(2018, 11, 1), date(2018, 11, 10), ZoneInfo("America/Sao_Paulo"))
    assert [(r.first, r.seconds) for r in runs] == [(0, 86_400), (3, 82_800), (4, 86_400)]
    # Apia: 29 December (day 2) is followed by 31 December (day 4); day 3 has no run
    runs = day_runs(date(2011, 12, 27), date(2012, 1, 3), ZoneInfo("Pacific/Apia"))
    assert [(r.first, r.seconds) for r in runs] == [(0, 86_400), (4, 86_400)]
    assert runs[1].start == runs[0].start + 3 * 86_400


def test_the_sql_names_each_run_once() -> None:
    runs = [DayRun(100, 0, 10), DayRun(150, 5, 5)]
    assert day_sql(runs[:1], "s") == "(0 + (s - 100) / 10)"
    assert (
        day_sql(runs, "s")
        == "(CASE WHEN s < 150 THEN (0 + (s - 100) / 10) ELSE (5 + (s - 150) / 5) END)"
    )
    with pytest.raises(ValueError, match="at least one day"):
        day_sql([], "s")
