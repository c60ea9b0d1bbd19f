"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 documents → ``ParsedFeed``, by way of feedparser.

feedparser does the hard part (namespaces, date formats, its lenient fallback parser for
broken XML), on a document ``xmlguard`` has already stripped of its DOCTYPE and checked for
markup bombs (``feedparser_input``). This module decides what its output means for us:
which ``bozo`` problems are survivable, what a truncated document loses, how its fields
become ``RawEntry`` values, and where its conveniences would mislead (see the comments on
Content-Location and ``updated_parsed``).
"""

from __future__ import annotations

import calendar
import html
import io
import re
import time
import xml.sax
from datetime import UTC, datetime
from typing import Any

import feedparser

from monitor.errors import FeedParseError
from monitor.feeds.encoding import utf8_xml
from monitor.feeds.raw_feed import (
    FeedKind,
    FeedWarning,
    FieldCapper,
    ParsedFeed,
    ParseLimits,
    RawEntry,
)
from monitor.feeds.xmlguard import Doctype, GuardedXml, UnsafeXml, check_markup, without_doctype

_HTML_TAG = re.compile(r"<html[\s>]|<body[\s>]", re.IGNORECASE)
_CLOSING_ROOT = ("</rss>", "</feed>", "rdf>", "</channel>")
_SY_PERIOD_SECONDS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 7 * 86400,
    "monthly": 30 * 86400,
    "yearly": 365 * 86400,
}
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def parse_xml_feed(
    text: str,
    *,
    url: str,
    fetched_at: datetime,
    limits: ParseLimits,
    warnings: list[FeedWarning],
    encoding: str,
) -> ParsedFeed:
    """An RSS or Atom document (already decoded) as a ``ParsedFeed``.

    ``warnings`` are the caller's so far (decoding); this adds feedparser's. Raises
    ``FeedParseError`` when nothing feed-like can be recovered.
    """
    warnings = list(warnings)
    guarded = feedparser_input(text, url=url, limits=limits)
    if guarded.doctype is not None and guarded.doctype.declarations:
        warnings.append(_doctype_warning(guarded.doctype))
    result = _feedparser_parse(utf8_xml(guarded.text), url)
    version = _version(str(result.get("version") or ""), guarded.doctype)
    raw_entries = list(result.get("entries") or [])
    problem = result.get("bozo_exception") if result.get("bozo") else None
    malformed = isinstance(problem, xml.sax.SAXException)
    if not raw_entries:
        if malformed:
            raise FeedParseError(
                url, f"not a feed: malformed XML and no entries recovered ({_describe(problem)})"
            )
        if not version and _HTML_TAG.search(text[:4096]):
            raise FeedParseError(url, "not a feed: looks like an HTML page")
        if not version:
            raise FeedParseError(url, "not a feed: no RSS, Atom or JSON Feed structure found")
    if problem is not None:
        code = "malformed-xml" if malformed else "bozo"
        warnings.append(FeedWarning(code, f"{_describe(problem)}; entries recovered leniently"))
    if not version:
        warnings.append(
            FeedWarning("unknown-format", "entries found without a recognised feed root")
        )
    if malformed and raw_entries and not _has_closing_root(text):
        raw_entries.pop()
        warnings.append(
            FeedWarning(
                "truncated", "document ends early; dropped the last, possibly incomplete, entry"
            )
        )
    if len(raw_entries) > limits.max_entries:
        warnings.append(
            FeedWarning(
                "too-many-entries",
                f"{len(raw_entries)} entries, kept the first {limits.max_entries}",
            )
        )
        raw_entries = raw_entries[: limits.max_entries]

    capper = FieldCapper(limits)
    entries = tuple(
        _entry(raw, position, capper, limits) for position, raw in enumerate(raw_entries)
    )
    feed = result.get("feed") or {}
    title = capper.cap("feed-title", _text_value(feed, "title"), limits.max_title_bytes)
    link = capper.cap("feed-link", str(feed.get("link") or ""), limits.max_link_bytes) or None
    warnings.extend(capper.warnings())
    return ParsedFeed(
        url=url,
        kind=_kind(version),
        version=version or "unknown",
        title=title,
        link=link,
        language=str(feed.get("language") or "")[:35] or None,
        ttl_minutes=_positive_int(feed.get("ttl")),
        update_interval_seconds=_sy_interval(
            feed.get("sy_updateperiod"), feed.get("sy_updatefrequency")
        ),
        fetched_at=fetched_at,
        entries=entries,
        warnings=tuple(warnings),
        encoding=encoding,
    )


def feedparser_input(text: str, *, url: str, limits: ParseLimits) -> GuardedXml:
    """The document feedparser is given: no DOCTYPE, markup within ``limits``.

    Raises ``FeedParseError`` for a document no parser should see (see ``xmlguard``).
    """
    try:
        check_markup(text, max_tags=limits.max_tags, max_attributes=limits.max_attributes)
        return without_doctype(text)
    except UnsafeXml as exc:
        raise FeedParseError(
            url, f"refused: {exc}; the publisher must fix the feed, it is retried later"
        ) from exc


def _doctype_warning(doctype: Doctype) -> FeedWarning:
    entities = doctype.entities
    others = doctype.declarations - entities
    return FeedWarning(
        "doctype-removed",
        f"removed a DOCTYPE declaring {entities} {'entity' if entities == 1 else 'entities'} "
        f"and {others} other {'declaration' if others == 1 else 'declarations'}; "
        "entity references are left as written",
    )


def _version(version: str, doctype: Doctype | None) -> str:
    # feedparser tells Netscape's RSS 0.91 by its DOCTYPE, which it no longer sees.
    if version == "rss091u" and doctype and "netscape" in doctype.public_id.lower():
        return "rss091n"
    return version


def _feedparser_parse(data: bytes, url: str) -> Any:
    # BytesIO, never bytes: feedparser opens strings and bytes that look like a path or URL.
    # Our own decoding already happened, so feedparser is told the bytes are UTF-8 XML.
    # No Content-Location on purpose: with one, feedparser "resolves" RSS guids like "1"
    # into URLs under the feed's address, so ids would change whenever the address does.
    # Relative links are resolved later, against the entry (normalize, sanitize).
    try:
        return feedparser.parse(
            io.BytesIO(data), response_headers={"content-type": "application/xml; charset=utf-8"}
        )
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        # feedparser's lenient parser has crashed on pathological input before; that is
        # the document's problem, not ours.
        raise FeedParseError(url, f"not a feed: the parser gave up ({type(exc).__name__})") from exc


def _entry(raw: Any, position: int, capper: FieldCapper, limits: ParseLimits) -> RawEntry:
    content_html = ""
    contents = raw.get("content") or []
    if contents:
        chosen = next(
            (c for c in contents if str(c.get("type", "")).lower() in _HTML_TYPES), contents[0]
        )
        content_html = _as_html(chosen.get("value"), chosen.get("type"))
    detail = raw.get("summary_detail") or {}
    summary_html = _as_html(raw.get("summary"), detail.get("type"))
    title_detail = raw.get("title_detail") or {}
    tags = raw.get("tags") or []
    source = raw.get("source") or {}
    return RawEntry(
        guid=capper.cap("guid", str(raw.get("id") or "").strip(), limits.max_guid_bytes) or None,
        link=capper.cap("link", str(raw.get("link") or "").strip(), limits.max_link_bytes) or None,
        title_html=capper.cap(
            "title", _as_html(raw.get("title"), title_detail.get("type")), limits.max_title_bytes
        ),
        summary_html=capper.cap("summary", summary_html, limits.max_summary_bytes),
        content_html=capper.cap("content", content_html, limits.max_content_bytes),
        published=_utc(raw.get("published_parsed")) or _utc(raw.get("created_parsed")),
        # dict.get: FeedParserDict.get("updated_parsed") falls back to the published date
        # (with a DeprecationWarning), which would hide that there was no update date.
        updated=_utc(dict.get(raw, "updated_parsed")),
        author=capper.cap("author", str(raw.get("author") or "").strip(), limits.max_author_bytes)
        or None,
        categories=tuple(
            capper.cap("category", str(tag.get("term") or "").strip(), limits.max_category_bytes)
            for tag in tags[: limits.max_categories]
            if isinstance(tag, dict) and str(tag.get("term") or "").strip()
        ),
        lang=_entry_language(contents, detail, title_detail),
        source_title=capper.cap(
            "source", str(source.get("title") or "").strip(), limits.max_author_bytes
        )
        or None,
        position=position,
    )


def _as_html(value: object, content_type: object) -> str:
    """Every text field as HTML: feedparser's plain-text values are escaped."""
    if not value:
        return ""
    text = str(value)
    kind = str(content_type or "text/html").lower()
    return text if kind in _HTML_TYPES else html.escape(text, quote=False)


