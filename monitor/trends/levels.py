"""Which stored level answers which part of a period: whole UTC days (``trend_days``,
migration 0023) where a run of them lies inside one of the reader's buckets, hours
(``trend_counts``) for the rest. Pure.

A year by week sums about 246,000 hour rows on the benchmark's million stories; a day row
is the sum of its 24 hour rows (the worker writes both in one transaction, ``rollup.by_day``),
so it can stand for them wherever the 24 hours fall in one bucket. A reader's day in a zone
other than UTC never holds a whole UTC day, so a period by day reads hours as before; a week
holds five or six, and only the UTC day across each week's boundary is read by the hour.
``split`` is the one decision: ``store.trend_counts.summed`` writes its spans into SQL, and
the tests hold day rows plus hour rows equal to hour rows alone and to the alerts counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.trends.local_days import DayRun
from monitor.trends.rollup import BUCKET_SECONDS, DAY_SECONDS

Span = tuple[int, int]  # [start, end) in Unix seconds


@dataclass(frozen=True, slots=True)
class Split:
    """The period as ``days`` (spans of whole UTC days, each day inside one bucket) and
    ``hours`` (the rest, whole hours); together they cover it once. Spans are sorted and
    adjacent ones merged, so SQL reads few ranges."""

    days: tuple[Span, ...]
    hours: tuple[Span, ...]


def bucket_spans(runs: Sequence[DayRun], end: int) -> list[Span]:
    """Every bucket of the period (``local_days.bucket_runs``' runs, the period ending at
    Unix second ``end``) as its [start, end)."""
    spans: list[Span] = []
    for n, run in enumerate(runs):
        stop = runs[n + 1].start if n + 1 < len(runs) else end
        spans += [(second, second + run.seconds) for second in range(run.start, stop, run.seconds)]
    return spans


def split(runs: Sequence[DayRun], end: int) -> Split:
    """The period of ``runs`` up to ``end`` cut into whole UTC days lying inside one bucket
    each and the hours around them. Raises ValueError when a bucket does not begin and end
    on whole hours (``rollup.answers`` is False: the stored counts cannot answer)."""
    if not runs:
        raise ValueError("a period has at least one day")
    days: list[Span] = []
    hours: list[Span] = []
    for first, last in bucket_spans(runs, end):
        if first % BUCKET_SECONDS or last % BUCKET_SECONDS:
            raise ValueError(f"a bucket [{first}, {last}) does not lie on whole hours")
        inner_first = -(-first // DAY_SECONDS) * DAY_SECONDS  # the first UTC midnight inside
        inner_last = last // DAY_SECONDS * DAY_SECONDS
        if inner_first >= inner_last:
            _append(hours, (first, last))
            continue
        _append(hours, (first, inner_first))
        _append(days, (inner_first, inner_last))
        _append(hours, (inner_last, last))
    return Split(tuple(days), tuple(hours))


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
