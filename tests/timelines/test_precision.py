"""The precision filter: its weights file, its decision and explanation, and the pieces of
its cross-validation (threshold choice, folds that keep near-duplicates together)."""

from __future__ import annotations

import json

import pytest

from monitor.matching.topic import Topic
from monitor.timelines.cues import TimelineCues, load_cues
from monitor.timelines.extract import extract_candidates, extract_timeline
from monitor.timelines.features import feature_names
from monitor.timelines.fit import choose_threshold, story_folds
from monitor.timelines.gold import GoldStory
from monitor.timelines.model import Quote, StoryText, TimelineEntry
from monitor.timelines.precision import (
    PrecisionFilter,
    explain,
    load_precision,
    precision_from_json,
)
from tests import PROJECT_ROOT

NAMES = feature_names()


def one_weight(name: str, weight: float, keep_above: float = 0.5) -> PrecisionFilter:
    """A filter that reads only ``name`` (weight ``weight``), no bias."""
    return PrecisionFilter(
        names=NAMES,
        means=tuple(0.0 for _ in NAMES),
        scales=tuple(1.0 for _ in NAMES),
        weights=tuple(weight if n == name else 0.0 for n in NAMES),
        bias=0.0,
        keep_above=keep_above,
    )


ENTRY = TimelineEntry(
    "s", "BR", "meeting", None, None, (), "ukraine", Quote("text", 0, 3, "met"), "met"
)


def test_the_committed_weights_load_and_name_the_extractors_features() -> None:
    model = load_precision()
    assert model.names == NAMES
    assert 0.0 <= model.keep_above <= 1.0
    assert len(model.weights) == len(NAMES)


def test_a_weights_file_for_other_features_is_refused_with_what_to_do() -> None:
    data = one_weight("headline", 1.0).to_json()
    data["features"] = [*data["features"][:-1], "something_else"]
    with pytest.raises(ValueError, match="refit"):
        precision_from_json(data)
    bad_scale = one_weight("headline", 1.0).to_json()
    bad_scale["scales"][0] = 0.0
    with pytest.raises(ValueError, match="positive"):
        precision_from_json(bad_scale)
    assert precision_from_json(json.loads(json.dumps(one_weight("future", -2.0).to_json()))) == (
        one_weight("future", -2.0)
    )


def test_judge_keeps_above_the_threshold_and_says_why() -> None:
    model = one_weight("headline", 2.0, keep_above=0.8)
    kept = model.judge(ENTRY, {"headline": 1.0})
    assert kept is not None and kept.confidence == pytest.approx(0.881, abs=1e-3)
    assert kept.why == ("headline +2.00",)
    assert model.judge(ENTRY, {"headline": 0.0}) is None  # p = 0.5 < 0.8


def test_explain_names_only_present_features_that_raised_the_probability() -> None:
    model = PrecisionFilter(
        names=NAMES,
        means=tuple(0.0 for _ in NAMES),
        scales=tuple(1.0 for _ in NAMES),
        weights=tuple(
            {"headline": 1.0, "future": -3.0, "lead": 0.5, "own_clause": 2.0}.get(n, 0.0)
            for n in NAMES
        ),
        bias=0.0,
        keep_above=0.5,
    )
    features = {"headline": 1.0, "future": 1.0, "lead": 1.0, "own_clause": 0.0}
    assert explain(model, features) == ("headline +1.00", "lead +0.50")


