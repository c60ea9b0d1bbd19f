"""The quality bar on the dev sets, overall and per language, against the baseline; and
every figure of the report on five items computed by hand (five_items.py)."""

from __future__ import annotations

from random import Random

import pytest

from monitor.matching.bootstrap import BootstrapPlan, Interval, percentile_interval
from monitor.matching.commands import evaluate, format_report
from monitor.matching.evaluation import (
    NOT_RELEVANT,
    EvalReport,
    LabeledItem,
    Scores,
    Verdict,
    bootstrap_intervals,
    build_report,
    confusion_matrix,
    evaluate_items,
    language_groups,
)
from monitor.matching.topic import Topic

from .conftest import DEV2_SET_PATH, DEV3_SET_PATH, DEV_SET_PATH
from .five_items import FIVE, NO, outcome


@pytest.fixture(scope="module")
def report(topic: Topic) -> EvalReport:
    return evaluate(topic, DEV_SET_PATH)


@pytest.mark.parametrize("group", ["all", "en", "es", "pt"])
def test_quality_bar(report: EvalReport, group: str) -> None:
    scores = report.classifier[group]
    assert scores.f1 >= 0.97
    assert scores.precision >= 0.95
    assert scores.category_accuracy >= 0.85
    assert scores.countries_exact >= 0.80


# dev2.jsonl: 150 items (60 relevant) written blind, never used to pick vocabulary by
# phrase. Before the rules of test_rules.py it scored F1 0.957 (recall 0.917: es 0.900,
# pt 0.833) and category 0.764. Measured now (P / R / F1 / category / countries):
#   all 1.000 / 1.000 / 1.000 / 0.950 / 0.983
#   en  1.000 / 1.000 / 1.000 / 0.909 / 1.000
#   es  1.000 / 1.000 / 1.000 / 1.000 / 1.000
#   pt  1.000 / 1.000 / 1.000 / 0.944 / 0.944
# The floors sit 0.03 below (rounded down), so any lost item fails the test.
# Issue 16 (precedence rules; e016, e106, e110 relabeled peace-plan under its rule):
#   all 1.000 / 1.000 / 1.000 / 0.967 / 0.983; en category 0.909; pt category 1.000.
DEV2_FLOORS = {
    # group: (precision, recall, f1, category, countries)
    "all": (0.97, 0.97, 0.97, 0.93, 0.95),
    "en": (0.97, 0.97, 0.97, 0.87, 0.97),
    "es": (0.97, 0.97, 0.97, 0.97, 0.97),
    "pt": (0.97, 0.97, 0.97, 0.97, 0.91),
}


@pytest.fixture(scope="module")
def report2(topic: Topic) -> EvalReport:
    return evaluate(topic, DEV2_SET_PATH)


@pytest.mark.parametrize("group", ["all", "en", "es", "pt"])
def test_quality_on_the_blind_dev2_set(report2: EvalReport, group: str) -> None:
    scores = report2.classifier[group]
    precision, recall, f1, category, countries = DEV2_FLOORS[group]
    assert scores.precision >= precision
    assert scores.recall >= recall
    assert scores.f1 >= f1
    assert scores.category_accuracy >= category
    assert scores.countries_exact >= countries


def test_dev2_counts(report2: EvalReport) -> None:
    overall = report2.classifier["all"]
    assert overall.n == 150 and overall.tp + overall.fn == 60
    assert [report2.classifier[g].n for g in ("en", "es", "pt")] == [55, 50, 45]
    assert report2.flagged == 9


@pytest.mark.parametrize("group", ["all", "en", "es", "pt"])
def test_beats_the_cooccurrence_baseline(report: EvalReport, group: str) -> None:
    classifier, baseline = report.classifier[group], report.baseline[group]
    assert classifier.precision > baseline.precision
    assert classifier.f1 > baseline.f1


def test_counts_match_the_dev_set_readme(report: EvalReport) -> None:
    overall = report.classifier["all"]
    assert overall.n == 102 and overall.tp + overall.fn == 43
    assert [report.classifier[g].n for g in ("en", "es", "pt")] == [48, 31, 23]
    assert report.flagged == 12
    assert report.classifier_unflagged["all"].n == 90


def test_report_lists_figures_and_mistakes(report: EvalReport) -> None:
    text = format_report(report, errors=True)
    for needle in ("classifier", "co-occurrence baseline", "AMBIGUOUS/Borderline", "Misclassified"):
        assert needle in text
    assert len(text.splitlines()) >= 14


