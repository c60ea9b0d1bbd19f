"""Fitting the model and measuring it by cross-validation (needs scikit-learn).

Only ``monitor model train`` and ``monitor model cv`` import this module; the worker never
does. Everything is seeded: the same labeled items, topic file and seed give the same
weights file, byte for byte (weights are rounded to ``DIGITS`` decimals).

Training reads every labeled item of the dev pool: its rule signals (the rules run on it
first) and its n-gram buckets. The veto threshold is calibrated on out-of-fold
probabilities (``FOLDS``-fold, grouped by near-duplicates): the threshold that gives the
best F-beta (``BETA``) of "rules relevant and model probability ≥ threshold", the lowest
on a tie. The rescue threshold is calibrated on the same out-of-fold probabilities: the
one with the best F1 of "rules relevant, or rescuable and probability ≥ threshold" among
those whose precision is not below the rules' own, the highest on a tie.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from monitor.matching.evaluation import LabeledItem, Outcome, Verdict
from monitor.matching.model.category import CategoryModel, category_probabilities, choose_category
from monitor.matching.model.groups import GroupInput, near_duplicate_groups
from monitor.matching.model.linear import LinearModel, Policy, file_sha256
from monitor.matching.model.ngrams import NgramScheme, ngram_buckets
from monitor.matching.model.opinion import decides
from monitor.matching.model.signals import StorySignals, signal_names, story_signals
from monitor.matching.text import fold_text
from monitor.matching.topic import Topic

SEED = 16
FOLDS = 5
C = 1.0  # inverse regularisation strength of the logistic regression
DIGITS = 6
# N-gram weights smaller than this are dropped from the file (they move a probability by
# far less than the veto's threshold step; without it the file is four times larger).
PRUNE_BELOW = 0.005
# The veto is calibrated for F-beta, weighting precision (false alarms are the gap on the
# blind sets). Calibrated for F1 (beta 1) on the dev pool, the threshold came out at 0.05:
# a veto that never fires (docs/evaluation.md has both cross-validations).
BETA = 0.5
# The category opinion's regularisation (multinomial, lbfgs): C 1–64 were within 0.01 of
# each other in grouped CV and on blind6 (docs/evaluation.md); 4 is the middle.
CATEGORY_C = 4.0
THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(1, 20))
# The rescue adds stories, so only confident probabilities are worth trying (below 0.5 the
# model itself thinks the story irrelevant).
RESCUE_THRESHOLDS = (*(t for t in THRESHOLDS if t >= 0.5), 0.97, 0.99)


@dataclass(frozen=True, slots=True)
class Example:
    """One labeled item as the model sees it."""

    item: LabeledItem
    signals: StorySignals
    buckets: frozenset[int]
    group: int


@dataclass(frozen=True, slots=True)
class Fitted:
    """Weights from one fit, before they become a LinearModel."""

    bias: float
    signal_weights: tuple[float, ...]
    ngram_weights: dict[int, float]
    # scikit-learn's own probabilities for the training items (before rounding, pruning).
    training_probabilities: tuple[float, ...] = ()


def prepare(
    topic: Topic, items: Sequence[LabeledItem], urls: Sequence[str | None], scheme: NgramScheme
) -> list[Example]:
    """Rule signals, n-gram buckets and near-duplicate group of each labeled item."""
    groups = near_duplicate_groups(
        [GroupInput(item.title, item.text, url) for item, url in zip(items, urls, strict=True)]
    )
    examples = []
    for item, group in zip(items, groups, strict=True):
        title, text = fold_text(item.title), fold_text(item.text)
        lang = item.lang or None
        signals = story_signals(topic, title, text, lang)
        buckets = frozenset(ngram_buckets(scheme, title.folded, text.folded))
        examples.append(Example(item, signals, buckets, group))
    return examples


def fit(
    examples: Sequence[Example],
    c: float = C,
    seed: int = SEED,
    *,
    prune_below: float = PRUNE_BELOW,
) -> Fitted:
    """A logistic regression over signals and scaled n-gram buckets (L2, liblinear)."""
    columns = sorted({b for example in examples for b in example.buckets})
    column_of = {bucket: index for index, bucket in enumerate(columns)}
    matrix = _matrix(examples, column_of)
    labels = np.array([int(example.item.relevant) for example in examples])
    if len(set(labels.tolist())) < 2:
        raise ValueError("training needs both relevant and irrelevant items")
    regression = LogisticRegression(
        C=c, solver="liblinear", random_state=seed, intercept_scaling=10.0, max_iter=1000
    )
    regression.fit(matrix, labels)
    weights = regression.coef_[0]
    width = len(examples[0].signals.values)
    ngram_weights = {}
    for bucket, index in column_of.items():
        weight = round(float(weights[width + index]), DIGITS)
        if weight and abs(weight) >= prune_below:
            ngram_weights[bucket] = weight
    return Fitted(
        bias=round(float(regression.intercept_[0]), DIGITS),
        signal_weights=tuple(round(float(w), DIGITS) for w in weights[:width]),
        ngram_weights=ngram_weights,
        training_probabilities=tuple(float(p) for p in regression.predict_proba(matrix)[:, 1]),
    )


def fit_category(
    examples: Sequence[Example],
    categories: Sequence[str],
    c: float = CATEGORY_C,
    seed: int = SEED,
    *,
    prune_below: float = PRUNE_BELOW,
) -> CategoryModel | None:
    """A multinomial logistic regression of the relevant examples' labeled categories over
    the same matrix as ``fit`` (None when fewer than two categories are labeled)."""
    relevant = [e for e in examples if e.item.relevant and e.item.category in categories]
    classes = sorted({e.item.category for e in relevant if e.item.category})
    if len(classes) < 2:
        return None
    columns = sorted({b for example in relevant for b in example.buckets})
    column_of = {bucket: index for index, bucket in enumerate(columns)}
    regression = LogisticRegression(C=c, max_iter=5000, random_state=seed)
    regression.fit(_matrix(relevant, column_of), [e.item.category for e in relevant])
    order = [list(regression.classes_).index(name) for name in classes]
    weights = regression.coef_[order]  # [class][column]
    width = len(relevant[0].signals.values)
    grams = {}
    for bucket, index in column_of.items():
        row = tuple(round(float(w), DIGITS) for w in weights[:, width + index])
        if max(abs(w) for w in row) >= prune_below:
            grams[bucket] = row
    return CategoryModel(
        classes=tuple(classes),
        biases=tuple(round(float(b), DIGITS) for b in regression.intercept_[order]),
        signal_weights=tuple(
            tuple(round(float(w), DIGITS) for w in weights[:, col]) for col in range(width)
        ),
        ngram_weights=grams,
    )


def learned_category_of(model: CategoryModel | None, example: Example, rules_category: str) -> str:
    """The category a prepared example gets once the category opinion has had its say."""
    if model is None:
        return rules_category
    probabilities = category_probabilities(model, example.buckets, example.signals.values)
    return choose_category(rules_category, probabilities, model.override_above)[0]


def _matrix(examples: Sequence[Example], column_of: dict[int, int]) -> csr_matrix:
    width = len(examples[0].signals.values)
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for row, example in enumerate(examples):
        for col, value in enumerate(example.signals.values):
            if value:
                rows.append(row)
                cols.append(col)
                values.append(value)
        known = [column_of[b] for b in example.buckets if b in column_of]
        if example.buckets:
            scale = 1.0 / math.sqrt(len(example.buckets))
            for col in known:
                rows.append(row)
                cols.append(width + col)
                values.append(scale)
    return csr_matrix((values, (rows, cols)), shape=(len(examples), width + len(column_of)))


def probability(fitted: Fitted, example: Example) -> float:
    """The fitted model's probability for one prepared example (the same sum as inference)."""
    z = fitted.bias + sum(
        w * v for w, v in zip(fitted.signal_weights, example.signals.values, strict=True)
    )
    if example.buckets:
        get = fitted.ngram_weights.get
        z += sum(get(b, 0.0) for b in example.buckets) / math.sqrt(len(example.buckets))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def folds(examples: Sequence[Example], n: int = FOLDS, seed: int = SEED) -> list[list[int]]:
    """Test indices of each fold: stratified by label, never splitting a group."""
    splitter = StratifiedGroupKFold(n_splits=n, shuffle=True, random_state=seed)
    labels = [int(e.item.relevant) for e in examples]
    groups = [e.group for e in examples]
    placeholder = np.zeros((len(examples), 1))
    return [test.tolist() for _, test in splitter.split(placeholder, labels, groups)]