def _text_value(container: Any, key: str) -> str:
    detail = container.get(f"{key}_detail") or {}
    value = container.get(key) or ""
    if str(detail.get("type", "text/plain")).lower() in _HTML_TYPES:
        # Feed titles are shown as text; strip tags the cheap way, entities are decoded.
        value = re.sub(r"<[^<>]*>", "", str(value))
    return " ".join(html.unescape(str(value)).split())


def _entry_language(contents: list[Any], *details: Any) -> str | None:
    # Atom's xml:lang reaches feedparser's per-field details, innermost first.
    for candidate in (
        *(c.get("language") for c in contents),
        *(d.get("language") for d in details),
    ):
        if candidate:
            return str(candidate)[:35]
    return None


def _utc(value: object) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _positive_int(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if 0 < number < 10**7 else None


def _sy_interval(period: object, frequency: object) -> float | None:
    """Seconds between updates from ``sy:updatePeriod`` / ``sy:updateFrequency``."""
    if period is None and frequency is None:
        return None
    seconds = _SY_PERIOD_SECONDS.get(str(period or "daily").strip().lower())
    if seconds is None:
        return None
    times = _positive_int(frequency) if frequency is not None else 1
    return seconds / times if times else None


def _kind(version: str) -> FeedKind:
    return "atom" if version.startswith("atom") else "rss"


def _has_closing_root(text: str) -> bool:
    tail = text[-512:].lower()
    return any(marker in tail for marker in _CLOSING_ROOT)


def _describe(problem: object) -> str:
    if isinstance(problem, xml.sax.SAXParseException):
        return f"{problem.getMessage()} at line {problem.getLineNumber()}, column {problem.getColumnNumber()}"
    return str(problem)[:200] or type(problem).__name__
