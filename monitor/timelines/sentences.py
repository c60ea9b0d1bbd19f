"""Split a headline and a text into sentences that keep their offsets, for quoting."""

from __future__ import annotations

import re

from monitor.timelines.model import Quote

# A sentence ends at . ! ? or … followed by space and a capital, a quote or a digit, and
# at every semicolon ("Brasil votou a favor…; a Venezuela não pôde votar").
# Initials and short abbreviations ("U.N. General", "Sr. Peña") do not end one.
_END_RE = re.compile(r"[.!?\u2026]+[\"'”’»)]*\s+(?=[\"'“«¿¡(\[\dA-ZÁÉÍÓÚÑÂÊÔÃÕÇÀÜА-ЯІЇЄҐ])|;\s+")
_ABBREVIATION_RE = re.compile(r"(?:\b\w\.)+$|\b(?:Sr|Sra|Dr|Mr|Mrs|Ms|St|Gen|Gov|Pres|No)\.$")


def split_sentences(text: str, field: str) -> list[Quote]:
    """The sentences of ``text``, trimmed, with ``[start, end)`` offsets into it."""
    quotes: list[Quote] = []
    start = 0
    for match in _END_RE.finditer(text):
        stop = match.start() + len(match.group().rstrip())
        if _ABBREVIATION_RE.search(text[start:stop]):
            continue
        _append(quotes, text, field, start, stop)
        start = match.end()
    _append(quotes, text, field, start, len(text))
    return quotes


def _append(quotes: list[Quote], text: str, field: str, start: int, stop: int) -> None:
    piece = text[start:stop]
    lead = len(piece) - len(piece.lstrip())
    sentence = piece.strip()
    if sentence:
        quotes.append(Quote(field, start + lead, start + lead + len(sentence), sentence))
