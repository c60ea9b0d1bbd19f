"""Folding text for matching: lowercase, accents stripped, with a map back to the original.

Every matcher in this package (topic gazetteer, stored queries) works on *folded* text so
that ``México``, ``MEXICO`` and ``mexico`` are the same word and ``Díaz-Canel`` matches
``diaz canel``. Folding is one ``str.translate`` call with a table built once at import:
each character maps to at most one character, so in the common case the folded string is
as long as the original and offsets carry over unchanged. Only when the input holds
combining marks (decomposed accents) or runs of spaces does the slow path build an explicit
offset map; it is still linear.

Cyrillic is case-folded like Latin, and its accents go the same way: ё→е, ї→і and й→и
(й is и with a breve; folding it keeps one rule for every script and makes a decomposed
и + breve match the precomposed letter; the only words it merges, such as мой/мои, are
forms of one word). Ukrainian ґ folds to г, because spelling of names varies
(Ґуайдо/Гуайдо). The apostrophe inside a Ukrainian word (м'ясо, Зв'язок) is written ',
’ or ʼ: all fold to ', and a Cyrillic word keeps it, so м'ясо is one word (``tokens``).

What folding does not do: stemming, transliteration between scripts (Cyrillic stays
Cyrillic), or any other language-specific rule.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Characters that end a word for matching purposes are the non-alphanumeric ones, except
# an apostrophe between two Cyrillic letters: the Ukrainian м'ясо is one word.
_TOKEN_RE = re.compile(r"[^\W_]+(?:(?<=[\u0400-\u04ff])'(?=[\u0400-\u04ff])[^\W_]+)*")
# A sentence ends at . ! ? ; … or a line break, followed by space or the end of the text.
_SENTENCE_END_RE = re.compile(r"[.!?;\u2026](?=\s|$)|\n")
_SPACE_RUN_RE = re.compile(r" {2,}")

_SPACE_LIKE = "\t\x0b\x0c\r"
_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4"
# Letters that fold to another letter of their script although Unicode does not decompose them.
_VARIANTS = {"ґ": "г"}


def _fold_char(char: str) -> str:
    """The folded form of one character: '' (dropped) or exactly one character."""
    if char == "\n":
        return "\n"
    category = unicodedata.category(char)
    if char in _SPACE_LIKE or category.startswith("Z"):
        return " "
    if category == "Pd":  # dashes and hyphens join words like spaces do: Díaz-Canel
        return " "
    if char in _APOSTROPHES:
        return "'"
    if category == "Mn":  # a combining mark on its own: the accent of a decomposed letter
        return ""
    lowered = char.lower()
    if len(lowered) != 1:
        lowered = unicodedata.normalize("NFD", char)[0].lower()
    if lowered in _VARIANTS:
        return _VARIANTS[lowered]
    decomposed = unicodedata.normalize("NFD", lowered)
    base = decomposed[0]
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
        return base
    return lowered


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for start, stop in ((0x0000, 0x3000), (0xFB00, 0xFB07), (0xFF00, 0xFFF0)):
        for codepoint in range(start, stop):
            char = chr(codepoint)
            folded = _fold_char(char)
            if folded != char:
                table[codepoint] = folded
    return table


_TABLE = _build_table()
_ASCII_TABLE = {code: folded for code, folded in _TABLE.items() if code < 128}
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _translate(text: str) -> str:
    """``text.translate(_TABLE)``, faster for text that is mostly ASCII.

    ``str.translate`` has a fast path only while the input is ASCII; from the first accent
    on it looks every character up in the table. Spanish or Portuguese news has an accent
    every few words, so the non-ASCII runs are folded on their own and the rest by the fast
    path (no folded character is one the ASCII table changes again). Text that is mostly
    non-ASCII (Cyrillic) takes the plain call, which is faster for it.
    """
    if text.isascii():
        return text.translate(_ASCII_TABLE)
    if len(text.encode("utf-8", "surrogatepass")) - len(text) > len(text) // 8:
        return text.translate(_TABLE)
    return _NON_ASCII_RUN.sub(_fold_run, text).translate(_ASCII_TABLE)


def _fold_run(run: re.Match[str]) -> str:
    return run.group().translate(_TABLE)


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A folded string and how to find each of its characters in the original.

    ``offsets`` is ``None`` when folding kept every character in place (the usual case);
    otherwise ``offsets[i]`` is the index in the original of folded character ``i``.
    """

    original: str
    folded: str
    offsets: tuple[int, ...] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded ``[start, end)`` span to the original string."""
        if self.offsets is None:
            return start, end
        if start >= end:
            position = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return position, position
        original_start = self.offsets[start]
        original_end = self.offsets[end - 1] + 1
        # Keep combining accents that were dropped right after the last character.
        while original_end < len(self.original) and unicodedata.combining(
            self.original[original_end]
        ):
            original_end += 1
        return original_start, original_end


def fold(text: str) -> str:
    """Fold a string for comparison (same rules as :func:`fold_text`, no offsets)."""
    return fold_text(text).folded


@functools.lru_cache(maxsize=256)
def fold_text(text: str) -> FoldedText:
    """Lowercase, strip accents and normalise separators, keeping an offset map.

    Cached: the worker folds each headline and text twice in a row (topic classifier,
    then stored-query matcher), and a repeat costs a hash look-up instead of a pass.
    """
    folded = _translate(text)
    if len(folded) == len(text):
        if "  " not in folded:
            return FoldedText(text, folded)
        # Nothing was dropped: only runs of spaces collapse (the usual slow case, e.g. an
        # em dash between spaces), so whole stretches keep their offsets.
        return _collapse_spaces(text, folded)
    return _fold_slow(text)


def _fold_slow(text: str) -> FoldedText:
    """Characters were dropped: build the folded text and its offset map one by one."""
    chars: list[str] = []
    offsets: list[int] = []
    previous_space = False
    table_get = _TABLE.get
    for index, char in enumerate(text):
        folded_char = table_get(ord(char), char)
        if not folded_char:
            continue
        if folded_char == " ":
            if previous_space:
                continue
            previous_space = True
        else:
            previous_space = False
        chars.append(folded_char)
        offsets.append(index)
    return FoldedText(text, "".join(chars), tuple(offsets))


def _collapse_spaces(text: str, folded: str) -> FoldedText:
    """Collapse runs of spaces in a same-length fold, mapping each kept character back."""
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    for run in _SPACE_RUN_RE.finditer(folded):
        keep_to = run.start() + 1  # the first space of the run stays
        pieces.append(folded[position:keep_to])
        offsets.extend(range(position, keep_to))
        position = run.end()
    pieces.append(folded[position:])
    offsets.extend(range(position, len(folded)))
    return FoldedText(text, "".join(pieces), tuple(offsets))


def tokens(folded: str) -> list[str]:
    """The words of a folded string: maximal runs of letters and digits."""
    return _TOKEN_RE.findall(folded)


def token_spans(folded: str) -> list[tuple[str, int, int]]:
    """Words of a folded string with their ``[start, end)`` character offsets."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(folded)]


def sentence_starts(folded: str) -> list[int]:
    """Start offsets of the sentences of a folded string (always begins with 0)."""
    starts = [0]
    starts.extend(m.end() for m in _SENTENCE_END_RE.finditer(folded))
    return starts


def is_word_char(char: str) -> bool:
    """True for characters that continue a word (letters and digits)."""
    return char.isalnum()
