"""Which stored level answers which part of a period: whole UTC weeks (``trend_weeks``,
migration 0024) and whole UTC days (``trend_days``, 0023), each counted in the reader's
bucket that holds its middle (a week's Thursday noon, a day's noon); hour rows
(``trend_counts``) for the hours of those weeks and days that fall in another bucket (taken
from the middle's bucket and given to their own) and for the hours of days not worth a day
row. Pure.

A year by week summed about 246,000 hour rows on the benchmark's million stories, then
~57,000 day rows; a week row is the sum of its 168 hour rows and a day row of its 24 (the
worker writes all three in one transaction, ``rollup.by_day``, ``rollup.by_week``), so it
stands for them in any one bucket as long as the hours of it that lie elsewhere are moved
out again, one hour row subtracted there and added where it belongs. A reader in UTC, by
week, reads week rows only; São Paulo (UTC−3) a week row a week and each Monday's first
three hours twice; by day, day rows or hours as before (``SHORTEST_HOLDER``). ``split`` is
the one decision: ``store.trend_counts.summed`` writes its spans into SQL, and the tests
hold week, day and hour rows equal to hour rows alone and to the alerts counted, in any
zone and period.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.trends.local_days import DayRun
from monitor.trends.rollup import BUCKET_SECONDS, DAY_SECONDS, WEEK_SECONDS, week_of

NOON = DAY_SECONDS // 2  # a day row counts in the bucket holding its noon: its larger part
MIDWEEK = WEEK_SECONDS // 2  # a week row (from Monday 00:00 UTC) in the bucket of Thursday noon
# A day row with more of its hours in other buckets than this costs more than the hours:
# each such hour is read twice (out of the noon's bucket, into its own), and a day has
# about a quarter of an hour's rows per key (157 day rows a day against 28 an hour on the
# benchmark's archive): up to 8 moved hours, the day row is the cheaper read.
MOST_MOVED_HOURS = 8
# Nor is a day row worth it across a bucket shorter than two days (a reader's day outside
# UTC never holds a whole UTC day): its day's hours are one range of hours, where day rows
# would be a day row and two short ranges a day, each range an index scan of scattered
# pages (30 days in São Paulo: 54 ms as one range of hours, 148 ms so).
SHORTEST_HOLDER = 2 * DAY_SECONDS
# A week row stands for seven day rows (and their own moved hours). Its hours in another
# bucket are read twice; past half a day the edge day's 24 hour rows are the cheaper read
# (Kiritimati, UTC+14, moves 14 hours: its weeks read days). Only a bucket of six days or
# more may hold a week (a week bucket is 7 days, ± an hour across a DST change).
MOST_MOVED_WEEK_HOURS = 12
SHORTEST_WEEK_HOLDER = 6 * DAY_SECONDS

Span = tuple[int, int]  # [start, end) in Unix seconds


@dataclass(frozen=True, slots=True)
class Split:
    """The period as ``days`` (spans of whole UTC days, each day counted in the bucket
    holding its noon), ``hours`` (hour rows counted in their own bucket: the period's
    hours not in a week or day counted there), ``moved`` (hour rows of those days that lie
    in another bucket or outside the period, taken back out of the noon's bucket),
    ``weeks`` (whole UTC weeks from Monday, each counted in the bucket holding its
    Thursday noon) and ``moved_from_weeks`` (their hours lying elsewhere, taken back out of
    that bucket). Spans are sorted and adjacent ones merged, so SQL reads few ranges."""

    days: tuple[Span, ...]
    hours: tuple[Span, ...]
    moved: tuple[Span, ...] = ()
    weeks: tuple[Span, ...] = ()
    moved_from_weeks: tuple[Span, ...] = ()


def bucket_spans(runs: Sequence[DayRun], end: int) -> list[Span]:
    """Every bucket of the period (``local_days.bucket_runs``' runs, the period ending at
    Unix second ``end``) as its [start, end)."""
    spans: list[Span] = []
    for n, run in enumerate(runs):
        stop = runs[n + 1].start if n + 1 < len(runs) else end
        spans += [(second, second + run.seconds) for second in range(run.start, stop, run.seconds)]
    return spans


def split(runs: Sequence[DayRun], end: int) -> Split:
    """The period of ``runs`` up to ``end`` as day rows, hour rows and moved hour rows
    (``Split``). Raises ValueError when a bucket does not begin and end on whole hours
    (``rollup.answers`` is False: the stored counts cannot answer)."""
    if not runs:
        raise ValueError("a period has at least one day")
    spans = bucket_spans(runs, end)
    for first, last in spans:
        if first % BUCKET_SECONDS or last % BUCKET_SECONDS:
            raise ValueError(f"a bucket [{first}, {last}) does not lie on whole hours")
    start = runs[0].start
    firsts = [first for first, _ in spans]

    def holder(second: int) -> Span:
        return spans[bisect_right(firsts, second) - 1]

    weeks: list[Span] = []
    moved_from_weeks: list[Span] = []
    week_hours: list[Span] = []
    for week in range(week_of(start), end, WEEK_SECONDS):
        if not start <= week + MIDWEEK < end:
            continue
        held = holder(week + MIDWEEK)
        others = _elsewhere((week, week + WEEK_SECONDS), held)
        if (
            held[1] - held[0] < SHORTEST_WEEK_HOLDER
            or sum(b - a for a, b in others) > MOST_MOVED_WEEK_HOURS * BUCKET_SECONDS
        ):
            continue
        _append(weeks, (week, week + WEEK_SECONDS))
        for a, b in others:
            _append(moved_from_weeks, (a, b))
            _append(week_hours, (max(a, start), min(b, end)))
    in_weeks = iter(weeks)
    covering = next(in_weeks, None)
    days: list[Span] = []
    moved: list[Span] = []
    hours: list[Span] = []
    for day in range(start // DAY_SECONDS * DAY_SECONDS, end, DAY_SECONDS):
        while covering is not None and covering[1] <= day:
            covering = next(in_weeks, None)
        if covering is not None and covering[0] <= day:
            continue  # read in its week's row (its hours elsewhere are in ``week_hours``)
        inside = (max(day, start), min(day + DAY_SECONDS, end))
        noon = day + NOON
        if not start <= noon < end:
            _append(hours, inside)
            continue
        held = holder(noon)
        others = _elsewhere((day, day + DAY_SECONDS), held)
        elsewhere = sum(b - a for a, b in others)
        if elsewhere and (
            elsewhere > MOST_MOVED_HOURS * BUCKET_SECONDS or held[1] - held[0] < SHORTEST_HOLDER
        ):
            _append(hours, inside)
            continue
        _append(days, (day, day + DAY_SECONDS))
        for a, b in others:
            _append(moved, (a, b))
            _append(hours, (max(a, start), min(b, end)))
    every_hour: list[Span] = []
    for span in sorted(hours + week_hours):  # the weeks' and the days' never overlap
        _append(every_hour, span)
    return Split(
        tuple(days), tuple(every_hour), tuple(moved), tuple(weeks), tuple(moved_from_weeks)
    )


def _elsewhere(row: Span, held: Span) -> list[Span]:
    """The parts of a week's or day's ``row`` outside ``held``, the bucket holding its
    middle: the hours read twice when the row is counted there."""
    parts = [(row[0], max(row[0], held[0])), (min(row[1], held[1]), row[1])]
    return [(a, b) for a, b in parts if b > a]


def _append(spans: list[Span], span: Span) -> None:
    """Add ``span`` (spans come in order), merged with the last when they touch."""
    if span[0] >= span[1]:
        return
    if spans and spans[-1][1] == span[0]:
        spans[-1] = (spans[-1][0], span[1])
    else:
        spans.append(span)


def spans_sql(spans: Sequence[Span], column: str) -> str:
    """``column`` within any of ``spans``, as SQL; the bounds are integers this module
    computed, written in as literals. No spans: a condition nothing meets."""
    if not spans:
        return "1 = 0"
    return (
        "(" + " OR ".join(f"({column} >= {int(a)} AND {column} < {int(b)})" for a, b in spans) + ")"
    )
