"""The topic classifier: is a story about the topic, in which category, which countries.

``classify`` is pure: it folds the headline and text, scans both with the topic's single
Aho-Corasick automaton, computes a handful of features (see ``features``) and combines
them with the weights of the topic file into a logistic score::

    z = bias + Σ weight × feature + Σ negative cue weights        score = 1 / (1 + e^-z)

The headline feature takes the stronger of the side named in the headline and, discounted
by ``lede_factor``, the side named in the lede (first sentence of the text) provided the
side is named more than once.

An item is relevant when both sides are present (the gates) and the score reaches the
topic's threshold; when a gate is closed the score is capped just below the threshold so
that ``relevant`` and ``score >= threshold`` always agree. The category is the one whose
cue words weigh most (headline cues count more); countries are the Latin American
actors, in order of first mention. Evidence offsets index the original strings.
"""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import chain

from monitor.language import detect_language
from monitor.matching.features import (
    TEXT,
    TITLE,
    Features,
    extract_features,
    find_signals,
    gates_can_open,
)
from monitor.matching.model.linear import LinearModel
from monitor.matching.model.opinion import (
    learned_category,
    may_rescue,
    model_evidence,
    model_opinion,
    rejection_reason,
    rescue_evidence,
)
from monitor.matching.precedence import HEAVIEST_CUES, CategoryDecision, decide_category
from monitor.matching.scanner import Hit
from monitor.matching.text import FoldedText, fold_text
from monitor.matching.topic import (
    NEUTRAL,
    SIGNAL,
    STATE_NOUN,
    UNLESS,
    VENUE,
    Topic,
    load_topic,
)
from monitor.models import Classification, Evidence

__all__ = ["classify", "classify_folded", "explain", "load_topic", "relevance_score"]

# Context terms that only shape the features; they are not shown as evidence.
_NOT_EVIDENCE = frozenset({STATE_NOUN, VENUE, NEUTRAL, UNLESS, SIGNAL})
# The evidence rule that names the precedence rule which chose the category.
CATEGORY_RULE = "category"


def classify(
    topic: Topic,
    title: str,
    text: str,
    lang: str | None = None,
    *,
    lean: bool = False,
    model: LinearModel | None = None,
) -> Classification:
    """Classify one story. Never raises on any ``str`` input.

    A relevant story always gets its full verdict with evidence (terms that fired, with
    offsets). ``lean`` is the worker's mode, which keeps nothing of an irrelevant verdict
    but the fact: an irrelevant story then gets no evidence, and when a gate cannot open
    (one side is not named at all, as in half the stream) its features are not computed
    and its score is reported as 0.0. ``relevant`` is the same either way.

    With a ``model`` (the topic's learned second opinion, ``model/``), a story the rules
    find relevant is kept only if the model agrees (``model/opinion.py``); its evidence
    then includes the model's probability and top contributions (rule ``model``). With
    the rescue on, a story the rules reject with both sides named becomes relevant when
    the model is confident enough (evidence ``relevance:model``).
    """
    if lang is None:
        lang = guess_language(topic.languages, title, text)
    folded_title, folded_text = fold_text(title), fold_text(text)
    return classify_folded(topic, folded_title, folded_text, lang, lean=lean, model=model)


def guess_language(languages: tuple[str, ...], title: str, text: str) -> str | None:
    """The language of an item that came without one, among a topic's ``languages``."""
    guess = detect_language(f"{title}\n{text}", languages, min_letters=3, min_confidence=0.0)
    return guess[0] if guess else None


def classify_folded(
    topic: Topic,
    folded_title: FoldedText,
    folded_text: FoldedText,
    lang: str | None,
    *,
    lean: bool = False,
    model: LinearModel | None = None,
) -> Classification:
    """:func:`classify` on texts already folded (several topics share one folding)."""
    # Lean: a side not even spotted (half the stream) needs no scan, the gates stay shut.
    if lean and not gates_can_open(
        topic.gate, topic.gate_spotter.spot(folded_title.folded, folded_text.folded)
    ):
        return _unscored(lang)
    title_hits, text_hits = _scan(topic, folded_title, folded_text)
    if lean and not gates_can_open(
        topic.gate, {hit.spec.group for hit in chain(title_hits, text_hits)}
    ):
        return _unscored(lang)
    features = extract_features(topic, folded_title, folded_text, title_hits, text_hits)
    relevant, score = relevance_score(topic, features)
    learned: tuple[Evidence, ...] = ()
    # The rules' log-odds, read by both of the model's opinions: computed once.
    logit = relevance_logit(topic, features) if relevant and model is not None else 0.0
    if relevant and model is not None and model.policy.veto:
        opinion = model_opinion(
            model, topic, folded_title, folded_text, features, logit, lang, rules_relevant=True
        )
        if not opinion.kept:
            relevant = False  # the veto; the score drops below the threshold to agree
            score = min(score, round(topic.relevance.threshold * 0.99, 4))
        if relevant or not lean:
            learned = model_evidence(model, opinion)
    elif model is not None and model.policy.rescue and not relevant and may_rescue(features):
        logit = relevance_logit(topic, features)
        opinion = model_opinion(
            model, topic, folded_title, folded_text, features, logit, lang, rules_relevant=False
        )
        if opinion.kept:
            reason = rejection_reason(features, score, topic.relevance.threshold)
            learned = rescue_evidence(model, opinion, reason)
            relevant = True  # the rescue; the score rises to the threshold to agree
            score = max(score, topic.relevance.threshold)
    decision = None
    if relevant:
        features = replace(features, signals=find_signals(topic, folded_title, folded_text))
        decision = category_decision(topic, features)
        if model is not None and model.category is not None and model.policy.category:
            decision, opinion_evidence = learned_category(
                model, topic, folded_title, folded_text, features, logit, lang, decision
            )
            learned += opinion_evidence
    matched: tuple[Evidence, ...] = ()
    if relevant or not lean:
        matched = _evidence(title_hits + text_hits, features, topic, decision) + learned
    return Classification(
        relevant=relevant,
        score=score,
        category=decision.category if decision else None,
        countries=features.countries() if relevant else (),
        lang=lang,
        matched=matched,
    )


