"""A logistic-regression model stored as a small JSON file, and its pure-Python inference.

    z = bias + Σ signal weight × signal + Σ n-gram bucket weight / √(number of buckets)
    probability = 1 / (1 + e^-z)

The n-gram part is the story's set of buckets (``ngrams``) as a binary vector scaled to
unit length, so a long story does not outvote a short one. Inference is a loop over the
story's buckets with one dictionary look-up each: no numpy, no scikit-learn.

``explain`` shows where ``z`` comes from: each signal's part, and each distinct word's
(the weights of its n-grams, scaled alike).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import orjson

from monitor.errors import ModelFileError
from monitor.matching.model.category import CategoryModel, category_model_from_json
from monitor.matching.model.ngrams import NgramScheme, ngram_buckets, word_ngrams
from monitor.matching.text import FoldedText

FORMAT = "monitor-linear-model/1"
RETRAIN = "monitor model train"


@dataclass(frozen=True, slots=True)
class Policy:
    """How the model's probability changes the rules' verdict (see ``opinion``).

    ``veto``, ``category`` and ``rescue`` say which opinions are used; they are not stored
    in the weights file but set from MONITOR_CLASSIFIER_MODEL when the file is loaded.
    ``rescue_above`` is stored (calibrated by ``monitor model train``); a file written
    before the rescue existed has none, and the ``rescue``/``all`` settings refuse it."""

    mode: str = "veto"  # "veto": may only turn a rule-relevant story irrelevant
    veto_below: float = 0.5
    veto: bool = True
    category: bool = True
    rescue_above: float | None = None  # the rescue: may add a story the rules reject
    rescue: bool = False

    def to_json(self) -> dict[str, object]:
        stored: dict[str, object] = {"mode": self.mode, "veto_below": self.veto_below}
        if self.rescue_above is not None:
            stored["rescue_above"] = self.rescue_above
        return stored


@dataclass(frozen=True, slots=True)
class LinearModel:
    """The weights of one topic's model and the scheme they were trained with."""

    topic_id: str
    scheme: NgramScheme
    signal_names: tuple[str, ...]
    signal_weights: tuple[float, ...]
    ngram_weights: Mapping[int, float]
    bias: float
    policy: Policy = field(default_factory=Policy)
    topic_sha256: str = ""
    trained_on: Mapping[str, Any] = field(default_factory=dict)
    category: CategoryModel | None = None

    def to_json(self) -> dict[str, Any]:
        extra = {"category": self.category.to_json()} if self.category else {}
        return {
            **extra,
            "format": FORMAT,
            "topic": self.topic_id,
            "topic_sha256": self.topic_sha256,
            "ngrams": self.scheme.to_json(),
            "policy": self.policy.to_json(),
            "bias": self.bias,
            # Pairs, not an object: the keys are sorted when written, and order matters.
            "signals": [
                list(pair) for pair in zip(self.signal_names, self.signal_weights, strict=True)
            ],
            "ngram_weights": [[b, w] for b, w in sorted(self.ngram_weights.items())],
            "trained_on": dict(self.trained_on),
        }


@dataclass(frozen=True, slots=True)
class Contribution:
    """One part of the model's log-odds: a signal (no offsets) or a word of a field."""

    name: str
    weight: float
    field: str = ""
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class Opinion:
    """The model's probability that a story is relevant, and the log-odds behind it."""

    probability: float
    logit: float


def predict(
    model: LinearModel, folded_title: str, folded_text: str, signals: Sequence[float]
) -> Opinion:
    """The model's opinion on one story (``signals`` in ``model.signal_names`` order)."""
    z = model.bias
    for weight, value in zip(model.signal_weights, signals, strict=True):
        z += weight * value
    buckets = ngram_buckets(model.scheme, folded_title, folded_text)
    if buckets:
        z += sum(map(model.ngram_weights.get, buckets, repeat(0.0))) / math.sqrt(len(buckets))
    return Opinion(probability=logistic(z), logit=z)


def explain(
    model: LinearModel,
    title: FoldedText,
    text: FoldedText,
    signals: Sequence[float],
    limit: int | None = None,
) -> list[Contribution]:
    """The parts of the log-odds, largest magnitude first: each signal's, and each
    distinct word's (the weights of its n-grams, scaled as in ``predict``; an n-gram two
    words share counts in both, so word parts do not add up to the n-gram total). With
    ``limit``: the ``limit`` largest signals and the ``limit`` largest words (the signals,
    which restate the rules, would otherwise crowd out the words). Word parts carry offsets
    (of the word's first occurrence) into the original headline or text, like rule evidence.
    """
    return assess(model, title, text, signals, limit)[1]