def out_of_fold(
    examples: Sequence[Example], c: float = C, seed: int = SEED, n: int = FOLDS
) -> list[float]:
    """Each example's probability from a model fitted without its fold."""
    probabilities = [0.0] * len(examples)
    for test in folds(examples, n, seed):
        held = set(test)
        fitted = fit([e for i, e in enumerate(examples) if i not in held], c, seed)
        for i in test:
            probabilities[i] = probability(fitted, examples[i])
    return probabilities


def calibrate_veto(
    examples: Sequence[Example], probabilities: Sequence[float], beta: float = BETA
) -> float:
    """The veto threshold with the best F-beta over these examples (lowest on a tie)."""
    best, best_f1 = THRESHOLDS[0], -1.0
    for threshold in THRESHOLDS:
        policy = Policy(veto_below=threshold)
        predicted = [
            decides(policy, e.signals.rules_relevant, False, p)
            for e, p in zip(examples, probabilities, strict=True)
        ]
        score = _f_beta(_counts(examples, predicted), beta)
        if score > best_f1 + 1e-12:
            best, best_f1 = threshold, score
    return best


def calibrate_rescue(
    examples: Sequence[Example],
    probabilities: Sequence[float],
    thresholds: Sequence[float] = RESCUE_THRESHOLDS,
) -> float:
    """The rescue threshold with the best F1 over these examples among those whose precision
    is not below the rules' alone (the highest on a tie: the fewest rescues). When none
    qualifies, the highest threshold (a rescue that barely fires)."""
    rules = _counts(examples, [e.signals.rules_relevant for e in examples])
    best, best_f1 = thresholds[-1], -1.0
    for threshold in sorted(thresholds, reverse=True):
        policy = Policy(veto=False, rescue=True, rescue_above=threshold)
        predicted = [
            decides(policy, e.signals.rules_relevant, e.signals.gates_open, p)
            for e, p in zip(examples, probabilities, strict=True)
        ]
        counts = _counts(examples, predicted)
        if _precision(counts) + 1e-12 < _precision(rules):
            continue
        f1 = _f_beta(counts, 1.0)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = threshold, f1
    return best


