"""Score the classifier (and the co-occurrence baseline) against labeled items.

Pure: takes parsed items, returns an :class:`EvalReport`; ``commands.evaluate`` reads
the file. Metrics, per language and overall:

* relevance precision, recall and F1;
* category accuracy on true positives;
* countries exact-match rate on true positives (as sets: order is not judged);
* the same again without the items whose note flags them AMBIGUOUS or Borderline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from monitor.matching.baseline import cooccurrence_baseline
from monitor.matching.classifier import classify
from monitor.matching.topic import Topic
from monitor.models import Classification

LANGUAGES = ("en", "es", "pt", "uk", "ru")
GROUPS = ("all", *LANGUAGES)
FLAG_WORDS = ("AMBIGUOUS", "Borderline")


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
            flagged=any(word in note for word in FLAG_WORDS),
        )


@dataclass(frozen=True, slots=True)
class Scores:
    """Confusion counts and, for the classifier, category/country agreement on TPs."""

    n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    category_correct: int = 0
    countries_correct: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def category_accuracy(self) -> float:
        return self.category_correct / self.tp if self.tp else 0.0

    @property
    def countries_exact(self) -> float:
        return self.countries_correct / self.tp if self.tp else 0.0

    def add(self, expected: bool, got: bool, category_ok: bool, countries_ok: bool) -> Scores:
        tp = expected and got
        return Scores(
            n=self.n + 1,
            tp=self.tp + tp,
            fp=self.fp + (got and not expected),
            fn=self.fn + (expected and not got),
            category_correct=self.category_correct + (tp and category_ok),
            countries_correct=self.countries_correct + (tp and countries_ok),
        )


@dataclass(frozen=True, slots=True)
class Mistake:
    """An item the classifier got wrong in relevance, category or countries."""

    item_id: str
    lang: str
    title: str
    flagged: bool
    problems: tuple[str, ...]
    expected: str
    got: str


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Everything ``monitor eval`` prints."""

    source: str
    classifier: Mapping[str, Scores]
    baseline: Mapping[str, Scores]
    classifier_unflagged: Mapping[str, Scores]
    baseline_unflagged: Mapping[str, Scores]
    mistakes: tuple[Mistake, ...]
    flagged: int


def evaluate_items(topic: Topic, items: Iterable[LabeledItem], source: str = "") -> EvalReport:
    """Classify every item and compare with its labels."""
    tables: dict[str, dict[str, Scores]] = {
        name: dict.fromkeys(GROUPS, Scores())
        for name in ("classifier", "baseline", "classifier_unflagged", "baseline_unflagged")
    }
    mistakes: list[Mistake] = []
    flagged = 0
    for item in items:
        result = classify(topic, item.title, item.text, item.lang or None)
        baseline = cooccurrence_baseline(topic, item.title, item.text)
        category_ok = result.category == item.category
        countries_ok = set(result.countries) == set(item.countries)
        groups = ["all"] + ([item.lang] if item.lang in LANGUAGES else [])
        flagged += item.flagged
        for group in groups:
            for name, got, cat_ok, ctry_ok in (
                ("classifier", result.relevant, category_ok, countries_ok),
                ("baseline", baseline, False, False),
            ):
                for suffix in ("", "_unflagged"):
                    if suffix and item.flagged:
                        continue
                    table = tables[name + suffix]
                    table[group] = table[group].add(item.relevant, got, cat_ok, ctry_ok)
        mistake = _mistake(item, result, category_ok, countries_ok)
        if mistake:
            mistakes.append(mistake)
    return EvalReport(
        source=source,
        classifier=tables["classifier"],
        baseline=tables["baseline"],
        classifier_unflagged=tables["classifier_unflagged"],
        baseline_unflagged=tables["baseline_unflagged"],
        mistakes=tuple(mistakes),
        flagged=flagged,
    )


def _mistake(
    item: LabeledItem, result: Classification, category_ok: bool, countries_ok: bool
) -> Mistake | None:
    problems: list[str] = []
    if result.relevant != item.relevant:
        problems.append("relevance")
    elif item.relevant:
        if not category_ok:
            problems.append("category")
        if not countries_ok:
            problems.append("countries")
    if not problems:
        return None
    return Mistake(
        item_id=item.item_id,
        lang=item.lang,
        title=item.title,
        flagged=item.flagged,
        problems=tuple(problems),
        expected=_verdict(item.relevant, item.category, item.countries),
        got=_verdict(result.relevant, result.category, result.countries),
    )


def _verdict(relevant: bool, category: str | None, countries: tuple[str, ...]) -> str:
    if not relevant:
        return "not relevant"
    return f"{category} [{' '.join(countries) or '-'}]"


def format_report(report: EvalReport) -> str:
    """A plain-text report: the classifier beside the baseline, then the mistakes."""
    total = report.classifier["all"]
    lines = [
        f"Evaluation of {report.source or 'labeled items'}: {total.n} items, "
        f"{total.tp + total.fn} relevant",
        "",
    ]
    lines += _table(report.classifier, report.baseline)
    lines += ["", f"Without the {report.flagged} AMBIGUOUS/Borderline items:", ""]
    lines += _table(report.classifier_unflagged, report.baseline_unflagged)
    lines += ["", f"Misclassified ({len(report.mistakes)}):"]
    if not report.mistakes:
        lines.append("  none")
    for mistake in report.mistakes:
        flag = " (flagged)" if mistake.flagged else ""
        lines.append(
            f"  {mistake.item_id} {mistake.lang} {'/'.join(mistake.problems)}{flag}: "
            f"expected {mistake.expected}; got {mistake.got}"
        )
        lines.append(f"      {mistake.title}")
    return "\n".join(lines)


def _table(classifier: Mapping[str, Scores], baseline: Mapping[str, Scores]) -> list[str]:
    header = (
        f"{'':5} {'n':>4} | {'classifier':^43} | {'co-occurrence baseline':^22}\n"
        f"{'':5} {'':>4} | {'P':>6} {'R':>6} {'F1':>6} {'TP/FP/FN':>9} {'cat':>6} {'ctry':>6} "
        f"| {'P':>6} {'R':>6} {'F1':>6}"
    )
    rows = header.split("\n")
    for group in GROUPS:
        c, b = classifier[group], baseline[group]
        if not c.n:
            continue
        rows.append(
            f"{group:5} {c.n:>4} | {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} "
            f"{f'{c.tp}/{c.fp}/{c.fn}':>9} {c.category_accuracy:6.3f} {c.countries_exact:6.3f} "
            f"| {b.precision:6.3f} {b.recall:6.3f} {b.f1:6.3f}"
        )
    return rows
