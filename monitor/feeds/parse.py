"""Fetched bytes → ``ParsedFeed``: decode, sniff, and hand to the RSS/Atom or JSON Feed reader.

``parse_feed`` is pure: no network, no files. (feedparser *would* open a URL or a local path
if handed a string or bytes that look like one, so it only ever sees a byte stream.) The
format readers are ``xmlfeed`` (feedparser) and ``jsonfeed``; this module owns the decisions
that come before them: the charset (``encoding``), and whether the body is a feed at all.

What is survivable and what is not, following lemon24/reader's lead:

* survivable — the feed is kept and its good entries used, with a ``FeedWarning``: wrong or
  missing charset (a guessed one is always reported), a DOCTYPE (removed unread: no entity
  is ever expanded), control characters, undefined entities (``&nbsp;`` in XML), a broken
  entry mid-document, truncation (the last, possibly incomplete, entry is dropped), too
  many entries, oversized fields;
* hopeless — ``FeedParseError`` with a reason a person can act on: an empty body, an HTML
  page, JSON that is not a JSON Feed, bytes that are not a feed at all, malformed XML
  from which no entry could be recovered, a DOCTYPE that cannot be read safely, or more
  markup than ``ParseLimits`` allows. An empty but valid feed is not an error.
"""

from __future__ import annotations

import re
from datetime import datetime

from monitor.errors import FeedParseError
from monitor.feeds.encoding import DecodedDocument, decode_feed_bytes
from monitor.feeds.jsonfeed import parse_json_feed
from monitor.feeds.raw_feed import DEFAULT_LIMITS, FeedWarning, ParsedFeed, ParseLimits, RawEntry
from monitor.feeds.xmlfeed import parse_xml_feed

__all__ = ["FeedWarning", "ParseLimits", "ParsedFeed", "RawEntry", "parse_feed"]

# Atomic groups and possessive repeats: a head of nested or unclosed comments must not
# make the regex backtrack exponentially.
_HTML_PAGE = re.compile(
    r"^(?>(?:<\?xml[^>]*+>\s*+)?)(?:(?><!--.*?-->)\s*+)*+"
    r"(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_XML_MEDIA_TYPE = re.compile(
    r"^\s*(?:application|text)/(?:[\w.+-]*\+)?(?:xml|json)\b", re.IGNORECASE
)


def parse_feed(
    content: bytes,
    *,
    url: str,
    content_type: str | None = None,
    fetched_at: datetime,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> ParsedFeed:
    """Parse one fetched feed document. Raises only ``FeedParseError``.

    ``content_type`` is the response's Content-Type header (its charset is a hint, not an
    order: see ``monitor.feeds.encoding``). ``url`` is the feed's address, used as the base
    for relative links and in error messages.
    """
    if len(content) > limits.max_document_bytes:
        raise FeedParseError(
            url, f"document too large: {len(content)} bytes (cap {limits.max_document_bytes})"
        )
    if not content.strip():
        raise FeedParseError(url, "empty response")
    decoded = decode_feed_bytes(content, content_type)
    warnings: list[FeedWarning] = []
    if decoded.note or decoded.guessed:
        warnings.append(_encoding_warning(decoded))
    if decoded.removed_controls:
        warnings.append(
            FeedWarning(
                "control-characters", f"dropped {decoded.removed_controls} characters XML forbids"
            )
        )
    text = decoded.text
    head = text[:4096].lstrip()
    if not head:
        raise FeedParseError(url, "empty response")
    if content_type and not _XML_MEDIA_TYPE.match(content_type):
        warnings.append(
            FeedWarning("non-xml-content-type", f"served as {content_type.strip()[:80]}")
        )
    if head.startswith(("{", "[")):
        # A JSON Feed is JSON, so a JSON media type is not a warning.
        warnings = [w for w in warnings if w.code != "non-xml-content-type"]
        return parse_json_feed(
            text, url=url, fetched_at=fetched_at, limits=limits, warnings=warnings
        )
    if _HTML_PAGE.match(head):
        raise FeedParseError(url, "not a feed: looks like an HTML page")
    if not head.startswith("<"):
        raise FeedParseError(url, "not a feed: the body is neither XML nor JSON")
    return parse_xml_feed(
        text,
        url=url,
        fetched_at=fetched_at,
        limits=limits,
        warnings=warnings,
        encoding=decoded.encoding,
    )


def _encoding_warning(decoded: DecodedDocument) -> FeedWarning:
    if decoded.note:
        guess = " (a guess)" if decoded.guessed else ""
        return FeedWarning(
            "encoding-override", f"{decoded.note}; read as {decoded.encoding}{guess}"
        )
    return FeedWarning(
        "encoding-guessed",
        f"no charset declared and the bytes are not UTF-8; guessed {decoded.encoding}",
    )
