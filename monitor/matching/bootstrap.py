"""Percentile bootstrap: how far a figure measured on a small labeled set could move.

Pure and seeded: the same items, plan and seed give the same interval on every run and
machine (``random.Random`` with an integer seed; no numpy). ``resample_counts`` draws
items uniformly with replacement, as many as there are, and says how often each distinct
item was drawn; the caller turns each resample into its statistic, and
``percentile_interval`` reads the interval off the sorted values (linear interpolation
between ranks, numpy's default). It does not decide what the statistic is, nor what to
do when a resample leaves it undefined (the caller leaves such resamples out).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from random import Random
from typing import TypeVar

T = TypeVar("T", bound=Hashable)

DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 16
MAX_RESAMPLES = 100_000


@dataclass(frozen=True, slots=True)
class BootstrapPlan:
    """How many resamples, from which seed, for which confidence level (0 resamples: none)."""

    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED
    level: float = 0.95


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval, and how many resamples had the statistic defined."""

    low: float
    high: float
    defined: int


def resample_counts(items: Sequence[T], plan: BootstrapPlan) -> Iterator[Counter[T]]:
    """For each resample, how many times each distinct item was drawn (n draws of n items).

    Drawing an item is ``Random(plan.seed).choices`` over the item positions, so a resample
    is exactly ``[items[i] for i in rng.choices(range(n), k=n)]``; equal items are counted
    together, which makes a resample cost its n draws and not n objects.
    """
    distinct = list(dict.fromkeys(items))
    index = {item: number for number, item in enumerate(distinct)}
    positions = [index[item] for item in items]
    rng = Random(plan.seed)
    for _ in range(plan.resamples if items else 0):
        drawn = Counter(rng.choices(positions, k=len(positions)))
        yield Counter({distinct[number]: count for number, count in drawn.items()})


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-quantile (0 ≤ q ≤ 1) of sorted values, interpolating linearly between ranks."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    position = q * (len(sorted_values) - 1)
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    fraction = position - below
    return sorted_values[below] + (sorted_values[above] - sorted_values[below]) * fraction


def percentile_interval(values: Sequence[float], level: float) -> Interval | None:
    """The central ``level`` interval of the values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    tail = (1 - level) / 2
    return Interval(
        low=percentile(ordered, tail), high=percentile(ordered, 1 - tail), defined=len(ordered)
    )
