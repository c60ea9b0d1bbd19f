"""Timeline entries and stances from one relevant story and the classifier's verdict.

Pure and explainable. The story is split into sentences (headline first). A country's
sentences are those where the classifier's evidence names it as a state (not as a dateline
or a venue; a demonym only beside a state word such as "government"); in a story about
one country that names the state, every sentence is its. In each of its sentences:

* a **kind** cue (``cues.toml`` ``[kinds]``) makes an entry of that kind, unless a
  ``[cancel]`` phrase for that kind is in the sentence; a place in Ukraine or Russia or an
  arrival (``[places]``) makes a visit when the sentence names a leader; a vote is an OAS
  vote when the story names the OAS, a UN vote when it names a UN body, else nothing;
* its **value** is the vote or peace-plan position cue nearest after the country's
  mention (else nearest before it); a tally ("141 votos a favor") is not a vote;
* a **stance** cue gives the country's stance, the headline's first, quoting the sentence,
  when the sentence names the state or a word for its government; ``opposes`` wins.

One entry per (country, kind): the first sentence wins, unless a later one states a value
the first lacks; an entry still without a value takes one from another of the country's
sentences. Actors are the leaders and governments the evidence finds in the quoted
sentence. Nothing here reads the database or the network.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from monitor.matching.scanner import Hit
from monitor.matching.text import fold, fold_text
from monitor.models import Classification, Evidence
from monitor.timelines.acts import (
    FOREIGN,
    HAPPENED,
    OTHER,
    PEOPLE,
    PLANNED,
    Actor,
    act_agent,
    act_party,
    act_speaker,
    act_status,
)
from monitor.timelines.clauses import clause_index, continues_subject, split_clauses
from monitor.timelines.cues import (
    CANCEL,
    KIND,
    NO_STANCE,
    NO_VALUE,
    PEACE,
    PLACE,
    STANCE,
    THIRD,
    VENUE,
    VOTE,
    TimelineCues,
)
from monitor.timelines.features import Sighting, declined, entry_features, told_as_done
from monitor.timelines.model import (
    VOTE_KINDS,
    Quote,
    Stance,
    StoryText,
    StoryTimeline,
    TimelineEntry,
)
from monitor.timelines.sentences import split_sentences

_NOT_ACTOR = frozenset({"dateline", "venue"})  # classifier notes: a place, not a party
_ACTOR_KINDS = frozenset({"leader", "government"})
_WORD_RE = re.compile(r"\w+")
# A number of votes or states right before a vote value is a tally, not a country's vote:
# "141 votos a favor", "35 se abstiveram", "35 countries abstained", "5 países votaron en contra".
_TALLY_RE = re.compile(
    r"\d\s*(?:(?:votes?|votos?|голос\w*|countries|states|nations|members|pa[ií]ses|"
    r"naciones|na[cç][oõ]es|estados|miembros|membros|se|have|han|ha|voted|votaron|votaram)\s*){0,2}$",
    re.IGNORECASE,
)
# Between the two halves of a pair: "Ukraine-Russia", "Rusia y Ucrania", "Росії та України".
_PAIR_RE = re.compile(r"\s*(?:-|–|/|and|y|e|и|і|та)\s*", re.IGNORECASE)
_EMPTY = StoryTimeline((), ())
_TWO_SIDED = frozenset({"call", "meeting"})  # the other side's leader is the counterpart
# Words that make Ukraine or Russia a meeting's topic, not its other party ("a meeting on
# Ukraine", "para discutir a guerra entre Ucrânia e Rússia"), within three words before.
_TOPIC_RE = re.compile(
    r"\b(?:about|on|over|regarding|sobre|acerca|entre|between|war|guerra|conflict|conflicto|"
    # the setting: "talks … amid Ukraine-Russia crisis", "the impact of the … crisis",
    # "an end to the hostilities in Ukraine", "en medio de la guerra"
    r"amid|amidst|medio|meio|impact|impacto|hostilities|hostilidades|situation|situaci[oó]n|"
    r"situa[cç][aã]o|"
    r"conflito|crisis|crise|peace|paz|invasion|invasi[oó]n|invas[aã]o)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
# A kind named as what was talked about ("conversa … sobre exportação", "discussing
# humanitarian demining"), within three words before the cue: a topic, not an act.
_CUE_TOPIC_RE = re.compile(
    r"\b(?:about|on|over|regarding|discuss\w*|sobre|acerca de|para discutir|discutir|"
    r"discutieron|discutiram|trataron|trataram|abord\w*|expectativas? para|"
    r"expectations? for)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
# Ukraine and Russia right after a meeting cue, together: the war's parties' own talks
# ("переговоры между Россией и Украиной", "peace talks between Russia and Ukraine").
_SIDE = r"(?:russia|rusia|russi|rossi|росси|рф|росі|ukrain|ucrani|украин|україн)\w*"
_WAR_TALKS_RE = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:(?:between|entre|между|між)\W+)?(?:(?:la|el|a|o|the)\W+)?"
    + _SIDE
    + r"\W+(?:and|y|e|и|і|та|-)\W+(?:(?:la|el|a|o|the)\W+)?"
    + _SIDE
)
# The words between a visit cue and its destination: "to", "a", "à", "ao", "in", "em"…
_DESTINATION_RE = re.compile(
    r"\s+(?:\w+\s+)?(?:to|a|à|ao|aos|in|en|em|no|na)\s+(?:the\s+|el\s+|la\s+|o\s+)?",
)
_LIST_GAP_RE = re.compile(r"\s*(?:,|and|y|e)?\s*")
_FOREIGN = "ukraine/russia"
_ELSEWHERE = "elsewhere"
_ONE_SIDED = frozenset({"peace-plan", "trade", "humanitarian", "arms-security"})
# Kinds a third state's act is read for: a joint summit's declaration or a vote "aprobada
# por 21 países" names third parties as a matter of course.
_OWN_ACTS = frozenset({"trade", "humanitarian", "arms-security"})
# "against Russia", "en contra de Ucrania", "contra a Rússia": the object, not a vote (folded)
_PARTY_RE = re.compile(
    r"\s*(?:de |of |a |da |do )?(?:la |the |el |o |a )?"
    # "en contra de la agresión de Rusia", "against the invasion of Ukraine": still its object
    r"(?:(?:agresion|agressao|aggression|invasion|invasao|ofensiva|offensive|guerra|war|"
    r"ataque|attack)\s+(?:de |of |da |do |by |por |pela )?(?:la |the |el |o |a )?)?"
    r"(?:ucrania|ukrain|rusia|russia|kiev|kyiv|moscu|moscow|moscou|"
    r"украин|україн|росси|росі)"
)
# A president-elect is not yet the government (labeling rule 1), within a few words before
# the state or leader it qualifies (folded): "president-elect", "presidente electo de".
_ELECT = (
    r"\b(?:elect|electo|electa|eleito|eleita|newly elected|избранн\w*|обран\w*|"
    r"новоизбранн\w*|новообран\w*)\b"
)
_ELECT_RE = re.compile(_ELECT + r"\W+(?:\w+\W+){0,2}$")
# … or as the other side of an encounter, right after its cue (folded): "met with the
# president-elect", "зустріч з новообраним президентом" (labeling rule 8: no meeting).
_ELECT_PARTNER_RE = re.compile(
    r"^\W*(?:\w+\W+){0,1}?(?:with|con|com|з|із|с|со)\W+(?:(?:the|el|la|o|a)\W+)?"
    r"(?:\w+\W+){0,1}?" + _ELECT.replace(r"\b(?:elect|", r"\b(?:president[- ]elect|elect|")
)
# A clause that opens with a plan's participle qualifies the act of the clause before it
# (folded): "marcada para esta quinta-feira", "scheduled for May", "prevista para junio",
# "запланована на травень", "назначенная на май".
_SCHEDULED_RE = re.compile(
    r"^\W*(?:\w+\W+){0,1}?(?:scheduled|planned|set for|expected|marcad[oa]s?|agendad[oa]s?|"
    r"programad[oa]s?|previst[oa]s?|запланован\w*|призначен\w*|запланирован\w*|"
    r"назначенн\w*)\b"
)
# The words between an encounter cue and its first side: "between"/"entre"/"між"/"между"
# or "of"/"de" with an article, or nothing (a Russian or Ukrainian genitive: "встреча
# Путина").
_SIDES_LEAD_RE = re.compile(
    r"\s+(?:(?:between|entre|між|между|of|de|da|do|del)\s+)?(?:(?:the|el|la|los|o|os)\s+)?",
    re.IGNORECASE,
)
# Between an encounter's two sides: "and"/"y"/"e"/"и"/"та", a dash, or "with"/"con"/"com"/
# "с"/"з" and up to three words of title ("com o presidente americano Donald Trump").
_PARTNER_RE = re.compile(
    r"\s*(?:-|–|/|and|y|e|и|і|та|with|con|com|с|со|з|із)\s+(?:[\w.]+\s+){0,3}",
    re.IGNORECASE,
)
_POSSESSIVE_RE = re.compile(r"['’]s\s+")
# … and before a leader, a title, the state and the leader's first names may come between
# when nothing but spaces separates them ("обраний президент Бразилії Луїс Інасіо Лула");
# after a comma the name is an apposition of its own ("electo Presidente de Chile, Gabriel
# Boric" is the label's government).
_ELECT_LEADER_RE = re.compile(_ELECT + r"[\s-]+(?:\w+\s+){0,5}$")
# … or right after it: "Mexican President-elect Claudia Sheinbaum", "mexicano, presidente electo".
_ELECT_AFTER_RE = re.compile(
    r"^\W*(?:president|presidente|presidenta|prime minister|primer ministro)[\s-]*"
    r"(?:elect|electo|electa|eleito|eleita)\b"
)
# "resolution to the conflict", "resolución del conflicto": a settlement, not a UN resolution
_SETTLEMENT_RE = re.compile(
    r"^\s*(?:to|of|for|del|de|do|da|para)\s+(?:the |el |la |o |a |este |esse )?(?:\w+\s+)?"
    r"(?:conflict|conflicto|conflito|war|guerra|crisis|crise|конфлікт\w*|конфликт\w*)"
)
# A clause that opens with a relative pronoun is about its antecedent.
_RELATIVE_RE = re.compile(
    r"\W*(?:who|which|que|quien|quienes|quem|qual|який|яка|які|который|которая|которые)\b",
    re.IGNORECASE,
)
# "en Argentina", "in the Dominican Republic", "na Argentina": a state named as a place
_LOCATIVE_RE = re.compile(r"\b(?:en|in|em|na|no|at)\s+(?:la |el |the |a |o )?$", re.IGNORECASE)
# After a peace plan or group, the words that make the next states its authors: "plano de
# paz de Brasil e China", "Amigos da Paz, fundado por Brasil e China", "liderado por Pequim
# e Brasília", "the plan put forward by Mexico".
_OWNER_RE = re.compile(
    r"\W*(?:(?:(?:fundad|liderad|encabezad|impulsad|lanzad|lançad|criad|cread|propuest|"
    r"propost|presentad|apresentad)[oa]s?|founded|led|launched|created|proposed|put forward|"
    r"presented|drafted)\s+)?(?:de|do|da|of|by|por|pelo|pela)\s+(?:el |la |o |a |the )?",
    re.IGNORECASE,
)
# The words between a plan's author states: names, commas, "and"/"y"/"e" ("Brasil e China").
_AUTHORS_GAP_RE = re.compile(r"(?:\s*(?:,|and|y|e|&|[A-ZÀ-Ý][\w-]*)\s*)*")


def extract_timeline(
    cues: TimelineCues, story: StoryText, verdict: Classification
) -> StoryTimeline:
    """The entries and stances ``story`` adds to its countries' timelines: the rules'
    candidates that some sentence tells as done (not only planned, denied or asked for),
    and that the precision filter keeps when one is loaded."""
    found, stances = extract_candidates(cues, story, verdict)
    candidates = [c for c in found if c.done]
    if cues.precision is None:
        return StoryTimeline(tuple(c.entry for c in candidates), stances)
    kept = (cues.precision.judge(c.entry, c.features) for c in candidates)
    return StoryTimeline(tuple(entry for entry in kept if entry is not None), stances)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entry the rules propose, with the named features the precision filter reads."""

    entry: TimelineEntry
    features: dict[str, float]
    done: bool  # some sentence tells it as done (``features.told_as_done``)


