"""``monitor feed check``: what the pipeline would make of one feed document, as plain dicts.

The same parse → normalize → identity path the poller runs, minus Kafka, so a new feed can
be judged before it is registered and a parser change can be diffed item by item (the golden
tests use it too). Every value is JSON-able: datetimes are ISO-8601 UTC strings and SimHash
fingerprints are 16-digit hex.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.feeds.normalize import normalize_feed
from monitor.feeds.parse import parse_feed
from monitor.models import FeedItem


@dataclass(frozen=True, slots=True)
class FeedCheck:
    """One feed document's report: feed metadata, one dict per item, and warnings."""

    feed: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_feed(
    content: bytes,
    *,
    url: str,
    content_type: str | None,
    fetched_at: datetime,
    outlet: str | None = None,
) -> FeedCheck:
    """Parse and normalize ``content``. Raises ``FeedParseError`` when it is not a feed."""
    parsed = parse_feed(content, url=url, content_type=content_type, fetched_at=fetched_at)
    normalized = normalize_feed(parsed, outlet=outlet)
    feed = {
        "url": parsed.url,
        "kind": parsed.kind,
        "version": parsed.version,
        "title": parsed.title,
        "link": parsed.link,
        "language": parsed.language,
        "ttl_minutes": parsed.ttl_minutes,
        "update_interval_seconds": parsed.update_interval_seconds,
        "encoding": parsed.encoding,
        "entries": len(parsed.entries),
    }
    return FeedCheck(
        feed=feed,
        items=[item_as_dict(item) for item in normalized.items],
        warnings=[str(warning) for warning in normalized.warnings],
    )


def check_feed_bytes(
    content: bytes,
    *,
    url: str,
    content_type: str | None,
    fetched_at: datetime,
    outlet: str | None = None,
) -> list[dict[str, Any]]:
    """One JSON-able dict per normalized item of ``content`` (see ``item_as_dict``)."""
    return check_feed(
        content, url=url, content_type=content_type, fetched_at=fetched_at, outlet=outlet
    ).items


def item_as_dict(item: FeedItem) -> dict[str, Any]:
    """The fields a person checking a feed needs, in a stable order."""
    return {
        "id": item.item_id,
        "title": item.title,
        "text": item.text,
        "link": item.url,
        "published": item.published.isoformat(),
        "published_estimated": item.published_estimated,
        "outlet": item.outlet,
        "original_outlet": item.original_outlet,
        "lang": item.lang,
        "guid": item.guid,
        "title_key": item.title_key,
        "simhash": f"{item.simhash:016x}",
        "html": item.html,
    }
