"""Spike and silence detection over daily counts, robust to the zeros of a quiet country.

Method (written down in docs/trends.md): the last ``baseline_days`` daily counts before the
day judged give a mean ``m`` and variance ``v``. The day's count is modelled as negative
binomial with that mean; its dispersion comes from the baseline when the days vary more than
a Poisson would (``r = m² / (v - m)``), and is Poisson-like otherwise (``r`` large). A mean of
zero is replaced by a small prior rate (``prior_per_day``), so the first story about a quiet
country is not a "spike" on its own: the count must also reach ``min_count`` and be at least
``min_ratio`` times the mean. A spike needs the upper tail probability P(X ≥ observed) below
``alpha``; a silence needs a busy baseline (mean ≥ ``silence_min_mean``) and the lower tail
P(X ≤ observed) below ``alpha``. A key alerted within ``cooldown_days`` is not alerted again
unless its count grew by ``regrow_ratio``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean, pvariance
from typing import Literal

Kind = Literal["spike", "silence"]
# Past this, a negative binomial is indistinguishable from a Poisson for our counts.
_POISSON_LIKE = 1e6


@dataclass(frozen=True, slots=True)
class SpikePolicy:
    baseline_days: int = 14
    alpha: float = 1e-3
    min_count: int = 5
    min_ratio: float = 2.0
    silence_min_mean: float = 5.0
    prior_per_day: float = 0.5
    cooldown_days: int = 3
    regrow_ratio: float = 1.5


@dataclass(frozen=True, slots=True)
class VolumeVerdict:
    """What the detector says about one key (a country, a category) on one day."""

    key: str
    day: date
    kind: Kind | None
    observed: int
    expected: float
    tail_probability: float

    def describe(self) -> str:
        """``BR: 14 stories on 2026-12-06 against a usual 3.1 (p = 2e-06)``."""
        word = {"spike": "stories", "silence": "stories only", None: "stories"}[self.kind]
        return (
            f"{self.key}: {self.observed} {word} on {self.day.isoformat()} against a usual "
            f"{self.expected:.1f} (p = {self.tail_probability:.1g})"
        )


def _log_pmf(k: int, r: float, p: float) -> float:
    """log P(X = k) for a negative binomial with ``r`` successes and success probability p."""
    return math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1) + r * math.log(p) + k * math.log1p(-p)


def _poisson_log_pmf(k: int, mean: float) -> float:
    return -mean + k * math.log(mean) - math.lgamma(k + 1)


def lower_tail(observed: int, mean: float, dispersion: float) -> float:
    """P(X ≤ observed) for a count with this mean and dispersion (Poisson when huge)."""
    if mean <= 0:
        return 1.0
    if dispersion >= _POISSON_LIKE:
        terms = [_poisson_log_pmf(k, mean) for k in range(observed + 1)]
    else:
        p = dispersion / (dispersion + mean)
        terms = [_log_pmf(k, dispersion, p) for k in range(observed + 1)]
    return min(1.0, math.fsum(math.exp(t) for t in terms))


def upper_tail(observed: int, mean: float, dispersion: float) -> float:
    """P(X ≥ observed)."""
    if observed <= 0:
        return 1.0
    return max(0.0, 1.0 - lower_tail(observed - 1, mean, dispersion))


def baseline_model(history: Sequence[int], policy: SpikePolicy) -> tuple[float, float]:
    """(mean, dispersion) of a day's count, from the baseline days' counts."""
    if not history:
        return policy.prior_per_day, _POISSON_LIKE
    mean = fmean(history)
    variance = pvariance(history, mean)
    # The prior keeps a silent history from making any story look impossible.
    mean = max(mean, policy.prior_per_day)
    if variance > mean:
        return mean, mean * mean / (variance - mean)
    return mean, _POISSON_LIKE


def judge_day(
    key: str, day: date, observed: int, history: Sequence[int], policy: SpikePolicy
) -> VolumeVerdict:
    """Is ``observed`` on ``day`` a spike, a silence, or ordinary, given ``history``?"""
    mean, dispersion = baseline_model(history[-policy.baseline_days :], policy)
    upper = upper_tail(observed, mean, dispersion)
    if observed >= policy.min_count and observed >= policy.min_ratio * mean and upper < policy.alpha:
        return VolumeVerdict(key, day, "spike", observed, mean, upper)
    lower = lower_tail(observed, mean, dispersion)
    if mean >= policy.silence_min_mean and lower < policy.alpha:
        return VolumeVerdict(key, day, "silence", observed, mean, lower)
    return VolumeVerdict(key, day, None, observed, mean, min(upper, lower))


def judge_series(
    key: str, first_day: date, counts: Sequence[int], policy: SpikePolicy
) -> list[VolumeVerdict]:
    """Judge every day that has a full baseline before it (days ``baseline_days`` onward)."""
    return [
        judge_day(key, first_day + timedelta(days=i), counts[i], counts[i - policy.baseline_days : i], policy)
        for i in range(policy.baseline_days, len(counts))
    ]


def after_cooldown(
    verdicts: Sequence[VolumeVerdict],
    last_alerts: Mapping[tuple[str, Kind], VolumeVerdict],
    policy: SpikePolicy,
) -> list[VolumeVerdict]:
    """The verdicts worth an alert: unusual, and not a repeat of a recent alert.

    A key alerted within ``cooldown_days`` stays quiet unless a spike's count grew by
    ``regrow_ratio`` since that alert. ``last_alerts`` is updated by the caller.
    """
    chosen: list[VolumeVerdict] = []
    for verdict in verdicts:
        if verdict.kind is None:
            continue
        previous = last_alerts.get((verdict.key, verdict.kind))
        if previous is not None and (verdict.day - previous.day).days <= policy.cooldown_days:
            grew = verdict.kind == "spike" and verdict.observed >= previous.observed * policy.regrow_ratio
            if not grew:
                continue
        chosen.append(verdict)
    return chosen
