"""Stored counts of alerted stories per hour and key (migration 0022): what the worker
writes with each alert so Trends, GET /trends and ``monitor spikes`` sum a few rows per key
and hour instead of counting a period's alerts (docs/trends.md, "Stored counts").

``tally`` is the rule: a story counts once per key (``country:BR``, ``category:…``,
``outlet:…`` and ``*``, every alerted story) on the day of its first alert *in the period*
naming the key. Stored, a (story, key) pair counts in the hour of its first alert naming
the key (``counts``); when a later alert of the story names the key in a later hour, that
hour is kept too (``repeats``, with the first hour), because a period that starts after the
first hour counts the pair on its first alert inside. Both come from a story's alerts alone,
so a batch's change is ``contributions(after) - contributions(before)`` over the stories it
touched (``delta``). Hours answer any reader whose local days begin on whole hours during
the period (``answers``); other zones (Kathmandu, Lord Howe) keep the SQL count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.trends.local_days import DayRun

BUCKET_SECONDS = 3600  # an hour: every day boundary of a whole-hour zone is one
DAY_SECONDS = 86_400  # a UTC day: the second level (``trend_days``, migration 0023)
WEEK_SECONDS = 7 * DAY_SECONDS  # a UTC week from Monday: the third (``trend_weeks``, 0024)
MONDAY = 4 * DAY_SECONDS  # 1970-01-05, the first Monday after the epoch (a Thursday)
ANY_KIND = "*"  # every alerted story, whatever it names (``volumes.ANY_KEY``)
KINDS = frozenset({"country", "category", "outlet"})  # what ``keys_of`` names, ANY_KIND aside

Key = tuple[str, str]  # (kind, name): ("country", "BR"), ("*", "")
Bucketed = tuple[int, str, str]  # (hour's first Unix second, kind, name)
Repeat = tuple[int, str, str, int, int]  # (story id, kind, name, hour, first hour)


@dataclass(slots=True)
class Rollup:
    """Stories per (hour, kind, name), and the later hours in which a story's key is named
    again (``Repeat``), for the stories read."""

    counts: Counter[Bucketed] = field(default_factory=Counter)
    repeats: set[Repeat] = field(default_factory=set)


def bucket_of(moment: datetime) -> int:
    """The first Unix second of the UTC hour ``moment`` (timezone-aware) falls in."""
    return int(moment.timestamp()) // BUCKET_SECONDS * BUCKET_SECONDS


def keys_of(row: Any) -> list[Key]:
    """The keys an alert row names, as ``volumes.tally`` reads them (all kinds)."""
    keys: list[Key] = [(ANY_KIND, "")]
    keys += [("country", str(code)) for code in row.countries or ()]
    if row.category:
        keys.append(("category", str(row.category)))
    if row.credited_outlet:
        keys.append(("outlet", str(row.credited_outlet)))
    return keys


def contributions(rows: Iterable[Any]) -> Rollup:
    """What the stories of ``rows`` (every alert of each: ``story_id``, ``created_at``,
    ``countries``, ``category``, ``credited_outlet``, None when the story row is gone) add
    to the stored counts. Pure."""
    firsts: dict[tuple[int, str, str], int] = {}
    later: set[tuple[int, str, str, int]] = set()
    for row in sorted(rows, key=lambda r: (r.story_id, r.created_at)):
        hour = bucket_of(row.created_at)
        for kind, name in keys_of(row):
            pair = (int(row.story_id), kind, name)
            first = firsts.setdefault(pair, hour)
            if hour > first:
                later.add((*pair, hour))
    rollup = Rollup()
    for (_story, kind, name), hour in firsts.items():
        rollup.counts[(hour, kind, name)] += 1
    rollup.repeats = {(s, k, n, hour, firsts[(s, k, n)]) for s, k, n, hour in later}
    return rollup


def delta(before: Rollup, after: Rollup) -> dict[Bucketed, int]:
    """How much each stored count changes from ``before`` to ``after`` (non-zero only),
    in key order, so concurrent writers lock rows in one order."""
    keys = set(before.counts) | set(after.counts)
    changes = {k: after.counts[k] - before.counts[k] for k in sorted(keys)}
    return {k: n for k, n in changes.items() if n}


def week_of(second: int) -> int:
    """The first second of the UTC week (Monday 00:00) holding Unix second ``second``."""
    return (second - MONDAY) // WEEK_SECONDS * WEEK_SECONDS + MONDAY


def day_of_utc(second: int) -> int:
    """The first second of the UTC day holding Unix second ``second``."""
    return second // DAY_SECONDS * DAY_SECONDS


def summed_into(changes: dict[Bucketed, int], level: Callable[[int], int]) -> dict[Bucketed, int]:
    """``delta``'s hour changes summed into a coarser level's buckets (``level`` gives an
    hour's bucket), non-zero only, in key order: the level's rows stay the sums of their
    hours (``trends.levels``)."""
    summed: Counter[Bucketed] = Counter()
    for (hour, kind, name), n in changes.items():
        summed[(level(hour), kind, name)] += n
    return {k: summed[k] for k in sorted(summed) if summed[k]}


def by_day(changes: dict[Bucketed, int]) -> dict[Bucketed, int]:
    """What ``trend_days`` changes by."""
    return summed_into(changes, day_of_utc)


def by_week(changes: dict[Bucketed, int]) -> dict[Bucketed, int]:
    """What ``trend_weeks`` changes by."""
    return summed_into(changes, week_of)


def answers(runs: Sequence[DayRun]) -> bool:
    """Whether hours add up to the period's days exactly: every day begins on an hour
    (``local_days.day_runs``: a run's start and its days' length are whole hours)."""
    return bool(runs) and all(
        run.start % BUCKET_SECONDS == 0 and run.seconds % BUCKET_SECONDS == 0 for run in runs
    )