def extract_candidates(
    cues: TimelineCues, story: StoryText, verdict: Classification
) -> tuple[list[Candidate], tuple[Stance, ...]]:
    """Every entry the cue and clause rules find (before the precision filter), and the
    stances."""
    if not verdict.relevant or not verdict.countries:
        return [], ()
    sentences = split_sentences(story.title, "title") + split_sentences(story.text, "text")
    hits = cues.scanner.scan(fold_text(story.title), "title")
    hits += cues.scanner.scan(fold_text(story.text), "text")
    venue = _vote_venue(hits)
    elect = _elect_leaders(verdict.matched, story)
    states = [
        e
        for e in verdict.matched
        if _names_state(e, story, cues.state_words) and _surname(e, story) not in elect
    ]
    stated = {e.rule.split(":")[1] for e in states}
    people = [e for e in verdict.matched if _names_people(e, story, cues.state_words)]
    war_sides = [e for e in verdict.matched if e.rule.split(":")[0] in FOREIGN and _is_actor(e)]
    # mentions dropped as a president-elect's: such a sentence is not the country's, even
    # in a one-country story ("разговоре избранного президента Аргентины Хавьера Милея")
    elect_only = [
        e
        for e in verdict.matched
        if e not in states and _names_state(e, story, cues.state_words, elect=False)
    ]
    entries: dict[tuple[str, str], TimelineEntry] = {}
    seen: dict[tuple[str, str], list[tuple[TimelineEntry, Sighting]]] = {}
    also: dict[tuple[str, str], list[Sighting]] = {}  # read by the check only
    stances: dict[str, Stance] = {}
    said: dict[str, list[tuple[int, Quote, list[Hit]]]] = {}  # a country's sentences
    for number, sentence in enumerate(sentences):
        here = [hit for hit in hits if _inside(hit.field, hit.start, hit.end, sentence)]
        evidence = [e for e in verdict.matched if _inside(e.field, e.start, e.end, sentence)]
        named = _not_venues(
            [e for e in states if _inside(e.field, e.start, e.end, sentence)], story
        )
        thirds = [hit for hit in here if hit.spec.group == THIRD]
        citizens = [e for e in people if _inside(e.field, e.start, e.end, sentence)]
        layout = _Clauses(sentence, named, evidence, thirds, verdict.lang, citizens)
        not_yet = {
            e.rule.split(":")[1] for e in elect_only if _inside(e.field, e.start, e.end, sentence)
        }
        for country, position in _countries(verdict.countries, named, sentence, stated, not_yet):
            said.setdefault(country, []).append((position, sentence, here))
            own = [hit for hit in here if layout.attributes(hit, country)]
            for entry, hit in _entries(
                story, country, position, sentence, own, evidence, venue, war_sides
            ):
                key = (entry.country, entry.kind)
                sighting = layout.sighting(hit, country, named, evidence, number, story)
                seen.setdefault(key, []).append((entry, sighting))
                # the same kind's cues in the sentence's other clauses: the act may be told
                # as done in one of them ("… met to discuss exports, adding that the two
                # sides agreed to set up a working group on trade")
                at = clause_index(layout.clauses, hit.start)
                also.setdefault(key, []).extend(
                    layout.sighting(h, country, named, evidence, number, story)
                    for h in own
                    if h.spec.group == hit.spec.group
                    and h.spec.label == hit.spec.label
                    and clause_index(layout.clauses, h.start) != at
                )
                old = entries.get(key)
                if old is None or (old.value is None and entry.value is not None):
                    entries[key] = entry
            # A stance needs the state in the sentence: named, or a word for its government.
            speaks = bool(named) or _has_state_word(sentence, cues.state_words)
            if country not in stances and speaks:
                mine = [h for h in here if h.spec.group != STANCE or layout.speaks_for(h, country)]
                found = _stance(story.story_id, country, sentence, mine)
                if found is not None:
                    stances[country] = found
    other_side = {  # sentences naming Ukraine, Russia, their leaders or governments
        number
        for number, sentence in enumerate(sentences)
        for e in verdict.matched
        if e.rule.split(":")[0] in {"ukraine", "russia"}
        and _is_actor(e)
        and _inside(e.field, e.start, e.end, sentence)
    }
    candidates = []
    per_country = Counter(country for country, _ in entries)
    most = {c: max(len(v) for k, v in seen.items() if k[0] == c) for c in per_country}
    for key, entry in entries.items():
        made = _value_elsewhere(entry, said[entry.country], story, war_sides)
        chosen = [s for e, s in seen[key] if e is entry]
        if made.kind == "peace-plan" and made.value is None:
            made = replace(made, value=declined(chosen[:1]))
        others = [s for e, s in seen[key] if e is not entry]
        features = entry_features(
            made.kind,
            made.value,
            chosen[:1] + others,
            story_countries=len(verdict.countries),
            category=verdict.category,
            country_candidates=per_country[key[0]],
            main_kind=len(seen[key]) == most[key[0]],
        )
        sightings = [s for _, s in seen[key]] + also.get(key, [])
        done = told_as_done(made.kind, sightings, made.value)
        if made.kind in _TWO_SIDED and not any(
            s.sentence_number in other_side or s.sentence_number - 1 in other_side - {0}
            for s in sightings
        ):
            done = False  # no Ukrainian or Russian party near: not theirs (labeling rule 7)
        candidates.append(Candidate(made, features, done))
    return candidates, tuple(stances.values())