def test_a_loaded_filter_drops_what_it_judges_unlikely(topic: Topic, cues: TimelineCues) -> None:
    from monitor.matching.classifier import classify

    # b4-235 (gold-test3), whose gold holds the meeting
    title = "Special envoy of Brazilian president meets with Zelenskyy in Ukraine"
    text = (
        "Celso Amorim, the Brazilian president's special envoy for International Affairs and "
        "former Foreign Minister, has arrived in Ukraine and met with President Volodymyr "
        "Zelenskyy."
    )
    verdict = classify(topic, title, text)
    assert verdict.relevant
    story = StoryText("s", title, text, None)
    candidates, _ = extract_candidates(cues, story, verdict)
    assert ("BR", "meeting") in {(c.entry.country, c.entry.kind) for c in candidates}
    strict = type(cues)(cues.scanner, cues.state_words, one_weight("headline", -5.0, 0.6))
    lenient = type(cues)(cues.scanner, cues.state_words, one_weight("headline", 5.0, 0.6))
    assert extract_timeline(strict, story, verdict).entries == ()
    kept = extract_timeline(lenient, story, verdict).entries
    # the headline's meeting is kept with its reason; the text-only visit (p 0.5) is not
    assert [(e.kind, e.why) for e in kept] == [("meeting", ("headline +5.00",))]
    assert kept[0].confidence == pytest.approx(0.993, abs=1e-3)


def test_production_cues_load_the_filter_and_tests_of_rules_can_leave_it_off() -> None:
    assert load_cues().precision == load_precision()
    assert load_cues(precision=False).precision is None


@pytest.mark.parametrize(
    ("scored", "aim", "expected"),
    [
        # the lowest threshold whose kept set reaches the aim
        ([(0.9, True), (0.8, True), (0.7, False), (0.6, True)], 0.75, 0.6),
        ([(0.9, True), (0.8, True), (0.7, False), (0.6, False)], 0.75, 0.8),
        # a tie is kept whole or not at all
        ([(0.9, True), (0.8, True), (0.8, False), (0.8, False)], 0.9, 0.9),
        # none reaches the aim: the most precise keeping at least MIN_KEEP (0.4)
        ([(0.9, False), (0.8, True), (0.7, True), (0.6, False), (0.5, False)], 0.95, 0.7),
    ],
)
def test_choose_threshold(scored: list[tuple[float, bool]], aim: float, expected: float) -> None:
    assert choose_threshold(scored, aim) == expected


OTHER_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")


def story(story_id: str, title: str, text: str) -> GoldStory:
    return GoldStory(story_id, title, text, None, "en", "dev", frozenset(), {})


def test_near_duplicate_stories_share_a_fold() -> None:
    text = "Lula met Zelensky in Hiroshima on Sunday to discuss the war and a peace plan."
    gold = [
        story("a", "Lula meets Zelensky in Hiroshima", text),
        story("b", "Lula meets Zelensky in Hiroshima", text + " Reuters."),
        *(story(f"x{i}", word, f"{word} alone") for i, word in enumerate(OTHER_WORDS)),
    ]
    folds = story_folds(gold)
    assert folds[0] == folds[1]
    assert set(folds) == {0, 1, 2, 3, 4}


def test_cross_validation_report_on_the_gold_names_both_figures(
    topic: Topic, cues: TimelineCues
) -> None:
    from monitor.timelines.fit import Labeled, cross_validate, fit_filter, label_candidates

    def rows_all_right(gold: list[GoldStory]) -> list[Labeled]:
        return [Labeled(0, True, tuple(0.0 for _ in NAMES)) for _ in range(3)]

    from monitor.timelines.gold import read_gold

    path = PROJECT_ROOT / "tests" / "data" / "timeline" / "gold.jsonl"
    gold = read_gold(path.read_text(encoding="utf-8").splitlines(), "gold")[:60]
    # a training part with one class (all right) would break the fit: it gives a constant
    assert fit_filter(rows_all_right(gold), 0.5).weights == tuple(0.0 for _ in NAMES)
    rows = label_candidates(topic, cues, gold)
    result = cross_validate(rows, gold)
    assert result.candidates == len(rows) and 0 < result.right_candidates <= result.candidates
    assert result.right_kept <= result.kept <= result.candidates
    assert len(result.thresholds) == 5
    assert "rules + check" in result.report() and "rules + filter" in result.report()
