"""``monitor eval``'s output: an aligned plain-text report, or the same report as JSON.

Pure: an :class:`~monitor.matching.evaluation.EvalReport` in, a string or a JSON-ready
dict out. The misclassified items are listed only when asked (``errors=True``): a dev set
is for studying misses, a blind set is run once and recorded, its misses unread. The JSON
keys are stable (a figure that is undefined, such as precision with nothing predicted
relevant, is null there and 0.000 in the text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.matching.bootstrap import BootstrapPlan, Interval
from monitor.matching.evaluation import (
    INTERVAL_METRICS,
    OVERALL,
    Confusion,
    EvalReport,
    Figures,
    Metric,
    Mistake,
    Scores,
    Verdict,
)

FLAGGED = "AMBIGUOUS/Borderline"
SHORT_NAMES: Mapping[Metric, str] = {
    "precision": "P",
    "recall": "R",
    "f1": "F1",
    "category_accuracy": "cat",
    "countries_exact": "ctry",
}
PROBLEMS = ("relevance", "category", "countries")


# --- text ------------------------------------------------------------------------------
def format_report(report: EvalReport, *, errors: bool = False) -> str:
    """The report a person reads in a terminal; ``errors`` lists the misclassified items."""
    total = report.classifier[OVERALL]
    lines = [
        f"Evaluation of {report.source or 'labeled items'}: {total.n} items, "
        f"{total.relevant} relevant, {report.flagged} flagged {FLAGGED}",
        "",
        f"All {_items(total.n)}:",
        "",
    ]
    lines += _figures(report.everything, report.plan)
    lines += ["", *_confusion(report.everything.confusion)]
    if report.flagged:
        lines += [
            "",
            f"Without the {_items(report.flagged)} flagged {FLAGGED} "
            f"({_items(report.classifier_unflagged[OVERALL].n)} left):",
            "",
        ]
        lines += _figures(report.unflagged, report.plan)
    lines += ["", *(_mistakes(report.mistakes) if errors else _mistake_counts(report.mistakes))]
    return "\n".join(lines)


def _figures(figures: Figures, plan: BootstrapPlan) -> list[str]:
    overall = figures.classifier[OVERALL]
    lines = _table(figures)
    lines += [
        "cat = category accuracy, ctry = countries exact (the same set): both on the items",
        f"labeled and predicted relevant (TP; {overall.tp} overall). Countries over codes on "
        "those",
        f"items: micro precision {_cell(overall, 'countries_precision').strip()} "
        f"({overall.countries_shared}/{overall.countries_predicted}), micro recall "
        f"{_cell(overall, 'countries_recall').strip()} ({overall.countries_shared}/"
        f"{overall.countries_labeled}).",
        "",
    ]
    return lines + _intervals(figures, plan)


def _table(figures: Figures) -> list[str]:
    width = max(5, *(len(group) for group in figures.groups))
    rows = [
        f"{'':{width}} {'n':>4} | {'classifier':^43} | {'co-occurrence baseline':^22}",
        f"{'':{width}} {'':>4} | {'P':>6} {'R':>6} {'F1':>6} {'TP/FP/FN':>9} {'cat':>6} "
        f"{'ctry':>6} | {'P':>6} {'R':>6} {'F1':>6}",
    ]
    for group in figures.groups:
        c, b = figures.classifier[group], figures.baseline[group]
        ours = " ".join(_cell(c, metric) for metric in ("precision", "recall", "f1"))
        agreement = " ".join(_cell(c, metric) for metric in ("category_accuracy", "countries_exact"))
        theirs = " ".join(_cell(b, metric) for metric in ("precision", "recall", "f1"))
        counts = f"{c.tp}/{c.fp}/{c.fn}"
        rows.append(f"{group:{width}} {c.n:>4} | {ours} {counts:>9} {agreement} | {theirs}")
    return rows


def _cell(scores: Scores, metric: Metric) -> str:
    """A figure in six columns; "-" when it is undefined (a zero denominator)."""
    value = scores.value(metric)
    return f"{'-':>6}" if value is None else f"{value:6.3f}"


def _intervals(figures: Figures, plan: BootstrapPlan) -> list[str]:
    if not plan.resamples:
        return ["Confidence intervals: none (0 resamples)."]
    width = max(5, *(len(group) for group in figures.groups))
    lines = [
        f"{plan.level:.0%} confidence intervals of the classifier's figures: percentile "
        "bootstrap over",
        f"items, {plan.resamples:,} resamples, seed {plan.seed}.",
        f"{'':{width}} "
        + " ".join(f"{SHORT_NAMES[metric]:^11}" for metric in INTERVAL_METRICS).rstrip(),
    ]
    for group in figures.groups:
        cells = [_interval_text(figures.intervals[group][m]) for m in INTERVAL_METRICS]
        lines.append(f"{group:{width}} " + " ".join(f"{cell:^11}" for cell in cells).rstrip())
    return lines


def _interval_text(interval: Interval | None) -> str:
    return "-" if interval is None else f"{interval.low:.3f}-{interval.high:.3f}"


def _confusion(confusion: Confusion) -> list[str]:
    labels = confusion.labels
    numbers = [str(number) for number in range(1, len(labels) + 1)]
    most = max((str(count) for count in confusion.counts.values()), key=len, default="")
    cell = max(3, len(most), len(numbers[-1]) if numbers else 0) + 1
    name = max((len(label) for label in labels), default=0)
    indent = len(numbers[-1]) if numbers else 1
    lines = [
        "Category confusion (rows: labeled; columns: predicted, numbered as the rows):",
        f"{'':{indent}} {'':{name}}" + "".join(f"{number:>{cell}}" for number in numbers),
    ]
    for number, labeled in zip(numbers, labels, strict=True):
        counts = [confusion.count(labeled, predicted) for predicted in labels]
        lines.append(
            f"{number:>{indent}} {labeled:{name}}"
            + "".join(f"{count or '.':>{cell}}" for count in counts)
        )
    return lines


def _mistake_counts(mistakes: tuple[Mistake, ...]) -> list[str]:
    counts = ", ".join(
        f"{problem} {sum(problem in m.problems for m in mistakes)}" for problem in PROBLEMS
    )
    return [
        f"Misclassified: {_items(len(mistakes))} ({counts}).",
        "`--errors` lists them, for a dev set (a blind set is run once and recorded).",
    ]


def _mistakes(mistakes: tuple[Mistake, ...]) -> list[str]:
    lines = [f"Misclassified ({len(mistakes)}):"]
    if not mistakes:
        lines.append("  none")
    for mistake in mistakes:
        flag = " (flagged)" if mistake.flagged else ""
        lines.append(
            f"  {mistake.item_id} {mistake.lang} {'/'.join(mistake.problems)}{flag}: "
            f"labeled {mistake.expected}; predicted {mistake.got}"
        )
        lines.append(f"      {mistake.title}")
    return lines


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


# --- JSON ------------------------------------------------------------------------------
def report_json(report: EvalReport, *, errors: bool = False) -> dict[str, Any]:
    """The whole report as JSON-ready data; ``errors`` is null unless asked for."""
    total = report.classifier[OVERALL]
    return {
        "source": report.source,
        "items": total.n,
        "relevant": total.relevant,
        "flagged": report.flagged,
        "bootstrap": {
            "method": "percentile",
            "unit": "item",
            "resamples": report.plan.resamples,
            "seed": report.plan.seed,
            "level": report.plan.level,
        },
        "all_items": _figures_json(report.everything),
        "unflagged": _figures_json(report.unflagged),
        "misclassified": {
            "items": len(report.mistakes),
            **{p: sum(p in m.problems for m in report.mistakes) for p in PROBLEMS},
        },
        "errors": [_mistake_json(m) for m in report.mistakes] if errors else None,
    }


def _figures_json(figures: Figures) -> dict[str, Any]:
    groups = {group: _group_json(figures, group) for group in figures.groups}
    labels = figures.confusion.labels
    return {
        "overall": groups.pop(OVERALL),
        "languages": groups,
        "confusion": {
            "labels": list(labels),
            "rows_labeled_columns_predicted": [
                [figures.confusion.count(row, column) for column in labels] for row in labels
            ],
        },
    }


def _group_json(figures: Figures, group: str) -> dict[str, Any]:
    classifier, baseline = figures.classifier[group], figures.baseline[group]
    intervals = figures.intervals[group]
    return {
        "items": classifier.n,
        "relevant": classifier.relevant,
        "classifier": {
            "counts": _counts_json(classifier),
            "precision": classifier.value("precision"),
            "recall": classifier.value("recall"),
            "f1": classifier.value("f1"),
            "category_accuracy": classifier.value("category_accuracy"),
            "countries_exact": classifier.value("countries_exact"),
            "countries_micro_precision": classifier.value("countries_precision"),
            "countries_micro_recall": classifier.value("countries_recall"),
            "intervals": {metric: _interval_json(intervals[metric]) for metric in intervals},
        },
        "baseline": {
            "counts": {"tp": baseline.tp, "fp": baseline.fp, "fn": baseline.fn},
            "precision": baseline.value("precision"),
            "recall": baseline.value("recall"),
            "f1": baseline.value("f1"),
        },
    }


def _counts_json(scores: Scores) -> dict[str, int]:
    return {
        "tp": scores.tp,
        "fp": scores.fp,
        "fn": scores.fn,
        "category_correct": scores.category_correct,
        "countries_correct": scores.countries_correct,
        "countries_shared": scores.countries_shared,
        "countries_predicted": scores.countries_predicted,
        "countries_labeled": scores.countries_labeled,
    }


def _interval_json(interval: Interval | None) -> dict[str, Any] | None:
    if interval is None:
        return None
    return {"low": interval.low, "high": interval.high, "resamples_defined": interval.defined}


def _mistake_json(mistake: Mistake) -> dict[str, Any]:
    return {
        "id": mistake.item_id,
        "lang": mistake.lang,
        "flagged": mistake.flagged,
        "problems": list(mistake.problems),
        "labeled": _verdict_json(mistake.labeled),
        "predicted": _verdict_json(mistake.predicted),
        "title": mistake.title,
    }


def _verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "relevant": verdict.relevant,
        "category": verdict.category,
        "countries": list(verdict.countries),
    }