def test_mistakes_are_reported_with_labeled_and_predicted(topic: Topic) -> None:
    wrong = LabeledItem(
        item_id="x1",
        lang="en",
        title="Lula meets Zelensky",
        text="Brazil's Lula met Ukraine's Zelensky in New York.",
        relevant=True,
        category="trade-economy",  # deliberately wrong label
        countries=("AR",),
        flagged=False,
    )
    report = evaluate_items(topic, [wrong])
    (mistake,) = report.mistakes
    assert mistake.problems == ("category", "countries")
    assert mistake.expected == "trade-economy [AR]"
    assert mistake.got == "summit-visit [BR]"
    assert "x1 en category/countries" in format_report(report, errors=True)


# --- the five-item table of five_items.py, every figure computed by hand ---------------
def test_five_items_by_hand() -> None:
    report = build_report(FIVE, "five", BootstrapPlan(resamples=0))
    overall = report.classifier["all"]
    assert (overall.n, overall.tp, overall.fp, overall.fn) == (5, 2, 1, 1)
    assert overall.precision == overall.recall == overall.f1 == pytest.approx(2 / 3)
    assert overall.category_accuracy == 0.5 and overall.countries_exact == 0.5
    assert overall.countries_precision == 1.0  # 2 shared / 2 predicted
    assert overall.countries_recall == pytest.approx(2 / 3)  # 2 shared / 3 labeled
    en, es = report.classifier["en"], report.classifier["es"]
    assert (en.precision, en.recall, en.f1, en.category_accuracy) == pytest.approx(
        (1 / 2, 1.0, 2 / 3, 1.0)
    )
    assert (es.precision, es.recall, es.f1, es.category_accuracy) == pytest.approx(
        (1.0, 1 / 2, 2 / 3, 0.0)
    )
    base = report.baseline["all"]  # TP 1, 2; FP 4, 5; FN 3
    assert (base.tp, base.fp, base.fn) == (2, 2, 1)
    assert (base.precision, base.recall, base.f1) == pytest.approx((1 / 2, 2 / 3, 4 / 7))
    assert [m.item_id for m in report.mistakes] == ["2", "3", "4"]
    assert report.mistakes[0].problems == ("category", "countries")


def test_five_items_without_the_flagged_one() -> None:
    report = build_report(FIVE, "five", BootstrapPlan(resamples=0))
    assert report.flagged == 1
    unflagged = report.classifier_unflagged["all"]
    assert (unflagged.n, unflagged.tp, unflagged.fp, unflagged.fn) == (4, 1, 1, 1)
    assert unflagged.category_accuracy == 1.0 and unflagged.countries_exact == 1.0
    assert report.classifier_unflagged["es"].n == 2


def test_five_items_confusion() -> None:
    confusion = build_report(FIVE, plan=BootstrapPlan(resamples=0)).everything.confusion
    assert confusion.labels == ("peace-plan", "summit-visit", NOT_RELEVANT)
    rows = [[confusion.count(row, column) for column in confusion.labels] for row in confusion.labels]
    assert rows == [
        [1, 1, 0],  # peace-plan: 1 right, 1 called summit-visit
        [0, 0, 1],  # summit-visit: missed
        [1, 0, 1],  # not relevant: 1 false positive, 1 right
    ]


def test_confusion_names_a_relevant_item_without_category() -> None:
    confusion = confusion_matrix(
        [(Verdict(True, None, ()).cell, Verdict(True, "other", ()).cell), ("other", "other")]
    )
    assert confusion.labels == ("(none)", "other")
    assert confusion.count("(none)", "other") == 1 and confusion.count("other", "(none)") == 0


def test_five_items_bootstrap_redone_by_hand() -> None:
    """The intervals are the percentile intervals of each resample's figure, where a
    resample is Random(seed).choices over the items (bootstrap.resample_counts)."""
    plan = BootstrapPlan(resamples=300, seed=5)
    report = build_report(FIVE, plan=plan)
    rng = Random(plan.seed)
    precisions, recalls, categories = [], [], []
    for _ in range(plan.resamples):
        drawn = [FIVE[i] for i in rng.choices(range(5), k=5)]
        tp = sum(o.item.relevant and o.predicted.relevant for o in drawn)
        fp = sum(o.predicted.relevant and not o.item.relevant for o in drawn)
        fn = sum(o.item.relevant and not o.predicted.relevant for o in drawn)
        right = sum(o.item.relevant and o.predicted.category == o.item.category for o in drawn)
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
        if tp:
            categories.append(right / tp)
    intervals = report.everything.intervals["all"]
    assert intervals["precision"] == percentile_interval(precisions, 0.95)
    assert intervals["recall"] == percentile_interval(recalls, 0.95)
    assert intervals["category_accuracy"] == percentile_interval(categories, 0.95)
    assert intervals["category_accuracy"] is not None
    assert intervals["category_accuracy"].defined < plan.resamples  # some drew no TP


