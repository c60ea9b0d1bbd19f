"""How the model's opinions change the rules' verdict, and how they are shown.

The policy is a **veto**: the rules decide first; a story they find relevant stays relevant
unless the model's probability is below the weights file's ``veto_below`` (calibrated by
``monitor model train`` on out-of-fold predictions). The model never makes an irrelevant
story relevant, so every alert still has the rules' evidence, and the model only runs on
the stories the rules alert on (a small share of the stream).

The verdict's explanation gets the model's part as evidence with rule ``model``: one entry
for the probability, then the largest contributions (rule signals, and words with their
offsets, so they can be highlighted like rule evidence).

The **rescue** (MONITOR_CLASSIFIER_MODEL ``rescue`` or ``all``) is the other direction: a
story the rules reject becomes relevant when the model's probability reaches the weights
file's ``rescue_above`` — but only when the rules found the minimal evidence
(``may_rescue``: both sides named, the gates open). Its evidence says so
(``relevance:model p=0.93 (rules: not relevant, because …)``), then the model's largest
contributions, so a rescued alert still explains itself. Judged by grouped CV in
docs/evaluation.md ("A rescue opinion, judged by CV").
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.matching.features import Features
from monitor.matching.model.category import category_probabilities, choose_category
from monitor.matching.model.linear import Contribution, LinearModel, Policy, assess
from monitor.matching.model.ngrams import ngram_buckets
from monitor.matching.model.signals import signal_vector
from monitor.matching.precedence import FALLBACK, HEAVIEST_CUES, CategoryDecision
from monitor.matching.text import FoldedText
from monitor.matching.topic import Topic
from monitor.models import MODEL_RULE, Evidence

# The largest signals and the largest words shown (each).
TOP_CONTRIBUTIONS = 3


@dataclass(frozen=True, slots=True)
class SecondOpinion:
    """The model's say on a rule-relevant story."""

    probability: float
    kept: bool
    contributions: tuple[Contribution, ...]


def model_opinion(
    model: LinearModel,
    topic: Topic,
    title: FoldedText,
    text: FoldedText,
    features: Features,
    logit: float,
    lang: str | None,
    *,
    rules_relevant: bool,
) -> SecondOpinion:
    """The model's opinion on a story, with its largest parts (computed in the same pass:
    the evidence shows them whenever the opinion counts). ``kept`` is ``decides``: a story
    the rules found relevant survives the veto; one they rejected is rescued."""
    signals = signal_vector(topic, features, logit, rules_relevant, lang)
    opinion, parts = assess(model, title, text, signals, TOP_CONTRIBUTIONS)
    kept = decides(model.policy, rules_relevant, may_rescue(features), opinion.probability)
    return SecondOpinion(round(opinion.probability, 4), kept, tuple(parts))


def may_rescue(features: Features) -> bool:
    """Whether the rules found the minimal evidence a rescue needs: a Latin American or
    Caribbean actor and Ukraine (or Russia tied to the war) both named, the gates open.
    Without it the model could make a story relevant on words alone."""
    return features.gates_open


def decides(policy: Policy, rules_relevant: bool, rescuable: bool, probability: float) -> bool:
    """Whether a story is relevant once the model has had its say, in both directions: a
    rule-relevant story is vetoed below ``veto_below`` (when the veto is on); a story the
    rules reject is rescued at ``rescue_above`` or more (when the rescue is on and
    ``rescuable``, i.e. ``may_rescue``)."""
    if rules_relevant:
        return not policy.veto or probability >= policy.veto_below
    if not policy.rescue or not rescuable or policy.rescue_above is None:
        return False
    return probability >= policy.rescue_above


def rejection_reason(features: Features, score: float, threshold: float) -> str:
    """Why the rules rejected a story whose gates were open, in words for the evidence."""
    reason = f"score {score:.2f} below {threshold:.2f}"
    if features.negatives:
        reason += "; negative cues " + ", ".join(sorted(features.negatives))
    return reason


# The rule of a rescued story's head evidence.
MODEL_RELEVANCE_RULE = "relevance:model"


def rescue_evidence(
    model: LinearModel, opinion: SecondOpinion, reason: str, top: int = TOP_CONTRIBUTIONS
) -> tuple[Evidence, ...]:
    """A rescued story's explanation of the model's part: why (its probability against the
    rules' verdict and their reason), then its top contributions."""
    head = Evidence(
        MODEL_RELEVANCE_RULE,
        f"p={opinion.probability:.2f} (rules: not relevant, because {reason}; "
        f"rescued at {model.policy.rescue_above:.2f} or more)",
        MODEL_RULE,
        0,
        0,
    )
    return (head, *model_evidence(model, opinion, top)[1:])


def model_evidence(
    model: LinearModel, opinion: SecondOpinion, top: int = TOP_CONTRIBUTIONS
) -> tuple[Evidence, ...]:
    """The model's part of an explanation: its probability, then its top contributions."""
    verdict = "kept" if opinion.kept else "vetoed"
    head = Evidence(
        MODEL_RULE,
        f"p={opinion.probability:.2f} ({verdict}; veto below {model.policy.veto_below:.2f})",
        MODEL_RULE,
        0,
        0,
    )
    parts = []
    for part in opinion.contributions[: 2 * top]:
        kind, _, name = part.name.partition(":")
        if kind == "word":
            term = f"{name} {part.weight:+.2f}"
            parts.append(Evidence(MODEL_RULE, term, part.field, part.start, part.end))
        else:
            parts.append(Evidence(MODEL_RULE, f"{name} {part.weight:+.2f}", MODEL_RULE, 0, 0))
    return (head, *parts)


# The rule name of a category the model chose (shown as evidence ``category:model``).
MODEL_CATEGORY_RULE = "model"


def learned_category(
    model: LinearModel,
    topic: Topic,
    title: FoldedText,
    text: FoldedText,
    features: Features,
    logit: float,
    lang: str | None,
    rules: CategoryDecision,
) -> tuple[CategoryDecision, tuple[Evidence, ...]]:
    """The category once the model's category opinion (``model/category.py``) has had its
    say on a relevant story, and the evidence of an override (none when the rules stand).

    A category a named precedence rule chose stands: those rules are the labeling rules
    written down (a meeting about a peace plan is peace-plan), and the model, trained on
    short ledes, read the founding story's full text as trade. The model only weighs in
    where the rules themselves only weighed cues (``heaviest-cues``, ``fallback``)."""
    assert model.category is not None
    if rules.rule not in (HEAVIEST_CUES, FALLBACK):
        return rules, ()
    signals = signal_vector(topic, features, logit, True, lang)
    buckets = ngram_buckets(model.scheme, title.folded, text.folded)
    probabilities = category_probabilities(model.category, buckets, signals)
    category, p, overridden = choose_category(
        rules.category, probabilities, model.category.override_above
    )
    if not overridden:
        return rules, ()
    term = f"{category} p={p:.2f} (rules: {rules.category}, by {rules.rule})"
    evidence = Evidence(f"category:{MODEL_CATEGORY_RULE}", term, MODEL_RULE, 0, 0)
    return CategoryDecision(category, MODEL_CATEGORY_RULE), (evidence,)
