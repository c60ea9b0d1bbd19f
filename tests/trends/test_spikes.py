"""The spike and silence decision, on tables of counts."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.trends.spikes import (
    Kind,
    SpikePolicy,
    VolumeVerdict,
    after_cooldown,
    baseline_model,
    judge_day,
    lower_tail,
    upper_tail,
)

POLICY = SpikePolicy()
DAY = date(2026, 12, 6)
QUIET = [0] * 14
STEADY = [3, 2, 4, 3, 3, 2, 4, 3, 3, 2, 4, 3, 3, 3]
BUSY = [12, 9, 11, 10, 13, 8, 10, 11, 9, 12, 10, 11, 10, 9]
BURSTY = [0, 0, 9, 0, 1, 0, 12, 0, 0, 8, 0, 1, 0, 10]


@pytest.mark.parametrize(
    ("history", "observed", "kind"),
    [
        (STEADY, 14, "spike"),  # "14 stories today against a usual 3"
        (STEADY, 6, None),  # twice the usual is still ordinary for a small count
        (STEADY, 0, None),  # a quiet day in a small series is no silence
        (QUIET, 1, None),  # the first story about a quiet country is not a spike
        (QUIET, 4, None),  # below min_count
        (QUIET, 6, "spike"),
        (BUSY, 0, "silence"),
        (BUSY, 5, None),
        (BUSY, 25, "spike"),
        (BURSTY, 12, None),  # a bursty series has seen 12 before
        (BURSTY, 40, "spike"),
    ],
)
def test_judge_day(history: list[int], observed: int, kind: str | None) -> None:
    verdict = judge_day("country:BR", DAY, observed, history, POLICY)
    assert verdict.kind == kind, verdict


def test_tails_are_probabilities_that_sum_right() -> None:
    for mean, dispersion in ((3.0, 1e9), (3.0, 2.0), (0.5, 1e9), (10.0, 0.7)):
        for k in range(0, 25):
            assert lower_tail(k, mean, dispersion) + upper_tail(k + 1, mean, dispersion) == pytest.approx(1.0)
        assert upper_tail(0, mean, dispersion) == 1.0


def test_overdispersed_baselines_widen_the_tail() -> None:
    mean, dispersion = baseline_model(BURSTY, POLICY)
    assert mean == pytest.approx(sum(BURSTY) / 14)
    assert dispersion < 1.0
    assert upper_tail(12, mean, dispersion) > 100 * upper_tail(12, mean, 1e9)
    assert baseline_model(QUIET, POLICY) == (POLICY.prior_per_day, 1e6)


def test_cooldown_keeps_repeats_quiet_unless_the_spike_grows() -> None:
    first = VolumeVerdict("country:BR", date(2026, 12, 1), "spike", 14, 3.0, 1e-6)
    last: dict[tuple[str, Kind], VolumeVerdict] = {("country:BR", "spike"): first}
    same = VolumeVerdict("country:BR", date(2026, 12, 2), "spike", 15, 3.0, 1e-6)
    grown = VolumeVerdict("country:BR", date(2026, 12, 2), "spike", 21, 3.0, 1e-9)
    later = VolumeVerdict("country:BR", date(2026, 12, 5), "spike", 15, 3.0, 1e-6)
    other = VolumeVerdict("country:AR", date(2026, 12, 2), "spike", 9, 1.0, 1e-6)
    ordinary = VolumeVerdict("country:MX", date(2026, 12, 2), None, 2, 2.0, 0.5)
    assert after_cooldown([same, grown, later, other, ordinary], last, POLICY) == [grown, later, other]


def test_describe_reads_like_an_alert_line() -> None:
    verdict = judge_day("country:BR", DAY, 14, STEADY, POLICY)
    assert verdict.describe().startswith("country:BR: 14 stories on 2026-12-06 against a usual 3.0")
