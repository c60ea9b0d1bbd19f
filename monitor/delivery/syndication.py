"""A subscription's alerts as a private Atom feed (RFC 4287) and a JSON Feed (version 1.1).

Pure: rows in, bytes and validators out; the web role (monitor/web/alert_feeds.py) moves
them. Feed readers poll, so every response carries a strong ETag (over the body) and a
Last-Modified, and :func:`not_modified` decides a conditional request (RFC 9110 §13.2.2:
If-None-Match wins over If-Modified-Since).

Story text is as published, which includes whatever a hostile feed put there: titles and
summaries are cleaned to one line without controls, characters XML 1.0 cannot carry are
dropped, and links are only plain http(s) URLs (``safe_http_url``), as in emails.
ElementTree and orjson do the escaping.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

import orjson

from monitor.notify.links import safe_http_url
from monitor.notify.text import clean_inline, truncate

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
JSON_FEED_TYPE = "application/feed+json; charset=utf-8"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# Entries per feed: readers poll every few minutes to hours; older alerts stay in the archive.
MAX_ENTRIES = 50
SUMMARY_CHARS = 400
TITLE_CHARS = 300
# The tag URIs' date (RFC 4151): fixed, so ids never change.
_TAG_DATE = "2024"
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One alerted story as a subscription's feed shows it (its latest revision)."""

    story_id: int
    revision: int
    title: str
    url: str | None
    text: str
    outlet: str
    category: str | None
    countries: tuple[str, ...]
    lang: str | None
    score: float
    published: datetime
    updated: datetime


@dataclass(frozen=True, slots=True)
class FeedHead:
    """The feed itself: its title, where it lives, and when it last changed."""

    subscription_id: int
    title: str
    public_url: str
    atom_url: str
    json_url: str
    updated: datetime


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


def _text(value: str, limit: int) -> str:
    return truncate(clean_inline(_NOT_XML.sub("", value)), limit) if value else ""


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("feed times must be timezone-aware")
    return moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    """``2026-12-06T20:15:00Z``: the date form Atom and JSON Feed both require."""
    return _utc(moment).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _authority(public_url: str) -> str:
    return (urlsplit(public_url).hostname or "localhost").lower()


def entry_id(public_url: str, story_id: int) -> str:
    """A story's permanent id (a tag URI): the same in every feed and after key rotation."""
    return f"tag:{_authority(public_url)},{_TAG_DATE}:story/{story_id}"


def feed_id(public_url: str, subscription_id: int) -> str:
    return f"tag:{_authority(public_url)},{_TAG_DATE}:subscription/{subscription_id}"


def last_changed(head: FeedHead, entries: Sequence[FeedEntry]) -> datetime:
    """The newest entry's update time, or the head's when the feed is empty."""
    return max((_utc(e.updated) for e in entries), default=_utc(head.updated))


def _finish(body: bytes, content_type: str, last_modified: datetime) -> RenderedFeed:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return RenderedFeed(body, content_type, etag, last_modified.replace(microsecond=0))


def render_atom(head: FeedHead, entries: Sequence[FeedEntry]) -> RenderedFeed:
    """The feed as Atom: one entry per story, category and countries as atom:category."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    updated = last_changed(head, entries)
    authority = _authority(head.public_url)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", feed_id(head.public_url, head.subscription_id))
    sub(feed, "title", _text(head.title, TITLE_CHARS) or "monitor", type="text")
    sub(feed, "updated", rfc3339(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=head.atom_url)
    sub(feed, "link", rel="alternate", type="application/feed+json", href=head.json_url)
    sub(sub(feed, "author"), "name", "monitor")
    sub(feed, "generator", "monitor")
    for entry in entries[:MAX_ENTRIES]:
        item = sub(feed, "entry")
        sub(item, "id", entry_id(head.public_url, entry.story_id))
        sub(item, "title", _text(entry.title, TITLE_CHARS) or "(untitled)", type="text")
        sub(item, "published", rfc3339(entry.published))
        sub(item, "updated", rfc3339(entry.updated))
        outlet = _text(entry.outlet, TITLE_CHARS)
        if outlet:
            sub(sub(item, "author"), "name", outlet)
        if entry.category:
            sub(item, "category", term=entry.category, scheme=f"tag:{authority},{_TAG_DATE}:category")
        for code in entry.countries:
            sub(item, "category", term=code, scheme=f"tag:{authority},{_TAG_DATE}:country")
        summary = _text(entry.text, SUMMARY_CHARS)
        link = safe_http_url(entry.url)
        if link is not None:
            sub(item, "link", rel="alternate", type="text/html", href=link)
            if summary:
                sub(item, "summary", summary, type="text")
        else:
            # RFC 4287 §4.1.1.1: an entry without an alternate link must have content.
            sub(item, "content", summary or "(no text)", type="text")
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return _finish(body, ATOM_TYPE, updated)


def render_json_feed(head: FeedHead, entries: Sequence[FeedEntry]) -> RenderedFeed:
    """The feed as JSON Feed 1.1; monitor's own fields sit under ``_monitor``."""
    updated = last_changed(head, entries)
    items = []
    for entry in entries[:MAX_ENTRIES]:
        item: dict[str, object] = {
            "id": entry_id(head.public_url, entry.story_id),
            "title": _text(entry.title, TITLE_CHARS) or "(untitled)",
            "content_text": _text(entry.text, SUMMARY_CHARS) or "(no text)",
            "date_published": rfc3339(entry.published),
            "date_modified": rfc3339(entry.updated),
            "tags": [t for t in (entry.category, *entry.countries) if t],
            "_monitor": {
                "story_id": entry.story_id,
                "revision": entry.revision,
                "category": entry.category,
                "countries": list(entry.countries),
                "credited_outlet": entry.outlet,
                "score": round(entry.score, 3),
            },
        }
        link = safe_http_url(entry.url)
        if link is not None:
            item["url"] = link
        outlet = _text(entry.outlet, TITLE_CHARS)
        if outlet:
            item["authors"] = [{"name": outlet}]
        if entry.lang:
            item["language"] = entry.lang
        items.append(item)
    document = {
        "version": JSON_FEED_VERSION,
        "title": _text(head.title, TITLE_CHARS) or "monitor",
        "feed_url": head.json_url,
        "authors": [{"name": "monitor"}],
        "items": items,
    }
    return _finish(orjson.dumps(document), JSON_FEED_TYPE, updated)


def http_date(moment: datetime) -> str:
    """``Sun, 06 Dec 2026 20:15:00 GMT`` (the Last-Modified form)."""
    return format_datetime(_utc(moment).replace(microsecond=0), usegmt=True)


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, etag: str, last_modified: datetime
) -> bool:
    """Whether a GET may be answered 304 Not Modified (RFC 9110 §13.1.2, §13.1.3).

    If-None-Match is compared weakly (``W/`` ignored) and, when present, decides alone; an
    unparseable If-Modified-Since is ignored, as the RFC says.
    """
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False
    return _utc(last_modified).replace(microsecond=0) <= since
