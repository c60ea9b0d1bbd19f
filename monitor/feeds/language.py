"""An item's language: the feed's declaration when it is plausible, else detection.

Declarations are cheap and usually right, but WordPress ships ``en-US`` by default and many
Spanish and Portuguese sites never change it, and aggregators mix languages in one feed.
So a declaration is overridden only when there is enough text and py3langid is very sure
of a different language. Detection returns None rather than guess on short text.
"""

from __future__ import annotations

import re
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

MIN_LETTERS_TO_DETECT = 25
MIN_CONFIDENCE = 0.5
MIN_LETTERS_TO_OVERRIDE = 200
MIN_CONFIDENCE_TO_OVERRIDE = 0.95
_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def language_from_tag(tag: str | None) -> str | None:
    """The primary subtag of a language tag, lower-cased: ``en-US`` → ``en``; junk → None."""
    if not tag:
        return None
    match = _TAG.match(tag)
    if not match:
        return None
    primary = match.group(1).lower()
    return None if primary in {"und", "mul", "zxx", "xx"} else primary


def detect_language(
    text: str, *, min_letters: int = MIN_LETTERS_TO_DETECT
) -> tuple[str, float] | None:
    """``(language, probability)`` for ``text``, or None when it is too short or unclear."""
    if _count_letters(text, stop_at=min_letters) < min_letters:
        return None
    language, probability = _identifier().classify(text)
    if language == "und" or probability < MIN_CONFIDENCE:
        return None
    return str(language), float(probability)


def resolve_language(declared: str | None, text: str) -> str | None:
    """The item's language: ``declared`` unless long ``text`` is confidently another language."""
    language = language_from_tag(declared)
    if language is None:
        detected = detect_language(text)
        return detected[0] if detected else None
    detected = detect_language(text, min_letters=MIN_LETTERS_TO_OVERRIDE)
    if detected and detected[0] != language and detected[1] >= MIN_CONFIDENCE_TO_OVERRIDE:
        return detected[0]
    return language


def _count_letters(text: str, *, stop_at: int) -> int:
    count = 0
    for _ in _LETTER.finditer(text):
        count += 1
        if count >= stop_at:
            break
    return count


@cache
def _identifier() -> LanguageIdentifier:
    # Loading the model takes ~0.7 s, so it happens once, on first use.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