class _Clauses:
    """Who each clause of a sentence is about (``clauses.py``): the Latin American states
    it names, in order, and whether it names a Ukrainian or Russian leader or government.
    A clause that names no Latin American state is about the states of the nearest clause
    before it that names one (the sentence's subject), or about the whole sentence's."""

    def __init__(
        self,
        sentence: Quote,
        named: Sequence[Evidence],
        evidence: Sequence[Evidence],
        thirds: Sequence[Hit] = (),
        lang: str | None = None,
        people: Sequence[Evidence] = (),
    ):
        self.sentence = sentence
        self.lang = lang
        self.clauses = split_clauses(sentence, [e.start for e in evidence if _is_actor(e)])
        # who can perform a clause's act (``acts.act_party``): its Latin American states,
        # Ukrainian or Russian leaders and governments, and third states or blocs
        self.parties: list[list[Actor]] = [[] for _ in self.clauses]
        for item in named:
            self._party(item.start, item.end, item.rule.split(":")[1])
        for item in evidence:
            side = item.rule.split(":")[0]
            if side in FOREIGN and (_is_leader(item) or item.rule.split(":")[-1] == "government"):
                self._party(item.start, item.end, side)
        for hit in thirds:
            self._party(hit.start, hit.end, OTHER)
        for item in people:
            self._party(item.start, item.end, PEOPLE)
        self.states: list[list[tuple[int, str]]] = [[] for _ in self.clauses]
        self.last_named: list[tuple[int, str] | None] = [None for _ in self.clauses]
        for item in sorted(named, key=lambda e: e.start):
            codes = self.states[clause_index(self.clauses, item.start)]
            code = item.rule.split(":")[1]
            self.last_named[clause_index(self.clauses, item.start)] = (item.start, code)
            if code not in {c for _, c in codes}:
                codes.append((item.start, code))
        self.actors = [e for e in evidence if _is_actor(e)]
        sides = [e for e in evidence if e.rule.split(":")[0] in {"ukraine", "russia"}]
        self.sides = [e for e in sides if _is_actor(e)]  # the states themselves too
        text = sentence.sentence
        topics: list[bool] = []
        previous: Evidence | None = None
        for e in sorted(sides, key=lambda e: e.start):
            party = _is_leader(e) or e.rule.split(":")[-1] == "government"
            before = text[: e.start - sentence.start]
            paired = (  # "the Ukraine-Russia crisis": the pair is the topic together
                previous is not None
                and topics[-1]
                and _PAIR_RE.fullmatch(
                    text[previous.end - sentence.start : e.start - sentence.start]
                )
            )
            topics.append(not party and bool(paired or _TOPIC_RE.search(before)))
            previous = e
        self.topic_only = bool(sides) and all(topics)

    def _destinations(self, hit: Hit) -> set[str] | None:
        """Where a visit goes, when the words right after its cue say so ("visit to
        Argentina and Chile", "viajó a Suiza", "visitou Moscou"): ``_FOREIGN`` for Ukraine
        or Russia (or their leaders), Latin American states' codes, ``_ELSEWHERE`` for a
        place that is neither (a capitalised name the evidence does not know); None when
        unsaid."""
        text = self.sentence.sentence
        base = self.sentence.start
        lead = _DESTINATION_RE.match(text[hit.end - base : hit.end - base + 40])
        if lead is None:
            return None
        at = hit.end + lead.end()
        found: set[str] = set()
        for item in sorted(self.actors, key=lambda e: e.start):
            if item.start < at:
                continue
            if item.start > at and not _LIST_GAP_RE.fullmatch(text[at - base : item.start - base]):
                break
            parts = item.rule.split(":")
            found.add(_FOREIGN if parts[0] in {"ukraine", "russia"} else parts[1])
            at = item.end
        if found:
            return found
        return {_ELSEWHERE} if text[at - base : at - base + 1].isupper() else None

    def _war_party_votes(self, number: int, hit: Hit) -> bool:
        """Whether a vote cue's clause has Ukraine or Russia (the state, its leader or its
        government) as its subject: "Ukraine voted against the resolution", "Rusia vetó
        el proyecto", "Україна проголосувала проти" — their vote, not the country's."""
        start = self.clauses[number][0]
        end = self.clauses[number][1]
        sides = [
            Actor(e.start - start, e.end - start, e.rule.split(":")[0])
            for e in self.sides
            if start <= e.start < end
        ]
        subject = act_party(
            self._clause_text(number), [*self.parties[number], *sides], hit.start - start
        )
        return bool(subject) and set(subject) <= FOREIGN

    def _between_others(self, number: int, hit: Hit) -> bool:
        """Whether an encounter cue names its two sides and neither is a Latin American
        state: "reunião entre Putin e Zelensky", "the meeting of Putin with Trump",
        "встреча Путина с Трампом", "Putin's meeting with Trump" — another pair's
        encounter, whoever comments on it in the clause ("Petro: …", "Lula pressiona
        por …")."""
        start = self.clauses[number][0]
        text = self._clause_text(number)
        ordered = sorted(self.parties[number], key=lambda a: a.start)
        begin, end = hit.start - start, hit.end - start
        after = [a for a in ordered if a.start >= end]
        before = [a for a in ordered if a.end <= begin]
        if before and _POSSESSIVE_RE.fullmatch(text[before[-1].end : begin]):
            pair = [before[-1], *after[:1]]  # "Putin's meeting with Trump"
            gaps = [text[end : pair[1].start]] if len(pair) == 2 else []
            joined = bool(gaps) and bool(_PARTNER_RE.fullmatch(gaps[0]))
        else:
            pair = after[:2]
            joined = (
                len(pair) == 2
                and bool(_SIDES_LEAD_RE.fullmatch(text[end : pair[0].start]))
                and bool(_PARTNER_RE.fullmatch(text[pair[0].end : pair[1].start]))
            )
        return joined and {a.party for a in pair} <= FOREIGN | {OTHER}

    def _party(self, start: int, end: int, party: str) -> None:
        number = clause_index(self.clauses, start)
        begin = self.clauses[number][0]
        self.parties[number].append(Actor(start - begin, end - begin, party))

    def _clause_text(self, number: int) -> str:
        start, end = self.clauses[number]
        return self.sentence.sentence[start - self.sentence.start : end - self.sentence.start]

    def agent(self, number: int, cue: int) -> str | None:
        """The party named after the cue as a passive's agent or a noun's owner."""
        start = self.clauses[number][0]
        return act_agent(self._clause_text(number), self.parties[number], cue - start)

    def speaker(self, cue: int) -> tuple[str, ...]:
        """Who speaks the words holding the cue (``acts.act_speaker``, on the sentence)."""
        base = self.sentence.start
        actors = [
            Actor(a.start + start - base, a.end + start - base, a.party)
            for (start, _end), found in zip(self.clauses, self.parties, strict=True)
            for a in found
        ]
        return act_speaker(self.sentence.sentence, actors, cue - base)

    def subject(self, number: int, cue: int) -> tuple[str, ...]:
        """Who performs the act of the cue at ``cue`` in clause ``number``
        (``acts.act_party``): its subject or passive agent, empty when unnamed."""
        start = self.clauses[number][0]
        return act_party(self._clause_text(number), self.parties[number], cue - start)

    def _describes_cue(self, number: int, hit: Hit) -> bool:
        """Whether a demonym right before the cue qualifies the cue's noun ("Ecuadorian
        banana imports", "Colombian mercenary unit"): where the goods or men come from,
        not citizens acting as the clause's subject."""
        start = self.clauses[number][0]
        text = self._clause_text(number)
        return any(
            a.party == PEOPLE and not text[a.end : hit.start - start].strip()
            for a in self.parties[number]
        )

    def _continued_subject(self, number: int) -> tuple[str, ...]:
        """The subject a clause shares with the clause before it when it opens with a
        past-tense verb (``clauses.continues_subject``: "Zelenski agradeció a Paraguay,
        compartió los avances de la fórmula de paz"), empty when it opens otherwise or the
        clause before names no subject."""
        if number == 0 or not continues_subject(self._clause_text(number)):
            return ()
        end = self.clauses[number - 1][1] - self.clauses[number - 1][0]
        return act_party(self._clause_text(number - 1), self.parties[number - 1], end)

    def _inherited(self, number: int) -> list[str] | None:
        """The states a clause naming none is about: a relative clause right after a named
        state or leader ("…Javier Milei, who has suggested…") is about that antecedent
        alone; another clause about the states of the nearest earlier clause naming some."""
        start = self.clauses[number][0] - self.sentence.start
        relative = _RELATIVE_RE.match(self.sentence.sentence[start:])
        for earlier in range(number, -1, -1):
            if self.states[earlier]:
                codes = [code for _, code in self.states[earlier]]
                offset, last = self.last_named[earlier] or self.states[earlier][-1]
                between = self.sentence.sentence[offset - self.sentence.start : start]
                if relative and earlier < number and len(_WORD_RE.findall(between)) <= 4:
                    return [last]  # the state or leader named right before the pronoun
                return codes
        return None  # no clause up to here names a state: the sentence's countries

    def attributes(self, hit: Hit, country: str) -> bool:
        """Whether a kind cue is ``country``'s act: the country is named in the cue's
        clause, or the clause names no Latin American state and is not about a Ukrainian
        or Russian leader alone ("Putin visited Alaska"; calls and meetings excepted, the
        leader is their other side) and inherits the country from the sentence. A meeting
        about Ukraine or Russia, naming them only as its topic and no leader or government of
        theirs as a party, is a multilateral meeting, not a bilateral one."""
        if hit.spec.group not in {KIND, PLACE}:
            return True
        number = clause_index(self.clauses, hit.start)
        here = [code for _, code in self.states[number]]
        if hit.spec.label == "meeting" and self.topic_only:
            return False
        if hit.spec.group == KIND and hit.spec.label == "visit":
            where = self._destinations(hit)
            if where is not None:
                return _FOREIGN in where or country in where
        subject = self.subject(number, hit.start)
        agent = self.agent(number, hit.start)
        if subject == (PEOPLE,) and not here and not self._describes_cue(number, hit):
            return False  # "Brasileiros têm sido recrutados": citizens, not the government
        if not subject and not here and hit.spec.label in _ONE_SIDED:
            earlier = self._continued_subject(number)
            if earlier:
                return country in earlier  # "Zelensky thanked Paraguay, shared …": his act
        if hit.spec.label in _TWO_SIDED:
            if any(a.party == OTHER for a in self.parties[number]) and (agent == OTHER or not here):
                # a bloc's or third state's own ("the meeting of the Caricom heads"), or
                # another pair's encounter ("Trump met Putin", "Встреча Путина и Трампа")
                return False
            after = fold(self.sentence.sentence[hit.end - self.sentence.start :][:60])
            if _WAR_TALKS_RE.match(after):
                return False  # "peace talks between Russia and Ukraine": the war's parties'
            if _ELECT_PARTNER_RE.match(after):
                return False  # met a president-elect: not yet a government (rule 8)
            if self._between_others(number, hit):
                return False  # "reunião entre Putin e Zelensky": another pair's encounter
        elif hit.spec.label in VOTE_KINDS and not here and OTHER in subject and agent is None:
            return False  # a third state's doing about a resolution, not the country's vote
        elif (
            hit.spec.label in VOTE_KINDS
            and not [code for offset, code in self.states[number] if offset < hit.start]
            and self._war_party_votes(number, hit)
        ):
            return False  # "Украина проголосовала против резолюции": Ukraine's own vote
        elif not here and hit.spec.label in _OWN_ACTS and agent == OTHER:
            return False  # a passive's agent or owner: "sanciones de Estados Unidos"
        elif (
            subject
            and not set(subject) - FOREIGN - {OTHER}
            and FOREIGN & set(subject)
            and (hit.spec.label != "visit" or not here)
        ):
            return False  # a Ukrainian or Russian leader's act, not the country's
        if here:
            return country in here
        if hit.spec.label == "peace-plan" and not subject:
            said = self.speaker(hit.start)
            if said and not set(said) - FOREIGN:
                return False  # a position in a Ukrainian or Russian speaker's words is theirs

        inherited = self._inherited(number)
        return inherited is None or country in inherited

    def sighting(
        self,
        hit: Hit,
        country: str,
        named: Sequence[Evidence],
        evidence: Sequence[Evidence],
        number: int,
        story: StoryText,
    ) -> Sighting:
        """What surrounds the cue of ``country``'s candidate, for the precision filter."""
        at = clause_index(self.clauses, hit.start)
        start, end = self.clauses[at]
        source = story.title if self.sentence.field == "title" else story.text
        mentions = [e for e in named if e.rule.split(":")[1] == country]
        distance = -1
        if mentions:
            gaps = [source[min(hit.start, e.start) : max(hit.start, e.start)] for e in mentions]
            distance = min(len(_WORD_RE.findall(gap)) for gap in gaps)
        sides = [e for e in evidence if e.rule.split(":")[0] in {"ukraine", "russia"}]
        sides = [e for e in sides if _is_actor(e)]
        return Sighting(
            headline=self.sentence.field == "title",
            own_clause=country in {code for _, code in self.states[at]},
            distance=distance,
            states=len({e.rule.split(":")[1] for e in named}),
            sentence_number=number,
            clause=fold(source[start:end]),
            counterpart_clause=any(start <= e.start < end for e in sides),
            counterpart_sentence=bool(sides),
            latam_leader=any(_is_leader(e) and e.rule.startswith("latam") for e in evidence),
            first_clause=at == 0,
            topic_word=bool(_CUE_TOPIC_RE.search(source[max(start, hit.start - 40) : hit.start])),
            lead_in=fold(source[self.sentence.start : start]),
            status=self._status(at, source),
        )

    def _status(self, at: int, source: str) -> str:
        """Whether the act of clause ``at`` happened (``acts.act_status``), or what the
        clause right after it says of it when that clause opens with a plan's participle
        ("… da reunião de negociação com a Ucrânia, marcada para quinta-feira", "the
        talks, scheduled for May"): the act is told in the cue's clause, its time in the
        next one."""
        start, end = self.clauses[at]
        headline = self.sentence.field == "title"
        status = act_status(source[start:end], self.lang, headline=headline)
        if status == HAPPENED and at + 1 < len(self.clauses):
            following = source[self.clauses[at + 1][0] : self.clauses[at + 1][1]]
            if _SCHEDULED_RE.match(fold(following)):
                return PLANNED
        return status

    def speaks_for(self, hit: Hit, country: str) -> bool:
        """Whether a stance cue is ``country``'s: its clause's subject, i.e. the states named
        before the cue in the clause ("Bolivia, Cuba and Nicaragua side with Moscow"), else
        the first one named after it, else the inherited subject. When the sentence names no
        state (a one-country story), the sentence's country."""
        number = clause_index(self.clauses, hit.start)
        here = self.states[number]
        if here:
            before = [code for offset, code in here if offset < hit.start]
            return country in (before or [here[0][1]])
        inherited = self._inherited(number)
        return inherited is None or country == inherited[0]


