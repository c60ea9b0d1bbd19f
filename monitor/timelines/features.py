"""What the precision filter reads of one candidate entry: named, explainable features.

Why: cue lists tuned on examples reached entry precision ~0.9 on the stories they were
tuned on and 0.56–0.66 on unseen ones (docs/timelines.md). The rules still propose every
candidate; a small logistic model (``precision.py``) then weighs how each candidate was
found — in the headline or deep in the text, in the country's own clause or inherited,
in a long list of states, beside a future, a negation or a request, with the other side
(Ukraine, Russia, their leaders) in the clause or not, whether the story's category
agrees with the kind — and keeps only the likely ones. Every feature has a name, so a kept
entry can say which ones carried it.

The tense, negation and request markers are the explicit per-clause check: read on the
cue's clause (folded), EN/ES/PT and a few UK/RU forms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.timelines.model import KINDS, VOTE_KINDS

# "will meet", "plans to", "va a", "vai visitar", "visitará", "se reunirá", "irão"…
_FUTURE_RE = re.compile(
    r"\b(?:will|would|shall|plans? to|planned|planning|intends? to|expected to|"
    r"is to|are to|set to|scheduled|upcoming|next (?:week|month|year)|to be held|"
    # the same in adjectives and participles: "una futura visita", "encontro agendado"
    r"futur\w*|agendad\w*|programad\w*|previst\w*|"
    r"could|might|may|possible|posible|possivel|podria|poderia|expectativas?|expectations?|"
    r"va a|van a|planea|prevé|preve|pretende|proxim[oa]|tiene previsto|"
    r"vai|vao|ira|iran|irao|devera|deverao|planeja|sera|seran|serao|estara|tendra|habra|"
    r"(?:visit|viaj|reun|particip|asist|firm|vot|envi|recib|encontr|convers|realiz|celebr|"
    r"llam|lig|discut|trat|abord|anunci|present|recorr|habl|assin|receb|dialog|sostend|"
    r"mant|firm|particip|llev|lev|reali|ocurr|ocorr|acontec|inici)"
    r"(?:ara|era|ira|aran|eran|iran|arao|erao|irao)|"
    r"буде|будуть|будет|будут|планує|планирует|планують|планируют|готов\w*|намерен\w*|"
    r"збирається|собирается|посетит|посетят|відвідає|відвідають|прибуде|прилетить|"
    r"приедет|приїде)\b"
)
# "did not", "no viajará", "não vai", "canceled", "suspended", "postponed", "fell through"
_NEGATION_RE = re.compile(
    r"\b(?:not|never|didn't|won't|isn't|wasn't|nao|nunca|"
    # Spanish "no" before an auxiliary, a clitic or a future (Portuguese "no" is "in the")
    r"no (?:se|le|les|lo|la|ha|han|habra|va|van|pudo|podra|fue|hubo|asistio|viajo|firmo|"
    r"participo|voto)|no \w+(?:ara|ira|era|aran|iran|eran)|"
    r"cancel\w*|called off|call off|suspend\w*|suspens\w*|postpon\w*|aplaz\w*|adia\w*|"
    r"fell through|desist\w*|withdr\w*|refus\w*|deni\w*|nego|negou|negaron|rechaz\w*|recus\w*|descart\w*|"
    r"не|ні|отмен\w*|скасува\w*|отказ\w*|відмов\w*)\b"
)
# "asked", "invited", "urged", "pidió", "convidou", "proposal received": not the country's act
_REQUEST_RE = re.compile(
    r"\b(?:ask\w*|request\w*|invit\w*|urg\w*|call(?:ed|s)? on|"
    r"pid\w*|solicit\w*|convid\w*|convit\w*|insta\w*|inst[oó]|pedi\w*|pede|"
    r"quer que|queria que|quiere que|queria que|wants? \w+ to|"
    r"propos\w* to|propuso a|propone a|propos a|propoe a|"
    r"попрос\w*|запрос\w*|запроси\w*|запит\w*|запроше\w*|приглаш\w*|"
    # UK/RU "calls on", "with a request": "Україна закликає … сприяти … зустрічі"
    r"заклика\w*|закликав\w*|призыва\w*|призвал\w*|прохання\w*|просьб\w*|"
    r"просит\w*|просив\w*|просил\w*)\b"
)
# "to strengthen trade ties", "ampliar la cooperación", "the possibility of": an aim, not an act
_INTENT_RE = re.compile(
    r"\b(?:strengthen\w*|deepen\w*|expand\w*|boost\w*|explor\w*|consider\w*|"
    # a plan or a wish is not yet a decision ("pretende fazer a doação", "plans to transfer")
    r"pretend\w*|plans? to|planning to|planea\w*|planej\w*|intends? to|wants? to|quiere\w*|"
    r"possibilit\w*|potential|eventual\w*|"
    r"fortalec\w*|ampliar|ampliacion|ampliacao|estrechar|estreitar|profundizar|aprofundar|"
    r"impulsar|posibilidad|possibilidade|relanzar|retomar|"
    r"зміцн\w*|укрепл\w*)\b"
)
# Read by the check only (the filter's features keep their fitted meaning): an encounter
# that "must" or "should" happen ("deve visitar a Ucrânia", "має завершитися переговорами")
# is not told as done, nor one "declined" or "turned down" ("Declines to Visit Ukraine").
_NOT_YET_RE = re.compile(
    r"\b(?:must|should|ought to|deve|devem|deveria|deveriam|debe|deben|deberia|deberian|"
    r"має|мають|повинн\w*|должен|должна|должно|должны|следует|"
    r"declin\w*|turn(?:s|ed)? down)\b"
)
# Kinds that are encounters: planned, cancelled, denied or asked-for ones did not happen.
# For the others a refusal or an announced decision is itself the act ("will not send
# weapons", "no impondrá sanciones", "will provide aid", "will not attend the summit").
ENCOUNTERS = frozenset({"visit", "call", "meeting"})
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
    # the clause tells a future the folded text cannot show: an accented future form
    # ("incluirá reuniones", "llegará", "irão") or a headline's "Abinader to attend"
    planned: bool = False


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


def clause_markers(clause: str) -> tuple[bool, bool, bool]:
    """Whether a folded clause speaks of the future or a plan, is negated or cancelled,
    or reports a request or an invitation ("will meet", "no viajará", "pidió apoyo")."""
    return (
        bool(_FUTURE_RE.search(clause)),
        bool(_NEGATION_RE.search(clause)),
        bool(_REQUEST_RE.search(clause)),
    )


def told_as_done(kind: str, sightings: Sequence[Sighting], value: str | None = None) -> bool:
    """The explicit tense-and-negation check (labeling rule 2: acts that did not or have
    not yet happened are no entries): some sentence tells the act plainly in its cue's
    clause. For an encounter (visit, call, meeting) that clause has no future or plan
    ("will meet", "visitará"), no negation or cancellation ("did not", "canceled") and no
    request or invitation ("invitó a visitar"), no "must"/"should" ("deve visitar") or
    "declined", and no future the folding hides (``Sighting.planned``). Taking part in a peace summit or group
    with no position stated (a ``peace-plan`` without ``value``) is an encounter too: a
    summit that "se llevará a cabo … con la participación confirmada de Argentina" has not
    happened yet (a refusal to attend has the value ``rejected`` and stays an act). For the
    other kinds a refusal or an announced decision is the act, so only a request or a
    proposal received ("asked for weapons", "proposed to Argentina") or a mere aim ("to
    strengthen trade ties") voids it."""
    encounter = kind in ENCOUNTERS or (kind == "peace-plan" and value is None)
    for sighting in sightings:
        future, negation, request = clause_markers(sighting.clause)
        # a request earlier in the sentence governs the cue's clause too ("pediu … que o
        # Brasil enviasse ajuda: cobertores, alimentos"); a vote's resolution "asks" things
        if kind not in VOTE_KINDS:
            request = request or bool(_REQUEST_RE.search(sighting.lead_in))
        # a plan or an aim is no act yet; a plan denied is a refusal, which is one
        aim = bool(_INTENT_RE.search(sighting.clause)) and not negation
        if encounter and (sighting.planned or _NOT_YET_RE.search(sighting.clause)):
            continue
        if encounter and not (future or negation or request) and not (kind == "peace-plan" and aim):
            return True
        if not encounter and not request and not aim:
            return True
    return False


def declined(sightings: Sequence[Sighting]) -> str | None:
    """A peace-plan step whose clause is negated or cancelled ("canceled his participation
    in the Peace Summit", "a la que irán Petro y Milei pero no Lula") states the position
    ``rejected`` when no value cue states one; None otherwise."""
    negated = any(clause_markers(s.clause)[1] for s in sightings)
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
    future, negation, request = clause_markers(first.clause)
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
