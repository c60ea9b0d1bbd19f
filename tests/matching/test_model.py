"""The learned second opinion (issue 16): inference, the veto, explanations, hostile text,
the weights file, and training determinism (scikit-learn, the train extra)."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.errors import ModelFileError
from monitor.matching.classifier import classify
from monitor.matching.evaluation import LabeledItem
from monitor.matching.model import train as fitting
from monitor.matching.model.commands import read_pool
from monitor.matching.model.groups import GroupInput, near_duplicate_groups
from monitor.matching.model.linear import (
    LinearModel,
    Policy,
    assess,
    dump_model,
    load_model,
    model_path_for,
    predict,
)
from monitor.matching.model.loading import topic_model
from monitor.matching.model.ngrams import NgramScheme, ngram_buckets, word_buckets
from monitor.matching.model.signals import signal_names, story_signals
from monitor.matching.text import fold_text
from monitor.matching.topic import Topic
from monitor.matching.topic_set import classify_all, load_topic_set
from monitor.models import MODEL_RULE
from monitor.notify.messages import story_for_email
from tests.matching.conftest import DEV2_SET_PATH, DEV_SET_PATH, TOPIC_PATH

UKRU_PATH = DEV_SET_PATH.with_name("dev-ukru.jsonl")
SEED_TITLE = "Ukraine's New Diplomatic Horizon In Latin America"
SEED_TEXT = (
    "Ukrainian President Volodymyr Zelenskiy is proactively engaging Latin American leaders "
    "to support his peace plan. He has reached out to Paraguay, Ecuador, and Uruguay."
)


def slice_examples(topic: Topic, count: int) -> list[fitting.Example]:
    """A small, mixed slice of the dev pool (three languages' sets)."""
    items, urls = read_pool([DEV_SET_PATH, DEV2_SET_PATH, UKRU_PATH])
    step = max(1, len(items) // count)
    chosen = list(range(0, len(items), step))[:count]
    return fitting.prepare(
        topic, [items[i] for i in chosen], [urls[i] for i in chosen], NgramScheme()
    )


def constant_model(topic: Topic, bias: float, veto_below: float = 0.5) -> LinearModel:
    """A model whose n-gram weights are all zero: its probability is set by ``bias``."""
    names = signal_names(topic)
    return LinearModel(
        topic_id=topic.topic_id,
        scheme=NgramScheme(),
        signal_names=names,
        signal_weights=(0.0,) * len(names),
        ngram_weights={},
        bias=bias,
        policy=Policy(veto_below=veto_below),
    )


@pytest.fixture(scope="module")
def shipped(topic: Topic) -> LinearModel:
    model = topic_model(topic, TOPIC_PATH)
    assert model is not None, "the seed topic ships <stem>.model.json"
    return model


def test_inference_equals_the_training_time_predictions(topic: Topic) -> None:
    examples = slice_examples(topic, 80)
    fitted = fitting.fit(examples, prune_below=0.0)
    model = LinearModel(
        topic_id=topic.topic_id,
        scheme=NgramScheme(),
        signal_names=signal_names(topic),
        signal_weights=fitted.signal_weights,
        ngram_weights=fitted.ngram_weights,
        bias=fitted.bias,
    )
    reloaded = load_model_bytes(dump_model(model))
    for example, expected in zip(examples, fitted.training_probabilities, strict=True):
        title, text = fold_text(example.item.title), fold_text(example.item.text)
        signals = story_signals(topic, title, text, example.item.lang or None).values
        got = predict(reloaded, title.folded, text.folded, signals).probability
        # scikit-learn's own predict_proba, against the pure-Python sum over the file's
        # weights (rounded to 6 decimals): equal to well within a veto step.
        assert got == pytest.approx(expected, abs=1e-4)
        assert got == pytest.approx(fitting.probability(fitted, example), abs=1e-12)
    assert len({round(p, 2) for p in fitted.training_probabilities}) > 10  # not constant


def load_model_bytes(data: bytes) -> LinearModel:
    from monitor.matching.model.linear import model_from_json

    return model_from_json(json.loads(data))


def test_retraining_a_slice_is_deterministic(topic: Topic, tmp_path: Path) -> None:
    examples = slice_examples(topic, 90)
    first = fitting.train_model(topic, TOPIC_PATH, examples, ["slice"], scheme=NgramScheme())
    second = fitting.train_model(topic, TOPIC_PATH, examples, ["slice"], scheme=NgramScheme())
    assert dump_model(first) == dump_model(second)
    assert first.ngram_weights and any(first.signal_weights)
    other_seed = fitting.train_model(
        topic, TOPIC_PATH, examples, ["slice"], scheme=NgramScheme(), seed=7
    )
    assert other_seed.trained_on["seed"] == 7


def test_the_shipped_model_fits_the_shipped_topic(topic: Topic, shipped: LinearModel) -> None:
    # Fails when the topic file changed without `monitor model train` being run after it.
    assert shipped.topic_id == topic.topic_id
    assert shipped.trained_on["files"][-1] == "blind12.jsonl"  # retired into the pool
    assert shipped.trained_on["items"] >= 950
    assert 0.0 < shipped.policy.veto_below < 1.0


def test_the_veto_only_removes_and_the_switch_decides(topic: Topic) -> None:
    agreeing = constant_model(topic, bias=8.0)
    vetoing = constant_model(topic, bias=-8.0)
    rules = classify(topic, SEED_TITLE, SEED_TEXT)
    assert rules.relevant
    kept = classify(topic, SEED_TITLE, SEED_TEXT, model=agreeing)
    assert kept.relevant and kept.category == rules.category and kept.score == rules.score
    vetoed = classify(topic, SEED_TITLE, SEED_TEXT, model=vetoing)
    assert not vetoed.relevant and vetoed.category is None
    assert vetoed.score < topic.relevance.threshold  # verdict and score still agree
    # An irrelevant story is never made relevant, however sure the model is.
    off_topic = classify(topic, "Brazil wins the Copa America", "Football news.", model=agreeing)
    assert not off_topic.relevant


def test_the_setting_loads_models_only_when_on(topic: Topic) -> None:
    off = load_topic_set([TOPIC_PATH])
    on = load_topic_set([TOPIC_PATH], models="on")
    assert off.models == {} and set(on.models) == {topic.topic_id}
    vetoing = replace(on, models={topic.topic_id: constant_model(topic, bias=-8.0)})
    assert classify_all(off, SEED_TITLE, SEED_TEXT, lean=True)[topic.topic_id].relevant
    assert not classify_all(vetoing, SEED_TITLE, SEED_TEXT, lean=True)[topic.topic_id].relevant


def test_explanation_shows_model_contributions_beside_rule_evidence(
    topic: Topic, shipped: LinearModel
) -> None:
    verdict = classify(topic, SEED_TITLE, SEED_TEXT, "en", model=shipped)
    assert verdict.relevant
    learned = [e for e in verdict.matched if e.learned]
    rules = [e for e in verdict.matched if not e.learned]
    assert rules, "the rules' evidence stays"
    assert learned[0].field == MODEL_RULE and learned[0].term.startswith("p=")
    assert "kept" in learned[0].term
    words = [e for e in learned if e.field in ("title", "text")]
    assert words, "top words with offsets"
    for evidence in words:
        source = SEED_TITLE if evidence.field == "title" else SEED_TEXT
        surface = source[evidence.start : evidence.end]
        word, _, weight = evidence.term.rpartition(" ")
        assert fold_text(surface).folded == word
        assert weight[0] in "+-" and float(weight) != 0.0
    # Emails keep to the rules' evidence.
    from datetime import UTC, datetime

    from monitor.models import FeedItem

    item = FeedItem(
        item_id="i",
        feed_url="https://example.org/feed",
        outlet="Example",
        title=SEED_TITLE,
        text=SEED_TEXT,
        url="https://example.org/a",
        published=datetime(2023, 12, 11, tzinfo=UTC),
        fetched_at=datetime(2023, 12, 11, tzinfo=UTC),
        lang="en",
    )
    email = story_for_email(item, verdict, story_id=1)
    assert email.matched and not any(e.learned for e in email.matched)


def test_contributions_are_the_weights_of_signals_and_words(
    topic: Topic, shipped: LinearModel
) -> None:
    title, text = fold_text(SEED_TITLE), fold_text(SEED_TEXT)
    signals = story_signals(topic, title, text, "en").values
    opinion = predict(shipped, title.folded, text.folded, signals)
    assessed, parts = assess(shipped, title, text, signals)
    assert assessed.logit == pytest.approx(opinion.logit, abs=1e-12)
    signal_parts = [p for p in parts if p.name.startswith("signal:")]
    signal_total = sum(w * v for w, v in zip(shipped.signal_weights, signals, strict=True))
    assert sum(p.weight for p in signal_parts) == pytest.approx(signal_total, abs=1e-9)
    scale = 1 / math.sqrt(len(ngram_buckets(shipped.scheme, title.folded, text.folded)))
    words = [p for p in parts if p.name.startswith("word:")]
    assert len({p.name for p in words}) == len(words)  # one part per distinct word
    for part in words:
        grams = word_buckets(part.name[5:], shipped.scheme.sizes, shipped.scheme.buckets)
        expected = sum(shipped.ngram_weights.get(b, 0.0) for b in grams) * scale
        assert part.weight == pytest.approx(expected, abs=1e-12)
    assert [abs(p.weight) for p in parts] == sorted((abs(p.weight) for p in parts), reverse=True)


HOSTILE = [
    ("", ""),
    ("\x00\x01\x02", "\ufeff\u200b"),
    ("Ukraine \udcff Brasil", "lone surrogate \ud800 Lula Zelensky"),
    ("U\u0308kraine", "Bra\u0301sil " * 3000),  # combining marks, a long text
    ("Зеленський і Лула", "Україна Бразилія " * 500),
    ("Ukraine Brazil Lula Zelensky", "x" * 200_000),
]


@pytest.mark.parametrize(("title", "text"), HOSTILE)
def test_hostile_and_empty_text(topic: Topic, shipped: LinearModel, title: str, text: str) -> None:
    verdict = classify(topic, title, text, model=shipped)
    assert isinstance(verdict.relevant, bool)
    for evidence in verdict.matched:
        if evidence.field == "title":
            assert 0 <= evidence.start <= evidence.end <= len(title)
        elif evidence.field == "text":
            assert 0 <= evidence.start <= evidence.end <= len(text)
    folded = fold_text(text).folded
    scheme = shipped.scheme
    assert ngram_buckets(scheme, "", folded) == ngram_buckets(
        scheme, "", folded[: scheme.max_chars]
    )
    signals = story_signals(topic, fold_text(title), fold_text(text), None).values
    assert 0.0 < predict(shipped, fold_text(title).folded, folded, signals).probability < 1.0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not json", "not JSON"),
        (b"{}", "not a monitor-linear-model/1 file"),
        (b'{"format": "monitor-linear-model/1"}', "retrain"),
    ],
)
def test_bad_weights_files_are_refused(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "t.model.json"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=problem):
        load_model(path)


