"""What a subscriber may ask for, checked in one place. Pure.

``check_preferences`` turns what a person typed (command-line flags, a CSV row, the
preferences form) or what is stored (a subscription row, re-checked by the worker) into
typed ``Preferences``, or into a list of ``Problem``s, each naming its field. The CLI, the
CSV import, the web page and the worker's subscription index all call it, so a setting the
worker would drop is refused at the door with the same reason.

A setting is refused when it can never deliver or is ambiguous: a weekday outside
Monday–Sunday, a negative daily cap, a minimum score the classifier never reaches, a
country code the topic never reports, an unknown time zone, a query that does not parse,
a language monitor's messages are not written in.
Field names are the CSV column names (the CLI shows them as flags).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast
from zoneinfo import available_timezones

from monitor.catalogs import LANGUAGE_NAMES, LANGUAGES, catalog, checked_language
from monitor.errors import Problem, QueryError
from monitor.language_tags import primary_language
from monitor.matching.commands import check_query
from monitor.matching.query import parse
from monitor.matching.query.parser import query_categories
from monitor.models import CATEGORIES
from monitor.notify.policy import DELIVERY_MODES, DeliveryMode, DeliverySettings
from monitor.subscriptions.topic_choice import ALL_TOPICS, FOUNDING_TOPIC

MAX_DAILY_CAP = 1000
MAX_LIST_ITEMS = 50
MAX_NAME = 200
MAX_OUTLET = 300
MAX_EMAIL = 254
MAX_TOPIC = 100
_SLUG = re.compile(r"^[A-Za-z0-9_-]+$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Zones in the database that are not places a person lives: the host's own zone (differs
# per machine) and tzdata's placeholders.
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})

ListInput = str | Sequence[Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The values a story's verdict can carry, so a filter outside them can never match.

    ``countries`` are the ISO codes the classifier reports (the topic's gazetteer); None
    accepts any two-letter code, for callers that have no topic (tests, benchmarks).
    ``topics`` are the loaded topics' slugs, in file-name order, that a subscription may
    choose (besides ``all``); None accepts any well-formed slug — the worker's index,
    whose topics reload without a restart: a subscription to a topic that is not loaded
    simply receives nothing from it.
    """

    countries: frozenset[str] | None = None
    categories: tuple[str, ...] = CATEGORIES
    topics: tuple[str, ...] | None = None

    @property
    def default_topic(self) -> str:
        """The topic of a subscription that names none: the founding topic when it is
        loaded (what every subscription received before topics could be chosen), else the
        first loaded topic."""
        if not self.topics or FOUNDING_TOPIC in self.topics:
            return FOUNDING_TOPIC
        return self.topics[0]

    @classmethod
    def from_codes(
        cls,
        countries: Iterable[str],
        categories: Iterable[str] | None = None,
        topics: Iterable[str] | None = None,
    ) -> Vocabulary:
        return cls(
            countries=frozenset(code.upper() for code in countries),
            categories=CATEGORIES if categories is None else tuple(categories),
            topics=None if topics is None else tuple(topics),
        )


@cache
def topic_vocabulary(*topic_files: Path) -> Vocabulary:
    """The countries and categories of the topics in ``topic_files`` together (read once
    per process): what a subscription's filters may name."""
    from monitor.matching.topic_set import load_topic_set

    topics = load_topic_set(topic_files)
    return Vocabulary.from_codes(topics.country_names(), topics.categories(), topics.ids)


@dataclass(frozen=True, slots=True)
class PreferencesInput:
    """One subscriber and one subscription as given: text as typed, or stored values."""

    email: str
    name: str = ""
    time_zone: str = "UTC"
    language: str = "en"  # of the messages the subscriber receives (not a story filter)
    query: str | None = None
    topic: str | None = None  # a topic slug or "all"; None: Vocabulary.default_topic
    countries: ListInput = ()
    categories: ListInput = ()
    languages: ListInput = ()
    outlets: ListInput = ()
    min_score: str | float | None = None
    mode: str = "immediate"
    digest_time: str = "08:00"
    digest_weekday: str | int = 0
    quiet: str | None = None  # "22:00-07:00"
    daily_cap: str | int | None = None
    volume_alerts: str | bool = False  # also spikes and silences of its coverage


@dataclass(frozen=True, slots=True)
class Filters:
    """A subscription's filters; empty means "any". Stored as JSON (``as_json``)."""

    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    min_score: float | None = None

    def as_json(self) -> dict[str, Any]:
        """The stored form (only the filters that are set), as the fan-out reads it."""
        out: dict[str, Any] = {}
        for key in ("countries", "categories", "languages", "outlets"):
            values = getattr(self, key)
            if values:
                out[key] = list(values)
        if self.min_score is not None:
            out["min_score"] = self.min_score
        return out


