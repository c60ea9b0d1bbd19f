"""Turn gazetteer hits into the few features the relevance score is made of.

The labeling rules ask whether a story is *about* Ukraine's (or, tied to the war,
Russia's) relations with a Latin American actor. The features approximate that:

* which sides the headline names, and how strongly (a president beats a demonym); a side
  named only in the lede (the first sentence of the text) counts as a weaker headline;
* whether one sentence holds both sides (proximity rather than mere co-occurrence), with
  partial credit when they sit in adjacent sentences (the headline and the lede count as
  adjacent): the second sentence usually refers back to the first ("O Brasil votou…");
* whether the Ukraine side is named more than once (not a passing mention);
* the strongest category cue (a diplomatic act: visit, vote, aid, weapons, ambassador…);
* negative cues (football, church collections, price effects, roundups, other wars); a
  negative cue is void when one of its ``unless`` terms occurs (price effects stop being
  mere side effects when the text reports sanctions, a state act).

Context rules demote Latin American mentions that are not actors: a country right after
a venue phrase ("during a meeting in the Dominican Republic", "at the inauguration of
Milei"), an uppercase dateline, and a bare demonym not next to a state noun ("Mexican
border" vs "Mexican government"). A capital or city right after a place preposition
("an embassy in Lima") is a location: it still counts for relevance, but its country is
listed only when no other Latin American country is named as an actor. A category cue
right after a venue phrase ("on the sidelines of the UN General Assembly") is the
setting of a meeting, so it counts for the topic's venue category (summit-visit) rather
than its own. Pure functions over hits; no I/O.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from itertools import chain

from monitor.matching.scanner import Hit
from monitor.matching.text import FoldedText, sentence_starts
from monitor.matching.topic import (
    CUE,
    NEGATIVE,
    SIGNAL,
    STATE_NOUN,
    UNLESS,
    VENUE,
    Gate,
    Topic,
)

TITLE = "title"
TEXT = "text"
LOCATION_KINDS = ("capital", "city")
# The note of a demonym with no state noun beside it: people, not the state, named.
PASSING = "passing"


@dataclass(frozen=True, slots=True)
class Mention:
    """A Latin American mention and how much it counts as a state actor (0 = not at all)."""

    hit: Hit
    strength: float
    country: str | None
    note: str = ""

    @property
    def is_actor(self) -> bool:
        """Counts as the country acting, not merely where something happens."""
        return self.strength > 0 and self.note != "place"


@dataclass(frozen=True, slots=True)
class Features:
    """What the relevance score and the category decision are computed from."""

    side_title: float
    side_text: float
    side_count: int
    side_lede: float
    latam_title: float
    latam_text: float
    same_sentence: float
    act: float
    war_link: bool
    negatives: Mapping[str, float]
    cue_scores: Mapping[str, float]
    mentions: tuple[Mention, ...] = field(default_factory=tuple)
    # The first hit of each precedence signal that fired (see ``precedence.py``).
    signals: Mapping[str, Hit] = field(default_factory=dict)

    @property
    def gates_open(self) -> bool:
        """Both sides are present somewhere; without them nothing else matters."""
        side = max(self.side_title, self.side_text) > 0
        latam = max(self.latam_title, self.latam_text) > 0
        return side and latam

    def countries(self) -> tuple[str, ...]:
        """Countries of the actor mentions, in order of first mention (title first).

        The labeling rules' Countries rule leaves out states named in passing: a country
        named only by a bare demonym ("the Uruguayan news agency", "Mexican exporters")
        is listed only when no country is named as an actor. Countries named only as a
        location ("in Lima") come last, when neither is.
        """
        actors: dict[str, None] = {}
        passing: dict[str, None] = {}
        places: dict[str, None] = {}
        for mention in self.mentions:
            if mention.country and mention.strength > 0:
                if not mention.is_actor:
                    target = places
                elif mention.note == PASSING:
                    target = passing
                else:
                    target = actors
                target.setdefault(mention.country, None)
        return tuple(actors or passing or places)


def extract_features(
    topic: Topic,
    title: FoldedText,
    text: FoldedText,
    title_hits: list[Hit],
    text_hits: list[Hit],
) -> Features:
    """Compute :class:`Features` from the hits of both fields."""
    hits = title_hits + text_hits
    by_group: dict[str, list[Hit]] = {}
    for hit in hits:
        by_group.setdefault(hit.spec.group, []).append(hit)
    gate = topic.gate
    war_link = gate.has_link(by_group)
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
    for group in gate.side_groups(by_group):
        for hit in by_group.get(group, ()):
            strength = side_strength[hit.spec.kind]
            side_count += 1
            side_by_field[hit.field] = max(side_by_field[hit.field], strength)
            key = sentence_of(hit)
            side_by_sentence[key] = max(side_by_sentence.get(key, 0.0), strength)

    venues = by_group.get(VENUE, [])
    state_nouns = by_group.get(STATE_NOUN, [])
    mentions = tuple(
        _mention(topic, hit, venues, state_nouns, title, text)
        for hit in by_group.get(gate.actor, ())
    )
    latam_by_field = {TITLE: 0.0, TEXT: 0.0}
    latam_by_sentence: dict[tuple[str, int], float] = {}
    for mention in mentions:
        hit = mention.hit
        latam_by_field[hit.field] = max(latam_by_field[hit.field], mention.strength)
        key = sentence_of(hit)
        latam_by_sentence[key] = max(latam_by_sentence.get(key, 0.0), mention.strength)
    adjacent = topic.relevance.adjacent_factor
    same_sentence = 0.0
    for side_key, side in side_by_sentence.items():
        for latam_key, latam in latam_by_sentence.items():
            if side_key == latam_key:
                same_sentence = max(same_sentence, side * latam)
            elif adjacent and _adjacent(side_key, latam_key):
                same_sentence = max(same_sentence, adjacent * side * latam)

    cue_scores = dict.fromkeys(topic.categories.names, 0.0)
    factor = topic.categories.title_factor
    venue_category = topic.categories.venue_category
    venue_window = topic.context.venue_window
    for hit in by_group.get(CUE, ()):
        weight = hit.spec.weight * (factor if hit.field == TITLE else 1.0)
        category = hit.spec.label
        if venue_category and any(_follows(venue, hit, venue_window) for venue in venues):
            category = venue_category
        cue_scores[category] += weight
    negatives = {hit.spec.label: hit.spec.weight for hit in by_group.get(NEGATIVE, ())}
    for hit in by_group.get(UNLESS, ()):
        negatives.pop(hit.spec.label, None)
    strongest_cue = max(cue_scores.values(), default=0.0)
    act = min(1.0, strongest_cue / topic.relevance.act_saturation)

    return Features(
        side_title=side_by_field[TITLE],
        side_text=side_by_field[TEXT],
        side_count=side_count,
        side_lede=side_by_sentence.get((TEXT, 1), 0.0),
        latam_title=latam_by_field[TITLE],
        latam_text=latam_by_field[TEXT],
        same_sentence=same_sentence,
        act=act,
        war_link=war_link,
        negatives=negatives,
        cue_scores=cue_scores,
        mentions=mentions,
    )


def find_signals(topic: Topic, title: FoldedText, text: FoldedText) -> dict[str, Hit]:
    """The first hit of each precedence signal in the headline, then the text.

    A separate scan from the features' one: only relevant stories need a category, so the
    worker pays for it only on them."""
    signals: dict[str, Hit] = {}
    if topic.signal_scanner is None or not topic.precedence:
        return signals  # nothing would read them
    for hit in chain(
        topic.signal_scanner.scan(title, TITLE), topic.signal_scanner.scan(text, TEXT)
    ):
        if hit.spec.group == SIGNAL:
            signals.setdefault(hit.spec.label, hit)
    return signals


def gates_can_open(gate: Gate, groups: Collection[str]) -> bool:
    """Whether both sides are named at all, by the groups of a story's hits: necessary for
    ``Features.gates_open``. Monotone (adding groups never makes it false), so it can be
    asked of a superset of the groups first (``Gate.groups`` lists the ones it reads).

    Whether a mention is strong enough to open a gate is left to ``extract_features``.
    """
    return gate.can_open(groups)


def _adjacent(a: tuple[str, int], b: tuple[str, int]) -> bool:
    """Neighbouring sentences of one field, or any headline sentence and the lede."""
    if a[0] == b[0]:
        return abs(a[1] - b[1]) == 1
    return (a[0] == TITLE and b == (TEXT, 1)) or (b[0] == TITLE and a == (TEXT, 1))


def _follows(first: Hit, second: Hit, window: int) -> bool:
    """``second`` starts within ``window`` characters after ``first`` ends, same field."""
    return first.field == second.field and 0 <= second.folded_start - first.folded_end <= window


def _mention(
    topic: Topic,
    hit: Hit,
    venues: list[Hit],
    state_nouns: list[Hit],
    title: FoldedText,
    text: FoldedText,
) -> Mention:
    """How much one Latin American mention counts as an actor, with the reason if not."""
    country = hit.spec.label or None
    context = topic.context
    if hit.field == TEXT and hit.folded_start < context.dateline_chars:
        surface = text.original[hit.start : hit.end]
        if any(c.isalpha() for c in surface) and surface.isupper():
            return Mention(hit, 0.0, country, "dateline")
    for venue in venues:
        if _follows(venue, hit, context.venue_window):
            return Mention(hit, 0.0, country, "venue")
    strengths = topic.relevance.actor_strength
    kind = hit.spec.kind
    strength = strengths[kind]
    if kind in LOCATION_KINDS and context.place_prepositions:
        folded = (title if hit.field == TITLE else text).folded
        before = folded[max(0, hit.folded_start - 12) : hit.folded_start].split()
        if before and before[-1] in context.place_prepositions:
            return Mention(hit, strength, country, "place")
    if kind == "demonym":
        if not any(
            other.field == hit.field and _gap(other, hit) <= context.state_noun_window
            for other in state_nouns
        ):
            return Mention(hit, strength, country, PASSING)
        strength = strengths["demonym_near_state_noun"]
    return Mention(hit, strength, country)


def _gap(a: Hit, b: Hit) -> int:
    """Characters between two hits of the same field (0 when they touch or overlap)."""
    return max(0, b.folded_start - a.folded_end, a.folded_start - b.folded_end)
