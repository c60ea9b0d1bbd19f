"""What the precision filter reads of one candidate entry: named, explainable features.

Why: cue lists tuned on examples reached entry precision ~0.9 on the stories they were
tuned on and 0.56–0.66 on unseen ones (docs/timelines.md). The rules still propose every
candidate; a small logistic model (``precision.py``) then weighs how each candidate was
found — in the headline or deep in the text, in the country's own clause or inherited,
in a long list of states, beside a future, a negation or a request, with the other side
(Ukraine, Russia, their leaders) in the clause or not, whether the story's category
agrees with the kind — and keeps only the likely ones. Every feature has a name, so a kept
entry can say which ones carried it.

The future, negation and request markers are the clause's ``acts.act_status``, the same
decision the check (``told_as_done``) reads; no list of the filter's own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.timelines.acts import (
    ANNOUNCED,
    DENIED,
    ENCOUNTERS,
    PLANNED,
    REQUEST_RE,
    REQUESTED,
    UNCERTAIN,
    act_status,
    counts_as_act,
)
from monitor.timelines.model import KINDS, VOTE_KINDS

# "to strengthen trade ties", "ampliar la cooperación", "the possibility of": the cue is an
# aim, not an act, for the one-sided kinds only (a meeting held "to strengthen ties" took
# place), so it is not one of ``act_status``'s statuses, which hold for every kind.
_AIM_RE = re.compile(
    r"\b(?:strengthen\w*|deepen\w*|expand\w*|boost\w*|explor\w*|consider\w*|"
    r"possibilit\w*|potential|eventual\w*|"
    r"fortalec\w*|ampliar|ampliacion|ampliacao|estrechar|estreitar|profundizar|aprofundar|"
    r"impulsar|posibilidad|possibilidade|relanzar|retomar|"
    r"зміцн\w*|укрепл\w*)\b"
)
# Trade, arms or aid only discussed is a topic, not an act ("debateram … comércio",
# "рассмотрены вопросы … торговли", "discussed trade"); a peace plan discussed is taking
# part in it.
_DISCUSSED_RE = re.compile(
    r"\b(?:discuss\w*|debat\w*|discut\w*|abord\w*|talked about|рассмотрен\w*|обсуд\w*|"
    r"обсужд\w*|обговор\w*|розгляну\w*)\b"
)
_NOT_YET = frozenset({ANNOUNCED, PLANNED, UNCERTAIN})
_DISCUSSABLE = frozenset({"trade", "arms-security", "humanitarian"})
# The story's category that agrees with each kind (the topic's category names).
_CATEGORY_OF_KIND = {
    "visit": "summit-visit",
    "call": "summit-visit",
    "meeting": "summit-visit",
    "un-vote": "un-multilateral",
    "oas-vote": "un-multilateral",
    "peace-plan": "peace-plan",
    "arms-security": "security-military",
    "trade": "trade-economy",
    "humanitarian": "humanitarian",
}


@dataclass(frozen=True, slots=True)
class Sighting:
    """How one sentence reports one candidate: where the cue is and what surrounds it."""

    headline: bool  # the cue is in the headline
    own_clause: bool  # the country is named in the cue's clause (not inherited)
    distance: int  # words between the cue and the country's nearest mention (-1: unnamed)
    states: int  # Latin American states named in the sentence
    sentence_number: int  # 0 for the headline, 1 for the first sentence of the text…
    clause: str  # the cue's clause, folded
    counterpart_clause: bool  # Ukraine, Russia or their leaders in the cue's clause
    counterpart_sentence: bool  # … in the sentence
    latam_leader: bool  # a Latin American leader is named in the sentence
    first_clause: bool = False  # the cue is in the sentence's first clause
    topic_word: bool = False  # "about", "sobre", "discussing" just before the cue
    # the sentence before the cue's clause, folded: a request there governs what follows
    # ("o governo ucraniano pediu … que o Brasil enviasse ajuda: cobertores, alimentos")
    lead_in: str = ""
    # whether the clause's act happened (``acts.act_status`` on the unfolded clause, with
    # the story's language); None: read from the folded ``clause``
    status: str | None = None

    def act_status(self) -> str:
        """Whether the act happened: ``status``, else ``acts.act_status`` on the folded clause."""
        return self.status or act_status(self.clause)


def feature_names() -> tuple[str, ...]:
    """Every feature, in the order of the weights file."""
    return (
        *(f"kind={kind}" for kind in KINDS),
        "headline",
        "sightings",
        "own_clause",
        "near",
        "distance",
        "many_states",
        "story_countries",
        "future",
        "negation",
        "request",
        "clean_sighting",
        "counterpart_clause",
        "counterpart_sentence",
        "latam_leader",
        "category_agrees",
        "has_value",
        "lead",
        "first_clause",
        "topic_word",
        "country_candidates",
        "main_kind",
    )


def clause_markers(kind: str, status: str, value: str | None = None) -> tuple[bool, bool, bool]:
    """The filter's three markers of a candidate's clause, from its ``acts.act_status``:
    not yet done for its kind (a plan, a rumour, or a future that is no act of this kind:
    "will meet", "plans to", "could"; "will send aid" is an aid act), a negation or
    cancellation ("no viajará"), a request or an invitation ("pidió apoyo"). One decision:
    the check and the filter read the same status."""
    future = status in _NOT_YET and not counts_as_act(kind, status, value)
    return (future, status == DENIED, status == REQUESTED)


def told_as_done(kind: str, sightings: Sequence[Sighting], value: str | None = None) -> bool:
    """The explicit tense-and-negation check (labeling rule 2: acts that did not or have
    not yet happened are no entries): some sentence tells the act as one in its cue's
    clause (``acts.act_status``, ``acts.counts_as_act``). An encounter (visit, call,
    meeting, or taking part in a peace summit with no position stated) must have happened;
    for the other kinds a refusal or an announced decision is the act ("will not send
    weapons", "will provide aid"), a plan, request or rumour is not. A request earlier in
    the sentence governs the cue's clause ("pediu … que o Brasil enviasse ajuda: cobertores,
    alimentos"; a vote's resolution "asks" things, so not for votes), and a cue that is only
    an aim ("to strengthen trade ties") is no act of a one-sided kind."""
    encounter = kind in ENCOUNTERS or (kind == "peace-plan" and value is None)
    for sighting in sightings:
        status = sighting.act_status()
        if kind not in VOTE_KINDS and REQUEST_RE.search(sighting.lead_in):
            status = REQUESTED
        if not counts_as_act(kind, status, value):
            continue
        aim = bool(_AIM_RE.search(sighting.clause)) and status != DENIED
        aim = aim or (kind in _DISCUSSABLE and bool(_DISCUSSED_RE.search(sighting.clause)))
        if aim and (not encounter or kind == "peace-plan"):
            continue
        return True
    return False


def declined(sightings: Sequence[Sighting]) -> str | None:
    """A peace-plan step whose clause is negated or cancelled ("canceled his participation
    in the Peace Summit", "a la que irán Petro y Milei pero no Lula") states the position
    ``rejected`` when no value cue states one (``acts.act_status`` says ``DENIED``); None
    otherwise."""
    negated = any(s.act_status() == DENIED for s in sightings)
    return "rejected" if negated else None


def entry_features(
    kind: str,
    value: str | None,
    sightings: Sequence[Sighting],
    *,
    story_countries: int,
    category: str | None,
    country_candidates: int = 1,
    main_kind: bool = True,
) -> dict[str, float]:
    """The named features of one candidate entry: the first sighting (the one quoted)
    describes where the cue sits; all sightings say how often and how plainly it is told;
    ``country_candidates``: how many kinds the rules propose for the country in the story,
    ``main_kind``: this kind is told in the most sentences of them (a side remark is not)."""
    first = sightings[0]
    future, negation, request = clause_markers(kind, first.act_status(), value)
    clean = told_as_done(kind, sightings, value)
    distance = first.distance if first.distance >= 0 else 30
    features = {f"kind={k}": float(k == kind) for k in KINDS}
    features |= {
        "headline": float(any(s.headline for s in sightings)),
        "sightings": math.log1p(len(sightings)),
        "own_clause": float(first.own_clause),
        "near": float(0 <= first.distance <= 8),
        "distance": math.log1p(distance),
        "many_states": float(first.states >= 3),
        "story_countries": math.log1p(story_countries),
        "future": float(future),
        "negation": float(negation),
        "request": float(request),
        "clean_sighting": float(clean),
        "counterpart_clause": float(first.counterpart_clause),
        "counterpart_sentence": float(any(s.counterpart_sentence for s in sightings)),
        "latam_leader": float(any(s.latam_leader for s in sightings)),
        "category_agrees": float(category == _CATEGORY_OF_KIND.get(kind)),
        "has_value": float(value is not None),
        "lead": float(min(s.sentence_number for s in sightings) <= 1),
        "first_clause": float(first.first_clause),
        "topic_word": float(first.topic_word),
        "country_candidates": math.log1p(country_candidates),
        "main_kind": float(main_kind),
    }
    return features