@dataclass(frozen=True, slots=True)
class Preferences:
    """Checked, normalized preferences: every value here can deliver."""

    email: str
    name: str
    time_zone: str
    query: str | None
    filters: Filters
    topic: str
    mode: DeliveryMode
    digest_time: time
    digest_weekday: int
    quiet: tuple[time, time] | None
    daily_cap: int | None
    volume_alerts: bool = False
    warnings: tuple[str, ...] = field(default=(), compare=False)
    language: str = "en"  # the subscriber's messages' (monitor.catalogs.LANGUAGES)

    def subscription_values(self) -> dict[str, Any]:
        """The subscription row's columns (without its name, id and paused state)."""
        return {
            "query": self.query,
            "topic": self.topic,
            "filters": self.filters.as_json(),
            "mode": self.mode,
            "digest_time": f"{self.digest_time:%H:%M}",
            "digest_weekday": self.digest_weekday,
            "quiet_start": f"{self.quiet[0]:%H:%M}" if self.quiet else None,
            "quiet_end": f"{self.quiet[1]:%H:%M}" if self.quiet else None,
            "daily_cap": self.daily_cap,
            "volume_alerts": self.volume_alerts,
        }

    def match_key(self) -> tuple[Any, ...]:
        """What the subscription matches, in a comparable form: two subscriptions with the
        same key receive the same stories (list order and outlet case do not matter)."""
        f = self.filters
        return (
            self.query,
            self.topic,
            tuple(sorted(f.countries)),
            tuple(sorted(f.categories)),
            tuple(sorted(f.languages)),
            tuple(sorted({outlet.casefold() for outlet in f.outlets})),
            f.min_score,
        )

    def delivery_settings(self) -> DeliverySettings:
        return DeliverySettings(
            mode=self.mode,
            time_zone=self.time_zone,
            local_time=self.digest_time,
            weekday=self.digest_weekday,
            quiet_start=self.quiet[0] if self.quiet else None,
            quiet_end=self.quiet[1] if self.quiet else None,
            daily_cap=self.daily_cap,
        )


class _Checker:
    """Collects the problems of one input while parsing its fields."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def field(self, name: str, parse: Callable[[], T], fallback: T) -> T:
        try:
            return parse()
        except _Refused as exc:
            self.problems.append(Problem(name, str(exc), key=exc.key, values=exc.values))
            return fallback


class _Refused(ValueError):
    """A field's value is refused: ``refused.KEY``, a catalog message filled with
    ``values``, says why and what would be accepted. Its text is the English catalog's
    (the CLI, the import and the logs show it); a page shows the reader's catalog's."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = f"refused.{key}"
        self.values = tuple(values.items())
        super().__init__(catalog("en").text(self.key, **values))


def check_preferences(
    given: PreferencesInput, vocabulary: Vocabulary, *, advice: bool = True
) -> Preferences | list[Problem]:
    """``given`` as typed ``Preferences``, or every problem found (never only the first).

    ``advice`` adds the query linter's warnings (``Preferences.warnings``); they never
    refuse anything, so the worker, which re-checks thousands of stored rows, skips them.
    """
    c = _Checker()
    email = c.field("email", lambda: _email(given.email), "")
    name = c.field("name", lambda: _text(given.name, MAX_NAME), "")
    zone = c.field("time_zone", lambda: _time_zone(given.time_zone), "UTC")
    language = c.field("language", lambda: _language(given.language), "en")
    no_query: tuple[str | None, tuple[str, ...]] = (None, ())
    query, warnings = c.field("query", lambda: _query(given.query, advice, vocabulary), no_query)
    topic = c.field("topic", lambda: _topic(given.topic, vocabulary), vocabulary.default_topic)
    filters = Filters(
        countries=c.field("countries", lambda: _countries(given.countries, vocabulary), ()),
        categories=c.field("categories", lambda: _categories(given.categories, vocabulary), ()),
        languages=c.field("languages", lambda: _languages(given.languages), ()),
        outlets=c.field("outlets", lambda: _outlets(given.outlets), ()),
        min_score=c.field("min_score", lambda: _min_score(given.min_score), None),
    )
    mode: DeliveryMode = c.field("mode", lambda: _mode(given.mode), "immediate")
    digest_time = c.field("digest_time", lambda: _clock(given.digest_time), time(8, 0))
    weekday = c.field("digest_weekday", lambda: _weekday(given.digest_weekday), 0)
    quiet = c.field("quiet", lambda: _quiet(given.quiet), None)
    cap = c.field("daily_cap", lambda: _daily_cap(given.daily_cap), None)
    volume = c.field("volume_alerts", lambda: _flag(given.volume_alerts), False)
    if topic == ALL_TOPICS and not query and not c.problems:
        needs = _Refused("all_needs_query")
        c.problems.append(Problem("query", str(needs), key=needs.key))
    if c.problems:
        return c.problems
    return Preferences(
        email=email,
        name=name,
        time_zone=zone,
        query=query,
        filters=filters,
        topic=topic,
        mode=mode,
        digest_time=digest_time,
        digest_weekday=weekday,
        quiet=quiet,
        daily_cap=cap,
        volume_alerts=volume,
        warnings=warnings,
        language=language,
    )


