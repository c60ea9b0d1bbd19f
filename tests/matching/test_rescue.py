"""The rescue opinion (issue 16): the model may add a story the rules reject when both sides
are named and its probability reaches ``rescue_above`` — the pure decision, the minimal
evidence, the classifier's use of it and its explanation, the weights file's threshold and
its calibration, and the MONITOR_CLASSIFIER_MODEL settings that switch it on."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.errors import ModelFileError
from monitor.matching.classifier import classify, explain
from monitor.matching.model import train as fitting
from monitor.matching.model.commands import read_pool
from monitor.matching.model.linear import LinearModel, Policy, dump_model, load_model
from monitor.matching.model.loading import topic_model
from monitor.matching.model.ngrams import NgramScheme
from monitor.matching.model.opinion import (
    MODEL_RELEVANCE_RULE,
    decides,
    may_rescue,
    rejection_reason,
)
from monitor.matching.topic import Topic
from tests.matching.conftest import DEV_SET_PATH, TOPIC_PATH
from tests.matching.test_model import constant_model, slice_examples

DATA = DEV_SET_PATH.parent
# The rules reject it (private volunteers, no state act), but both sides are named.
REJECTED_TITLE = "Chilean volunteers return from Ukraine"
REJECTED_TEXT = "Three Chilean volunteers who fought in Ukraine returned to Santiago."
# Only one side is named: no rescue, however sure the model is.
ONE_SIDED_TITLE = "Brazil wins the Copa America"
ONE_SIDED_TEXT = "Football news from Rio de Janeiro."
RELEVANT_TITLE = "Ukraine's New Diplomatic Horizon In Latin America"
RELEVANT_TEXT = (
    "Ukrainian President Volodymyr Zelenskiy is proactively engaging Latin American leaders "
    "to support his peace plan. He has reached out to Paraguay, Ecuador, and Uruguay."
)


def rescuing(model: LinearModel, rescue_above: float = 0.9, *, veto: bool = False) -> LinearModel:
    """``model`` with the rescue switched on (and the veto as asked)."""
    policy = replace(model.policy, rescue=True, rescue_above=rescue_above, veto=veto)
    return replace(model, policy=policy)


@pytest.mark.parametrize(
    ("policy", "rules_relevant", "rescuable", "p", "relevant"),
    [
        # The rescue: only a rejected, rescuable story at or above the threshold.
        (Policy(veto=False, rescue=True, rescue_above=0.9), False, True, 0.9, True),
        (Policy(veto=False, rescue=True, rescue_above=0.9), False, True, 0.89, False),
        (Policy(veto=False, rescue=True, rescue_above=0.9), False, False, 1.0, False),
        (Policy(veto=False, rescue=False, rescue_above=0.9), False, True, 1.0, False),
        (Policy(veto=False, rescue=True, rescue_above=None), False, True, 1.0, False),
        # Without the veto a rule-relevant story stays, whatever the model says.
        (Policy(veto=False, rescue=True, rescue_above=0.9), True, True, 0.01, True),
        # The veto: a rule-relevant story below veto_below goes, with or without the rescue.
        (Policy(veto_below=0.6, rescue=True, rescue_above=0.9), True, True, 0.59, False),
        (Policy(veto_below=0.6, rescue=True, rescue_above=0.9), True, True, 0.6, True),
        (Policy(veto_below=0.6), False, True, 1.0, False),  # the veto alone never adds
    ],
)
def test_the_decision_in_both_directions(
    policy: Policy, rules_relevant: bool, rescuable: bool, p: float, relevant: bool
) -> None:
    assert decides(policy, rules_relevant, rescuable, p) is relevant


def test_the_minimal_evidence_is_both_sides_named(topic: Topic) -> None:
    assert may_rescue(explain(topic, REJECTED_TITLE, REJECTED_TEXT))
    assert not may_rescue(explain(topic, ONE_SIDED_TITLE, ONE_SIDED_TEXT))
    # Ukrainian and Spanish: a state and Ukraine both named open the gates as in English.
    assert may_rescue(explain(topic, "Волонтери з Чилі", "Троє чилійців повернулися з України."))
    assert may_rescue(explain(topic, "Voluntarios chilenos", "Tres chilenos volvieron de Ucrania."))
    assert not may_rescue(explain(topic, "Voluntarios chilenos", "Tres chilenos volvieron."))


@pytest.mark.parametrize("lean", [False, True])
def test_a_rescued_story_explains_itself(topic: Topic, lean: bool) -> None:
    rules = classify(topic, REJECTED_TITLE, REJECTED_TEXT, "en", lean=lean)
    assert not rules.relevant
    sure = rescuing(constant_model(topic, bias=8.0))
    rescued = classify(topic, REJECTED_TITLE, REJECTED_TEXT, "en", lean=lean, model=sure)
    assert rescued.relevant and rescued.category and rescued.countries == ("CL",)
    assert rescued.score >= topic.relevance.threshold  # verdict and score agree
    heads = [e for e in rescued.matched if e.rule == MODEL_RELEVANCE_RULE]
    assert len(heads) == 1
    assert heads[0].term.startswith("p=1.00 (rules: not relevant, because score ")
    assert "rescued at 0.90 or more" in heads[0].term
    assert any(not e.learned and e.rule != MODEL_RELEVANCE_RULE for e in rescued.matched), (
        "the rules' evidence (the terms that fired) stays"
    )


def test_the_rescue_needs_the_threshold_the_evidence_and_the_switch(topic: Topic) -> None:
    sure = constant_model(topic, bias=8.0)
    unsure = rescuing(constant_model(topic, bias=0.0), rescue_above=0.9)  # p = 0.5
    assert not classify(topic, REJECTED_TITLE, REJECTED_TEXT, model=unsure).relevant
    assert not classify(topic, REJECTED_TITLE, REJECTED_TEXT, model=sure).relevant  # switch off
    one_sided = classify(topic, ONE_SIDED_TITLE, ONE_SIDED_TEXT, model=rescuing(sure))
    assert not one_sided.relevant
    assert not any(e.rule == MODEL_RELEVANCE_RULE for e in one_sided.matched)
    # A relevant story is untouched by the rescue alone, and vetoed with the veto on.
    kept = classify(topic, RELEVANT_TITLE, RELEVANT_TEXT, model=rescuing(unsure, 0.9))
    assert kept.relevant
    doubting = rescuing(constant_model(topic, bias=-8.0, veto_below=0.5), veto=True)
    assert not classify(topic, RELEVANT_TITLE, RELEVANT_TEXT, model=doubting).relevant


def test_the_reason_names_the_score_and_the_negative_cues(topic: Topic) -> None:
    title = "Brazilian farmers count the cost of fertilizer"
    text = "Fertilizer prices rose in Brazil after the war in Ukraine, farmers said."
    features = explain(topic, title, text)
    score = classify(topic, title, text).score
    reason = rejection_reason(features, score, topic.relevance.threshold)
    assert reason.startswith(f"score {score:.2f} below {topic.relevance.threshold:.2f}")
    assert "negative cues war-effects" in reason


def test_calibration_rescues_only_what_keeps_precision(topic: Topic) -> None:
    # Retired blind sets, where the rules are out of sample and miss some stories.
    items, urls = read_pool([DATA / "holdout.jsonl", DATA / "blind11.jsonl"])
    examples = fitting.prepare(topic, items, urls, NgramScheme())
    rescuable = [e for e in examples if not e.signals.rules_relevant and e.signals.gates_open]
    assert any(e.item.relevant for e in rescuable) and any(not e.item.relevant for e in rescuable)
    # A model sure of the missed relevant stories (0.92) and less so of the rest (0.7).
    separating = [0.92 if e.item.relevant else 0.7 for e in examples]
    # The highest of the tied thresholds (0.75–0.90 rescue the same stories): 0.9.
    assert fitting.calibrate_rescue(examples, separating) == 0.9
    # A model that cannot tell them apart would lower precision: it barely rescues.
    blind = [0.95 for _ in examples]
    assert fitting.calibrate_rescue(examples, blind) == fitting.RESCUE_THRESHOLDS[-1]


def test_training_stores_the_rescue_threshold(topic: Topic, tmp_path: Path) -> None:
    examples = slice_examples(topic, 90)
    model = fitting.train_model(topic, TOPIC_PATH, examples, ["slice"], scheme=NgramScheme())
    assert model.policy.rescue_above in fitting.RESCUE_THRESHOLDS
    path = tmp_path / "t.model.json"
    path.write_bytes(dump_model(model))
    assert json.loads(path.read_bytes())["policy"]["rescue_above"] == model.policy.rescue_above
    assert load_model(path).policy.rescue_above == model.policy.rescue_above


def weights_with_rescue(tmp_path: Path, rescue_above: float | None) -> Path:
    """A copy of the shipped topic and weights in ``tmp_path``, the threshold set as asked
    (the topic's bytes unchanged, so the weights still fit it)."""
    topic_copy = tmp_path / TOPIC_PATH.name
    topic_copy.write_bytes(TOPIC_PATH.read_bytes())
    data = json.loads(TOPIC_PATH.with_name(f"{TOPIC_PATH.stem}.model.json").read_bytes())
    data["policy"].pop("rescue_above", None)
    if rescue_above is not None:
        data["policy"]["rescue_above"] = rescue_above
    topic_copy.with_name(f"{TOPIC_PATH.stem}.model.json").write_text(json.dumps(data))
    return topic_copy


def test_the_settings_switch_the_opinions(topic: Topic, tmp_path: Path) -> None:
    path = weights_with_rescue(tmp_path, 0.85)
    expected = {  # setting: (veto, category, rescue)
        "veto": (True, False, False),
        "category": (False, True, False),
        "on": (True, True, False),
        "rescue": (False, True, True),
        "all": (True, True, True),
    }
    for setting, flags in expected.items():
        model = topic_model(topic, path, setting)
        assert model is not None
        policy = model.policy
        assert (policy.veto, policy.category, policy.rescue) == flags, setting
        assert policy.rescue_above == 0.85
    assert topic_model(topic, path, "off") is None


@pytest.mark.parametrize("setting", ["rescue", "all"])
def test_a_file_without_a_rescue_threshold_is_refused(
    topic: Topic, tmp_path: Path, setting: str
) -> None:
    path = weights_with_rescue(tmp_path, None)
    with pytest.raises(ModelFileError, match=r"no rescue threshold.*monitor model train"):
        topic_model(topic, path, setting)
    assert topic_model(topic, path, "on") is not None  # the other settings do not need it


@pytest.mark.parametrize("bad", [0.0, 1.5, -0.2])
def test_a_rescue_threshold_out_of_range_is_refused(
    topic: Topic, tmp_path: Path, bad: float
) -> None:
    path = weights_with_rescue(tmp_path, bad)
    with pytest.raises(ModelFileError, match="rescue_above"):
        topic_model(topic, path, "rescue")
