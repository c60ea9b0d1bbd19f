"""The precision filter: a small logistic model over a candidate entry's named features.

Why: the cue and clause rules find most entries but, on stories they were not tuned on,
every third or second one they make is wrong (docs/timelines.md, "Measured"). Adding cues
did not generalise; this model weighs *how* a candidate was found (``features.py``) and
keeps it only when its probability reaches ``keep_above``, a threshold chosen by grouped
cross-validation on the labeled stories for precision ≥ 0.9 (``fit.py``).

The weights live in ``monitor/timelines/precision.json`` (written by
``monitor eval timeline … --fit``), are read once at start, and inference is plain Python.
A kept entry carries its probability and the features that carried it most (``why``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib.resources import files
from typing import Any

from monitor.errors import ConfigError
from monitor.matching.model.linear import logistic
from monitor.timelines.features import feature_names
from monitor.timelines.model import TimelineEntry

WHY_COUNT = 3  # how many features an entry's explanation names


@dataclass(frozen=True, slots=True)
class PrecisionFilter:
    """Standardised logistic regression: ``(x - mean) / scale`` per feature, then weights."""

    names: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    keep_above: float

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        """Each feature's share of the log-odds (its weight times its standardised value)."""
        return {
            name: weight * (features.get(name, 0.0) - mean) / scale
            for name, mean, scale, weight in zip(
                self.names, self.means, self.scales, self.weights, strict=True
            )
        }

    def probability(self, features: Mapping[str, float]) -> float:
        """The modelled probability that the candidate entry is right."""
        return logistic(self.bias + sum(self.contributions(features).values()))

    def judge(self, entry: TimelineEntry, features: Mapping[str, float]) -> TimelineEntry | None:
        """The entry with its probability and its reasons, or None when below the bar."""
        probability = self.probability(features)
        if probability < self.keep_above:
            return None
        return replace(entry, confidence=round(probability, 3), why=explain(self, features))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.names),
            "means": list(self.means),
            "scales": list(self.scales),
            "weights": list(self.weights),
            "bias": self.bias,
            "keep_above": self.keep_above,
        }


def explain(model: PrecisionFilter, features: Mapping[str, float]) -> tuple[str, ...]:
    """The features that raised the probability most, strongest first, as
    ``name +0.84`` (its share of the log-odds); present features only."""
    shares = model.contributions(features)
    ranked = sorted(
        (item for item in shares.items() if features.get(item[0], 0.0) and item[1] > 0),
        key=lambda item: -item[1],
    )
    return tuple(f"{name} {share:+.2f}" for name, share in ranked[:WHY_COUNT])


def precision_from_json(data: Any) -> PrecisionFilter:
    """A PrecisionFilter from parsed JSON; ValueError names what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the weights file must hold a JSON object")
    names = tuple(str(n) for n in data["features"])
    if names != feature_names():
        raise ValueError(
            f"the weights name features {list(names)}, the extractor computes "
            f"{list(feature_names())}; refit with `monitor eval timeline … --fit`"
        )
    vectors = [tuple(float(v) for v in data[key]) for key in ("means", "scales", "weights")]
    if any(len(vector) != len(names) for vector in vectors):
        raise ValueError("means, scales and weights need one number per feature")
    if any(scale <= 0 for scale in vectors[1]):
        raise ValueError("every scale must be positive")
    keep_above = float(data["keep_above"])
    if not 0.0 <= keep_above <= 1.0:
        raise ValueError(f"keep_above {keep_above} is not a probability")
    means, scales, weights = vectors
    return PrecisionFilter(names, means, scales, weights, float(data["bias"]), keep_above)


def load_precision() -> PrecisionFilter:
    """The packaged weights. Raises ConfigError when they are missing or broken."""
    resource = files("monitor.timelines") / "precision.json"
    try:
        return precision_from_json(json.loads(resource.read_text(encoding="utf-8")))
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"timeline precision weights {resource}: {exc}; reinstall monitor"
        ) from exc
