"""The workspace in English, Spanish and Portuguese, and times in the reader's zone. Pure.

Each language is a gettext catalog, ``monitor/locales/{en,es,pt}.po`` (package data, read
with Babel and used through the standard library's ``gettext``, so plural forms follow
each language's ``Plural-Forms``). Message ids are keys (``nav.latest``); ``en.po`` holds
the reference English. Messages may name values in braces (``{email}``); templates escape
the finished text. Every catalog has exactly English's ids (a test checks), and an id no
catalog has is an error, never a blank on the page. The emails may share these catalogs.

The reader chooses the language (a cookie set by the language form); until then the
browser's ``Accept-Language`` decides, else English.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("en", "es", "pt")
DEFAULT_LANGUAGE = "en"
# Each language's own name, for the language form.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "pt": "Português"}


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


def choose_language(chosen: str | None, accept_language: str | None) -> str:
    """The reader's choice (cookie) if it is one of ours, else the browser's most preferred
    language we have (``es-AR,es;q=0.9,en;q=0.8`` → es), else English."""
    if chosen in LANGUAGES:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def reader_zone(name: str | None) -> ZoneInfo:
    """The reader's IANA zone; UTC when none is stored or it is unknown here."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """``2023-12-11 09:05 -03``: a moment as the reader's clock shows it, with the zone's
    abbreviation (or offset), the same in every language."""
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()
