"""Measure the spike detector: synthetic days of alert volume, with and without injected spikes.

The labeled sets carry dates to the month at best, so no real month of daily counts exists
to replay. Instead each key (a country) gets days drawn from an overdispersed count process
with its real share of the coverage (the caller passes the rates), quieter at weekends; on
chosen days a spike of ``factor`` times the usual volume (at least ``min_extra`` stories) is
added. The detector, with its cooldown, then runs over every key as it would in production,
and its alerts are scored against the injected days. All seeded: the same seed gives the
same figures.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from monitor.trends.spikes import Kind, SpikePolicy, VolumeVerdict, after_cooldown, judge_series

START = date(2025, 1, 6)  # a Monday


@dataclass(frozen=True, slots=True)
class ReplaySpec:
    days: int = 365
    dispersion: float = 3.0  # negative-binomial r of the background: smaller = burstier
    weekend_factor: float = 0.6
    spikes_per_key: int = 4
    min_factor: float = 3.0
    max_factor: float = 6.0
    min_extra: int = 6
    seed: int = 19


@dataclass(frozen=True, slots=True)
class ReplayScore:
    keys: int
    days_judged: int
    injected: int
    caught: int
    alerts: int
    false_alerts: int
    quiet_run_false_alerts: int
    missed: tuple[tuple[str, date], ...] = field(default=())

    @property
    def recall(self) -> float:
        return self.caught / self.injected if self.injected else 1.0

    @property
    def precision(self) -> float:
        return (self.alerts - self.false_alerts) / self.alerts if self.alerts else 1.0

    @property
    def quiet_false_per_key_month(self) -> float:
        """False spike alerts per key per 30 days on the stream with nothing injected."""
        return self.quiet_run_false_alerts / self.keys / (self.days_judged / 30)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 500:  # normal approximation; our daily means are far below this
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def background(rate: float, spec: ReplaySpec, rng: random.Random) -> list[int]:
    """Daily counts for one key: gamma-Poisson around ``rate``, quieter at weekends."""
    counts = []
    for day in range(spec.days):
        weekend = (START + timedelta(days=day)).weekday() >= 5
        mean = rate * (spec.weekend_factor if weekend else 1.0)
        counts.append(_poisson(rng, rng.gammavariate(spec.dispersion, mean / spec.dispersion)))
    return counts


def inject(
    counts: list[int], rate: float, spec: ReplaySpec, policy: SpikePolicy, rng: random.Random
) -> set[int]:
    """Add spikes on random days after the baseline period; return the days chosen."""
    candidates = range(policy.baseline_days, spec.days)
    days: set[int] = set()
    while len(days) < min(spec.spikes_per_key, len(candidates)):
        day = rng.choice(candidates)
        # Spikes at least a cooldown apart, so each can be alerted on its own.
        if all(abs(day - other) > policy.cooldown_days for other in days):
            days.add(day)
    for day in days:
        factor = rng.uniform(spec.min_factor, spec.max_factor)
        counts[day] += max(spec.min_extra, round((factor - 1.0) * rate))
    return days


def _alerts(key: str, counts: list[int], policy: SpikePolicy) -> list[VolumeVerdict]:
    last: dict[tuple[str, Kind], VolumeVerdict] = {}
    chosen: list[VolumeVerdict] = []
    for verdict in judge_series(key, START, counts, policy):
        for alert in after_cooldown([verdict], last, policy):
            if alert.kind == "spike":
                chosen.append(alert)
            assert alert.kind is not None
            last[(alert.key, alert.kind)] = alert
    return chosen


def replay(rates: Mapping[str, float], spec: ReplaySpec, policy: SpikePolicy) -> ReplayScore:
    """Run the detector over every key, with and without injected spikes; score it."""
    rng = random.Random(spec.seed)
    injected = caught = alerts = false_alerts = quiet_false = 0
    missed: list[tuple[str, date]] = []
    for key in sorted(rates):
        quiet = background(rates[key], spec, rng)
        quiet_false += len(_alerts(key, quiet, policy))
        spiked = list(quiet)
        days = inject(spiked, rates[key], spec, policy, rng)
        found = {(a.day - START).days for a in _alerts(key, spiked, policy)}
        injected += len(days)
        caught += len(days & found)
        alerts += len(found)
        false_alerts += len(found - days)
        missed += [(key, START + timedelta(days=d)) for d in sorted(days - found)]
    return ReplayScore(
        keys=len(rates),
        days_judged=spec.days - policy.baseline_days,
        injected=injected,
        caught=caught,
        alerts=alerts,
        false_alerts=false_alerts,
        quiet_run_false_alerts=quiet_false,
        missed=tuple(missed),
    )
