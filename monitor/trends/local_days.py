"""A reader's calendar days as arithmetic on Unix seconds, so SQL can say which day an
instant falls on without knowing time zones (SQLite knows none).

The days of a period are cut into runs of consecutive days of one length: a run starts at
the Unix second its first day begins (local midnight, as ``volumes.period_bounds`` puts
it) and its day ``n`` is ``first + (second - start) // seconds``. Most periods are one run
of 86,400-second days; a daylight-saving change adds a run for the 23- or 25-hour day and
one for the days after it, and a day a zone skipped (Samoa, 30 December 2011) is no run at
all. ``day_of`` is what the SQL of ``volumes.period_counts`` computes, in Python, so the
two can be tested against ``datetime.astimezone``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from monitor.trends.periods import Every, buckets


@dataclass(frozen=True, slots=True)
class DayRun:
    """Consecutive days of ``seconds`` each; the first, day ``first`` of the period (0 is
    its first day), begins at Unix second ``start``."""

    start: int
    first: int
    seconds: int


def day_start(day: date, zone: tzinfo) -> int:
    """The Unix second ``day`` begins in ``zone`` (a midnight the zone skipped: the instant
    it jumped over it, as ``datetime`` resolves it)."""
    return int(datetime.combine(day, time(), tzinfo=zone).astimezone(UTC).timestamp())


def day_runs(first_day: date, last_day: date, zone: tzinfo = UTC) -> list[DayRun]:
    """The period's days (both ends included) as runs of equal length, oldest first."""
    count = (last_day - first_day).days + 1
    return _runs([day_start(first_day + timedelta(days=n), zone) for n in range(count + 1)])


def bucket_runs(
    first_day: date, last_day: date, zone: tzinfo = UTC, every: Every = "day"
) -> list[DayRun]:
    """``day_runs`` for the period's buckets (``periods.buckets``: days, or weeks partial
    at the ends): a run's "days" are then buckets, numbered from 0, so SQL groups a
    year by week into 53 buckets rather than 365 days summed afterwards."""
    if every == "day":
        return day_runs(first_day, last_day, zone)
    found = buckets(first_day, last_day, every)
    return _runs(
        [day_start(b.first, zone) for b in found]
        + [day_start(found[-1].last + timedelta(days=1), zone)]
    )


def _runs(bounds: Sequence[int]) -> list[DayRun]:
    """Runs of equal length over consecutive ``bounds`` (each bucket's first second, then
    the period's end); a bucket of no length (a day the zone skipped) is no run."""
    count = len(bounds) - 1
    runs: list[DayRun] = []
    for n in range(count):
        seconds = bounds[n + 1] - bounds[n]
        if seconds <= 0:  # a day the zone skipped: no instant falls on it
            continue
        last = runs[-1] if runs else None
        if (
            last
            and last.seconds == seconds
            and last.start + (n - last.first) * seconds == bounds[n]
        ):
            continue  # the run goes on
        runs.append(DayRun(bounds[n], n, seconds))
    return runs


def day_of(runs: Sequence[DayRun], second: int) -> int:
    """The period's day (0 is the first) the Unix ``second`` falls on; the second must lie
    in the period. The Python twin of ``day_sql``."""
    run = runs[0]
    for later in runs[1:]:
        if second < later.start:
            break
        run = later
    return run.first + (second - run.start) // run.seconds


def day_sql(runs: Sequence[DayRun], second: str) -> str:
    """``day_of`` as an SQL expression over ``second``, an integer expression of Unix
    seconds; the runs' numbers are integers this module computed, written in as literals.
    Both databases divide non-negative integers by flooring."""

    def within(run: DayRun) -> str:
        return f"({int(run.first)} + ({second} - {int(run.start)}) / {int(run.seconds)})"

    if not runs:
        raise ValueError("a period has at least one day")
    if len(runs) == 1:
        return within(runs[0])
    cases = " ".join(
        f"WHEN {second} < {int(later.start)} THEN {within(run)}" for run, later in pairwise(runs)
    )
    return f"(CASE {cases} ELSE {within(runs[-1])} END)"
