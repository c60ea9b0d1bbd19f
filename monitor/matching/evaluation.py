"""Score the classifier (and the co-occurrence baseline) against labeled items.

``judge`` classifies one item (the only step that needs the topic); everything after is
pure over plain data: ``build_report`` turns the outcomes into an :class:`EvalReport`,
which ``eval_report`` renders as text or JSON and ``commands.evaluate`` feeds from a file.
Figures, overall and per language (whatever languages the file holds):

* relevance precision, recall and F1, beside the baseline's;
* category accuracy, countries exact-set rate and countries micro precision/recall over
  country codes, all on the items both labeled and predicted relevant (true positives);
* percentile-bootstrap confidence intervals over items for P, R, F1, category and
  countries exact (``bootstrap``);
* a category confusion matrix, labeled × predicted, with "not relevant" as a category;
* the same again without the items whose note flags them AMBIGUOUS or Borderline;
* the misclassified items, for studying a dev set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from monitor.matching.baseline import cooccurrence_baseline
from monitor.matching.bootstrap import (
    BootstrapPlan,
    Interval,
    percentile_interval,
    resample_counts,
)
from monitor.matching.classifier import classify
from monitor.matching.model.linear import LinearModel
from monitor.matching.topic import Topic

OVERALL = "all"
LANGUAGE_ORDER = ("en", "es", "pt", "uk", "ru")  # shown first; others follow alphabetically
NO_LANGUAGE = "none"  # the group of items without a lang
NOT_RELEVANT = "not relevant"
NO_CATEGORY = "(none)"  # a relevant label or verdict without a category
FLAG_WORDS = ("ambiguous", "borderline")  # in any case: labelers write both

Metric = Literal[
    "precision",
    "recall",
    "f1",
    "category_accuracy",
    "countries_exact",
    "countries_precision",
    "countries_recall",
]
INTERVAL_METRICS: tuple[Metric, ...] = (
    "precision",
    "recall",
    "f1",
    "category_accuracy",
    "countries_exact",
)


@dataclass(frozen=True, slots=True)
class LabeledItem:
    """One item of a labeled set (the dev-set format)."""

    item_id: str
    lang: str
    title: str
    text: str
    relevant: bool
    category: str | None
    countries: tuple[str, ...]
    flagged: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LabeledItem:
        note = str(data.get("note") or "")
        return cls(
            item_id=str(data["id"]),
            lang=str(data.get("lang") or ""),
            title=str(data["title"]),
            text=str(data["text"]),
            relevant=bool(data["relevant"]),
            category=data.get("category"),
            countries=tuple(data.get("countries") or ()),
            flagged=any(word in note.lower() for word in FLAG_WORDS),
        )

    @property
    def verdict(self) -> Verdict:
        return Verdict(self.relevant, self.category, self.countries)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a label or a prediction says of one item."""

    relevant: bool
    category: str | None
    countries: tuple[str, ...]

    @property
    def cell(self) -> str:
        """Its row or column in the confusion matrix."""
        if not self.relevant:
            return NOT_RELEVANT
        return self.category or NO_CATEGORY

    def __str__(self) -> str:
        if not self.relevant:
            return NOT_RELEVANT
        return f"{self.category} [{' '.join(self.countries) or '-'}]"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One labeled item with the classifier's and the baseline's verdicts on it."""

    item: LabeledItem
    predicted: Verdict
    baseline: bool


def judge(topic: Topic, item: LabeledItem, model: LinearModel | None = None) -> Outcome:
    """Run the classifier (with ``model``'s veto when given) and the baseline on one item."""
    result = classify(topic, item.title, item.text, item.lang or None, model=model)
    return Outcome(
        item=item,
        predicted=Verdict(result.relevant, result.category, result.countries),
        baseline=cooccurrence_baseline(topic, item.title, item.text),
    )


@dataclass(frozen=True, slots=True)
class Scores:
    """Counts over some items; every figure is a ratio of two of them (``fraction``).

    Category and countries are judged on true positives only. A figure whose denominator
    is zero reads 0.0 from its property (as the report prints it) and None from ``value``
    (as the bootstrap needs it).
    """

    n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    category_correct: int = 0
    countries_correct: int = 0
    countries_shared: int = 0  # codes both labeled and predicted, summed over true positives
    countries_predicted: int = 0
    countries_labeled: int = 0

    @classmethod
    def of(cls, labeled: Verdict, predicted: Verdict) -> Scores:
        """The counts of one item."""
        tp = labeled.relevant and predicted.relevant
        gold, guess = set(labeled.countries), set(predicted.countries)
        return cls(
            n=1,
            tp=int(tp),
            fp=int(predicted.relevant and not labeled.relevant),
            fn=int(labeled.relevant and not predicted.relevant),
            category_correct=int(tp and predicted.category == labeled.category),
            countries_correct=int(tp and guess == gold),
            countries_shared=len(gold & guess) if tp else 0,
            countries_predicted=len(guess) if tp else 0,
            countries_labeled=len(gold) if tp else 0,
        )

    @classmethod
    def total(cls, counts: Mapping[Scores, int]) -> Scores:
        """The sum of each Scores times its count (a resample, or a plain list)."""
        sums = [0] * 9
        for scores, times in counts.items():
            for position, value in enumerate(scores.vector()):
                sums[position] += value * times
        return cls(*sums)

    def vector(self) -> tuple[int, ...]:
        return (
            self.n,
            self.tp,
            self.fp,
            self.fn,
            self.category_correct,
            self.countries_correct,
            self.countries_shared,
            self.countries_predicted,
            self.countries_labeled,
        )

    def fraction(self, metric: Metric) -> tuple[int, int]:
        """Numerator and denominator of a figure: the one rule for each."""
        match metric:
            case "precision":
                return self.tp, self.tp + self.fp
            case "recall":
                return self.tp, self.tp + self.fn
            case "f1":  # = 2PR/(P+R)
                return 2 * self.tp, 2 * self.tp + self.fp + self.fn
            case "category_accuracy":
                return self.category_correct, self.tp
            case "countries_exact":
                return self.countries_correct, self.tp
            case "countries_precision":
                return self.countries_shared, self.countries_predicted
            case "countries_recall":
                return self.countries_shared, self.countries_labeled

    def value(self, metric: Metric) -> float | None:
        numerator, denominator = self.fraction(metric)
        return numerator / denominator if denominator else None

    @property
    def relevant(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.value("precision") or 0.0

    @property
    def recall(self) -> float:
        return self.value("recall") or 0.0

    @property
    def f1(self) -> float:
        return self.value("f1") or 0.0

    @property
    def category_accuracy(self) -> float:
        return self.value("category_accuracy") or 0.0

    @property
    def countries_exact(self) -> float:
        return self.value("countries_exact") or 0.0

    @property
    def countries_precision(self) -> float:
        return self.value("countries_precision") or 0.0

    @property
    def countries_recall(self) -> float:
        return self.value("countries_recall") or 0.0


def bootstrap_intervals(
    items: Sequence[Scores], plan: BootstrapPlan
) -> dict[Metric, Interval | None]:
    """Percentile-bootstrap intervals over items for each of ``INTERVAL_METRICS``.

    A resample where a figure is undefined (no relevant item drawn, say) is left out of
    that figure's interval; ``Interval.defined`` says how many counted.
    """
    values: dict[Metric, list[float]] = {metric: [] for metric in INTERVAL_METRICS}
    for counts in resample_counts(items, plan):
        total = Scores.total(counts)
        for metric in INTERVAL_METRICS:
            value = total.value(metric)
            if value is not None:
                values[metric].append(value)
    return {metric: percentile_interval(values[metric], plan.level) for metric in values}


@dataclass(frozen=True, slots=True)
class Confusion:
    """Labeled (rows) × predicted (columns) category counts; "not relevant" is a category."""

    labels: tuple[str, ...]
    counts: Mapping[tuple[str, str], int]

    def count(self, labeled: str, predicted: str) -> int:
        return self.counts.get((labeled, predicted), 0)


def confusion_matrix(pairs: Iterable[tuple[str, str]]) -> Confusion:
    """Count (labeled, predicted) pairs; labels sorted, with "not relevant" last."""
    counts: dict[tuple[str, str], int] = {}
    for pair in pairs:
        counts[pair] = counts.get(pair, 0) + 1
    seen = {label for pair in counts for label in pair}
    labels = sorted(seen - {NOT_RELEVANT}) + ([NOT_RELEVANT] if NOT_RELEVANT in seen else [])
    return Confusion(labels=tuple(labels), counts=counts)


def language_groups(languages: Iterable[str]) -> tuple[str, ...]:
    """The groups of a report: overall first, then the known languages, then the rest."""
    present = {lang or NO_LANGUAGE for lang in languages}
    known = [lang for lang in LANGUAGE_ORDER if lang in present]
    return (OVERALL, *known, *sorted(present - set(known)))


@dataclass(frozen=True, slots=True)
class Figures:
    """Every figure of one set of items: per group (``OVERALL`` and each language)."""

    groups: tuple[str, ...]
    classifier: Mapping[str, Scores]
    baseline: Mapping[str, Scores]
    intervals: Mapping[str, Mapping[Metric, Interval | None]]
    confusion: Confusion


def figures(outcomes: Sequence[Outcome], plan: BootstrapPlan) -> Figures:
    """Scores, intervals and the confusion matrix of these outcomes."""
    groups = language_groups(outcome.item.lang for outcome in outcomes)
    members: dict[str, list[Outcome]] = {group: [] for group in groups}
    for outcome in outcomes:
        members[OVERALL].append(outcome)
        members[outcome.item.lang or NO_LANGUAGE].append(outcome)
    classifier: dict[str, Scores] = {}
    baseline: dict[str, Scores] = {}
    intervals: dict[str, Mapping[Metric, Interval | None]] = {}
    for group, chosen in members.items():
        per_item = [Scores.of(o.item.verdict, o.predicted) for o in chosen]
        classifier[group] = Scores.total(_counted(per_item))
        baseline[group] = Scores.total(
            _counted([Scores.of(o.item.verdict, Verdict(o.baseline, None, ())) for o in chosen])
        )
        intervals[group] = bootstrap_intervals(per_item, plan)
    return Figures(
        groups=groups,
        classifier=classifier,
        baseline=baseline,
        intervals=intervals,
        confusion=confusion_matrix((o.item.verdict.cell, o.predicted.cell) for o in outcomes),
    )


def _counted(items: Iterable[Scores]) -> dict[Scores, int]:
    counts: dict[Scores, int] = {}
    for scores in items:
        counts[scores] = counts.get(scores, 0) + 1
    return counts


@dataclass(frozen=True, slots=True)
class Mistake:
    """An item the classifier got wrong in relevance, category or countries."""

    item_id: str
    lang: str
    title: str
    flagged: bool
    problems: tuple[str, ...]
    labeled: Verdict
    predicted: Verdict

    @property
    def expected(self) -> str:
        return str(self.labeled)

    @property
    def got(self) -> str:
        return str(self.predicted)


def mistake(outcome: Outcome) -> Mistake | None:
    """What the classifier got wrong on one item, if anything."""
    item, predicted = outcome.item, outcome.predicted
    problems: list[str] = []
    if predicted.relevant != item.relevant:
        problems.append("relevance")
    elif item.relevant:
        if predicted.category != item.category:
            problems.append("category")
        if set(predicted.countries) != set(item.countries):
            problems.append("countries")
    if not problems:
        return None
    return Mistake(
        item_id=item.item_id,
        lang=item.lang,
        title=item.title,
        flagged=item.flagged,
        problems=tuple(problems),
        labeled=item.verdict,
        predicted=predicted,
    )


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Everything ``monitor eval`` prints: all items, the unflagged ones, the mistakes."""

    source: str
    everything: Figures
    unflagged: Figures
    mistakes: tuple[Mistake, ...]
    flagged: int
    plan: BootstrapPlan = field(default_factory=BootstrapPlan)

    @property
    def classifier(self) -> Mapping[str, Scores]:
        return self.everything.classifier

    @property
    def baseline(self) -> Mapping[str, Scores]:
        return self.everything.baseline

    @property
    def classifier_unflagged(self) -> Mapping[str, Scores]:
        return self.unflagged.classifier

    @property
    def baseline_unflagged(self) -> Mapping[str, Scores]:
        return self.unflagged.baseline


def build_report(
    outcomes: Sequence[Outcome], source: str = "", plan: BootstrapPlan | None = None
) -> EvalReport:
    """The report of judged items (pure: no topic, no file)."""
    plan = plan or BootstrapPlan()
    return EvalReport(
        source=source,
        everything=figures(outcomes, plan),
        unflagged=figures([o for o in outcomes if not o.item.flagged], plan),
        mistakes=tuple(m for m in map(mistake, outcomes) if m is not None),
        flagged=sum(o.item.flagged for o in outcomes),
        plan=plan,
    )


def evaluate_items(
    topic: Topic,
    items: Iterable[LabeledItem],
    source: str = "",
    plan: BootstrapPlan | None = None,
    *,
    model: LinearModel | None = None,
) -> EvalReport:
    """Classify every item and compare with its labels."""
    return build_report([judge(topic, item, model) for item in items], source, plan)
