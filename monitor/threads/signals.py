"""The signals that say whether two stories report the same event, one function each.

Each takes the two stories' :class:`~monitor.threads.facts.StoryFacts` and returns a
:class:`Signal`: its name, what it found (shown to people: shared countries, the terms in
common, the days apart) and whether it holds. Pure set arithmetic, no I/O.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from monitor.matching.text import fold
from monitor.threads.facts import StoryFacts, keys_meet, name_keys

__all__ = [
    "REPLY_WORDS",
    "REVERSAL_WORDS",
    "Signal",
    "days_apart",
    "days_apart_or_preview",
    "distinct_counterparts",
    "is_preview",
    "latam_persons",
    "reply_to",
    "same_people",
    "same_two_leaders",
    "same_type",
    "shared_actors",
    "shared_terms",
    "survey_beside_act",
    "type_agrees",
]

# Headline words that report a reaction to someone else's act (labeling rule 3): a story
# whose headline has one, beside one whose headline has none, reports a reply.
REPLY_WORDS = (
    "rebuff", "reject", "rejeit", "respond", "responde", "replica", "reage", "react",
    "reaccion", "reacao", "reacoes", "welcome",
)
# Headline words that report a walk-back of one's own words (labeling rule 3: a second
# act). Whole words or stems: "recua" but not "recurso", "retracts" but not "retrato".
REVERSAL_WORDS = (
    r"recu(?:a|am|ou|ar)\b", r"recula", r"backtrack", r"walks? back", r"walked back",
    r"u-turn", r"retract", r"rectifica", r"retifica", r"da marcha atras", r"volta atras",
    r"voltou atras", r"se desdiz", r"desdice",
)
_REPLY_RE = re.compile(r"\b(?:" + "|".join((*REPLY_WORDS, *REVERSAL_WORDS)) + r")")

# A headline that announces an act ahead (labeling rule 2: a preview within a week is the
# act): English "will"/"to visit"/"next week", Spanish "va a"/"la semana próxima",
# Portuguese "vai"/"deve"; matched on the folded headline.
_PREVIEW_RE = re.compile(
    r"\b(?:will|set to|next week|to (?:visit|meet|receive|travel|arrive)"
    r"|va a|van a|semana proxima|proxima semana|vai|vao|deve|devem|ira|irao)\b"
)
# A negation makes a future a statement, not a preview ("Putin will not be arrested").
# Not Spanish "no": it is Portuguese "in the" ("no dia 3").
_NEGATION_RE = re.compile(r"\b(?:not|nao|won't|wont|never|nunca|jamas)\b")
# The future tense of Spanish and Portuguese verbs (recibirá, llegarán, receberá, irão),
# read on the headline before folding, where the accent still tells it.
_FUTURE_VERB_RE = re.compile(r"\w{2,}(?:rá|rán|rão)\b")


# The event type of votes, where a story may name many countries, or pick one.
VOTE_TYPE = "un-multilateral"
# The classifier's catch-all type: a story it could not type (a headline about a day of
# ceremonies, a statement) says nothing against a typed report of the same day.
UNTYPED = "other"


@dataclass(frozen=True, slots=True)
class Signal:
    """One signal's finding about a pair: a name, what it saw, and whether it holds."""

    name: str
    holds: bool
    detail: tuple[str, ...] = ()
    value: int = 0


def days_apart(a: StoryFacts, b: StoryFacts, window: int) -> Signal:
    """The stories' days are at most ``window`` days apart."""
    days = abs((a.day - b.day).days)
    return Signal("time", days <= window, (f"{days} days apart",), days)


def days_apart_or_preview(a: StoryFacts, b: StoryFacts, window: int, preview: int) -> Signal:
    """Within ``window`` days, or within ``preview`` days when the earlier story's
    headline announces an act ahead ("will arrive on June 12", "recibirá la semana
    próxima"): a preview published up to a week before is the act (labeling rule 2)."""
    earlier = a if a.day <= b.day else b
    if a.day == b.day or not is_preview(earlier.title):
        return days_apart(a, b, window)
    found = days_apart(a, b, preview)
    return replace(found, detail=(*found.detail, f"preview {earlier.story_id}"))


@functools.lru_cache(maxsize=65_536)
def is_preview(title: str) -> bool:
    """The headline announces an act ahead: a future tense or "next week", not negated."""
    folded = fold(title)
    if _NEGATION_RE.search(folded):
        return False
    return bool(_FUTURE_VERB_RE.search(title.lower()) or _PREVIEW_RE.search(folded))


def shared_actors(a: StoryFacts, b: StoryFacts) -> Signal:
    """Both name the same Latin American country or the same person."""
    common = sorted(a.countries & b.countries) + sorted(a.people & b.people)
    return Signal("actors", bool(common), tuple(common), len(common))


def distinct_counterparts(a: StoryFacts, b: StoryFacts) -> Signal:
    """Different Latin American counterparts: both name leaders, of no country in common,
    or both headlines name countries, none in common (outside a UN vote, where a headline
    picks one voter among many).

    Zelensky meeting Paraguay's Peña is not Zelensky at Milei's inauguration (labeling
    rule 5). Compared by country, so "Lula" and "Лула" agree.
    """
    leaders = _disjoint(a.leader_countries, b.leader_countries)
    vote = VOTE_TYPE in (a.category, b.category)
    headlines = not vote and _disjoint(a.title_countries, b.title_countries)
    detail: tuple[str, ...] = ()
    if leaders:
        detail = (",".join(sorted(a.leader_countries)), ",".join(sorted(b.leader_countries)))
    elif headlines:
        detail = (",".join(sorted(a.title_countries)), ",".join(sorted(b.title_countries)))
    return Signal("counterparts", leaders or headlines, detail)