def input_from_row(subscription: Any, subscriber: Any) -> PreferencesInput:
    """A stored subscription (``SubscriptionRow``) and its subscriber as input to re-check."""
    filters = subscription.filters if isinstance(subscription.filters, dict) else {}
    quiet = None
    if subscription.quiet_start or subscription.quiet_end:
        quiet = f"{subscription.quiet_start or ''}-{subscription.quiet_end or ''}"
    return PreferencesInput(
        email=subscriber.email,
        name=subscriber.display_name,
        time_zone=subscriber.time_zone,
        language=getattr(subscriber, "language", "en"),
        query=subscription.query,
        topic=getattr(subscription, "topic", None),
        countries=filters.get("countries") or (),
        categories=filters.get("categories") or (),
        languages=filters.get("languages") or (),
        outlets=filters.get("outlets") or (),
        min_score=filters.get("min_score"),
        mode=subscription.mode,
        digest_time=subscription.digest_time,
        digest_weekday=subscription.digest_weekday,
        quiet=quiet,
        daily_cap=subscription.daily_cap,
        volume_alerts=bool(getattr(subscription, "volume_alerts", False)),
    )


# --- one parser per field; each raises _Refused with what would be accepted -----------------
def _email(value: str) -> str:
    address = (value or "").strip().lower()
    if not address:
        raise _Refused("email_required")
    if len(address) > MAX_EMAIL or not _EMAIL.match(address):
        raise _Refused("not_email", value=repr(value))
    return address


def _text(value: str, limit: int) -> str:
    text = value or ""
    if _CONTROL.search(text):
        raise _Refused("one_line")
    text = " ".join(text.split())
    if len(text) > limit:
        raise _Refused("too_long", limit=limit, length=len(text))
    return text


@cache
def _zone_names() -> dict[str, str]:
    """Every IANA zone name, keyed by its lower-case form (so ``europe/kyiv`` is found)."""
    return {name.lower(): name for name in available_timezones() if name not in _NOT_PLACES}


