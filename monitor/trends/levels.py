"""Which stored level answers which part of a period: whole UTC days (``trend_days``,
migration 0023) counted in the reader's bucket that holds their noon, hour rows
(``trend_counts``) for the hours of those days that fall in another bucket (taken from the
noon's bucket and given to their own) and for the hours of days not worth a day row. Pure.

A year by week summed about 246,000 hour rows on the benchmark's million stories; a day
row is the sum of its 24 hour rows (the worker writes both in one transaction,
``rollup.by_day``), so it stands for them in any one bucket as long as the hours of the day
that lie elsewhere are moved out again, one hour row subtracted there and added where it
belongs. A reader in UTC reads day rows only; São Paulo (UTC−3), by week, a day row a
day and each Monday's first three hours twice, instead of 24 hours; by day, hours as
before (``SHORTEST_HOLDER``). ``split`` is the one decision:
``store.trend_counts.summed`` writes its spans into SQL, and the tests hold day rows plus
hour rows equal to hour rows alone and to the alerts counted, in any zone and period.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.trends.local_days import DayRun
from monitor.trends.rollup import BUCKET_SECONDS, DAY_SECONDS

NOON = DAY_SECONDS // 2  # a day row counts in the bucket holding its noon: its larger part
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

Span = tuple[int, int]  # [start, end) in Unix seconds


@dataclass(frozen=True, slots=True)
class Split:
    """The period as ``days`` (spans of whole UTC days, each day counted in the bucket
    holding its noon), ``hours`` (hour rows counted in their own bucket: the period's
    hours not in a day counted there) and ``moved`` (hour rows of those days that lie in
    another bucket or outside the period, taken back out of the noon's bucket). Spans are
    sorted and adjacent ones merged, so SQL reads few ranges."""

    days: tuple[Span, ...]
    hours: tuple[Span, ...]
    moved: tuple[Span, ...] = ()


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
    days: list[Span] = []
    hours: list[Span] = []
    moved: list[Span] = []
    for day in range(start // DAY_SECONDS * DAY_SECONDS, end, DAY_SECONDS):
        day_end = day + DAY_SECONDS
        noon = day + NOON
        inside = (max(day, start), min(day_end, end))
        if not start <= noon < end:
            _append(hours, inside)
            continue
        held = spans[bisect_right(firsts, noon) - 1]  # the bucket holding noon
        others = [(day, max(day, held[0])), (min(day_end, held[1]), day_end)]
        elsewhere = sum(b - a for a, b in others)
        if elsewhere and (
            elsewhere > MOST_MOVED_HOURS * BUCKET_SECONDS or held[1] - held[0] < SHORTEST_HOLDER
        ):
            _append(hours, inside)
            continue
        _append(days, (day, day_end))
        for a, b in others:
            _append(moved, (a, b))
            _append(hours, (max(a, start), min(b, end)))
    return Split(tuple(days), tuple(hours), tuple(moved))


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