def assess(
    model: LinearModel,
    title: FoldedText,
    text: FoldedText,
    signals: Sequence[float],
    limit: int | None = None,
) -> tuple[Opinion, list[Contribution]]:
    """``predict`` and ``explain`` in one pass over the words (what a kept story needs)."""
    scored: list[tuple[float, str, str, int, int]] = [
        (weight * value, f"signal:{name}", "", 0, 0)
        for name, weight, value in zip(
            model.signal_names, model.signal_weights, signals, strict=True
        )
        if weight * value
    ]
    z = model.bias + sum(part[0] for part in scored)
    first: dict[str, tuple[str, int, int, frozenset[int]]] = {}
    buckets: set[int] = set()
    for field_name, folded in (("title", title), ("text", text)):
        for word, start, end, grams in word_ngrams(model.scheme, folded.folded):
            buckets.update(grams)
            first.setdefault(word, (field_name, start, end, grams))
    if buckets:
        get = model.ngram_weights.get
        scale = 1.0 / math.sqrt(len(buckets))
        z += sum(map(get, buckets, repeat(0.0))) * scale
        for field_name, start, end, grams in first.values():
            share = sum(map(get, grams, repeat(0.0))) * scale
            if share:
                scored.append((share, "word", field_name, start, end))
    if limit is not None:
        by_size = sorted(scored, key=lambda part: -abs(part[0]))
        signal_parts = [part for part in by_size if part[1] != "word"][:limit]
        scored = signal_parts + [part for part in by_size if part[1] == "word"][:limit]
    scored.sort(key=lambda part: -abs(part[0]))
    parts = []
    for weight, name, field_name, start, end in scored:
        if name != "word":
            parts.append(Contribution(name, weight))
            continue
        folded = title if field_name == "title" else text
        o_start, o_end = folded.original_span(start, end)
        word = folded.folded[start:end]
        parts.append(Contribution(f"word:{word}", weight, field_name, o_start, o_end))
    return Opinion(probability=logistic(z), logit=z), parts


def logistic(z: float) -> float:
    """The probability a log-odds ``z`` stands for, clamped so no input overflows ``exp``."""
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (a weights file records its topic file's)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_path_for(topic_path: Path) -> Path:
    """Where a topic's weights live: beside its file, ``<stem>.model.json``."""
    return topic_path.with_name(f"{topic_path.stem}.model.json")


def dump_model(model: LinearModel) -> bytes:
    """The weights file's bytes: sorted keys, compact (the n-gram weights are most of it)."""
    return orjson.dumps(model.to_json(), option=orjson.OPT_SORT_KEYS) + b"\n"


def load_model(path: Path) -> LinearModel:
    """Read a weights file; TopicFileError naming the file and the problem if it is bad."""
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise ModelFileError(path, f"cannot read it ({exc}); train one with `{RETRAIN}`") from exc
    except orjson.JSONDecodeError as exc:
        raise ModelFileError(path, f"not JSON ({exc}); retrain with `{RETRAIN}`") from exc
    try:
        return model_from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(
            path, f"not a {FORMAT} file ({exc!r}); retrain with `{RETRAIN}`"
        ) from exc


def model_from_json(data: Any) -> LinearModel:
    """A LinearModel from the parsed weights file (KeyError/TypeError/ValueError if bad)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"format is not {FORMAT}")
    grams = data["ngrams"]
    scheme = NgramScheme(
        sizes=tuple(int(size) for size in grams["sizes"]),
        buckets=int(grams["buckets"]),
        max_chars=int(grams["max_chars"]),
    )
    if not scheme.sizes or min(scheme.sizes) < 1 or scheme.buckets < 1 or scheme.max_chars < 1:
        raise ValueError("ngrams: sizes, buckets and max_chars must be positive")
    signals = {str(name): float(weight) for name, weight in data["signals"]}
    policy = data["policy"]
    if policy["mode"] != "veto":
        raise ValueError(f"unknown policy mode {policy['mode']!r}")
    model = LinearModel(
        topic_id=str(data["topic"]),
        scheme=scheme,
        signal_names=tuple(signals),
        signal_weights=tuple(signals.values()),
        ngram_weights={int(b): float(w) for b, w in data["ngram_weights"]},
        bias=float(data["bias"]),
        policy=Policy(
            mode="veto",
            veto_below=float(policy["veto_below"]),
            rescue_above=(
                float(policy["rescue_above"]) if policy.get("rescue_above") is not None else None
            ),
        ),
        topic_sha256=str(data.get("topic_sha256") or ""),
        trained_on=dict(data.get("trained_on") or {}),
        category=(
            category_model_from_json(data["category"], len(signals))
            if data.get("category") is not None
            else None
        ),
    )
    numbers = (model.bias, model.policy.veto_below, *model.signal_weights)
    if not all(math.isfinite(x) for x in (*numbers, *model.ngram_weights.values())):
        raise ValueError("a weight is not a finite number")  # it would poison every score
    rescue = model.policy.rescue_above
    if rescue is not None and not (math.isfinite(rescue) and 0.0 < rescue <= 1.0):
        raise ValueError("policy: rescue_above is not in (0, 1]")
    return model