def test_non_finite_and_stale_weights_are_refused(
    topic: Topic, shipped: LinearModel, tmp_path: Path
) -> None:
    data = json.loads(dump_model(shipped))
    data["bias"] = 1e999  # JSON's way to write infinity
    bad = tmp_path / "inf.model.json"
    bad.write_text(json.dumps(data).replace("Infinity", "1e999"))
    with pytest.raises(ModelFileError, match="finite"):
        load_model(bad)
    topic_copy = tmp_path / "ukraine-latam.toml"
    topic_copy.write_bytes(TOPIC_PATH.read_bytes() + b"\n# edited\n")
    model_path_for(topic_copy).write_bytes(dump_model(shipped))
    with pytest.raises(ModelFileError, match="another version of the topic file"):
        topic_model(topic, topic_copy)
    assert topic_model(topic, tmp_path / "no-model.toml") is None  # rules alone


def test_near_duplicates_share_a_group() -> None:
    story = GroupInput("Lula meets Zelensky in New York", SEED_TEXT, "https://a.example/1")
    copy = GroupInput("Lula meets Zelensky in New York", SEED_TEXT + " (MENAFN)", None)
    same_url = GroupInput("Another headline entirely", "Different words here.", story.url)
    other = GroupInput("Brazil's exports of coffee rise", "Coffee prices climbed in May.", None)
    groups = near_duplicate_groups([story, copy, same_url, other])
    assert groups[0] == groups[1] == groups[2] != groups[3]