def _value_elsewhere(
    entry: TimelineEntry,
    sentences: Sequence[tuple[int, Quote, list[Hit]]],
    story: StoryText,
    sides: Sequence[Evidence] = (),
) -> TimelineEntry:
    """An entry whose sentence states no value takes the first one another of the country's
    sentences states ("…summit voices concern. Nicaragua refused to sign.")."""
    family = _family(entry.kind)
    if entry.value is not None or family is None:
        return entry
    for position, sentence, hits in sentences:
        value = _value(family, position, hits, story, sentence, sides)
        if value is not None:
            return replace(entry, value=value)
    return entry


def _family(kind: str) -> str | None:
    return VOTE if kind in VOTE_KINDS else PEACE if kind == "peace-plan" else None


def _inside(field: str, start: int, end: int, sentence: Quote) -> bool:
    return field == sentence.field and sentence.start <= start and end <= sentence.end


def _vote_venue(hits: Iterable[Hit]) -> str | None:
    venues = {hit.spec.label for hit in hits if hit.spec.group == VENUE}
    if "oas" in venues:
        return "oas-vote"
    return "un-vote" if "un" in venues else None


def _names_state(
    item: Evidence, story: StoryText, state_words: frozenset[str], *, elect: bool = True
) -> bool:
    """Whether a piece of evidence names a Latin American state as an actor: not as a
    dateline or a venue, not a president-elect's (labeling rule 1; ``elect=False``: read
    without that test), and a demonym only beside a state word ("Colombian government",
    not "Colombian mercenaries")."""
    parts = item.rule.split(":")
    if parts[0] != "latam" or len(parts) < 3 or parts[-1] in _NOT_ACTOR:
        return False
    source = story.title if item.field == "title" else story.text
    if elect and _said_elect(item, source):
        return False
    if parts[2] != "demonym":
        return True
    before = _WORD_RE.findall(source[max(0, item.start - 40) : item.start])
    after = _WORD_RE.findall(source[item.end : item.end + 40])
    near = [*before[-1:], *after[:1]]
    return any(fold(word) in state_words for word in near)


