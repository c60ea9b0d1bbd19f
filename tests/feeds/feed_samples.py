"""Fixture feeds, the dev set and small builders shared by the feed-stage tests.

Named ``feed_samples`` (not ``conftest``) because these are plain values and functions the
tests import, and not ``utils`` because they are about one thing: sample feeds.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.feeds.normalize import normalize_feed
from monitor.feeds.parse import ParsedFeed, RawEntry, parse_feed
from monitor.models import FeedItem

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "seeds" / "fixtures"
HOSTILE = Path(__file__).resolve().parent / "hostile"
GOLDEN = Path(__file__).resolve().parent / "golden"
DEV_SET = ROOT / "tests" / "data" / "dev-news.jsonl"

# After every dated dev-set item (the latest is 2026-02-14), so no real date is "future".
FETCHED_AT = datetime(2026, 3, 1, tzinfo=UTC)

# Where each fixture would live: the two modelled feeds at their real addresses.
FIXTURE_URLS = {
    "example-riotimes-feed.xml": "https://www.riotimesonline.com/feed/",
    "example-menafn-feed.xml": "https://menafn.com/rss/",
    "example-atom10.xml": "https://atom.example.org/feed.atom",
    "example-atom03.xml": "https://atom03.example.com/atom.xml",
    "example-rss10.rdf": "https://rdf.example.org/rss",
    "example-rss091.xml": "http://legacy.example.net/rss.xml",
    "example-jsonfeed.json": "https://json.example.com/feed.json",
    "dev-wire-en.xml": "https://example.invalid/dev/en/feed.xml",
    "dev-wire-es.xml": "https://example.invalid/dev/es/feed.xml",
    "dev-wire-pt.xml": "https://example.invalid/dev/pt/feed.xml",
}


def fixture_bytes(name: str) -> bytes:
    """A fixture from seeds/fixtures or tests/feeds/hostile, by file name."""
    path = FIXTURES / name
    return path.read_bytes() if path.exists() else (HOSTILE / name).read_bytes()


def fixture_url(name: str) -> str:
    return FIXTURE_URLS.get(name, f"https://hostile.example/{name}")


def parse_fixture(name: str, *, content_type: str | None = None) -> ParsedFeed:
    return parse_feed(
        fixture_bytes(name), url=fixture_url(name), content_type=content_type, fetched_at=FETCHED_AT
    )


def fixture_items(name: str, *, outlet: str | None = None) -> tuple[FeedItem, ...]:
    return normalize_feed(parse_fixture(name), outlet=outlet).items


def dev_items() -> list[dict[str, Any]]:
    with DEV_SET.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def rss(
    items_xml: str,
    *,
    channel_extra: str = "",
    declaration: str = '<?xml version="1.0" encoding="utf-8"?>',
) -> bytes:
    """A minimal RSS 2.0 document around ``items_xml``."""
    return (
        f"{declaration}\n"
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Test feed</title><link>https://test.example/</link>{channel_extra}"
        f"{items_xml}</channel></rss>"
    ).encode()


def entry(**fields: Any) -> RawEntry:
    """A RawEntry with sensible defaults for the fields a test does not care about."""
    values: dict[str, Any] = {"guid": None, "link": None, "title_html": "A title"}
    values.update(fields)
    return RawEntry(**values)


def entity_attack(prolog: str, references: int = 10_000) -> bytes:
    """One 50,000-character entity referenced ``references`` times, between two good items."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        + prolog.replace("VALUE", "x" * 50_000)
        + '<rss version="2.0"><channel><title>t</title>'
        + "<item><title>before</title><guid>b</guid></item>"
        + f"<item><title>attack</title><guid>x</guid><description>{'&a;' * references}</description></item>"
        + "<item><title>after</title><guid>a</guid></item></channel></rss>"
    ).encode()
