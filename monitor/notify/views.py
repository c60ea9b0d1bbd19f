"""Display-ready values for the templates: cleaned, cut, highlighted, localized, grouped.

Templates only print what is here; every decision about what a reader sees (which URL
may be a link, how the outlet is credited, which time zone a date is in, how a digest is
ordered) is made in this module, where it can be tested without rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from monitor.errors import UnknownTimeZone
from monitor.models import CATEGORIES
from monitor.notify.labels import CATEGORY_LABELS, NO_COUNTRY, category_label, country_name
from monitor.notify.links import safe_http_url
from monitor.notify.messages import DigestEntry, StoryForEmail
from monitor.notify.snippets import Segment, build_snippet, highlight
from monitor.notify.text import clean_inline, truncate
from monitor.notify.thread_alerts import also_reported_line
from monitor.notify.timezones import load_zone

TITLE_LIMIT = 300
SNIPPET_LIMIT = 600
WHY_LIMIT = 500
OUTLET_LIMIT = 100
TOPIC_LIMIT = 120
MAX_REPUBLISHERS = 5
MAX_TERMS = 10
MAX_DIGEST_STORIES = 100

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class StoryView:
    """One story, ready to print in HTML (escaped by Jinja) or plain text."""

    story_id: int
    title: tuple[Segment, ...]
    href: str | None
    outlet: str
    published: str
    snippet: tuple[Segment, ...]
    category: str
    countries: tuple[str, ...]
    matched_terms: tuple[str, ...]
    why: str
    score: str
    topic: str = ""


S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class CountryGroup(Generic[S]):
    """Stories of one category whose first country is ``name``, newest first."""

    name: str
    stories: tuple[S, ...]


@dataclass(frozen=True, slots=True)
class CategoryGroup(Generic[S]):
    """One category of a digest, its stories split by country."""

    name: str
    count: int
    countries: tuple[CountryGroup[S], ...]


def recipient_zone(name: str) -> ZoneInfo:
    """The recipient's zone, or UTC if it is unknown: a date in UTC beats no email."""
    try:
        return load_zone(name)
    except UnknownTimeZone:
        return ZoneInfo("UTC")


