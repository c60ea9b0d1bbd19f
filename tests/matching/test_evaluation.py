"""The quality bar on the dev set, overall and per language, against the baseline."""

from __future__ import annotations

import pytest

from monitor.matching.commands import evaluate, format_report
from monitor.matching.evaluation import EvalReport, LabeledItem, Scores, evaluate_items
from monitor.matching.topic import Topic

from .conftest import DEV2_SET_PATH, DEV3_SET_PATH, DEV_SET_PATH


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
    text = format_report(report)
    for needle in ("classifier", "co-occurrence baseline", "AMBIGUOUS/Borderline", "Misclassified"):
        assert needle in text
    assert len(text.splitlines()) >= 14


def test_mistakes_are_reported_with_expected_and_got(topic: Topic) -> None:
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
    assert "x1 en category/countries" in format_report(report)


def test_scores_arithmetic() -> None:
    scores = Scores()
    for expected, got in [(True, True), (True, False), (False, True), (False, False)]:
        scores = scores.add(expected, got, category_ok=True, countries_ok=False)
    assert (scores.tp, scores.fp, scores.fn, scores.n) == (1, 1, 1, 4)
    assert scores.precision == scores.recall == scores.f1 == 0.5
    assert scores.category_accuracy == 1.0 and scores.countries_exact == 0.0


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
