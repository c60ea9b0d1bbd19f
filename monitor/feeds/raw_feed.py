"""What the parser hands to the normalizer: a feed's metadata and its raw entries.

These types sit between two stages (``parse_feed`` → ``normalize_entry``), so each field is
still "as the feed said it", only decoded and bounded: markup is kept (as HTML, with plain
text escaped so every text field can be read the same way), dates are parsed to UTC but not
judged, links are not canonicalized. Judging is the normalizer's job.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from monitor.feeds.html_text import drop_unencodable

FeedKind = Literal["rss", "atom", "json"]


@dataclass(frozen=True, slots=True)
class FeedWarning:
    """A survivable problem with one feed document.

    ``code`` is stable (for logs and metrics: ``malformed-xml``, ``encoding-override``,
    ``field-truncated``, ``too-many-entries``, ``duplicate-guid`` …); ``message`` is for people.
    """

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Caps that keep one hostile or broken feed from costing unbounded memory downstream.

    Byte caps are on the UTF-8 encoding of each field; a capped field is cut at a character
    boundary and reported once per field name in the feed's warnings.
    """

    max_document_bytes: int = 16 * 1024 * 1024
    # Parsing cost grows with tags, not bytes: 250,000 tags (escaped ones count) took
    # feedparser 2-4 s of CPU and about 100 MB, and no real feed within the fetcher's 10 MB
    # cap has that many (ours have one tag per 35-55 bytes). See docs/reliability.md.
    max_tags: int = 250_000
    max_attributes: int = 256
    max_entries: int = 1000
    max_title_bytes: int = 4 * 1024
    max_link_bytes: int = 4 * 1024
    max_guid_bytes: int = 2 * 1024
    max_summary_bytes: int = 64 * 1024
    max_content_bytes: int = 512 * 1024
    max_author_bytes: int = 512
    max_category_bytes: int = 256
    max_categories: int = 64


DEFAULT_LIMITS = ParseLimits()


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry as the feed carried it, bounded but not yet normalized.

    ``title_html``, ``summary_html`` and ``content_html`` are HTML fragments (plain-text
    fields were escaped), so the normalizer can treat them alike. ``content_html`` is the
    full body (RSS ``content:encoded``, Atom ``content``, JSON Feed ``content_html``) and is
    empty when the feed sends only an excerpt. ``published``/``updated`` are UTC or None.
    ``source_title`` is RSS ``<source>``/Atom ``source`` title: the outlet an aggregator
    took the item from. ``position`` is the entry's index in the document.
    """

    guid: str | None
    link: str | None
    title_html: str
    summary_html: str = ""
    content_html: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    author: str | None = None
    categories: tuple[str, ...] = ()
    lang: str | None = None
    source_title: str | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """One fetched feed document: feed-level metadata, its entries and what went wrong.

    ``ttl_minutes`` is RSS ``<ttl>``; ``update_interval_seconds`` comes from the
    syndication module (``sy:updatePeriod`` / ``sy:updateFrequency``). Both are hints for
    the scheduler, unvalidated beyond being positive numbers.
    """

    url: str
    kind: FeedKind
    version: str
    title: str
    link: str | None
    language: str | None
    ttl_minutes: int | None
    update_interval_seconds: float | None
    fetched_at: datetime
    entries: tuple[RawEntry, ...] = ()
    warnings: tuple[FeedWarning, ...] = ()
    encoding: str = "utf-8"


@dataclass(slots=True)
class FieldCapper:
    """Truncates fields to their byte caps and remembers what it cut, for one document."""

    limits: ParseLimits = DEFAULT_LIMITS
    cut: Counter[str] = field(default_factory=Counter)

    def cap(self, name: str, value: str, max_bytes: int) -> str:
        """``value`` without unencodable characters, cut to ``max_bytes`` of UTF-8."""
        value = drop_unencodable(value)
        if len(value) * 4 <= max_bytes:  # cheap exit: cannot exceed the cap
            return value
        encoded = value.encode("utf-8")
        if len(encoded) <= max_bytes:
            return value
        self.cut[name] += 1
        return encoded[:max_bytes].decode("utf-8", "ignore")

    def warnings(self) -> list[FeedWarning]:
        """One ``field-truncated`` warning per field name that was cut."""
        return [
            FeedWarning("field-truncated", f"{name} truncated in {count} entries")
            for name, count in sorted(self.cut.items())
        ]