def _time_zone(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise _Refused("time_zone_required")
    known = _zone_names().get(name.lower())
    if known is None:
        raise _Refused("unknown_time_zone", value=repr(name))
    return known


def _language(value: str) -> str:
    try:
        return checked_language(value)
    except ValueError:
        names = ", ".join(f"{code} = {LANGUAGE_NAMES[code]}" for code in LANGUAGES)
        raise _Refused(
            "language", value=repr(value), codes=", ".join(LANGUAGES), names=names
        ) from None


def _query(
    value: str | None, advice: bool, vocabulary: Vocabulary
) -> tuple[str | None, tuple[str, ...]]:
    text = (value or "").strip()
    if not text:
        return None, ()
    try:
        if not advice:
            parse(text)
            return text, ()
        node, warnings = check_query(text)
    except QueryError as exc:
        raise _Refused("query", reason=exc.reason, position=exc.position, query=repr(text)) from exc
    unknown = sorted(query_categories(node) - set(vocabulary.categories))
    _refuse_unknown(unknown, "query_categories", vocabulary.categories)
    return text, tuple(f"[{w.code}] {w.message}" for w in warnings)


def _topic(value: str | None, vocabulary: Vocabulary) -> str:
    if value is None or not value.strip():
        return vocabulary.default_topic
    slug = value.strip()
    if slug.lower() == ALL_TOPICS:
        return ALL_TOPICS
    known = vocabulary.topics
    if known is None:
        if len(slug) > MAX_TOPIC or not _SLUG.match(slug):
            raise _Refused("not_topic_id", value=repr(value))
        return slug
    by_fold = {topic.casefold(): topic for topic in known}
    if slug.casefold() not in by_fold:
        raise _Refused("unknown_topic", value=repr(value), known=", ".join(known), all=ALL_TOPICS)
    return by_fold[slug.casefold()]


def _items(value: ListInput) -> list[str]:
    """A comma-separated string or a list, as stripped, de-duplicated strings."""
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for part in parts:
        if not isinstance(part, str):
            raise _Refused("not_text", value=repr(part))
        if _CONTROL.search(part):
            raise _Refused("plain_text")
        item = " ".join(part.split())
        if item and item not in out:
            out.append(item)
    if len(out) > MAX_LIST_ITEMS:
        raise _Refused("too_many", limit=MAX_LIST_ITEMS, count=len(out))
    return out


def _refuse_unknown(unknown: Collection[str], key: str, known: Iterable[str]) -> None:
    """``refused.unknown_KEY``: the values not among ``known``, and the known ones."""
    if unknown:
        raise _Refused(f"unknown_{key}", unknown=", ".join(unknown), known=", ".join(sorted(known)))


def _countries(value: ListInput, vocabulary: Vocabulary) -> tuple[str, ...]:
    codes = [code.upper() for code in _items(value)]
    known = vocabulary.countries
    if known is None:
        unknown = [code for code in codes if not re.fullmatch(r"[A-Z]{2}", code)]
        if unknown:
            raise _Refused("country_codes", unknown=", ".join(unknown))
    else:
        unknown = [code for code in codes if code not in known]
        _refuse_unknown(unknown, "countries", known)
    return tuple(dict.fromkeys(codes))


def _categories(value: ListInput, vocabulary: Vocabulary) -> tuple[str, ...]:
    names = [name.lower() for name in _items(value)]
    unknown = [name for name in names if name not in vocabulary.categories]
    _refuse_unknown(unknown, "categories", vocabulary.categories)
    return tuple(dict.fromkeys(names))


def _languages(value: ListInput) -> tuple[str, ...]:
    items = _items(value)
    codes = [primary_language(item) for item in items]
    unknown = [item for item, code in zip(items, codes, strict=True) if code is None]
    if unknown:
        raise _Refused("unknown_languages", unknown=", ".join(unknown))
    return tuple(dict.fromkeys(cast(list[str], codes)))


def _outlets(value: ListInput) -> tuple[str, ...]:
    outlets = _items(value)
    long = [o for o in outlets if len(o) > MAX_OUTLET]
    if long:
        raise _Refused("outlet_too_long", limit=MAX_OUTLET)
    return tuple(outlets)


def _number(value: str | float | int, key: str, **values: object) -> float:
    """``value`` as a number; else ``refused.KEY`` (what was expected) with ``values``."""
    if isinstance(value, bool):
        raise _Refused(key, value=repr(value), **values)
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise _Refused(key, value=repr(value), **values) from None
    if not math.isfinite(number):
        raise _Refused(key, value=repr(value), **values)
    return number


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _min_score(value: str | float | None) -> float | None:
    if _blank(value):
        return None
    assert value is not None
    score = _number(value, "not_score")
    if not 0.0 <= score <= 1.0:
        raise _Refused("score_range", value=repr(value))
    return score


def _mode(value: str) -> DeliveryMode:
    mode = (value or "").strip().lower() or "immediate"
    for known in DELIVERY_MODES:
        if mode == known:
            return known
    raise _Refused("mode", modes=", ".join(DELIVERY_MODES), value=repr(value))


def _clock(value: str) -> time:
    text = (value or "").strip()
    match = _CLOCK.match(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise _Refused("clock", value=repr(value))
    return time(int(match[1]), int(match[2]))


def _weekday(value: str | int) -> int:
    if isinstance(value, str):
        text = value.strip().lower()
        for number, name in enumerate(WEEKDAYS):
            if len(text) >= 3 and name.startswith(text):
                return number
        if not text.isdigit():
            raise _Refused("weekday", value=repr(value))
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise _Refused("weekday", value=repr(value))
    return value


def _quiet(value: str | None) -> tuple[time, time] | None:
    text = (value or "").strip()
    if not text:
        return None
    start, sep, end = text.replace("–", "-").partition("-")
    if not sep:
        raise _Refused("quiet_format", value=repr(value))
    try:
        window = (_clock(start), _clock(end))
    except _Refused:
        raise _Refused("quiet_format", value=repr(value)) from None
    if window[0] == window[1]:
        raise _Refused("quiet_same", value=text)
    return window


def _daily_cap(value: str | int | None) -> int | None:
    if _blank(value):
        return None
    assert value is not None
    number = _number(value, "not_cap", limit=MAX_DAILY_CAP)
    if not number.is_integer() or not 0 <= number <= MAX_DAILY_CAP:
        raise _Refused("daily_cap", limit=MAX_DAILY_CAP, value=repr(value))
    return int(number)


_FLAGS = {
    "true": True,
    "yes": True,
    "on": True,
    "1": True,
    "false": False,
    "no": False,
    "off": False,
    "0": False,
    "": False,
}


def _flag(value: str | bool) -> bool:
    """A yes/no setting given as a boolean, or as text from a form, CSV or the CLI."""
    if isinstance(value, bool):
        return value
    answer = _FLAGS.get(str(value).strip().lower())
    if answer is None:
        raise _Refused("flag", value=repr(value))
    return answer
