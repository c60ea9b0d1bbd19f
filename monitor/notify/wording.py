"""What a subscriber's messages say in their language: fixed words, dates, numbers. Pure.

Every fixed string of the emails and chat messages is a message of the shared gettext
catalogs (``monitor/locales``, ids ``email.*``, ``chat.*`` and the workspace's
``category.*``); dates are Babel's ``format_datetime`` with each catalog's own pattern
(``email.date.*``), numbers Babel's ``format_decimal``, plurals the catalog's
``Plural-Forms``. Story text (titles, snippets, outlets) stays as published.

English reads exactly as monitor's emails always did; a language with no catalog falls
back to English (the store only keeps catalog languages, checked at the door).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from monitor.catalogs import Catalog, catalog, message_language
from monitor.notify.text import clean_inline

# The kinds of digest a DigestPeriod can name (DigestPeriod.kind).
PERIOD_KINDS = ("immediate", "hourly", "daily", "weekly", "held")


@dataclass(frozen=True, slots=True)
class Words:
    """One language's fixed words, for code and for the templates (``w`` in them)."""

    language: str

    @property
    def catalog(self) -> Catalog:
        return catalog(self.language)

    def text(self, key: str, **values: object) -> str:
        """The message ``key`` with ``values`` filled in, as plain text."""
        return self.catalog.text(key, **values)

    def html(self, key: str, **values: object) -> Markup:
        """The message ``key`` for an HTML body: the message escaped, then ``values``
        filled in escaped (a value that is already Markup, such as ``<bdi>`` around a
        name, is kept)."""
        raw = self.raw(key, values.get("count"))
        return Markup(escape(raw)).format(**values)

    def raw(self, key: str, count: object = None) -> str:
        """The unformatted message (a plural one in the form for ``count``)."""
        cat = self.catalog
        if key not in cat.messages:
            raise KeyError(f"no message {key!r} in the {self.language} catalog")
        if key in cat.plurals:
            number = count if isinstance(count, int) else 2
            return cat.translations.ngettext(key, key, number)
        return cat.messages[key]

    def number(self, value: int) -> str:
        """``1,234`` in English, ``1.234`` in Spanish and Portuguese, ``1 234`` in Ukrainian."""
        return format_number(value, self.language)

    def count(self, key: str, count: int) -> str:
        """A plural message (``{count} stories``) with the count written for the locale."""
        return self.raw(key, count).format(count=self.number(count))


@cache
def words(language: str | None) -> Words:
    """The words of ``language`` (English for one without a catalog)."""
    return Words(message_language(language))


@lru_cache(maxsize=4096)
def format_number(value: int, language: str) -> str:
    """``value`` in the locale's notation. Remembered: babel parses the locale's pattern
    on every call, and the same few counts recur in every digest of a pass."""
    return format_decimal(value, locale=message_language(language))


def format_score(score: float, language: str) -> str:
    """A relevance score with two decimals in the locale's notation (``0.87``, ``0,87``)."""
    return format_decimal(score, format="0.00", locale=message_language(language))


def _abbreviation(local: datetime) -> str:
    abbreviation = local.strftime("%Z")
    return f"UTC{abbreviation}" if abbreviation[:1] in {"+", "-"} else abbreviation


def format_moment(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A story's date as the reader's clock and language show it, with the zone:
    ``Mon, 11 Dec 2023, 09:30 UTC-03``, ``lun, 11 de dic de 2023, 9:30 UTC-03``,
    ``seg., 11 de dez. de 2023, 09:30 UTC-03``, ``пн, 11 груд. 2023 р., 09:30 UTC-03``
    (the pattern is the catalog's ``email.date.moment``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    w = words(language)
    shown = format_datetime(local, w.text("email.date.moment"), locale=w.language)
    return f"{shown} {_abbreviation(local)}"


def format_day(moment: datetime, zone: ZoneInfo, language: str, *, with_time: bool) -> str:
    """A digest's date (``2026-11-27``, ``27 de nov de 2026``), with the time for an hourly
    or held digest."""
    local = moment.astimezone(zone)
    w = words(language)
    key = "email.date.day_time" if with_time else "email.date.day"
    return format_datetime(local, w.text(key), locale=w.language)


@lru_cache(maxsize=4096)
def period_words(kind: str, end: datetime, zone: ZoneInfo, language: str) -> tuple[str, str]:
    """A digest's name and label in ``language``: (``Daily digest``, ``2026-11-27``),
    (``Resumen semanal``, ``semana hasta el 30 de nov de 2026``). ``kind`` is one of
    PERIOD_KINDS; ``end`` is the digest's due time (UTC). Remembered: the digests of a
    pass share a few due times and zones, and babel formats the day afresh each call."""
    if kind not in PERIOD_KINDS:
        raise ValueError(f"unknown digest kind {kind!r}; known: {', '.join(PERIOD_KINDS)}")
    w = words(language)
    day = format_day(end, zone, language, with_time=kind in {"hourly", "held"})
    label = w.text("email.digest.week_to", date=day) if kind == "weekly" else day
    return w.text(f"email.digest.name.{kind}"), label


def category_name(category: str | None, language: str) -> str:
    """A category's name in ``language``; an unknown slug is shown cleaned, none is Other."""
    cat = words(language).catalog
    if category is None:
        return cat.text("category.other")
    key = f"category.{category}"
    if cat.has(key):
        return cat.text(key)
    return clean_inline(category)[:60] or cat.text("category.other")


@cache
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


def territory_name(code: str, language: str) -> str | None:
    """A country's name from the locale's CLDR data (``PY`` → ``Paraguay``, ``BR`` →
    ``Brasil``), or None when CLDR has no such code."""
    return _territories(message_language(language)).get(code.strip().upper())


def join_names(names: list[str], language: str) -> str:
    """``A, B and C`` (``A, B y C``, ``A, B e C``)."""
    if len(names) == 1:
        return names[0]
    return words(language).text("email.list_and", first=", ".join(names[:-1]), last=names[-1])