def _unscored(lang: str | None) -> Classification:
    """Lean mode's verdict when a gate cannot open: irrelevant, features not computed."""
    return Classification(relevant=False, score=0.0, category=None, countries=(), lang=lang)


def explain(topic: Topic, title: str, text: str) -> Features:
    """The features behind a verdict, for debugging and the evaluation report."""
    folded_title, folded_text = fold_text(title), fold_text(text)
    features = extract_features(
        topic, folded_title, folded_text, *_scan(topic, folded_title, folded_text)
    )
    return replace(features, signals=find_signals(topic, folded_title, folded_text))


def relevance_score(topic: Topic, features: Features) -> tuple[bool, float]:
    """(relevant, score in [0, 1]) from the features and the topic's weights."""
    model = topic.relevance
    z = relevance_logit(topic, features)
    # Rounded here so that the reported score and the verdict always agree.
    score = round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z)))), 4)
    if not features.gates_open:
        return False, min(score, round(model.threshold * 0.99, 4))
    return score >= model.threshold, score


def relevance_logit(topic: Topic, features: Features) -> float:
    """The rules' log-odds ``z`` before the logistic (also a feature of the learned model)."""
    model = topic.relevance
    w = model.weights
    z = model.bias
    repeated = features.side_count >= model.repeated_side_min
    # A side named only in the lede stands in for the headline, at a discount, when the
    # text names it more than once (a single mention in a list is a passing mention).
    lede = model.lede_factor * features.side_lede if repeated else 0.0
    z += w["side_in_title"] * max(features.side_title, lede)
    z += w["latam_in_title"] * features.latam_title
    z += w["side_in_text"] * features.side_text
    z += w["latam_in_text"] * features.latam_text
    z += w["same_sentence"] * features.same_sentence
    z += w["repeated_side"] * repeated
    z += w["diplomatic_act"] * features.act
    z += sum(features.negatives.values())
    return z


def category_decision(topic: Topic, features: Features) -> CategoryDecision:
    """The category and the name of the rule that chose it (see ``precedence.py``)."""
    return decide_category(
        topic.precedence,
        features.cue_scores,
        features.signals,
        categories=topic.categories.tie_order,
        minimum=topic.categories.minimum,
        fallback=topic.categories.fallback,
    )


def _scan(topic: Topic, title: FoldedText, text: FoldedText) -> tuple[list[Hit], list[Hit]]:
    """The topic's terms found in each folded field."""
    return topic.scanner.scan(title, TITLE), topic.scanner.scan(text, TEXT)


def _evidence(
    hits: list[Hit], features: Features, topic: Topic, decision: CategoryDecision | None
) -> tuple[Evidence, ...]:
    notes = {id(m.hit): m.note for m in features.mentions if m.note}
    evidence = []
    for hit in hits:
        spec = hit.spec
        if spec.group in _NOT_EVIDENCE:
            continue
        rule = spec.rule
        note = notes.get(id(hit)) if notes else None
        if note:
            rule = f"{rule}:{note}"
        evidence.append(Evidence(rule, spec.term, hit.field, hit.start, hit.end))
    evidence += _rule_evidence(topic, features, decision)
    evidence.sort(key=lambda e: (e.field != TITLE, e.start))
    return tuple(evidence)


def _rule_evidence(
    topic: Topic, features: Features, decision: CategoryDecision | None
) -> list[Evidence]:
    """The signals behind a precedence rule that decided, named ``category:<rule>``."""
    if decision is None or decision.rule == HEAVIEST_CUES:
        return []
    rule = next((r for r in topic.precedence if r.name == decision.rule), None)
    if rule is None:
        return []
    name = f"{CATEGORY_RULE}:{rule.name}"
    hits = (features.signals[s] for s in sorted(rule.when))
    return [Evidence(name, hit.spec.term, hit.field, hit.start, hit.end) for hit in hits]