def _names_people(item: Evidence, story: StoryText, state_words: frozenset[str]) -> bool:
    """Whether a piece of evidence names a Latin American country's people, not its state:
    a demonym with no state word beside it ("Brasileiros têm sido recrutados", "Colombian
    volunteers"); their acts are citizens', not the government's (labeling rule 1)."""
    parts = item.rule.split(":")
    if parts[0] != "latam" or len(parts) < 3 or parts[2] != "demonym":
        return False
    return parts[-1] not in _NOT_ACTOR and not _names_state(item, story, state_words)


def _said_elect(item: Evidence, source: str) -> bool:
    """A mention qualified as a president-elect's, right before it ("presidente electo de
    Chile, José Antonio Kast") or right after it ("Mexican President-elect Claudia
    Sheinbaum"): not yet the government (labeling rule 1)."""
    return bool(
        _ELECT_RE.search(fold(source[max(0, item.start - 30) : item.start]))
        or _ELECT_AFTER_RE.search(fold(source[item.end : item.end + 30]))
    )


def _not_venues(named: Sequence[Evidence], story: StoryText) -> list[Evidence]:
    """A sentence's state mentions without those that only say where another Latin
    American state's act happened: "Presidente de Ecuador se reúne con Zelensky en
    Argentina", "a meeting with Guatemalan President Arévalo in the Dominican Republic"
    (Argentina and the Dominican Republic are venues, labeling rule 5). A state named only
    as a place, with no other Latin American state in the sentence, stays (the host)."""

    places: set[int] = set()
    last: Evidence | None = None
    for item in sorted(named, key=lambda e: e.start):
        source = story.title if item.field == "title" else story.text
        before = source[max(0, item.start - 12) : item.start]
        listed = (  # "stops in Caracas, Managua and Havana": every item of the list
            last is not None
            and id(last) in places
            and last.field == item.field
            and _LIST_GAP_RE.fullmatch(source[last.end : item.start])
        )
        if not _is_leader(item) and (_LOCATIVE_RE.search(before) or listed):
            places.add(id(item))
        last = item
    actors = {e.rule.split(":")[1] for e in named if id(e) not in places}
    return [e for e in named if id(e) not in places or e.rule.split(":")[1] in actors or not actors]


