"""Daily counts regrouped by day or by week (Monday to Sunday, ISO weeks). Pure.

A week at either end of the period may be partial: it holds only the period's days and is
labelled by the first of them, so a chart never shows days nobody asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Every = Literal["day", "week"]
EVERY: tuple[Every, ...] = ("day", "week")


@dataclass(frozen=True, slots=True)
class Bucket:
    """One bar of a chart: the days from ``first`` to ``last``, both included."""

    first: date
    last: date

    @property
    def label(self) -> str:
        return self.first.isoformat()


def buckets(first_day: date, last_day: date, every: Every) -> list[Bucket]:
    """The period's days, one bucket per day or per (possibly partial) week."""
    found: list[Bucket] = []
    day = first_day
    while day <= last_day:
        end = day if every == "day" else min(last_day, day + timedelta(days=6 - day.weekday()))
        found.append(Bucket(day, end))
        day = end + timedelta(days=1)
    return found


def regroup(series: Sequence[int], first_day: date, groups: Sequence[Bucket]) -> list[int]:
    """Sum a daily series (``series[0]`` is ``first_day``) into ``groups``."""
    return [sum(series[(g.first - first_day).days : (g.last - first_day).days + 1]) for g in groups]


def regroup_all(
    counts: Mapping[str, Sequence[int]], first_day: date, groups: Sequence[Bucket]
) -> dict[str, list[int]]:
    return {key: regroup(series, first_day, groups) for key, series in counts.items()}
