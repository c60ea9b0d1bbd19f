"""The learned category opinion (issue 16): the pure decision, inference against training,
the classifier's use of it under each MONITOR_CLASSIFIER_MODEL setting, and the file."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.errors import ModelFileError
from monitor.matching.classifier import classify
from monitor.matching.model import train as fitting
from monitor.matching.model.category import (
    CategoryModel,
    category_probabilities,
    choose_category,
)
from monitor.matching.model.linear import (
    LinearModel,
    Policy,
    dump_model,
    load_model,
    model_from_json,
)
from monitor.matching.model.loading import topic_model
from monitor.matching.model.ngrams import NgramScheme
from monitor.matching.model.signals import signal_names
from monitor.matching.topic import Topic
from tests.matching.conftest import TOPIC_PATH
from tests.matching.test_model import SEED_TEXT, SEED_TITLE, constant_model, slice_examples


@pytest.mark.parametrize(
    ("rules", "probabilities", "expected"),
    [
        ("summit-visit", {"peace-plan": 0.7, "summit-visit": 0.3}, ("peace-plan", 0.7, True)),
        ("summit-visit", {"peace-plan": 0.45, "summit-visit": 0.3}, ("summit-visit", 0.3, False)),
        ("peace-plan", {"peace-plan": 0.9, "other": 0.1}, ("peace-plan", 0.9, False)),
        ("other", {"peace-plan": 0.5, "other": 0.5}, ("other", 0.5, False)),  # a tie: rules
        ("other", {}, ("other", 0.0, False)),
    ],
)
def test_the_model_overrides_only_when_confident(
    rules: str, probabilities: dict[str, float], expected: tuple[str, float, bool]
) -> None:
    assert choose_category(rules, probabilities, 0.5) == expected


def one_hot(topic: Topic, favour: str, strength: float) -> CategoryModel:
    """A category model with no n-gram weights whose bias favours one category."""
    classes = tuple(sorted(topic.categories.names))
    width = len(signal_names(topic))
    return CategoryModel(
        classes=classes,
        biases=tuple(strength if c == favour else 0.0 for c in classes),
        signal_weights=tuple((0.0,) * len(classes) for _ in range(width)),
        ngram_weights={},
    )


def with_category(topic: Topic, category: CategoryModel, *, veto: bool, use: bool) -> LinearModel:
    model = constant_model(topic, bias=8.0)  # the veto keeps everything
    return replace(model, category=category, policy=Policy(veto_below=0.5, veto=veto, category=use))


def test_the_classifier_takes_a_confident_category_and_says_so(topic: Topic) -> None:
    rules = classify(topic, SEED_TITLE, SEED_TEXT, "en")
    other = next(c for c in topic.categories.names if c != rules.category)
    sure = with_category(topic, one_hot(topic, other, 10.0), veto=False, use=True)
    verdict = classify(topic, SEED_TITLE, SEED_TEXT, "en", model=sure)
    assert verdict.relevant and verdict.category == other
    (note,) = [e for e in verdict.matched if e.rule == "category:model"]
    assert note.term.startswith(f"{other} p=") and f"rules: {rules.category}" in note.term
    # Unsure (a uniform opinion): the rules' category stands and nothing is added.
    unsure = with_category(topic, one_hot(topic, other, 0.0), veto=False, use=True)
    kept = classify(topic, SEED_TITLE, SEED_TEXT, "en", model=unsure)
    assert kept.category == rules.category
    assert not [e for e in kept.matched if e.rule == "category:model"]
    # Switched off (MONITOR_CLASSIFIER_MODEL=veto): the category is the rules'.
    off = with_category(topic, one_hot(topic, other, 10.0), veto=True, use=False)
    assert classify(topic, SEED_TITLE, SEED_TEXT, "en", model=off).category == rules.category
    # The category opinion never changes relevance.
    off_topic = classify(topic, "Brazil wins the Copa America", "Football news.", model=sure)
    assert not off_topic.relevant and off_topic.category is None


def test_category_mode_does_not_veto(topic: Topic) -> None:
    vetoing = replace(
        constant_model(topic, bias=-8.0),
        category=one_hot(topic, "other", 0.0),
        policy=Policy(veto_below=0.5, veto=False, category=True),
    )
    assert classify(topic, SEED_TITLE, SEED_TEXT, "en", model=vetoing).relevant


def test_inference_equals_training_and_survives_the_file(topic: Topic, tmp_path: Path) -> None:
    examples = slice_examples(topic, 120)
    model = fitting.train_model(topic, TOPIC_PATH, examples, ["slice"], scheme=NgramScheme())
    assert model.category is not None and len(model.category.classes) >= 2
    path = tmp_path / "m.json"
    path.write_bytes(dump_model(model))
    loaded = load_model(path)
    assert loaded.category == model.category
    for example in examples[:20]:
        p = category_probabilities(model.category, example.buckets, example.signals.values)
        assert math.isclose(sum(p.values()), 1.0, rel_tol=1e-9)
        assert p == category_probabilities(loaded.category, example.buckets, example.signals.values)


def test_bad_category_sections_are_refused(topic: Topic) -> None:
    good = json.loads(
        dump_model(with_category(topic, one_hot(topic, "other", 1.0), veto=True, use=True))
    )
    assert model_from_json(good).category is not None
    breakages: list[tuple[str, object]] = [
        ("classes", ["other"]),
        ("biases", [0.0]),
        ("override_above", 1.5),
        ("signal_weights", good["category"]["signal_weights"][:-1]),
    ]
    for key, value in breakages:
        broken = json.loads(json.dumps(good))
        broken["category"][key] = value
        with pytest.raises(ValueError):
            model_from_json(broken)


def test_the_setting_chooses_the_opinions(topic: Topic) -> None:
    both = topic_model(topic, TOPIC_PATH, "on")
    veto = topic_model(topic, TOPIC_PATH, "veto")
    category = topic_model(topic, TOPIC_PATH, "category")
    assert topic_model(topic, TOPIC_PATH, "off") is None
    assert both is not None and both.policy.veto and both.policy.category
    assert veto is not None and veto.policy.veto and not veto.policy.category
    assert category is not None and not category.policy.veto and category.policy.category
    assert both.category is not None, "the shipped weights carry the category opinion"


def test_category_mode_refuses_a_file_without_the_opinion(topic: Topic, tmp_path: Path) -> None:
    topic_copy = tmp_path / TOPIC_PATH.name
    topic_copy.write_bytes(TOPIC_PATH.read_bytes())
    shipped = topic_model(topic, TOPIC_PATH, "veto")
    assert shipped is not None
    bare = replace(shipped, category=None, policy=Policy(veto_below=shipped.policy.veto_below))
    (tmp_path / f"{TOPIC_PATH.stem}.model.json").write_bytes(dump_model(bare))
    assert topic_model(topic, topic_copy, "veto") is not None
    with pytest.raises(ModelFileError, match="no category opinion"):
        topic_model(topic, topic_copy, "category")


def test_a_category_a_precedence_rule_chose_stands(topic: Topic) -> None:
    """The named rules are the labeling rules written down; the model weighs in only where
    the rules weighed cues (the founding story's full text read as trade, e2e)."""
    title = "Colombia investigates the recruitment of its veterans as mercenaries for Ukraine"
    text = (
        "Colombia's foreign ministry said it is investigating networks that recruit "
        "Colombian veterans to fight as mercenaries in Ukraine."
    )
    rules = classify(topic, title, text, "en")
    assert rules.relevant and rules.category == "security-military"
    assert any(e.rule == "category:recruitment-is-security" for e in rules.matched)
    sure = with_category(topic, one_hot(topic, "trade-economy", 10.0), veto=False, use=True)
    verdict = classify(topic, title, text, "en", model=sure)
    assert verdict.category == "security-military"
    assert not [e for e in verdict.matched if e.rule == "category:model"]
