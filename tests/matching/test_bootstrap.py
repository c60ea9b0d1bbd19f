"""The percentile bootstrap: quantiles by hand, draws that a seed reproduces."""

from __future__ import annotations

from collections import Counter
from random import Random

import pytest

from monitor.matching.bootstrap import (
    BootstrapPlan,
    percentile,
    percentile_interval,
    resample_counts,
)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0.5, 3.0),  # the middle rank
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0.25, 2.0),  # position 0.25 * 4 = 1
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0.1, 1.4),  # position 0.4: 1 + 0.4 * (2 - 1)
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0.0, 1.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 1.0, 5.0),
        ([0.5, 1.0], 0.975, 0.9875),  # position 0.975: 0.5 + 0.975 * 0.5
        ([7.0], 0.025, 7.0),
    ],
)
def test_percentile_interpolates_between_ranks(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_interval_cuts_the_tails() -> None:
    values = [float(v) for v in range(100, -1, -1)]  # 0..100, unsorted on purpose
    interval = percentile_interval(values, 0.95)
    assert interval is not None and interval.defined == 101
    assert (interval.low, interval.high) == pytest.approx((2.5, 97.5))
    assert percentile_interval([], 0.95) is None


def test_each_resample_draws_as_many_items_as_there_are() -> None:
    items = ["tp", "tp", "fp", "fn", "tn"]
    resamples = list(resample_counts(items, BootstrapPlan(resamples=50, seed=3)))
    assert len(resamples) == 50
    assert all(sum(counts.values()) == 5 for counts in resamples)
    assert all(set(counts) <= set(items) for counts in resamples)
    assert list(resample_counts([], BootstrapPlan(resamples=50))) == []
    assert list(resample_counts(items, BootstrapPlan(resamples=0))) == []


def test_a_resample_is_the_documented_draw_of_positions() -> None:
    """Anyone can redo a resample: Random(seed).choices over the positions, n times."""
    items = ["a", "b", "b", "c", "d"]
    plan = BootstrapPlan(resamples=20, seed=11)
    rng = Random(11)
    expected = [Counter(items[i] for i in rng.choices(range(5), k=5)) for _ in range(20)]
    assert list(resample_counts(items, plan)) == expected


def test_the_seed_decides_the_draws() -> None:
    items = list(range(30))
    same = [list(resample_counts(items, BootstrapPlan(resamples=5, seed=7))) for _ in range(2)]
    other = list(resample_counts(items, BootstrapPlan(resamples=5, seed=8)))
    assert same[0] == same[1]
    assert other != same[0]