def test_folds_never_split_a_group(topic: Topic) -> None:
    examples = slice_examples(topic, 60)
    twin = replace(examples[0], item=replace(examples[0].item, item_id="twin"))
    examples.append(twin)
    for test in fitting.folds(examples, 3):
        groups_in = {examples[i].group for i in test}
        for i, example in enumerate(examples):
            if example.group in groups_in:
                assert i in test


def test_read_pool_names_a_missing_file(tmp_path: Path) -> None:
    from monitor.errors import InputFileError

    with pytest.raises(InputFileError, match="--data"):
        read_pool([tmp_path / "missing.jsonl"])


def test_labeled_items_keep_their_order(topic: Topic) -> None:
    items, urls = read_pool([DEV_SET_PATH])
    assert len(items) == len(urls) and isinstance(items[0], LabeledItem)
    assert math.isclose(sum(i.relevant for i in items) / len(items), 43 / 102)


def test_emails_from_stored_alerts_leave_the_model_out(topic: Topic, shipped: LinearModel) -> None:
    from datetime import UTC, datetime

    from monitor.notify.assemble import story_view
    from monitor.store.outbox import DueDelivery

    verdict = classify(topic, SEED_TITLE, SEED_TEXT, "en", model=shipped)
    stored = [
        {"rule": e.rule, "term": e.term, "field": e.field, "start": e.start, "end": e.end}
        for e in verdict.matched
    ]
    assert any(entry["rule"] == MODEL_RULE for entry in stored)
    now = datetime(2023, 12, 11, tzinfo=UTC)
    delivery = DueDelivery(
        id=1,
        mode="immediate",
        due_at=now,
        created_at=now,
        revision=1,
        subscription_id=1,
        subscriber_id=1,
        story_id=1,
        title=SEED_TITLE,
        text=SEED_TEXT,
        url=None,
        published_at=now,
        credited_outlet="Example",
        category=verdict.category,
        countries=list(verdict.countries),
        score=verdict.score,
        matched=stored,
        alert_id=1,
        topic="ukraine-latam",
    )
    email = story_view(delivery, ["Example"])
    assert email.matched and not any(e.learned for e in email.matched)