def _surname(item: Evidence, story: StoryText) -> str | None:
    """A leader mention's last word, folded ("José Antonio Kast", "Kast": "kast")."""
    if not _is_leader(item):
        return None
    source = story.title if item.field == "title" else story.text
    words = _WORD_RE.findall(source[item.start : item.end])
    return fold(words[-1]) if words else None


def _elect_leaders(evidence: Sequence[Evidence], story: StoryText) -> set[str | None]:
    """Leaders the story calls president-elect anywhere ("presidente electo de Chile, José
    Antonio Kast"): every mention of them is not yet the government (labeling rule 1)."""
    found: set[str | None] = set()
    for item in evidence:
        source = story.title if item.field == "title" else story.text
        if _is_leader(item) and (
            _ELECT_RE.search(fold(source[max(0, item.start - 30) : item.start]))
            or _ELECT_LEADER_RE.search(fold(source[max(0, item.start - 70) : item.start]))
        ):
            found.add(_surname(item, story))
    found.discard(None)
    return found


def _has_state_word(sentence: Quote, state_words: frozenset[str]) -> bool:
    return any(fold(word) in state_words for word in _WORD_RE.findall(sentence.sentence))


def _countries(
    countries: Sequence[str],
    named: Sequence[Evidence],
    sentence: Quote,
    stated: set[str],
    not_yet: set[str],
) -> list[tuple[str, int]]:
    """The verdict's countries this sentence is about, each with where it is named. In a
    one-country story a sentence naming no state is the country's, unless it names the
    country only through its president-elect (``not_yet``)."""
    found: dict[str, int] = {}
    for item in named:
        code = item.rule.split(":")[1]
        if code in countries:
            found.setdefault(code, item.start)
    if not found and len(countries) == 1 and countries[0] in stated - not_yet:
        return [(countries[0], sentence.start)]  # a one-country story: every sentence
    return sorted(found.items(), key=lambda pair: pair[1])