def test_bootstrap_of_identical_items_does_not_move() -> None:
    perfect = Scores.of(Verdict(True, "other", ("BR",)), Verdict(True, "other", ("BR",)))
    intervals = bootstrap_intervals([perfect] * 7, BootstrapPlan(resamples=100))
    assert set(intervals.values()) == {Interval(1.0, 1.0, 100)}
    missed = Scores.of(Verdict(True, "other", ()), NO)
    intervals = bootstrap_intervals([missed] * 7, BootstrapPlan(resamples=100))
    assert intervals["precision"] is None  # nothing predicted relevant in any resample
    assert intervals["recall"] == Interval(0.0, 0.0, 100)


def test_no_resamples_no_intervals() -> None:
    report = build_report(FIVE, plan=BootstrapPlan(resamples=0))
    assert set(report.everything.intervals["all"].values()) == {None}


def test_intervals_hold_the_holdout_figures(topic: Topic) -> None:
    holdout = evaluate(topic, DEV_SET_PATH.parent / "holdout.jsonl")
    for group in ("all", "en", "es", "pt"):
        scores, intervals = holdout.classifier[group], holdout.everything.intervals[group]
        for metric, interval in intervals.items():
            value = scores.value(metric)
            assert interval is not None and interval.defined > 0 and value is not None
            assert interval.low <= value <= interval.high
    overall = holdout.everything.intervals["all"]["f1"]
    assert overall is not None and overall.high - overall.low > 0.03  # 90 items move


def test_groups_follow_the_file_languages() -> None:
    assert language_groups(["de", "ru", "", "en", "uk", "en"]) == (
        "all", "en", "uk", "ru", "de", "none",
    )
    outcomes = [outcome("u1", "uk", NO, NO, baseline=False), *FIVE]
    report = build_report(outcomes, plan=BootstrapPlan(resamples=0))
    assert report.everything.groups == ("all", "en", "es", "uk")
    assert report.classifier["uk"].n == 1 and report.classifier["all"].n == 6


def test_scores_arithmetic() -> None:
    items = [
        Scores.of(Verdict(expected, "other", ()), Verdict(got, "other", ("BR",)))
        for expected, got in [(True, True), (True, False), (False, True), (False, False)]
    ]
    scores = Scores.total({item: 1 for item in items})
    assert (scores.tp, scores.fp, scores.fn, scores.n) == (1, 1, 1, 4)
    assert scores.precision == scores.recall == scores.f1 == 0.5
    assert scores.category_accuracy == 1.0 and scores.countries_exact == 0.0
    assert Scores().value("f1") is None and Scores().f1 == 0.0
    assert Scores.total({items[0]: 3}).tp == 3


@pytest.mark.parametrize(
    ("note", "flagged"),
    [("AMBIGUOUS: two readings", True), ("Category Borderline", True),
     ("category borderline (lower case)", True), ("clear hard negative", False)],
)
def test_flagged_notes_are_found_in_any_case(note: str, flagged: bool) -> None:
    import orjson

    from monitor.matching.commands import labeled_items

    line = orjson.dumps({"id": "x", "title": "t", "text": "", "relevant": False, "note": note})
    (item,) = labeled_items(line.decode() + "\n", "notes.jsonl")
    assert item.flagged is flagged


# dev3.jsonl: 93 real stories (61 relevant) for issue 16's classes, labeled before any
# classifier run; the rules were built on d3-001…d3-070, d3-071…d3-093 came after them.
# Before the issue-16 rules (P / R / F1 / category): 0.815 / 0.869 / 0.841 / 0.585.
# After: 0.934 / 0.934 / 0.934 / 0.842. The floors sit 0.03 below (rounded down).
DEV3_FLOORS = (0.90, 0.90, 0.90, 0.81)


def test_quality_on_dev3(topic: Topic) -> None:
    scores = evaluate(topic, DEV3_SET_PATH).classifier["all"]
    precision, recall, f1, category = DEV3_FLOORS
    assert scores.precision >= precision
    assert scores.recall >= recall
    assert scores.f1 >= f1
    assert scores.category_accuracy >= category
