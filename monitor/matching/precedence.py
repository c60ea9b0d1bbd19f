"""Category precedence: which category a story gets when several categories' cues fire.

Usually the heaviest cues decide (rule ``heaviest-cues``; ``fallback`` when no category's
cues reach the topic's minimum). Some combinations of evidence mean one category whatever
the weights, as the labeling rules say: a meeting *about* a peace initiative is a peace
story, not a meeting story. A topic file writes these down as named rules (see
``[[precedence]]`` in ``seeds/topics/ukraine-latam.toml``), each one "when all these
signals fired, and none of those, and the heaviest category is one of these, the category
is X". The first rule that applies decides, and its name travels with the verdict so an
explanation can say which rule decided. Pure: no I/O, nothing topic-specific in the code.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

HEAVIEST_CUES = "heaviest-cues"
FALLBACK = "fallback"


@dataclass(frozen=True, slots=True)
class PrecedenceRule:
    """One named rule: ``when`` signals all present, no ``unless`` signal, and the
    heaviest category among ``over`` (any category when ``over`` is empty) → ``category``."""

    name: str
    category: str
    when: frozenset[str]
    unless: frozenset[str] = frozenset()
    over: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CategoryDecision:
    """The category and the name of the rule that chose it."""

    category: str
    rule: str


def decide_category(
    rules: Sequence[PrecedenceRule],
    cue_scores: Mapping[str, float],
    signals: Collection[str],
    *,
    categories: Sequence[str],
    minimum: float,
    fallback: str,
) -> CategoryDecision:
    """The first applicable rule's category, else the heaviest cues' (or the fallback)."""
    best = max(categories, key=lambda c: cue_scores.get(c, 0.0))
    heaviest = best if cue_scores.get(best, 0.0) >= minimum else fallback
    for rule in rules:
        if not all(signal in signals for signal in rule.when):
            continue
        if any(signal in signals for signal in rule.unless):
            continue
        if rule.over and heaviest not in rule.over:
            continue
        return CategoryDecision(rule.category, rule.name)
    return CategoryDecision(heaviest, HEAVIEST_CUES if heaviest == best else FALLBACK)
