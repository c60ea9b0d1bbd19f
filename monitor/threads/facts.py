"""What the thread decision knows about one story, taken once from the classifier's evidence.

``story_facts`` is the only step that reads the topic: it classifies the story (the worker
has done so already) and keeps

* **countries**: the Latin American countries the gazetteer found, any kind (name, leader,
  capital, demonym…), as ISO codes, so that "Brasil", "Lula" and "Бразилія" agree;
* **sides**: Ukraine and/or Russia, when named;
* **people**: the folded words of the leader and minister terms that fired (``Lula da
  Silva`` gives lula, silva), so Milei and Fernández are different Argentine actors, and
  the multilateral bodies named (UNGA, UNSC, OAS), the actors of a vote; ``side_people``
  are those of Ukraine's and Russia's side, ``leader_countries`` the Latin American
  countries whose leaders are named, ``title_countries`` those named in the headline;
* **persons**: the people named, one entry per person, each the :func:`name_keys` of
  its words (script-free, so "Зеленський" and "Zelensky" are one person, and "Lula" and
  "Luiz Inácio Lula da Silva" in one story are one person);
* **category**: the classifier's event type (summit-visit, un-multilateral…); for a story
  the classifier finds off-topic, the category its cue words would give;
* **terms**: distinctive words that are not gazetteer hits: capitalised names
  (Scholz, Ebrard, Bürgenstock, Leopard), numbers (141, 32) and long words
  (inauguration, investidura, munições); see :func:`distinctive_terms`.

No corpus statistics (no TF-IDF): a word is distinctive by its shape, and gazetteer words
(countries, leaders, cue words) are left to the other signals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from monitor.matching.classifier import category_decision, classify, explain
from monitor.matching.text import fold
from monitor.matching.topic import LATAM, RUSSIA, UKRAINE, Topic
from monitor.models import Classification

__all__ = [
    "StoryFacts",
    "ThreadStory",
    "distinctive_terms",
    "facts_from",
    "keys_meet",
    "name_keys",
    "persons_of",
    "story_facts",
]

# A word of the original text, letters and digits (any script).
_WORD_RE = re.compile(r"[^\W_]+")
# A word that can be distinctive: two characters or more (shorter ones never are).
_TERM_RE = re.compile(r"[^\W_]{2,}")
# Kinds of gazetteer terms that name a person.
_PERSON_KINDS = frozenset({"leader"})
# Words of people's names too common to tell people apart.
_NAME_PARTICLES = frozenset({"da", "de", "del", "do", "dos", "la", "le", "van", "von", "e", "y"})
# Long words every story of the topic uses: not evidence of one event.
LONG_WORD_MIN = 8
_COMMON_WORDS_TEXT = """
    president presidente presidenta president's presidential presidencial presidentes
    government gobierno governo ministry ministerio ministro ministra minister ministers
    foreign exteriores exterior relaciones relacoes relations international internacional
    national nacional countries paises country pais militar military conflict conflicto
    conflito invasion invasao invasión russian ucraniano ucraniana ucranianos ukrainian
    ukrainians against contra durante during because porque tambien também also
    according segundo informaciones information informacion informação statement
    declaracion declaração declared declarou afirmou afirmó assured aseguro
    however embargo although aunque embora between entre including incluindo incluyendo
    thursday wednesday tuesday monday friday saturday sunday jueves miercoles martes lunes
    viernes sabado domingo quinta quarta terca segunda sexta
    january february september october november december enero febrero septiembre
    octubre noviembre diciembre janeiro fevereiro setembro outubro novembro dezembro
    support supported apoyo apoio respaldo position posicion posição posture postura
    peaceful pacifica pacífica negotiations negociaciones negociações dialogue dialogo
    diálogo cooperation cooperacion cooperação bilateral bilaterales bilaterais
    meeting reunion reunião encuentro encontro conversation conversa conversación
    security seguridad segurança humanitarian humanitaria humanitária assistance
    war guerra countries latinoamericanos latinoamericana latin american americana
    america américa caribbean caribe região region region regional
    united nations naciones nações unidas unidos estados states general assembly asamblea
    assembleia resolution resolución resolução
    """
COMMON_WORDS = frozenset(fold(word) for word in _COMMON_WORDS_TEXT.split())
# Capitalised words that begin sentences or titles in news prose, not names.
_COMMON_CAPITALISED_TEXT = """
    the a an in on at of for to and or but with by from as is are was were this that these
    those it its he she they we his her their after before while when where what who how
    el la los las un una unos unas en de del al por para con sin sobre tras y o e que
    según segun este esta estos estas ese esa hoy ayer
    o a os as um uma no na nos nas do da dos das em por para com sem sobre apos após
    segundo nesta neste hoje ontem também
    mr mrs dr sr sra president presidente minister ministro ministra chancellor canciller
    chanceler foreign secretary secretario secretário general king rey rei pope papa
    prime primer primeiro
    """
COMMON_CAPITALISED = frozenset(fold(word) for word in _COMMON_CAPITALISED_TEXT.split())
_NOT_DISTINCTIVE = COMMON_WORDS | COMMON_CAPITALISED


# Multilateral bodies: in a vote the body acts, so stories that name no country still share
# an actor. Matched on folded text.
_INSTITUTIONS = (
    ("UNGA", re.compile(r"\b(?:general assembly|asamblea general|assembleia[ -]geral)\b")),
    ("UNSC", re.compile(r"\b(?:security council|consejo de seguridad|conselho de seguranca)\b")),
    ("OAS", re.compile(
        r"\b(?:oea|oas|organization of american states|organizacion de (?:los )?estados americanos"
        r"|organizacao dos estados americanos)\b"
    )),
)


@dataclass(frozen=True, slots=True)
class ThreadStory:
    """A story as the thread decision receives it (the ``eval threads`` input format)."""

    story_id: str
    title: str
    text: str
    source: str
    day: date
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class StoryFacts:
    """The facts of one story that the signals compare (see the module docstring)."""

    story_id: str
    day: date
    countries: frozenset[str]
    sides: frozenset[str]
    people: frozenset[str]
    side_people: frozenset[str]
    leader_countries: frozenset[str]
    title_countries: frozenset[str]
    category: str | None
    terms: frozenset[str]
    title: str = ""
    # One entry per person named (the name keys of its words); empty when none is named,
    # and for facts stored before persons were kept (then the people rule stays silent).
    persons: frozenset[frozenset[str]] = frozenset()


def story_facts(topic: Topic, story: ThreadStory) -> StoryFacts:
    """Classify the story and keep its thread facts."""
    verdict = classify(topic, story.title, story.text, story.lang or None)
    category = verdict.category
    if category is None:
        # An off-topic verdict has no category; the cue words still tell the event type.
        category = category_decision(topic, explain(topic, story.title, story.text)).category
    return facts_from(story, verdict, category)


def facts_from(
    story: ThreadStory, verdict: Classification, category: str | None = None
) -> StoryFacts:
    """The thread facts of a story from a classifier verdict (with its evidence)."""
    countries: set[str] = set()
    sides: set[str] = set()
    people: set[str] = set()
    side_people: set[str] = set()
    leader_countries: set[str] = set()
    title_countries: set[str] = set()
    person_terms: list[set[str]] = []
    spans: dict[str, list[tuple[int, int]]] = {"title": [], "text": []}
    for evidence in verdict.matched:
        parts = evidence.rule.split(":")
        if len(parts) >= 3 and parts[0] in (LATAM, UKRAINE, RUSSIA):
            group, code, kind = parts[0], parts[1], parts[2]
            if group == LATAM:
                countries.add(code)
                if evidence.field == "title":
                    title_countries.add(code)
            else:
                sides.add(code)
            if kind in _PERSON_KINDS:
                words = _name_words(evidence.term)
                people.update(words)
                person_terms.append(words)
                if group == LATAM:
                    leader_countries.add(code)
                else:
                    side_people.update(words)
        spans.setdefault(evidence.field, []).append((evidence.start, evidence.end))
    terms = distinctive_terms(story.title, spans["title"]) | distinctive_terms(
        story.text, spans["text"]
    )
    return StoryFacts(
        story_id=story.story_id,
        day=story.day,
        countries=frozenset(countries),
        sides=frozenset(sides),
        people=frozenset(people) | institutions(f"{story.title}\n{story.text}"),
        side_people=frozenset(side_people),
        leader_countries=frozenset(leader_countries),
        title_countries=frozenset(title_countries),
        category=category if category is not None else verdict.category,
        terms=frozenset(terms),
        title=story.title,
        persons=persons_of(person_terms),
    )


def institutions(text: str) -> frozenset[str]:
    """The multilateral bodies a story names (UNGA, UNSC, OAS): the actor of a vote."""
    folded = fold(text)
    return frozenset(key for key, pattern in _INSTITUTIONS if pattern.search(folded))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans sorted and merged where they overlap."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _name_words(term: str) -> set[str]:
    """The folded words of a gazetteer person term, wildcards and particles dropped."""
    words = _WORD_RE.findall(fold(term.strip("=").replace("*", "")))
    return {w for w in words if w not in _NAME_PARTICLES and len(w) >= 3}


# Cyrillic to Latin, one letter at a time, only to compare names across scripts (the keys
# are cut to four letters, so Ukrainian г as h or g rarely matters: Sybiha, Sibiga).
_CYRILLIC = dict(zip(
    "абвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "g", "d", "e", "e", "e", "zh", "z", "i", "i", "i", "i", "k", "l",
     "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "i", "",
     "e", "iu", "ia"],
    strict=True,
))
# Case endings of Ukrainian and Russian names (Лулою, Мілея, Зеленського), longest first;
# folding reads й as и, so Лулой arrives as лулои.
_CYRILLIC_ENDINGS = ("ого", "ому", "ою", "ею", "ой", "ей", "ои", "еи", "ыи", "ии", "ом",
                     "ем", "а", "я", "у", "ю", "і", "и", "ы", "е")
# Letters of a name key: Cyrillic reads as Latin, y as i (Zelenskyy, Sybiha/Sibiga).
NAME_KEY_LENGTH = 4


def name_keys(words: set[str] | frozenset[str]) -> frozenset[str]:
    """The keys of a person's folded name words: transliterated, case ending dropped,
    y read as i, cut to ``NAME_KEY_LENGTH`` letters. Two names are one person when a key
    of one starts the other's (see :func:`~monitor.threads.signals.same_people`).

    Coarse on purpose: it only has to tell apart the people of one country and type
    within a few days (Lula from Vieira, Zelensky from Kuleba), and a collision fails
    towards the old verdict (the stories join as before)."""
    return frozenset(_name_key(word) for word in words)


def _name_key(word: str) -> str:
    if any(letter in _CYRILLIC for letter in word):
        for ending in _CYRILLIC_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
        word = "".join(_CYRILLIC.get(letter, letter) for letter in word)
    return word.replace("y", "i")[:NAME_KEY_LENGTH]


def persons_of(terms: list[set[str]]) -> frozenset[frozenset[str]]:
    """The people of a story from the name words of each person term that fired: terms
    whose keys meet ("Lula", "Luiz Inácio Lula da Silva", "Лулою") are one person."""
    persons: list[set[str]] = []
    for words in terms:
        keys = set(name_keys(words))
        if not keys:
            continue
        joined = [p for p in persons if keys_meet(p, keys)]
        for person in joined:
            keys |= person
            persons.remove(person)
        persons.append(keys)
    return frozenset(frozenset(p) for p in persons)


def keys_meet(mine: set[str] | frozenset[str], theirs: set[str] | frozenset[str]) -> bool:
    """Some key of one starts some key of the other (Cyrillic stems can be shorter)."""
    return any(x.startswith(y) or y.startswith(x) for x in mine for y in theirs)


def distinctive_terms(text: str, evidence_spans: list[tuple[int, int]]) -> set[str]:
    """Names, numbers and long words of ``text`` outside the gazetteer's hits, folded.

    A name is a capitalised word of three letters or more that is not a common
    sentence-opening word; a number has two digits or more and is not a year (a year is
    shared by every story of that year); a long word has at least ``LONG_WORD_MIN``
    letters and is not one of the topic's everyday words. Words inside a gazetteer hit
    (countries, leaders, cue words) are skipped: the other signals weigh those.
    """
    found: set[str] = set()
    candidates: list[str] = []
    covered = _merge(evidence_spans)
    position = 0  # words come in order: one pass over the merged hits, not one per word
    for match in _TERM_RE.finditer(text):
        start, end = match.span()
        while position < len(covered) and covered[position][1] <= start:
            position += 1
        if position < len(covered) and covered[position][0] < end:
            continue
        word = match.group()
        if word.isdigit():
            if len(word) >= 2 and not (len(word) == 4 and word[:2] in ("19", "20")):
                found.add(word)
            continue
        if (word[0].isupper() and len(word) >= 3) or len(word) >= LONG_WORD_MIN:
            candidates.append(word)
    # Folded in one call, not one per word: a pass per word cost more than the rest, and
    # filled fold_text's cache (the worker's folded headlines and texts) with single words.
    folded = fold(" ".join(candidates)).split(" ") if candidates else []
    if len(folded) != len(candidates):
        folded = [fold(word) for word in candidates]
    found.update(word for word in folded if word not in _NOT_DISTINCTIVE)
    return found