def _disjoint(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    return bool(mine and theirs) and not (mine & theirs)


def same_two_leaders(a: StoryFacts, b: StoryFacts) -> Signal:
    """Both name the same Latin American leader and the same Ukrainian or Russian leader:
    the same two principals (a call or meeting, whatever its type).

    The Latin American side is compared by person where both stories name their people
    (Celso Amorim meeting Zelensky is not Lula hoping Zelensky will host him, though both
    are Brazil's), by country for facts stored before persons were kept."""
    sides = sorted(a.side_people & b.side_people)
    countries = sorted(a.leader_countries & b.leader_countries)
    mine, theirs = latam_persons(a), latam_persons(b)
    if mine and theirs:
        same_person = any(keys_meet(p, q) for p in mine for q in theirs)
        countries = countries if same_person else []
    holds = bool(sides and countries)
    return Signal("leaders", holds, tuple(countries + sides) if holds else ())


@functools.lru_cache(maxsize=65_536)
def latam_persons(facts: StoryFacts) -> tuple[frozenset[str], ...]:
    """The people a story names who are not of Ukraine's or Russia's side (their keys
    meet no side person's words). Cached: a story is compared with many others."""
    side = name_keys(facts.side_people)
    return tuple(person for person in facts.persons if not keys_meet(person, side))


def same_people(a: StoryFacts, b: StoryFacts) -> Signal:
    """Whether the two stories name the same people (leaders, ministers), whatever the
    script. ``value`` 0: the same people, or either names nobody (nothing to compare);
    1: one names someone the other does not (only the other's people in common);
    2: each names someone the other does not (different people). Holds at 0.

    Lula calling Zelensky on Monday and Vieira calling Kuleba on Tuesday share a country
    and a type but not one person: value 2, two acts. The detail names, per story, the
    people the other lacks.
    """
    if not (a.persons and b.persons):
        return Signal("people", True, ("not named in both",))
    only_a = [p for p in a.persons if not any(keys_meet(p, q) for q in b.persons)]
    only_b = [q for q in b.persons if not any(keys_meet(q, p) for p in a.persons)]
    detail = tuple(
        f"only {story.story_id}: {'/'.join(sorted(person))}"
        for story, lacking in ((a, only_a), (b, only_b))
        for person in sorted(lacking, key=sorted)
    )
    return Signal("people", not detail, detail, bool(only_a) + bool(only_b))


SURVEY_MIN_COUNTRIES = 3


def survey_beside_act(a: StoryFacts, b: StoryFacts) -> Signal:
    """One headline surveys several countries (three or more, outside a UN vote), the
    other does not: a roundup is its own event (labeling rule 6)."""
    in_a, in_b = is_survey(a), is_survey(b)
    holds = in_a != in_b
    return Signal("survey", holds, ((a.story_id if in_a else b.story_id),) if holds else ())


def is_survey(facts: StoryFacts) -> bool:
    """The headline names three or more Latin American countries, and it is not a vote."""
    return (
        len(facts.title_countries) >= SURVEY_MIN_COUNTRIES
        and facts.category != VOTE_TYPE
    )


def same_type(a: StoryFacts, b: StoryFacts) -> Signal:
    """Both have the same event type (the classifier's category)."""
    holds = a.category is not None and a.category == b.category
    return Signal("type", holds, (f"{a.category} / {b.category}",))


def type_agrees(a: StoryFacts, b: StoryFacts) -> Signal:
    """The same event type, or one story untyped (``UNTYPED``) beside a typed one of the
    same day: "Lula and Russia's Victory Day celebrations" (other) and "Lula meets Putin in
    Moscow" (summit-visit) report one visit; the other signals still have to agree."""
    if same_type(a, b).holds:
        return Signal("type", True, (f"{a.category} / {b.category}",))
    untyped = UNTYPED in (a.category, b.category) and a.day == b.day
    detail = (f"{a.category} / {b.category}",) + (("untyped, same day",) if untyped else ())
    return Signal("type", untyped, detail)


def shared_terms(a: StoryFacts, b: StoryFacts) -> Signal:
    """The distinctive terms (names, numbers, long words) the two stories share."""
    common = tuple(sorted(a.terms & b.terms))
    return Signal("terms", bool(common), common, len(common))


def reply_to(a: StoryFacts, b: StoryFacts) -> Signal:
    """Exactly one headline reports a reaction (rejects, rebuffs, responds…)."""
    in_a, in_b = is_reply(a.title), is_reply(b.title)
    holds = in_a != in_b
    detail = ((a.story_id if in_a else b.story_id),) if holds else ()
    return Signal("reply", holds, detail)


@functools.lru_cache(maxsize=65_536)
def is_reply(title: str) -> bool:
    """The headline reports a reaction to another act (cached: the worker compares one
    story with many, and folding the headline each time was most of the decision's cost)."""
    return _REPLY_RE.search(fold(title)) is not None
