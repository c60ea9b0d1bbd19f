"""RawEntry → FeedItem: the one place an entry's text, date, link, language and ids are decided.

Pure: the same entry, feed and ``fetched_at`` always give the same item. The decisions:

* **text** — ``content:encoded`` (or Atom/JSON content) when present, else the summary;
  HTML stripped, entities decoded, feed boilerplate and syndication marks removed, at most
  ``MAX_TEXT_CHARS`` (cut at a word boundary);
  ``html`` keeps the same body as sanitized markup for display;
* **title** — plain text; an untitled entry borrows the start of its text;
* **published** — the entry's date in UTC; without one, the syndication trailer's day, else
  ``fetched_at``; dates more than a day after ``fetched_at`` (or before 1995) are not
  believed and become ``fetched_at``. Every guess sets ``published_estimated``;
* **url** — canonical (``monitor.feeds.urls``), http(s) only;
* **original_outlet** — the syndication marker's outlet, else RSS ``<source>`` when it
  names someone other than the feed's outlet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from monitor.feeds.fingerprint import item_simhash, title_key
from monitor.feeds.html_text import drop_unencodable, html_to_text
from monitor.feeds.identity import item_identity, resolve_id_collisions
from monitor.feeds.raw_feed import FeedWarning, ParsedFeed, RawEntry
from monitor.feeds.sanitize import sanitize_html
from monitor.feeds.syndication import normalize_outlet_name, strip_syndication_marks
from monitor.feeds.urls import canonical_url
from monitor.language import resolve_language
from monitor.models import FeedItem

FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST_BELIEVABLE = datetime(1995, 1, 1, tzinfo=UTC)
UNTITLED_WORDS = 12
# Text is for matching and storage; whole books in one entry would only bloat Kafka messages.
MAX_TEXT_CHARS = 100_000
# Language is decided on the headline and the start of the text: more adds time, not accuracy.
LANGUAGE_SAMPLE_CHARS = 2_000
# The store's outlet columns: a longer name would fail the insert on PostgreSQL.
MAX_OUTLET_CHARS = 300
_GUID_AS_LINK_SCHEMES = ("http://", "https://")
_TAG_LIKE = re.compile(r"<[A-Za-z/!]")


@dataclass(frozen=True, slots=True)
class NormalizedFeed:
    """The items of one parsed feed, in document order, with ids unique within it."""

    items: tuple[FeedItem, ...]
    warnings: tuple[FeedWarning, ...]


def normalize_feed(
    parsed: ParsedFeed, *, outlet: str | None = None, feed_id: int | None = None
) -> NormalizedFeed:
    """Normalize every entry of ``parsed`` and make item ids unique within the document.

    ``outlet`` defaults to the feed's title, then its host. Warnings are the parser's plus
    any id collisions (see ``identity.resolve_id_collisions``).
    """
    outlet_name = outlet or parsed.title or _host(parsed.url) or parsed.url
    items = [
        normalize_entry(
            entry,
            feed_url=parsed.url,
            outlet=outlet_name,
            feed_lang=parsed.language,
            fetched_at=parsed.fetched_at,
            feed_id=feed_id,
        )
        for entry in parsed.entries
    ]
    unique, collisions = resolve_id_collisions(items, feed_url=parsed.url)
    return NormalizedFeed(tuple(unique), (*parsed.warnings, *collisions))


def normalize_entry(
    entry: RawEntry,
    *,
    feed_url: str,
    outlet: str,
    feed_lang: str | None,
    fetched_at: datetime,
    feed_id: int | None = None,
) -> FeedItem:
    """One ``FeedItem`` from one raw entry (see the module docstring for each decision).

    ``fetched_at`` should be timezone-aware; a naive value is taken to be UTC.
    """
    fetched_at = _as_utc(fetched_at)
    outlet = _outlet_name(outlet) or ""
    body_html = entry.content_html or entry.summary_html
    marks = strip_syndication_marks(html_to_text(body_html))
    text = _capped(marks.text)
    title = _title_text(entry.title_html) or _untitled(text)
    url = canonical_url(entry.link, base=feed_url)
    if url is None and entry.guid and entry.guid.lower().startswith(_GUID_AS_LINK_SCHEMES):
        url = canonical_url(entry.guid)
    published, estimated = resolve_published(
        entry.published or entry.updated, marks.published_on, fetched_at
    )
    return FeedItem(
        item_id=item_identity(entry, feed_url, url, title, text),
        feed_url=feed_url,
        outlet=outlet,
        title=title,
        text=text,
        published=published,
        fetched_at=fetched_at,
        url=url,
        html=sanitize_html(body_html, base_url=url or feed_url),
        original_outlet=_outlet_name(
            marks.original_outlet or _source_outlet(entry.source_title, outlet)
        ),
        published_estimated=estimated,
        lang=resolve_language(entry.lang or feed_lang, f"{title}. {text[:LANGUAGE_SAMPLE_CHARS]}"),
        guid=drop_unencodable(entry.guid) if entry.guid else None,
        feed_id=feed_id,
        simhash=item_simhash(title, text),
        title_key=title_key(title),
    )


def resolve_published(
    declared: datetime | None, syndicated_on: date | None, fetched_at: datetime
) -> tuple[datetime, bool]:
    """``(published, estimated)``: the declared date when believable, else the best guess."""
    fetched_at = _as_utc(fetched_at)
    if declared is not None:
        declared = _as_utc(declared)
        if EARLIEST_BELIEVABLE <= declared <= fetched_at + FUTURE_TOLERANCE:
            return declared, False
    if syndicated_on is not None:
        day_start = datetime.combine(syndicated_on, time(0, 0), tzinfo=UTC)
        if EARLIEST_BELIEVABLE <= day_start <= fetched_at:
            return day_start, True
    return fetched_at, True


def _title_text(title_html: str) -> str:
    title = html_to_text(title_html)
    # Feeds double-escape markup in titles ("&lt;em&gt;"), and feedparser calls it plain
    # text; a headline never legitimately contains a tag, so strip what still looks like one.
    return html_to_text(title) if _TAG_LIKE.search(title) else title


def _outlet_name(name: str | None) -> str | None:
    """An outlet name that fits the store's columns."""
    return name[:MAX_OUTLET_CHARS] if name else None


def _source_outlet(source_title: str | None, outlet: str) -> str | None:
    if not source_title:
        return None
    name = normalize_outlet_name(source_title)
    return None if name.casefold() == outlet.casefold() else name


def _capped(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text[:MAX_TEXT_CHARS]
    return cut[: cut.rfind(" ")] if " " in cut[-200:] else cut


def _untitled(text: str) -> str:
    words = text.split()
    if len(words) <= UNTITLED_WORDS:
        return " ".join(words)
    return " ".join(words[:UNTITLED_WORDS]) + " …"


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None
