"""The quality bar on the dev set, overall and per language, against the baseline."""

from __future__ import annotations

import pytest

from monitor.matching.commands import evaluate, format_report
from monitor.matching.evaluation import EvalReport, LabeledItem, Scores, evaluate_items
from monitor.matching.topic import Topic

from .conftest import DEV_SET_PATH


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
