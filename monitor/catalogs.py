"""monitor's messages in English, Spanish, Portuguese and Ukrainian: the gettext catalogs. Pure.

Each language is a catalog, ``monitor/locales/{en,es,pt,uk}.po`` (package data, read with
Babel and used through the standard library's ``gettext``, so plural forms follow each
language's ``Plural-Forms``: Ukrainian has three, for 1, 2–4 and 5–20). Message ids are
keys (``nav.latest``); ``en.po`` holds the reference English. Messages may name values in braces (``{email}``); whoever prints the
finished text escapes it. Every catalog has exactly English's ids (a test checks), and an
id no catalog has is an error, never a blank.

The web workspace (``monitor.web.workspace.i18n``) and the messages subscribers receive
(``monitor.notify.wording``, ``monitor.delivery.content``) both read them from here, so
notify does not depend on web.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from monitor.errors import Problem

LANGUAGES: tuple[str, ...] = ("en", "es", "pt", "uk")
DEFAULT_LANGUAGE = "en"
# Each language's own name, for the language forms.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "pt": "Português", "uk": "Українська"}


@dataclass(frozen=True, slots=True)
class Catalog:
    """One language's messages: ``messages`` maps each id to its text (a plural message
    to its first form); ``translations`` answers plural questions."""

    language: str
    messages: Mapping[str, str]
    plurals: frozenset[str]
    translations: gettext.NullTranslations

    def text(self, key: str, **values: object) -> str:
        """The message ``key`` with ``values`` filled in (a plural message chooses its form
        by ``count``); KeyError names a missing key."""
        if key not in self.messages:
            raise KeyError(f"no message {key!r} in the {self.language} catalog")
        if key in self.plurals:
            count = values.get("count", 1)
            message = self.translations.ngettext(key, key, count if isinstance(count, int) else 2)
        else:
            message = self.messages[key]
        return message.format(**values) if values else message

    def has(self, key: str) -> bool:
        return key in self.messages


@cache
def catalog(language: str) -> Catalog:
    """The packaged catalog of ``language`` (one of LANGUAGES)."""
    if language not in LANGUAGES:
        raise ValueError(f"no catalog for {language!r}; known: {', '.join(LANGUAGES)}")
    source = files("monitor").joinpath("locales", f"{language}.po").read_bytes()
    po = read_po(io.BytesIO(source), locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, po)
    compiled.seek(0)
    messages: dict[str, str] = {}
    plurals: set[str] = set()
    for message in po:
        if not message.id:
            continue  # the header
        if isinstance(message.id, (tuple, list)):
            plurals.add(str(message.id[0]))
            forms = message.string
            first = forms[0] if isinstance(forms, (tuple, list)) and forms else forms
            messages[str(message.id[0])] = str(first or "")
        else:
            messages[str(message.id)] = str(message.string or "")
    return Catalog(language, messages, frozenset(plurals), gettext.GNUTranslations(compiled))


def checked_language(value: str | None) -> str:
    """A subscriber's language as stored: ``es``, ``ES`` and `` es `` are ``es``; nothing
    given is English. ValueError, naming the choices, for a language without a catalog."""
    language = (value or "").strip().lower() or DEFAULT_LANGUAGE
    if language not in LANGUAGES:
        raise ValueError(
            f"unknown language {value!r}: choose one of {', '.join(LANGUAGES)}"
            f" ({', '.join(f'{code} = {LANGUAGE_NAMES[code]}' for code in LANGUAGES)})"
        )
    return language


def explain(cat: Catalog, problem: Problem) -> str:
    """Why a field was refused, in ``cat``'s language: the catalog message the problem
    names (``refused.*``, from ``subscriptions.preferences``), else its own English message."""
    if problem.key and cat.has(problem.key):
        return cat.text(problem.key, **dict(problem.values))
    return problem.message


def message_language(value: str | None) -> str:
    """The language to write a message in: the stored one, or English for a value that is
    not (yet) a catalog, so a bad row never stops a delivery."""
    try:
        return checked_language(value)
    except ValueError:
        return DEFAULT_LANGUAGE
