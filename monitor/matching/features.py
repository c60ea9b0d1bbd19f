"""Turn gazetteer hits into the few features the relevance score is made of.

The labeling rules ask whether a story is *about* Ukraine's (or, tied to the war,
Russia's) relations with a Latin American actor. The features approximate that:

* which sides the headline names, and how strongly (a president beats a demonym);
* whether one sentence holds both sides (proximity rather than mere co-occurrence);
* whether the Ukraine side is named more than once (not a passing mention);
* the strongest category cue (a diplomatic act: visit, vote, aid, weapons, ambassador…);
* negative cues (football, church collections, price effects, roundups, other wars).

Context rules demote Latin American mentions that are not actors: a country right after
a venue phrase ("during a meeting in the Dominican Republic"), an uppercase dateline,
and a bare demonym not next to a state noun ("Mexican border" vs "Mexican government").
Pure functions over hits; no I/O.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field

from monitor.matching.scanner import Hit
from monitor.matching.text import FoldedText, sentence_starts
from monitor.matching.topic import (
    CUE,
    LATAM,
    NEGATIVE,
    RUSSIA,
    STATE_NOUN,
    UKRAINE,
    VENUE,
    WAR,
    Topic,
)
from monitor.models import CATEGORIES

TITLE = "title"
TEXT = "text"


@dataclass(frozen=True, slots=True)
class Mention:
    """A Latin American mention and how much it counts as a state actor (0 = not at all)."""

    hit: Hit
    strength: float
    country: str | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Features:
    """What the relevance score and the category decision are computed from."""

    side_title: float
    side_text: float
    side_count: int
    latam_title: float
    latam_text: float
    same_sentence: float
    act: float
    war_link: bool
    negatives: Mapping[str, float]
    cue_scores: Mapping[str, float]
    mentions: tuple[Mention, ...] = field(default_factory=tuple)

    @property
    def gates_open(self) -> bool:
        """Both sides are present somewhere; without them nothing else matters."""
        side = max(self.side_title, self.side_text) > 0
        latam = max(self.latam_title, self.latam_text) > 0
        return side and latam

    def countries(self) -> tuple[str, ...]:
        """Countries of the actor mentions, in order of first mention (title first)."""
        seen: dict[str, None] = {}
        for mention in self.mentions:
            if mention.country and mention.strength > 0:
                seen.setdefault(mention.country, None)
        return tuple(seen)


def extract_features(
    topic: Topic,
    title: FoldedText,
    text: FoldedText,
    title_hits: list[Hit],
    text_hits: list[Hit],
) -> Features:
    """Compute :class:`Features` from the hits of both fields."""
    hits = title_hits + text_hits
    war_link = any(h.spec.group in (UKRAINE, WAR) for h in hits)
    side_groups = (UKRAINE, RUSSIA) if war_link else (UKRAINE,)
    side_strength = topic.relevance.side_strength

    sentence_index = {
        TITLE: sentence_starts(title.folded),
        TEXT: sentence_starts(text.folded),
    }

    def sentence_of(hit: Hit) -> tuple[str, int]:
        return hit.field, bisect_right(sentence_index[hit.field], hit.folded_start)

    side_by_field = {TITLE: 0.0, TEXT: 0.0}
    side_by_sentence: dict[tuple[str, int], float] = {}
    side_count = 0
    for hit in hits:
        if hit.spec.group in side_groups:
            strength = side_strength[hit.spec.kind]
            side_count += 1
            side_by_field[hit.field] = max(side_by_field[hit.field], strength)
            key = sentence_of(hit)
            side_by_sentence[key] = max(side_by_sentence.get(key, 0.0), strength)

    mentions = tuple(_mention(topic, hit, hits, text) for hit in hits if hit.spec.group == LATAM)
    latam_by_field = {TITLE: 0.0, TEXT: 0.0}
    latam_by_sentence: dict[tuple[str, int], float] = {}
    for mention in mentions:
        hit = mention.hit
        latam_by_field[hit.field] = max(latam_by_field[hit.field], mention.strength)
        key = sentence_of(hit)
        latam_by_sentence[key] = max(latam_by_sentence.get(key, 0.0), mention.strength)
    same_sentence = max(
        (side * latam_by_sentence.get(key, 0.0) for key, side in side_by_sentence.items()),
        default=0.0,
    )

    cue_scores = dict.fromkeys(CATEGORIES, 0.0)
    negatives: dict[str, float] = {}
    factor = topic.categories.title_factor
    for hit in hits:
        if hit.spec.group == CUE:
            weight = hit.spec.weight * (factor if hit.field == TITLE else 1.0)
            cue_scores[hit.spec.label] += weight
        elif hit.spec.group == NEGATIVE:
            negatives[hit.spec.label] = hit.spec.weight
    strongest_cue = max(cue_scores.values(), default=0.0)
    act = min(1.0, strongest_cue / topic.relevance.act_saturation)

    return Features(
        side_title=side_by_field[TITLE],
        side_text=side_by_field[TEXT],
        side_count=side_count,
        latam_title=latam_by_field[TITLE],
        latam_text=latam_by_field[TEXT],
        same_sentence=same_sentence,
        act=act,
        war_link=war_link,
        negatives=negatives,
        cue_scores=cue_scores,
        mentions=mentions,
    )


def _mention(topic: Topic, hit: Hit, hits: list[Hit], text: FoldedText) -> Mention:
    """How much one Latin American mention counts as an actor, with the reason if not."""
    country = hit.spec.label or None
    context = topic.context
    if hit.field == TEXT and hit.folded_start < context.dateline_chars:
        surface = text.original[hit.start : hit.end]
        if any(c.isalpha() for c in surface) and surface.isupper():
            return Mention(hit, 0.0, country, "dateline")
    for other in hits:
        if (
            other.field == hit.field
            and other.spec.group == VENUE
            and 0 <= hit.folded_start - other.folded_end <= context.venue_window
        ):
            return Mention(hit, 0.0, country, "venue")
    strengths = topic.relevance.actor_strength
    strength = strengths[hit.spec.kind]
    if hit.spec.kind == "demonym" and any(
        other.field == hit.field
        and other.spec.group == STATE_NOUN
        and _gap(other, hit) <= context.state_noun_window
        for other in hits
    ):
        strength = strengths["demonym_near_state_noun"]
    return Mention(hit, strength, country)


def _gap(a: Hit, b: Hit) -> int:
    """Characters between two hits of the same field (0 when they touch or overlap)."""
    return max(0, b.folded_start - a.folded_end, a.folded_start - b.folded_end)
