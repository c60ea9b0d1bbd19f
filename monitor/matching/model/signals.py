"""The rule features the learned model reads: named floats computed from the rules' work.

The model does not re-learn what the rules know; it reads their verdict (the log-odds
``z``, scaled), the features behind it, the cue strength of each category and the story's
language, and learns from the n-grams what the rules miss. Every value is in about
[-1, 1] so that one regularisation strength suits them all. The names are stored in the
weights file; a topic whose categories or languages differ from the file's is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.matching.features import TEXT, TITLE, Features, extract_features
from monitor.matching.text import FoldedText
from monitor.matching.topic import Topic

# z is divided by this and clipped to [-1, 1]: the rules' log-odds live in about ±10.
LOGIT_SCALE = 10.0
BASE_SIGNALS = (
    "rule_logit",
    "rule_relevant",
    "gates_open",
    "side_title",
    "side_text",
    "side_lede",
    "latam_title",
    "latam_text",
    "same_sentence",
    "repeated_side",
    "act",
    "war_link",
    "negative_cues",
)


def signal_names(topic: Topic) -> tuple[str, ...]:
    """The names of a topic's rule signals, in vector order."""
    cues = tuple(f"cue:{name}" for name in topic.categories.names)
    langs = tuple(f"lang:{code}" for code in topic.languages)
    return (*BASE_SIGNALS, *cues, *langs)


def signal_vector(
    topic: Topic, features: Features, logit: float, relevant: bool, lang: str | None
) -> list[float]:
    """The signals of one story, in ``signal_names`` order."""
    rules = topic.relevance
    repeated = features.side_count >= rules.repeated_side_min
    saturation = rules.act_saturation or 1.0
    values = [
        max(-1.0, min(1.0, logit / LOGIT_SCALE)),
        float(relevant),
        float(features.gates_open),
        features.side_title,
        features.side_text,
        features.side_lede,
        features.latam_title,
        features.latam_text,
        features.same_sentence,
        float(repeated),
        features.act,
        float(features.war_link),
        max(-1.0, sum(features.negatives.values()) / LOGIT_SCALE),
    ]
    values += [
        min(1.0, features.cue_scores.get(name, 0.0) / saturation) for name in topic.categories.names
    ]
    values += [float(lang == code) for code in topic.languages]
    return values


@dataclass(frozen=True, slots=True)
class StorySignals:
    """A story's rule signals with the rules' own verdict (for training and evaluation)."""

    values: tuple[float, ...]
    rules_relevant: bool
    gates_open: bool


def story_signals(
    topic: Topic, title: FoldedText, text: FoldedText, lang: str | None
) -> StorySignals:
    """Run the rules on a folded story and return the model's rule signals."""
    # Imported here: the classifier imports this package to ask for a second opinion.
    from monitor.matching.classifier import relevance_logit, relevance_score

    features = extract_features(
        topic, title, text, topic.scanner.scan(title, TITLE), topic.scanner.scan(text, TEXT)
    )
    relevant, _ = relevance_score(topic, features)
    logit = relevance_logit(topic, features)
    values = signal_vector(topic, features, logit, relevant, lang)
    return StorySignals(tuple(values), relevant, features.gates_open)
