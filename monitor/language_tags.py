"""Language tags given by people (a feed's language, a subscription's language filter).

BCP 47 tags checked against the IANA registry by ``langcodes``, so ``english``, ``zz`` and
``und`` are refused at entry instead of never matching later.
"""

from __future__ import annotations

import langcodes
from langcodes.tag_parser import LanguageTagError

# Registered, but they say "no particular language": nothing to file an item under.
_NOT_A_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})


def _registered(tag: str) -> langcodes.Language | None:
    try:
        language = langcodes.Language.get(tag.strip(), normalize=True)
    except (LanguageTagError, ValueError):
        return None
    code = language.language or ""
    private_use = "qaa" <= code <= "qtz"
    if not (2 <= len(code) <= 3 and code.isalpha()) or private_use or code in _NOT_A_LANGUAGE:
        return None
    return language if language.is_valid() else None


def standard_tag(tag: str) -> str | None:
    """``tag`` in its standard form (``pt-br`` → ``pt-BR``, ``eng`` → ``en``), or None
    when it is not a registered language."""
    language = _registered(tag)
    return None if language is None else str(language)


def primary_language(tag: str) -> str | None:
    """The language alone (``pt-BR`` → ``pt``), as items and verdicts carry it; or None."""
    language = _registered(tag)
    return None if language is None else str(language.language)
