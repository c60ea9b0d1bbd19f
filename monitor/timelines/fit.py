"""Fit the precision filter and measure it by grouped cross-validation (scikit-learn).

Only ``monitor eval timeline … --cv`` / ``--fit`` import this module (the ``train`` or
``dev`` extra); the extractor's inference is plain Python (``precision.py``).

Honesty: the threshold is chosen *inside* each training fold (an inner grouped
cross-validation), then applied to the held-out fold, so the reported precision and recall
are those of stories the model and its threshold never saw. Folds keep near-duplicate
stories together (``monitor.matching.model.groups``). Recall counts every gold entry,
also those the rules never proposed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.matching.classifier import classify
from monitor.matching.model.groups import GroupInput, near_duplicate_groups
from monitor.matching.topic import Topic
from monitor.timelines.cues import TimelineCues
from monitor.timelines.extract import extract_candidates
from monitor.timelines.features import feature_names
from monitor.timelines.gold import GoldStory
from monitor.timelines.model import StoryText
from monitor.timelines.precision import PrecisionFilter

FOLDS = 5
TARGET = 0.9  # the entry precision the threshold is chosen for
AIM = TARGET  # what the inner folds aim at
MIN_KEEP = 0.4  # when no threshold reaches AIM: the most precise keeping this share or more
REGULARISATION = 0.2  # scikit-learn's C (inverse L2 strength; 0.05–2 measured, 0.2 best)
SEED = 19  # the number, as in the gold's split


@dataclass(frozen=True, slots=True)
class Labeled:
    """One candidate of one gold story, its features and whether the gold holds it."""

    story: int  # index of the story in the gold
    right: bool
    features: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Out-of-fold results: the rules alone, and the rules with the filter."""

    gold_entries: int
    candidates: int
    right_candidates: int
    kept: int
    right_kept: int
    thresholds: tuple[float, ...]  # the one each outer fold chose on its training part
    curve: tuple[tuple[float, int, int], ...]  # pooled out-of-fold (threshold, kept, right)
    # by gold split: (gold entries, candidates, right candidates, kept, right kept)
    by_split: tuple[tuple[str, int, int, int, int, int], ...] = ()

    def report(self) -> str:
        before_p = _rate(self.right_candidates, self.candidates)
        after_p = _rate(self.right_kept, self.kept)
        lines = [
            f"grouped {FOLDS}-fold cross-validation, threshold chosen inside each training "
            f"part for precision >= {TARGET} (aiming at {AIM})",
            f"rules + check:      P {before_p:.3f}  R {_rate(self.right_candidates, self.gold_entries):.3f}"
            f"  ({self.right_candidates}/{self.candidates}/{self.gold_entries} right/made/gold)",
            f"rules + filter:     P {after_p:.3f}  R {_rate(self.right_kept, self.gold_entries):.3f}"
            f"  ({self.right_kept}/{self.kept}/{self.gold_entries} right/made/gold)",
            "fold thresholds:    " + ", ".join(f"{t:.2f}" for t in self.thresholds),
            "by split (rules + check P R -> rules + filter P R):",
            *(
                f"  {name:<6} {_rate(rc, c):.3f} {_rate(rc, g):.3f} -> {_rate(rk, k):.3f} "
                f"{_rate(rk, g):.3f}  ({rk}/{k}/{g} right/made/gold)"
                for name, g, c, rc, k, rk in self.by_split
            ),
            "pooled out-of-fold probabilities (threshold: P R kept):",
        ]
        lines += [
            f"  {t:.2f}: {_rate(right, kept):.3f} {_rate(right, self.gold_entries):.3f} {kept}"
            for t, kept, right in self.curve
        ]
        return "\n".join(lines)


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def label_candidates(topic: Topic, cues: TimelineCues, gold: Sequence[GoldStory]) -> list[Labeled]:
    """Every candidate the rules propose for the gold stories and the tense-and-negation
    check keeps, labeled by the gold."""
    rows: list[Labeled] = []
    names = feature_names()
    for index, story in enumerate(gold):
        verdict = classify(topic, story.title, story.text, story.lang)
        text = StoryText(story.story_id, story.title, story.text, story.date)
        candidates, _ = extract_candidates(cues, text, verdict)
        for candidate in candidates:
            if not candidate.done:
                continue  # the explicit check drops it before the filter
            entry = candidate.entry
            if story.countries is not None and entry.country not in story.countries:
                continue
            right = (entry.country, entry.kind, entry.value) in story.entries
            rows.append(Labeled(index, right, tuple(candidate.features[n] for n in names)))
    return rows


def story_folds(gold: Sequence[GoldStory], folds: int = FOLDS) -> list[int]:
    """A fold per story; near-duplicate stories share one (dealt round-robin by group,
    in an order fixed by ``SEED``)."""
    import random

    groups = near_duplicate_groups([GroupInput(s.title, s.text) for s in gold])
    order = sorted(set(groups))
    random.Random(SEED).shuffle(order)
    fold_of_group = {group: n % folds for n, group in enumerate(order)}
    return [fold_of_group[g] for g in groups]


