"""The period's split between the two stored levels (``levels.split``): day rows where
whole UTC days lie inside one bucket, hour rows elsewhere. Day rows plus hour rows, summed
into the reader's buckets, equal hour rows alone and the alerts counted by their local
date, for random zones, periods, days or weeks, and totals; zones whose days do not begin
on whole hours are refused (the stored counts do not answer them)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.trends.levels import DAY_SECONDS, Split, bucket_spans, spans_sql, split
from monitor.trends.local_days import bucket_runs, day_of
from monitor.trends.periods import buckets
from monitor.trends.rollup import BUCKET_SECONDS, answers, bucket_of, by_day
from monitor.trends.volumes import period_bounds

# whole-hour zones with daylight saving at midnight or 01:00, a skipped day, UTC, and zones
# the hours cannot answer (their periods are refused, never split wrongly)
WHOLE_HOURS = [
    "UTC",
    "America/Sao_Paulo",
    "America/Havana",
    "Europe/Madrid",
    "America/New_York",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "Asia/Tokyo",
]
NOT_WHOLE_HOURS = ["Pacific/Chatham", "Asia/Kathmandu", "Australia/Lord_Howe", "America/St_Johns"]


def bucket_counts(
    levels: Split, runs: list, hours: Counter[int], days: Counter[int], size: int
) -> list[int]:
    """What ``trend_counts.summed`` adds per bucket: the day rows in the day spans and the
    hour rows in the hour spans, each on its bucket (``day_of``, as ``day_sql`` does)."""
    got = [0] * size
    for rows, spans in ((days, levels.days), (hours, levels.hours)):
        for second, n in rows.items():
            if any(a <= second < b for a, b in spans):
                got[day_of(runs, second)] += n
    return got


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(WHOLE_HOURS + NOT_WHOLE_HOURS),
    first=st.dates(min_value=date(2011, 11, 1), max_value=date(2027, 1, 1)),
    length=st.integers(min_value=0, max_value=400),
    every=st.sampled_from(["day", "week"]),
    offsets=st.lists(st.floats(min_value=-2.0, max_value=2.0), min_size=0, max_size=80),
    data=st.data(),
)
def test_day_rows_and_hour_rows_add_up_to_the_hours_and_the_alerts(
    zone: str, first: date, length: int, every: str, offsets: list[float], data: st.DataObject
) -> None:
    tz = ZoneInfo(zone)
    last = first + timedelta(days=length)
    runs = bucket_runs(first, last, tz, every)  # type: ignore[arg-type]
    start, end = (int(t.timestamp()) for t in period_bounds(first, last, tz))
    if not answers(runs):  # Chatham, Kathmandu, Lord Howe, St John's: counted from the alerts
        with pytest.raises(ValueError, match="whole hours"):
            split(runs, end)
        assert zone in NOT_WHOLE_HOURS
        return
    levels = split(runs, end)
    # the spans cover the period once, in order; days are whole UTC days inside one bucket
    spans = sorted(levels.days + levels.hours)
    assert spans[0][0] == start and spans[-1][1] == end
    assert all(a[1] == b[0] for a, b in pairwise(spans))
    for a, b in levels.days:
        assert a % DAY_SECONDS == 0 and b % DAY_SECONDS == 0
        for day in range(a, b, DAY_SECONDS):
            assert day_of(runs, day) == day_of(runs, day + DAY_SECONDS - 1)
    assert all(a % BUCKET_SECONDS == 0 == b % BUCKET_SECONDS for a, b in levels.hours)
    # alerts anywhere around the period (some outside), at random seconds, some on bounds
    span = end - start
    moments = [int(start + f * span) for f in offsets]
    bounds = [a for a, _ in bucket_spans(runs, end)] + [end]
    moments += [
        b + d for b in data.draw(st.lists(st.sampled_from(bounds), max_size=5)) for d in (0, -1)
    ]
    hours = Counter(bucket_of(datetime.fromtimestamp(m, UTC)) for m in moments)
    days = Counter(
        {day: n for (day, _, _), n in by_day({(h, "*", ""): n for h, n in hours.items()}).items()}
    )
    groups = buckets(first, last, every)  # type: ignore[arg-type]
    counted = [0] * len(groups)
    for m in moments:
        local = datetime.fromtimestamp(m, UTC).astimezone(tz).date()
        for n, group in enumerate(groups):
            if group.first <= local <= group.last:
                counted[n] += 1
    only_hours = Split((), ((start, end),))
    assert bucket_counts(levels, runs, hours, days, len(groups)) == counted
    assert bucket_counts(only_hours, runs, hours, Counter(), len(groups)) == counted
    # the period's total (a kind summed whole, as outlets are) is the same either way
    in_period = sum(1 for m in moments if start <= m < end)
    assert sum(bucket_counts(levels, runs, hours, days, len(groups))) == in_period


def test_a_year_by_week_reads_days_but_at_the_weeks_edges() -> None:
    """São Paulo (UTC−3): each week's first UTC day is read by the hour (it begins in the
    week before at 03:00), the other six by the day; a UTC reader's weeks are days only."""
    first, last = date(2025, 12, 8), date(2026, 12, 6)
    runs = bucket_runs(first, last, ZoneInfo("America/Sao_Paulo"), "week")
    end = int(period_bounds(first, last, ZoneInfo("America/Sao_Paulo"))[1].timestamp())
    levels = split(runs, end)
    day_count = sum(b - a for a, b in levels.days) // DAY_SECONDS
    hour_count = sum(b - a for a, b in levels.hours) // BUCKET_SECONDS
    assert (len(levels.days), day_count) == (52, 52 * 6)
    # the first Monday from 03:00 (21 hours), each Monday after (24), the last until 03:00
    assert (len(levels.hours), hour_count) == (53, 21 + 51 * 24 + 3)
    utc = bucket_runs(first, last, ZoneInfo("UTC"), "week")
    assert split(utc, end - 3 * 3600) == Split(
        ((end - 3 * 3600 - 364 * DAY_SECONDS, end - 3 * 3600),), ()
    )


def test_days_of_a_reader_outside_utc_are_read_by_the_hour() -> None:
    """A local day never holds a whole UTC day unless the zone is at UTC: 30 days by day in
    São Paulo read hours as before, in one range."""
    first, last = date(2026, 11, 7), date(2026, 12, 6)
    zone = ZoneInfo("America/Sao_Paulo")
    start, end = (int(t.timestamp()) for t in period_bounds(first, last, zone))
    assert split(bucket_runs(first, last, zone, "day"), end) == Split((), ((start, end),))


def test_spans_become_one_sql_condition() -> None:
    assert spans_sql([], "bucket") == "1 = 0"
    assert spans_sql([(0, 86_400), (90_000, 93_600)], "b") == (
        "((b >= 0 AND b < 86400) OR (b >= 90000 AND b < 93600))"
    )
