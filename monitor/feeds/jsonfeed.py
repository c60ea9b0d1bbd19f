"""JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), which feedparser does not read.

Produces the same ``RawEntry`` values as the XML path so nothing downstream cares which
format a feed used. Plain-text fields are HTML-escaped (``RawEntry`` fields are HTML).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

import orjson

from monitor.errors import FeedParseError
from monitor.feeds.raw_feed import FeedWarning, FieldCapper, ParsedFeed, ParseLimits, RawEntry

JSONFEED_VERSION_PREFIX = "https://jsonfeed.org/version/"


def parse_json_feed(
    text: str,
    *,
    url: str,
    fetched_at: datetime,
    limits: ParseLimits,
    warnings: list[FeedWarning],
) -> ParsedFeed:
    """A JSON Feed document (already decoded) as a ``ParsedFeed``.

    ``warnings`` are the caller's so far. Raises ``FeedParseError`` when the text is not
    JSON or is JSON but not a JSON Feed; items that are not objects are skipped with a warning.
    """
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise FeedParseError(url, f"not a feed: malformed JSON ({exc})") from exc
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(JSONFEED_VERSION_PREFIX):
        raise FeedParseError(url, "not a feed: JSON without a JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedParseError(url, "not a feed: JSON Feed without an items list")

    warnings = list(warnings)
    if len(items) > limits.max_entries:
        warnings.append(
            FeedWarning(
                "too-many-entries", f"{len(items)} items, kept the first {limits.max_entries}"
            )
        )
        items = items[: limits.max_entries]
    capper = FieldCapper(limits)
    entries: list[RawEntry] = []
    skipped = 0
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            skipped += 1
            continue
        entries.append(_entry(item, position, capper, limits))
    if skipped:
        warnings.append(FeedWarning("entry-skipped", f"{skipped} items are not JSON objects"))
    title = capper.cap(
        "feed-title", " ".join(_string(document.get("title")).split()), limits.max_title_bytes
    )
    warnings.extend(capper.warnings())
    number = "".join(
        char for char in version.removeprefix(JSONFEED_VERSION_PREFIX) if char.isdigit()
    )
    return ParsedFeed(
        url=url,
        kind="json",
        version="json" + number[:4],
        title=title,
        link=_string(document.get("home_page_url")) or None,
        language=_string(document.get("language"))[:35] or None,
        ttl_minutes=None,
        update_interval_seconds=None,
        fetched_at=fetched_at,
        entries=tuple(entries),
        warnings=tuple(warnings),
    )


def _entry(
    item: dict[str, Any], position: int, capper: FieldCapper, limits: ParseLimits
) -> RawEntry:
    guid = _string(item.get("id"))
    link = _string(item.get("url")) or _string(item.get("external_url"))
    content_html = _string(item.get("content_html")) or html.escape(
        _string(item.get("content_text"))
    )
    tags = item.get("tags")
    categories = [_string(tag) for tag in tags] if isinstance(tags, list) else []
    return RawEntry(
        guid=capper.cap("guid", guid, limits.max_guid_bytes) or None,
        link=capper.cap("link", link, limits.max_link_bytes) or None,
        title_html=capper.cap(
            "title", html.escape(_string(item.get("title"))), limits.max_title_bytes
        ),
        summary_html=capper.cap(
            "summary", html.escape(_string(item.get("summary"))), limits.max_summary_bytes
        ),
        content_html=capper.cap("content", content_html, limits.max_content_bytes),
        published=_date(item.get("date_published")),
        updated=_date(item.get("date_modified")),
        author=capper.cap("author", _author(item), limits.max_author_bytes) or None,
        categories=tuple(
            capper.cap("category", name, limits.max_category_bytes)
            for name in categories[: limits.max_categories]
            if name
        ),
        lang=_string(item.get("language")) or None,
        position=position,
    )


def _author(item: dict[str, Any]) -> str:
    # 1.1 has "authors" (a list); 1.0 had "author" (an object).
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    names = [_string(a.get("name")) for a in candidates if isinstance(a, dict)]
    return ", ".join(name for name in names if name)


def _string(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # ids are sometimes numbers in the wild
    return ""


def _date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
