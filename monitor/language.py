"""An item's language: the one detector the poller and the classifier share.

``resolve_language`` is the poller's rule: a feed's declaration, unless long text is
confidently another language (WordPress ships ``en-US`` by default, many Spanish sites
never change it, and UNIAN publishes Ukrainian and Russian in one feed).
``detect_language`` is the guess for text without a declaration; the classifier calls it
with the topic's languages only, so a short Spanish headline is not reported as Galician.

Ukrainian and Russian share an alphabet and much vocabulary, and py3langid confuses them on
short headlines. Mostly Cyrillic text is therefore decided by ``tell_ukrainian_from_russian``
(letters and short words only one of the two has) before the statistical model is asked.
Detection returns None rather than guess on short text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

MIN_LETTERS_TO_DETECT = 25
MIN_CONFIDENCE = 0.5
MIN_LETTERS_TO_OVERRIDE = 200
MIN_CONFIDENCE_TO_OVERRIDE = 0.95
# The opening of a story identifies its language as well as the whole (every dev item
# agrees) at a fraction of the cost.
MAX_CHARS = 400
_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_WORD = re.compile(r"[^\W\d_]+")

# Letters of one language and not the other. ґ is rare but unambiguous.
UKRAINIAN_LETTERS = frozenset("іїєґ")
RUSSIAN_LETTERS = frozenset("ыэёъ")
# Letters of other Cyrillic languages (Belarusian ў; Serbian and Macedonian ј љ њ ђ ћ џ ѓ ќ ѕ):
# text holding them is neither Ukrainian nor Russian, so the model decides.
OTHER_CYRILLIC_LETTERS = frozenset("ўјљњђћџѓќѕ")
# Frequent short words one language has and the other lacks (Ukrainian writes "і", "з",
# "від", "що" where Russian writes "и", "с", "от", "что").
UKRAINIAN_WORDS = frozenset(
    [
        "і",
        "й",
        "з",
        "із",
        "зі",
        "від",
        "що",
        "це",
        "як",
        "який",
        "яка",
        "які",
        "якщо",
        "було",
        "буде",
        "також",
        "між",
        "щодо",
        "він",
        "вона",
        "вони",
        "його",
        "її",
        "їх",
        "році",
        "року",
        "україни",
        "україна",
        "міністр",
        "своїй",
        "свого",
    ]
)
RUSSIAN_WORDS = frozenset(
    [
        "и",
        "с",
        "со",
        "из",
        "от",
        "что",
        "это",
        "как",
        "который",
        "которая",
        "которые",
        "была",
        "было",
        "будет",
        "также",
        "между",
        "он",
        "она",
        "они",
        "его",
        "ее",
        "её",
        "их",
        "году",
        "россии",
        "россия",
        "министр",
        "своей",
    ]
)


def language_from_tag(tag: str | None) -> str | None:
    """The primary subtag of a language tag, lower-cased: ``en-US`` → ``en``; junk → None."""
    if not tag:
        return None
    match = _TAG.match(tag)
    if not match:
        return None
    primary = match.group(1).lower()
    return None if primary in {"und", "mul", "zxx", "xx"} else primary


def tell_ukrainian_from_russian(text: str) -> tuple[str, float] | None:
    """``("uk" | "ru", share of the evidence)`` for Cyrillic text, or None when unclear.

    Each letter only one language has counts one, each word only one language has counts
    two. None when neither side has evidence, both have the same, or the text holds letters
    of another Cyrillic language. ``ъ`` without ``ы`` or ``э`` is left undecided too: it is
    rare in Russian but the most frequent vowel of Bulgarian.
    """
    lowered = text.lower()
    letters = set(lowered)
    if letters & OTHER_CYRILLIC_LETTERS:
        return None
    if "ъ" in letters and not letters & {"ы", "э"}:
        return None
    ukrainian = sum(lowered.count(letter) for letter in UKRAINIAN_LETTERS & letters)
    russian = sum(lowered.count(letter) for letter in RUSSIAN_LETTERS & letters)
    for word in _WORD.findall(lowered):
        ukrainian += 2 * (word in UKRAINIAN_WORDS)
        russian += 2 * (word in RUSSIAN_WORDS)
    if ukrainian == russian:
        return None
    total = ukrainian + russian
    return ("uk", ukrainian / total) if ukrainian > russian else ("ru", russian / total)


def detect_language(
    text: str,
    languages: tuple[str, ...] = (),
    *,
    min_letters: int = MIN_LETTERS_TO_DETECT,
    min_confidence: float = MIN_CONFIDENCE,
) -> tuple[str, float] | None:
    """``(language, probability)`` for ``text``, or None when it is too short or unclear.

    ``languages`` limits the answer (empty: any language the model knows).
    """
    sample = text[:MAX_CHARS]
    letters = _count_letters(sample, stop_at=None)
    if letters < min_letters:
        return None
    if len(_CYRILLIC.findall(sample)) * 2 > letters:
        verdict = tell_ukrainian_from_russian(sample)
        if verdict is not None and (not languages or verdict[0] in languages):
            return verdict if verdict[1] >= min_confidence else None
    language, probability = _identifier(languages).classify(sample)
    if language == "und" or probability < min_confidence:
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


def _count_letters(text: str, *, stop_at: int | None) -> int:
    count = 0
    for _ in _LETTER.finditer(text):
        count += 1
        if count == stop_at:
            break
    return count


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    # Loading the model takes ~0.7 s, so it happens once per language set, on first use.
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if languages:
        identifier.set_languages(list(languages))
    return identifier