def fit_filter(rows: Sequence[Labeled], keep_above: float) -> PrecisionFilter:
    """A standardised L2 logistic regression over ``rows``."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([row.features for row in rows], dtype=float)
    y = np.array([row.right for row in rows], dtype=int)
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    if len(set(y.tolist())) < 2:  # one class (a small fold): a constant, the class's rate
        rate = min(max(float(y.mean()) if len(y) else 0.5, 0.01), 0.99)
        return PrecisionFilter(
            names=feature_names(),
            means=tuple(round(float(v), 6) for v in means),
            scales=tuple(round(float(v), 6) for v in scales),
            weights=tuple(0.0 for _ in feature_names()),
            bias=round(math.log(rate / (1 - rate)), 6),
            keep_above=keep_above,
        )
    model = LogisticRegression(C=REGULARISATION, max_iter=2000)
    model.fit((x - means) / scales, y)
    return PrecisionFilter(
        names=feature_names(),
        means=tuple(round(float(v), 6) for v in means),
        scales=tuple(round(float(v), 6) for v in scales),
        weights=tuple(round(float(v), 6) for v in model.coef_[0]),
        bias=round(float(model.intercept_[0]), 6),
        keep_above=keep_above,
    )


def choose_threshold(scored: Sequence[tuple[float, bool]], aim: float = AIM) -> float:
    """The lowest probability whose kept set (all at or above it) reaches precision
    ``aim``, so recall is the highest that precision allows. When none does, the most
    precise threshold that keeps at least ``MIN_KEEP`` of the candidates (ties: the
    lower); 1.0 when there is nothing to score."""
    ranked = sorted(scored, key=lambda item: -item[0])
    reaching: float | None = None
    fallback, fallback_precision = 1.0, -1.0
    right = 0
    for kept, (probability, is_right) in enumerate(ranked, 1):
        right += is_right
        if kept < len(ranked) and ranked[kept][0] == probability:
            continue  # a threshold keeps all of a tie or none of it
        if right / kept >= aim:
            reaching = probability
        if kept >= MIN_KEEP * len(ranked) and right / kept >= fallback_precision:
            fallback, fallback_precision = probability, right / kept
    return reaching if reaching is not None else fallback


def _out_of_fold(rows: Sequence[Labeled], fold_of_row: Sequence[int], folds: int) -> list[float]:
    probabilities = [0.0] * len(rows)
    for fold in range(folds):
        train = [row for row, f in zip(rows, fold_of_row, strict=True) if f != fold]
        model = fit_filter(train, 0.5)
        for i, row in enumerate(rows):
            if fold_of_row[i] == fold:
                probabilities[i] = model.probability(
                    dict(zip(model.names, row.features, strict=True))
                )
    return probabilities


def cross_validate(
    rows: Sequence[Labeled], gold: Sequence[GoldStory], folds: int = FOLDS
) -> CrossValidation:
    """Nested grouped cross-validation of the filter and its threshold."""
    fold_of_story = story_folds(gold, folds)
    fold_of_row = [fold_of_story[row.story] for row in rows]
    outer = _out_of_fold(rows, fold_of_row, folds)
    thresholds = []
    kept = right_kept = 0
    kept_rows = [False] * len(rows)
    for fold in range(folds):
        inside = [i for i, f in enumerate(fold_of_row) if f != fold]
        inner_rows = [rows[i] for i in inside]
        inner_folds = [fold_of_row[i] for i in inside]
        # the training part's own folds (the other four) give its out-of-fold scores
        renumber = {f: n for n, f in enumerate(sorted(set(inner_folds)))}
        inner = _out_of_fold(inner_rows, [renumber[f] for f in inner_folds], len(renumber))
        threshold = choose_threshold(list(zip(inner, [r.right for r in inner_rows], strict=True)))
        thresholds.append(threshold)
        for i, f in enumerate(fold_of_row):
            if f == fold and outer[i] >= threshold:
                kept += 1
                right_kept += rows[i].right
                kept_rows[i] = True
    curve = []
    for step in range(1, 20):
        t = step / 20
        chosen = [row.right for row, p in zip(rows, outer, strict=True) if p >= t]
        curve.append((t, len(chosen), sum(chosen)))
    by_split = []
    for name in sorted({s.split for s in gold}):
        mine = [i for i, row in enumerate(rows) if gold[row.story].split == name]
        by_split.append(
            (
                name,
                sum(len(s.entries) for s in gold if s.split == name),
                len(mine),
                sum(rows[i].right for i in mine),
                sum(kept_rows[i] for i in mine),
                sum(rows[i].right for i in mine if kept_rows[i]),
            )
        )
    return CrossValidation(
        by_split=tuple(by_split),
        gold_entries=sum(len(s.entries) for s in gold),
        candidates=len(rows),
        right_candidates=sum(row.right for row in rows),
        kept=kept,
        right_kept=right_kept,
        thresholds=tuple(thresholds),
        curve=tuple(curve),
    )


def threshold_for_all(rows: Sequence[Labeled], gold: Sequence[GoldStory]) -> float:
    """The threshold the shipped filter uses: chosen on all stories' out-of-fold scores."""
    fold_of_story = story_folds(gold)
    fold_of_row = [fold_of_story[row.story] for row in rows]
    scores = _out_of_fold(rows, fold_of_row, FOLDS)
    return choose_threshold(list(zip(scores, [r.right for r in rows], strict=True)))