def format_local(moment: datetime, zone: ZoneInfo) -> str:
    """``Mon, 11 Dec 2023, 09:30 UTC-03`` in ``zone``; English names, independent of locale."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    abbreviation = local.strftime("%Z")
    if abbreviation[:1] in {"+", "-"}:
        abbreviation = f"UTC{abbreviation}"
    return (
        f"{_WEEKDAYS[local.weekday()]}, {local.day} {_MONTHS[local.month - 1]} {local.year}, "
        f"{local:%H:%M} {abbreviation}"
    )


def also_reported_suffix(count: int) -> str:
    """`` · also reported by 4 outlets`` after the credit line (a thread's other outlets)."""
    return f" · {also_reported_line(count)}" if count > 0 else ""


def credit_line(credited_outlet: str, republishers: Sequence[str]) -> str:
    """``The Rio Times, republished by MENAFN`` (the original outlet always comes first)."""
    credited = truncate(clean_inline(credited_outlet), OUTLET_LIMIT) or "Unknown outlet"
    others: list[str] = []
    for outlet in republishers:
        name = truncate(clean_inline(outlet), OUTLET_LIMIT)
        if name and name.casefold() != credited.casefold() and name not in others:
            others.append(name)
    if not others:
        return credited
    shown = others[:MAX_REPUBLISHERS]
    hidden = len(others) - len(shown)
    if hidden:
        shown.append(f"{hidden} more")
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"{credited}, republished by {listed}"


def _terms(story: StoryForEmail) -> tuple[str, ...]:
    terms: list[str] = []
    for evidence in story.matched:
        term = truncate(clean_inline(evidence.term), 60)
        if term and term.casefold() not in {t.casefold() for t in terms}:
            terms.append(term)
    return tuple(terms[:MAX_TERMS])


def story_view(story: StoryForEmail, why: str, zone: ZoneInfo) -> StoryView:
    """Everything a template needs to show ``story`` to a reader in ``zone``."""
    title = build_snippet(story.title, story.matched, field="title", width=TITLE_LIMIT)
    if not title.text:
        title = build_snippet("(untitled story)", ())
    snippet = build_snippet(story.snippet, story.matched, field="text", width=SNIPPET_LIMIT)
    published = format_local(story.published, zone)
    if story.published_estimated:
        published += " (date estimated)"
    return StoryView(
        story_id=story.story_id,
        title=highlight(title),
        href=safe_http_url(story.url),
        outlet=credit_line(story.credited_outlet, story.republishers)
        + also_reported_suffix(story.also_reported),
        published=published,
        snippet=highlight(snippet),
        category=category_label(story.category),
        countries=tuple(dict.fromkeys(country_name(code) for code in story.countries)),
        matched_terms=_terms(story),
        why=truncate(clean_inline(why), WHY_LIMIT),
        score=f"{story.score:.2f}",
        topic=truncate(clean_inline(story.topic), TOPIC_LIMIT),
    )


def _category(category: str | None) -> tuple[int, str]:
    """Sort rank and label: the founding topic's ``CATEGORIES`` order, then the other
    shipped topics' labeled categories by label (each its own group), then "other",
    unknown and no category last."""
    if category in CATEGORIES and category != "other":
        return CATEGORIES.index(category), category_label(category)
    if category in CATEGORY_LABELS and category != "other":
        return len(CATEGORIES), category_label(category)
    return len(CATEGORIES) + 1, category_label("other")


def _newest_first(entry: DigestEntry) -> tuple[float, int]:
    published = entry.story.published
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return (-published.timestamp(), -entry.story.story_id)


def digest_summary(entries: Sequence[DigestEntry]) -> str:
    """``5 stories: Peace plan 3, Trade and economy 2.`` (categories in digest order)."""
    stories = {entry.story.story_id: entry.story for entry in entries}
    counts: dict[tuple[int, str], int] = {}
    for story in stories.values():
        category = _category(story.category)
        counts[category] = counts.get(category, 0) + 1
    parts = [f"{label} {counts[(rank, label)]}" for rank, label in sorted(counts)]
    head = "1 story" if len(stories) == 1 else f"{len(stories)} stories"
    return f"{head}: {', '.join(parts)}."


def digest_reason(entry: DigestEntry) -> str:
    """Why a digest story matched: the subscription's name, then its query and filters."""
    return f"{entry.subscription_name}: {entry.why}" if entry.subscription_name else entry.why


def digest_groups(
    entries: Sequence[DigestEntry], show: Callable[[DigestEntry], S]
) -> tuple[CategoryGroup[S], ...]:
    """Group stories by category (``CATEGORIES`` order, other topics' next, "other" last), then by first
    country (alphabetical, no country last), newest first inside each group.

    A story appears once, under its first country; its other countries are listed with it.
    At most ``MAX_DIGEST_STORIES`` of the newest stories are included. ``show`` makes
    what the template prints for an entry (a :class:`StoryView`, or a rendered block).
    """
    unique = list({entry.story.story_id: entry for entry in entries}.values())
    newest = sorted(unique, key=_newest_first)[:MAX_DIGEST_STORIES]
    # A digest whose stories come under several topics (an "all" subscription's) is
    # grouped by topic first: "Russia–Latin America relations: Energy and nuclear".
    several = len({entry.story.topic for entry in newest}) > 1
    by_category: dict[tuple[str, int, str], dict[str, list[S]]] = {}
    for entry in newest:
        rank, label = _category(entry.story.category)
        topic = clean_inline(entry.story.topic) if several else ""
        category = (topic, rank, f"{topic}: {label}" if topic else label)
        first = country_name(entry.story.countries[0]) if entry.story.countries else NO_COUNTRY
        by_category.setdefault(category, {}).setdefault(first, []).append(show(entry))
    groups = []
    for category in sorted(by_category):
        countries = by_category[category]
        order = sorted(countries, key=lambda name: (name == NO_COUNTRY, name.casefold()))
        groups.append(
            CategoryGroup(
                name=category[2],
                count=sum(len(stories) for stories in countries.values()),
                countries=tuple(CountryGroup(name, tuple(countries[name])) for name in order),
            )
        )
    return tuple(groups)
