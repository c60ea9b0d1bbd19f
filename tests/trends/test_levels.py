"""The period's split between the three stored levels (``levels.split``): week and day rows
in the bucket holding their middle, hour rows elsewhere and moved out of the middle's
bucket. Week, day and hour rows, summed into the reader's buckets, equal hour rows alone
and the alerts counted by their local date, for random zones, periods, days or weeks, and
totals; zones whose days do not begin on whole hours are refused (the stored counts do not
answer them)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.trends.levels import (
    MIDWEEK,
    MOST_MOVED_HOURS,
    MOST_MOVED_WEEK_HOURS,
    NOON,
    Split,
    bucket_spans,
    spans_sql,
    split,
)
from monitor.trends.local_days import DayRun, bucket_runs, day_of
from monitor.trends.periods import buckets
from monitor.trends.rollup import (
    BUCKET_SECONDS,
    DAY_SECONDS,
    WEEK_SECONDS,
    answers,
    bucket_of,
    by_day,
    by_week,
    week_of,
)
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
    levels: Split,
    runs: list[DayRun],
    hours: Counter[int],
    days: Counter[int],
    size: int,
    weeks: Counter[int] | None = None,
) -> list[int]:
    """What ``trend_counts.summed`` adds per bucket (``day_of``, as ``day_sql`` does): the
    week and day rows in the bucket holding their middle, the hour rows in their own, and
    the moved hour rows taken out of their week's or day's middle's bucket."""
    got = [0] * size

    def within(second: int, spans: tuple[tuple[int, int], ...]) -> bool:
        return any(a <= second < b for a, b in spans)

    for second, n in (weeks or Counter()).items():
        if within(second, levels.weeks):
            got[day_of(runs, second + MIDWEEK)] += n
    for second, n in days.items():
        if within(second, levels.days):
            got[day_of(runs, second + NOON)] += n
    for second, n in hours.items():
        if within(second, levels.hours):
            got[day_of(runs, second)] += n
        if within(second, levels.moved):
            got[day_of(runs, second // DAY_SECONDS * DAY_SECONDS + NOON)] -= n
        if within(second, levels.moved_from_weeks):
            got[day_of(runs, week_of(second) + MIDWEEK)] -= n
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
    # hours lie in the period, on whole hours; days are whole UTC days whose noon is in the
    # period; the moved hours are those of the days outside their noon's bucket
    assert all(start <= a < b <= end for a, b in levels.hours)
    for a, b in levels.days:
        assert a % DAY_SECONDS == 0 == b % DAY_SECONDS
        assert all(start <= day + NOON < end for day in range(a, b, DAY_SECONDS))
    for a, b in levels.moved + levels.hours:
        assert a % BUCKET_SECONDS == 0 == b % BUCKET_SECONDS
    for a, b in levels.moved:
        for hour in range(a, b, BUCKET_SECONDS):
            day = hour // DAY_SECONDS * DAY_SECONDS
            assert any(x <= day < y for x, y in levels.days)
            assert not start <= hour < end or day_of(runs, hour) != day_of(runs, day + NOON)
    for a, b in levels.weeks:
        assert week_of(a) == a and week_of(b) == b
        assert all(start <= week + MIDWEEK < end for week in range(a, b, WEEK_SECONDS))
    for a, b in levels.moved_from_weeks:
        assert b - a <= MOST_MOVED_WEEK_HOURS * BUCKET_SECONDS
        for hour in range(a, b, BUCKET_SECONDS):
            week = week_of(hour)
            assert any(x <= week < y for x, y in levels.weeks)
            assert not start <= hour < end or day_of(runs, hour) != day_of(runs, week + MIDWEEK)
    # no hour is read twice at one level, nor by a week and a day
    assert not any(x <= day < y for x, y in levels.weeks for day, _ in levels.days)
    assert all(
        x[1] < y[0]
        for spans in (levels.days, levels.hours, levels.moved, levels.weeks, levels.moved_from_weeks)
        for x, y in pairwise(spans)
    )
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
    weeks = Counter(
        {w: n for (w, _, _), n in by_week({(h, "*", ""): n for h, n in hours.items()}).items()}
    )
    groups = buckets(first, last, every)  # type: ignore[arg-type]
    counted = [0] * len(groups)
    for m in moments:
        local = datetime.fromtimestamp(m, UTC).astimezone(tz).date()
        for n, group in enumerate(groups):
            if group.first <= local <= group.last:
                counted[n] += 1
    only_hours = Split((), ((start, end),))
    assert bucket_counts(levels, runs, hours, days, len(groups), weeks) == counted
    assert bucket_counts(only_hours, runs, hours, Counter(), len(groups)) == counted
    # the period's total (a kind summed whole, as outlets are) is the same either way
    in_period = sum(1 for m in moments if start <= m < end)
    assert sum(bucket_counts(levels, runs, hours, days, len(groups), weeks)) == in_period


def test_a_year_by_week_reads_a_week_row_a_week_and_three_hours_twice() -> None:
    """São Paulo (UTC−3): each UTC week (from Monday 00:00) counts in the local week holding
    its Thursday noon; a Monday's first three UTC hours are in the week before, so they are
    read out of the week's bucket and into theirs (the first Monday's are outside the
    period: out only). The year's last three hours (Monday 00:00–03:00 UTC) are hours. A
    UTC reader's weeks are week rows only."""
    first, last = date(2025, 12, 8), date(2026, 12, 6)
    zone = ZoneInfo("America/Sao_Paulo")
    start, end = (int(t.timestamp()) for t in period_bounds(first, last, zone))
    levels = split(bucket_runs(first, last, zone, "week"), end)
    monday = start - 3 * 3600
    assert levels.weeks == ((monday, monday + 364 * DAY_SECONDS),)
    assert levels.days == () and levels.moved == ()
    mondays = [monday + n * 7 * DAY_SECONDS for n in range(53)]
    assert levels.moved_from_weeks == tuple((d, d + 3 * 3600) for d in mondays[:52])
    assert levels.hours == tuple((d, d + 3 * 3600) for d in mondays[1:])
    utc = bucket_runs(first, last, ZoneInfo("UTC"), "week")
    assert split(utc, monday + 364 * DAY_SECONDS) == Split((), (), (), levels.weeks, ())


def test_days_of_a_reader_outside_utc_are_read_by_the_hour() -> None:
    """By day in São Paulo no local day holds a whole UTC day: a day row and two short
    ranges of hours a day would cost more than one range of hours (SHORTEST_HOLDER)."""
    first, last = date(2026, 11, 7), date(2026, 12, 6)
    zone = ZoneInfo("America/Sao_Paulo")
    start, end = (int(t.timestamp()) for t in period_bounds(first, last, zone))
    assert split(bucket_runs(first, last, zone, "day"), end) == Split((), ((start, end),))


def test_a_week_or_day_mostly_in_other_buckets_is_read_by_the_hour() -> None:
    """Tokyo (UTC+9): its weeks begin at 15:00 UTC on Sunday, so each UTC week has 9 hours
    in the local week after its Thursday noon's: a week row and 9 hours twice
    (MOST_MOVED_WEEK_HOURS). Kiritimati (UTC+14) would move 14 hours a week: its weeks are
    read as days, and the UTC day across a week's start, 10 hours in the week before its
    noon's, as hours (MOST_MOVED_HOURS), not a day row and 10 hours twice."""
    first, last = date(2026, 11, 2), date(2026, 11, 29)
    tokyo = ZoneInfo("Asia/Tokyo")
    end = int(period_bounds(first, last, tokyo)[1].timestamp())
    levels = split(bucket_runs(first, last, tokyo, "week"), end)
    assert MOST_MOVED_HOURS < 9 <= MOST_MOVED_WEEK_HOURS
    assert len(levels.weeks) == 1 and levels.weeks[0][1] - levels.weeks[0][0] == 4 * WEEK_SECONDS
    assert all(b - a == 9 * 3600 for a, b in levels.moved_from_weeks)
    kiritimati = ZoneInfo("Pacific/Kiritimati")
    end = int(period_bounds(first, last, kiritimati)[1].timestamp())
    levels = split(bucket_runs(first, last, kiritimati, "week"), end)
    assert MOST_MOVED_WEEK_HOURS < 14
    assert levels.weeks == () and levels.moved == () and levels.days
    assert all(b - a == DAY_SECONDS for a, b in levels.hours[1:-1])


def test_spans_become_one_sql_condition() -> None:
    assert spans_sql([], "bucket") == "1 = 0"
    assert spans_sql([(0, 86_400), (90_000, 93_600)], "b") == (
        "((b >= 0 AND b < 86400) OR (b >= 90000 AND b < 93600))"
    )