def _entries(
    story: StoryText,
    country: str,
    position: int,
    sentence: Quote,
    hits: Sequence[Hit],
    evidence: Sequence[Evidence],
    venue: str | None,
    sides: Sequence[Evidence] = (),
) -> list[tuple[TimelineEntry, Hit]]:
    cancelled = {hit.spec.label for hit in hits if hit.spec.group == CANCEL}
    source = story.title if sentence.field == "title" else story.text
    leader_here = any(_is_leader(item) for item in evidence)
    calls = [hit.start for hit in hits if hit.spec.group == KIND and hit.spec.label == "call"]
    first: dict[str, Hit] = {}
    for hit in hits:
        kind_cue = hit.spec.group == KIND or (hit.spec.group == PLACE and leader_here)
        if hit.spec.label == "meeting" and any(0 <= c - hit.end <= 25 for c in calls):
            continue  # "recebeu um telefonema", "received a call": the call, no meeting
        if hit.spec.label in VOTE_KINDS and _SETTLEMENT_RE.match(fold(source[hit.end :][:48])):
            continue  # "resolution to the conflict": a settlement, not a UN resolution
        if _in_title(source[: hit.start], source[hit.start : hit.end]):
            continue  # "Minister of Foreign Affairs and Foreign Trade": a name, not an act
        if kind_cue and hit.spec.label not in cancelled:
            first.setdefault(hit.spec.label, hit)
    made = []
    for kind, hit in first.items():
        if kind in VOTE_KINDS:
            if venue is None:
                continue
            kind = venue
        family = _family(kind)
        value = _value(family, position, hits, story, sentence, sides) if family else None
        if kind == "peace-plan" and value is None and _authored(hit, country, evidence, story):
            value = "alternative"  # the country's own plan or group (labeling rule 6)
        made.append(
            (
                TimelineEntry(
                    story_id=story.story_id,
                    country=country,
                    kind=kind,
                    value=value,
                    date=story.date,
                    actors=_actors(evidence, story, sentence.field),
                    counterpart=_counterpart(evidence),
                    quote=sentence,
                    cue=hit.spec.term,
                ),
                hit,
            )
        )
    return made


