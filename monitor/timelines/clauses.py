"""Split a sentence into clauses, so that a cue is read with the actors of its own clause.

No parser (no model can be downloaded here): a clause ends at punctuation (comma,
semicolon, colon, dashes), at a quotation mark, and before a relative pronoun
or a subordinating or adversative conjunction (EN/ES/PT: "who", "which", "where",
"while", "but", "after"; "que", "quien", "donde", "mientras", "pero", "tras"; "quem",
"onde", "enquanto", "mas", "após"; UK/RU "який", "що", "але", "після"; "который", "что",
"но", "после"). "and"/"y"/"e" end a clause only before a lowercase past-tense verb ("…
deve atuar e reiterou a disposição"): elsewhere they join nouns ("Lula and Putin met").

A piece of fewer than ``MIN_WORDS`` words is a list item or an apposition ("Giammattei,
presidente de Guatemala, llegó…"; "Brazil, Argentina and Chile voted"), not a clause: it
joins the piece after it (the last piece joins the one before). A comma right before a
named actor continues a list ("Brazil, Honduras, Mexico… abstained"), so it is no cut.
Parentheses are no cut either: they hold a date or an acronym ("(10)", "(OAS)").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from monitor.timelines.model import Quote

MIN_WORDS = 5
_BOUNDARY_WORDS = (
    # EN
    "who", "whom", "whose", "which", "where", "while", "whereas", "but", "although",
    "though", "after", "before", "when", "because",
    # ES
    "que", "quien", "quienes", "cual", "cuales", "donde", "mientras", "pero", "aunque",
    "tras", "cuando", "porque", "despues",
    # PT
    "quem", "qual", "quais", "onde", "enquanto", "mas", "embora", "apos", "depois",
    "quando",
    # UK, RU
    "який", "яка", "яке", "які", "що", "де", "але", "після", "коли", "хоча",
    "который", "которая", "которое", "которые", "что", "где", "но", "после", "когда", "хотя",
)  # fmt: skip
_PUNCT = r"[,;:\"“”«»‘’—–]|\s-\s"
_WORD = r"(?<![\w'])(?:" + "|".join(_BOUNDARY_WORDS) + r")(?!\w)"
_ACCENTS = str.maketrans("áéíóúàâêôãõçüÁÉÍÓÚÀÂÊÔÃÕÇÜ", "aeiouaaeoaocuAEIOUAAEOAOCU")
_BOUNDARY_RE = re.compile(f"{_PUNCT}|{_WORD}", re.IGNORECASE)
# The "á" of a Spanish "más" (more), which must not fold into Portuguese "mas" (but).
_ACCENTED_MAS_RE = re.compile(r"(?<=[mM])[áÁ](?=[sS])")
_WORDS_RE = re.compile(r"\w+")
# "and"/"y"/"e"/"і"/"и" before a lowercase past-tense verb joins two clauses, not two nouns:
# "deve atuar … e reiterou a disposição", "manifestó su decepción y calificó", "and said".
_VERB_JOIN_RE = re.compile(
    r"(?<=\s)(?:and|y|e|и|і|та)\s+(?=(?:[a-z]\w*(?:ed|ó|ió|aron|ieron|ou|eu|iu|aram|eram|"
    r"iram)|said|met|held|told|spoke|sent|gave|[а-яіїєґ]\w+(?:ил|ила|или|ав|ала|али|ив|ала|"
    r"ув|ула|ули|ел|ела|ели))\b)"
)


# A clause that opens with a past-tense verb (after "and"/"y"/"e"/"та" or nothing) has no
# subject of its own: it goes on with the subject of the clause before it ("Zelensky thanked
# Paraguay, shared the results of the peace formula": Zelensky shared them, not Paraguay).
# Reflexive UK/RU forms too ("поділився", "поделился").
_CONTINUED_RE = re.compile(
    r"^[\W\d]*(?:(?:and|y|e|и|і|й|та)\s+)?(?:(?:also|then|later|luego|tambien|ademas|"
    r"tambem|depois|также|також|потім|затем)\s+)?"
    r"(?:[a-z]\w*(?:ed|ó|ió|aron|ieron|ou|eu|iu|aram|eram|iram)|said|met|held|told|spoke|"
    r"sent|gave|[а-яіїєґ]\w+(?:ил|ила|или|ав|ала|али|ив|ув|ула|ули|ел|ела|ели)(?:ся|сь)?)\b"
)


def continues_subject(clause: str) -> bool:
    """Whether a clause opens with a past-tense verb and so shares the subject of the clause
    before it (subject ellipsis in coordinated predicates: "…, shared the results", "…, y
    anunció", "…, поділився успіхами"), rather than being about whatever state that clause
    names."""
    return bool(_CONTINUED_RE.match(clause))


def split_clauses(sentence: Quote, actors: Iterable[int] = ()) -> list[tuple[int, int]]:
    """The clauses of ``sentence`` as ``[start, end)`` offsets into its field's text;
    ``actors``: where (field offsets) named states and leaders start."""
    starts = {offset - sentence.start for offset in actors}
    # Accent folding keeps every offset (one character for one): "después" finds "despues".
    # Spanish "más" (more) is not Portuguese "mas" (but), so accented words keep their accent.
    text = sentence.sentence
    plain = text.translate(_ACCENTS)
    if "á" in text or "Á" in text:  # one pass over the string, then the rare "más"
        chars = list(plain)
        for match in _ACCENTED_MAS_RE.finditer(text):
            chars[match.start()] = "#"
        plain = "".join(chars)
    cuts = [0]
    matches = sorted(
        [*_BOUNDARY_RE.finditer(plain), *_VERB_JOIN_RE.finditer(text)], key=lambda m: m.start()
    )
    for match in matches:
        after = match.end() + len(text[match.end() :]) - len(text[match.end() :].lstrip())
        if match.group() == "," and after in starts:
            continue  # a list of actors goes on
        if match.start() > cuts[-1]:
            cuts.append(match.start())
    cuts.append(len(text))
    pieces = [(a, b) for a, b in itertools.pairwise(cuts) if b > a]
    merged: list[tuple[int, int]] = []
    pending: int | None = None
    for start, end in pieces:
        if len(_WORDS_RE.findall(text[start:end])) < MIN_WORDS:  # each piece on its own
            pending = start if pending is None else pending
            continue
        merged.append((start if pending is None else pending, end))
        pending = None
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], len(text))
        else:
            merged.append((pending, len(text)))
    return [(sentence.start + a, sentence.start + b) for a, b in merged]


def clause_index(clauses: list[tuple[int, int]], offset: int) -> int:
    """The clause holding ``offset`` (the last one that starts at or before it)."""
    found = 0
    for number, (start, _end) in enumerate(clauses):
        if start <= offset:
            found = number
    return found
