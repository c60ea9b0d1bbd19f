"""Display-ready values for the templates: cleaned, cut, highlighted, localized, grouped.

Templates only print what is here; every decision about what a reader sees (which URL
may be a link, how the outlet is credited, which time zone a date is in, how a digest is
ordered) is made in this module, where it can be tested without rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from monitor.errors import UnknownTimeZone
from monitor.models import CATEGORIES
from monitor.notify.labels import CATEGORY_LABELS, category_label, country_name, no_country
from monitor.notify.links import safe_http_url
from monitor.notify.messages import DigestEntry, StoryForEmail
from monitor.notify.snippets import Segment, build_snippet, highlight
from monitor.notify.text import clean_inline, truncate
from monitor.notify.thread_alerts import also_reported_line
from monitor.notify.timezones import load_zone
from monitor.notify.wording import Words, format_moment, format_score, join_names, words

TITLE_LIMIT = 300
SNIPPET_LIMIT = 600
WHY_LIMIT = 500
OUTLET_LIMIT = 100
TOPIC_LIMIT = 120
MAX_REPUBLISHERS = 5
MAX_TERMS = 10
MAX_DIGEST_STORIES = 100


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
    # The fixed words around the story, in the reader's language.
    w: Words = field(default_factory=lambda: words("en"))


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


def format_local(moment: datetime, zone: ZoneInfo, language: str = "en") -> str:
    """``Mon, 11 Dec 2023, 09:30 UTC-03`` in ``zone``, in ``language``'s words and format
    (:func:`monitor.notify.wording.format_moment`)."""
    return format_moment(moment, zone, language)


def also_reported_suffix(count: int, language: str = "en") -> str:
    """`` · also reported by 4 outlets`` after the credit line (a thread's other outlets)."""
    return f" · {also_reported_line(count, language)}" if count > 0 else ""


def credit_line(credited_outlet: str, republishers: Sequence[str], language: str = "en") -> str:
    """``The Rio Times, republished by MENAFN`` (the original outlet always comes first)."""
    w = words(language)
    credited = truncate(clean_inline(credited_outlet), OUTLET_LIMIT) or w.text(
        "email.story.unknown_outlet"
    )
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
        shown.append(w.count("email.story.more_outlets", hidden))
    return w.text("email.story.republished", outlet=credited, others=join_names(shown, language))


def _terms(story: StoryForEmail) -> tuple[str, ...]:
    terms: list[str] = []
    for evidence in story.matched:
        term = truncate(clean_inline(evidence.term), 60)
        if term and term.casefold() not in {t.casefold() for t in terms}:
            terms.append(term)
    return tuple(terms[:MAX_TERMS])


def published_line(story: StoryForEmail, zone: ZoneInfo, language: str = "en") -> str:
    """When ``story`` was published, on the reader's clock (and whether that is a guess):
    the only part of a story's block that depends on the reader's time zone."""
    published = format_local(story.published, zone, language)
    if story.published_estimated:
        published += " " + words(language).text("email.story.date_estimated")
    return published


def story_view(story: StoryForEmail, why: str, zone: ZoneInfo, language: str = "en") -> StoryView:
    """Everything a template needs to show ``story`` to a reader in ``zone`` who reads
    ``language`` (the story's own text stays as published)."""
    w = words(language)
    title = build_snippet(story.title, story.matched, field="title", width=TITLE_LIMIT)
    if not title.text:
        title = build_snippet(w.text("email.story.untitled"), ())
    snippet = build_snippet(story.snippet, story.matched, field="text", width=SNIPPET_LIMIT)
    published = published_line(story, zone, language)
    return StoryView(
        story_id=story.story_id,
        title=highlight(title),
        href=safe_http_url(story.url),
        outlet=credit_line(story.credited_outlet, story.republishers, language)
        + also_reported_suffix(story.also_reported, language),
        published=published,
        snippet=highlight(snippet),
        category=category_label(story.category, language),
        countries=tuple(dict.fromkeys(country_name(code, language) for code in story.countries)),
        matched_terms=_terms(story),
        why=truncate(clean_inline(why), WHY_LIMIT),
        score=format_score(story.score, language),
        topic=truncate(clean_inline(story.topic), TOPIC_LIMIT),
        w=w,
    )


def _category(category: str | None, language: str = "en") -> tuple[int, str]:
    """Sort rank and label: the founding topic's ``CATEGORIES`` order, then the other
    shipped topics' labeled categories by label (each its own group), then "other",
    unknown and no category last."""
    if category in CATEGORIES and category != "other":
        return CATEGORIES.index(category), category_label(category, language)
    if category in CATEGORY_LABELS and category != "other":
        return len(CATEGORIES), category_label(category, language)
    return len(CATEGORIES) + 1, category_label("other", language)


def _newest_first(entry: DigestEntry) -> tuple[float, int]:
    published = entry.story.published
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return (-published.timestamp(), -entry.story.story_id)


def digest_summary(entries: Sequence[DigestEntry], language: str = "en") -> str:
    """``5 stories: Peace plan 3, Trade and economy 2.`` (categories in digest order)."""
    w = words(language)
    stories = {entry.story.story_id: entry.story for entry in entries}
    counts: dict[tuple[int, str], int] = {}
    for story in stories.values():
        category = _category(story.category, language)
        counts[category] = counts.get(category, 0) + 1
    parts = [f"{label} {w.number(counts[(rank, label)])}" for rank, label in sorted(counts)]
    head = w.count("email.digest.stories", len(stories))
    return w.text("email.digest.summary", stories=head, categories=", ".join(parts))


def digest_reason(entry: DigestEntry) -> str:
    """Why a digest story matched: the subscription's name, then its query and filters."""
    return f"{entry.subscription_name}: {entry.why}" if entry.subscription_name else entry.why


def digest_groups(
    entries: Sequence[DigestEntry], show: Callable[[DigestEntry], S], language: str = "en"
) -> tuple[CategoryGroup[S], ...]:
    """Group stories by category (``CATEGORIES`` order, other topics' next, "other" last), then by first
    country (alphabetical, no country last), newest first inside each group.

    A story appears once, under its first country; its other countries are listed with it.
    At most ``MAX_DIGEST_STORIES`` of the newest stories are included. ``show`` makes
    what the template prints for an entry (a :class:`StoryView`, or a rendered block).
    Category and country names are in ``language``.
    """
    nowhere = no_country(language)
    unique = list({entry.story.story_id: entry for entry in entries}.values())
    newest = sorted(unique, key=_newest_first)[:MAX_DIGEST_STORIES]
    # A digest whose stories come under several topics (an "all" subscription's) is
    # grouped by topic first: "Russia–Latin America relations: Energy and nuclear".
    several = len({entry.story.topic for entry in newest}) > 1
    by_category: dict[tuple[str, int, str], dict[str, list[S]]] = {}
    for entry in newest:
        rank, label = _category(entry.story.category, language)
        topic = clean_inline(entry.story.topic) if several else ""
        category = (topic, rank, f"{topic}: {label}" if topic else label)
        first = (
            country_name(entry.story.countries[0], language) if entry.story.countries else nowhere
        )
        by_category.setdefault(category, {}).setdefault(first, []).append(show(entry))
    groups = []
    for category in sorted(by_category):
        countries = by_category[category]
        order = sorted(countries, key=lambda name: (name == nowhere, name.casefold()))
        groups.append(
            CategoryGroup(
                name=category[2],
                count=sum(len(stories) for stories in countries.values()),
                countries=tuple(CountryGroup(name, tuple(countries[name])) for name in order),
            )
        )
    return tuple(groups)