def _authored(hit: Hit, country: str, evidence: Sequence[Evidence], story: StoryText) -> bool:
    """Whether the peace plan or group of ``hit`` is named as ``country``'s own: its
    author states follow it ("plano de paz de Brasil e China", "Amigos da Paz, fundado por
    Brasil e China", "liderado por Pequim e Brasília") and ``country`` is one of them.
    A plan of someone else's ("la fórmula de paz de Zelensky") is not."""
    source = story.title if hit.field == "title" else story.text
    lead = _OWNER_RE.match(source, hit.end)
    if lead is None:
        return False
    at = lead.end()
    for item in sorted(evidence, key=lambda e: e.start):
        if item.field != hit.field or item.start < at or not _is_actor(item):
            continue
        if not _AUTHORS_GAP_RE.fullmatch(source[at : item.start]):
            return False
        parts = item.rule.split(":")
        if parts[0] == "latam" and parts[1] == country:
            return True
        at = item.end
    return False


def _is_actor(item: Evidence) -> bool:
    """A named state or leader, of any side (not a dateline, a venue or a cue)."""
    parts = item.rule.split(":")
    return parts[0] in {"latam", "ukraine", "russia"} and parts[-1] not in _NOT_ACTOR


def _is_leader(item: Evidence) -> bool:
    parts = item.rule.split(":")
    return parts[0] in {"latam", "ukraine", "russia"} and len(parts) >= 3 and parts[2] == "leader"


def _value(
    family: str,
    position: int,
    hits: Sequence[Hit],
    story: StoryText,
    sentence: Quote,
    sides: Sequence[Evidence] = (),
) -> str | None:
    """The value cue nearest after the country's mention, else nearest before it. A tally
    ("141 votos a favor") and "against" with Ukraine or Russia, their leader or government
    as its object ("en contra de Ucrania", "stand against Putin", "проти агресії РФ": what
    the resolution or the stand is about) are no vote."""
    source = story.title if sentence.field == "title" else story.text
    objects = [e.start for e in sides if e.field == sentence.field]
    found = [
        hit
        for hit in hits
        if hit.spec.group == family
        and hit.spec.label != NO_VALUE
        and not (family == VOTE and _TALLY_RE.search(source[sentence.start : hit.start]))
        and not (family == VOTE and _PARTY_RE.match(fold(source[hit.end : hit.end + 48])))
        and not (family == VOTE and _against_war_side(source, hit, objects))
    ]
    after = [hit for hit in found if hit.start >= position]
    if after:
        return after[0].spec.label
    before = [hit for hit in found if hit.end <= position]
    return before[-1].spec.label if before else None


# At most one word and no punctuation between "against" and its object ("against Russia's
# aggression", "проти агресії РФ"; "voted against the resolution on Russia" is a vote).
_OBJECT_GAP_RE = re.compile(r"\s+(?:[\w'’]+\s+)?")


def _against_war_side(source: str, hit: Hit, objects: Sequence[int]) -> bool:
    """Whether an "against" value cue has Ukraine or Russia (the state, a leader, the
    government: ``objects``, their offsets in ``source``) as its object within a few
    words, with no punctuation between: what a resolution or a stand is against, not how
    a country voted ("a yes vote to the resolution against Russia's aggression")."""
    if hit.spec.label != "against":
        return False
    return any(
        start > hit.end and _OBJECT_GAP_RE.fullmatch(source[hit.end : start]) is not None
        for start in objects
    )


# A ministry's or minister's name up to the cue ("Minister of Foreign Affairs and Foreign
# Trade", "Ministerio de Relaciones Exteriores y Comercio", "Ministro de Comércio"): only
# capitalised words and joining words between.
_TITLE_RE = re.compile(
    r"\b(?:[Mm]inist(?:ry|er|erio|ro|ra|ério)|[Ss]ecretar(?:y|ía|ia|iat)|Міністерств\w*|"
    r"Міністр\w*|Министерств\w*|Министр\w*)"
    r"(?:\s+(?:of|for|the|de|do|da|del|dos|das|y|e|and|і|и|та|[A-ZÁÉÍÓÚÂÊÔÃÕÇА-ЯІЇЄҐ][\w'’-]*))"
    r"{0,6}\s+$"
)


_JOINING_END_RE = re.compile(r"\b(?:of|for|de|do|da|del|dos|das|y|e|and|і|и|та)\s+$")


def _in_title(before: str, cue: str) -> bool:
    """Whether a cue is a word of a ministry's or minister's name (``before``: the source
    up to the cue): "Minister of Foreign Affairs and Foreign Trade" names an office and
    tells no trade act. The cue is capitalised or follows a joining word ("ministro de
    comercio"); "Ministro de Exteriores de Ucrania visita Panamá" is a visit."""
    name = cue[:1].isupper() or bool(_JOINING_END_RE.search(before[-12:]))
    return name and bool(_TITLE_RE.search(before[-120:]))


def _stance(story_id: str, country: str, sentence: Quote, hits: Sequence[Hit]) -> Stance | None:
    """The sentence's first stance cue; an ``opposes`` cue wins over the others, as its
    phrases are specific ("la condena … a las acciones desestabilizadoras de la OTAN")."""
    found = [hit for hit in hits if hit.spec.group == STANCE]
    if not found or found[0].spec.label == NO_STANCE:
        return None
    hit = next((h for h in found if h.spec.label == "opposes"), found[0])
    return Stance(story_id, country, hit.spec.label, sentence, hit.spec.term)


def _actors(evidence: Sequence[Evidence], story: StoryText, field: str) -> tuple[str, ...]:
    source = story.title if field == "title" else story.text
    names: list[str] = []
    for item in evidence:
        parts = item.rule.split(":")
        is_actor = len(parts) >= 3 and parts[0] in {"latam", "ukraine", "russia"}
        if is_actor and parts[2] in _ACTOR_KINDS:
            name = source[item.start : item.end]
            if name not in names:
                names.append(name)
    return tuple(names)


def _counterpart(evidence: Sequence[Evidence]) -> str:
    sides = {e.rule.split(":")[0] for e in evidence} & {"ukraine", "russia"}
    return "+".join(sorted(sides, reverse=True))