def _counts(examples: Sequence[Example], predicted: Sequence[bool]) -> tuple[int, int, int]:
    tp = sum(p and e.item.relevant for e, p in zip(examples, predicted, strict=True))
    fp = sum(p and not e.item.relevant for e, p in zip(examples, predicted, strict=True))
    fn = sum(e.item.relevant and not p for e, p in zip(examples, predicted, strict=True))
    return tp, fp, fn


def _precision(counts: tuple[int, int, int]) -> float:
    tp, fp, _ = counts
    return tp / (tp + fp) if tp + fp else 0.0


def _f_beta(counts: tuple[int, int, int], beta: float) -> float:
    tp, fp, fn = counts
    b2 = beta * beta
    return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp + fp + fn else 0.0


def train_model(
    topic: Topic,
    topic_path: Path,
    examples: Sequence[Example],
    sources: Sequence[str],
    *,
    scheme: NgramScheme,
    c: float = C,
    seed: int = SEED,
) -> LinearModel:
    """The shipped model: fitted on every example, veto calibrated out of fold."""
    probabilities = out_of_fold(examples, c, seed)
    veto_below = calibrate_veto(examples, probabilities)
    rescue_above = calibrate_rescue(examples, probabilities)
    fitted = fit(examples, c, seed)
    category = fit_category(examples, topic.categories.names, seed=seed)
    return LinearModel(
        topic_id=topic.topic_id,
        scheme=scheme,
        signal_names=signal_names(topic),
        signal_weights=fitted.signal_weights,
        ngram_weights=fitted.ngram_weights,
        bias=fitted.bias,
        policy=Policy(veto_below=veto_below, rescue_above=rescue_above),
        topic_sha256=file_sha256(topic_path),
        trained_on={
            "files": list(sources),
            "items": len(examples),
            "relevant": sum(e.item.relevant for e in examples),
            "seed": seed,
            "C": c,
            "folds": FOLDS,
            "beta": BETA,
            "category_C": CATEGORY_C,
        },
        category=category,
    )


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Out-of-fold verdicts of the rules alone (``rules``) and of the rules with the
    model's opinions, per setting of MONITOR_CLASSIFIER_MODEL (``settings``: ``on``, the
    veto with the category opinion; ``rescue``, the rescue with it; ``all``, the three);
    each fold's calibrated thresholds; each example's out-of-fold probability (for the
    curve)."""

    rules: list[Outcome]
    settings: dict[str, list[Outcome]]
    veto_thresholds: list[float]
    rescue_thresholds: list[float]
    probabilities: dict[int, float] = field(default_factory=dict)


def cross_validate(
    examples: Sequence[Example],
    rule_verdict: Callable[[LabeledItem], Verdict],
    c: float = C,
    seed: int = SEED,
    categories: Sequence[str] = (),
    *,
    rules_category: Callable[[LabeledItem], str] | None = None,
    baseline: Callable[[LabeledItem], bool] | None = None,
) -> CrossValidation:
    """Grouped ``FOLDS``-fold cross-validation; the veto and rescue thresholds of each fold
    are calibrated by an inner cross-validation on that fold's training part only. With
    ``categories``, the model's verdicts also carry its category opinion (fitted per
    fold); ``rules_category`` gives the rules' category of a story they rejected (what a
    rescued story gets before the category opinion). The rules are in-sample on the dev
    pool they were written from, so their category here flatters them; a blind set is the
    fair comparison. ``baseline`` fills each outcome's co-occurrence verdict."""
    rules: list[Outcome] = []
    settings: dict[str, list[Outcome]] = {"on": [], "rescue": [], "all": []}
    thresholds: list[float] = []
    rescue_thresholds: list[float] = []
    probabilities: dict[int, float] = {}
    for test in folds(examples, FOLDS, seed):
        held = set(test)
        training = [e for i, e in enumerate(examples) if i not in held]
        inner = out_of_fold(training, c, seed)
        threshold = calibrate_veto(training, inner)
        rescue_above = calibrate_rescue(training, inner)
        thresholds.append(threshold)
        rescue_thresholds.append(rescue_above)
        fitted = fit(training, c, seed)
        category = fit_category(training, categories, seed=seed) if categories else None
        policies = {
            "on": Policy(veto_below=threshold),
            "rescue": Policy(veto=False, rescue=True, rescue_above=rescue_above),
            "all": Policy(veto_below=threshold, rescue=True, rescue_above=rescue_above),
        }
        for i in test:
            example = examples[i]
            verdict = rule_verdict(example.item)
            base = baseline(example.item) if baseline else False
            rules.append(Outcome(example.item, verdict, base))
            p = probability(fitted, example)
            probabilities[i] = p
            for name, policy in policies.items():
                relevant = decides(policy, verdict.relevant, example.signals.gates_open, p)
                settings[name].append(
                    Outcome(
                        example.item,
                        _verdict_of(verdict, relevant, example, category, rules_category),
                        base,
                    )
                )
    return CrossValidation(rules, settings, thresholds, rescue_thresholds, probabilities)


def _verdict_of(
    rules: Verdict,
    relevant: bool,
    example: Example,
    category: CategoryModel | None,
    rules_category: Callable[[LabeledItem], str] | None,
) -> Verdict:
    """The verdict once the model decided relevance: a vetoed story loses its category and
    countries; a rescued one gets the rules' category for it (then the category opinion's)."""
    if not relevant:
        return Verdict(False, None, ())
    if rules.relevant:
        chosen = rules.category
    else:
        chosen = rules_category(example.item) if rules_category else None
    if chosen:
        chosen = learned_category_of(category, example, chosen)
    return Verdict(True, chosen, rules.countries)
