"""Sanitized HTML for display in alert emails and the web view.

A strict allow-list, not a block-list: paragraphs, line breaks, emphasis, lists, quotes and
absolute http(s) links. Everything else is dropped — images too, because in email they are
tracking pixels. Script-like elements lose their content as well as their tags. The work is
done by nh3 (Rust ammonia), which parses like a browser instead of matching patterns.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

import nh3

from monitor.feeds.html_text import drop_unencodable

MAX_HTML_BYTES = 100_000

ALLOWED_TAGS = frozenset({"p", "br", "a", "em", "strong", "ul", "ol", "li", "blockquote"})
# Elements whose *content* is code or an embedded document, not text for a reader.
_DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "object", "embed", "applet", "noscript", "template",
        "svg", "math", "frame", "frameset", "noembed", "noframes", "xmp", "title",
    }
)  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href"}}
_ALLOWED_SCHEMES = {"http", "https"}
# Headings and generic blocks are not allowed, but their line breaks are worth keeping.
_BLOCK_OPEN = re.compile(
    r"<(?:h[1-6]|div|section|article|header|footer|figure|figcaption|pre)(?=[\s>/])[^<>]{0,500}>",
    re.I,
)
_BLOCK_CLOSE = re.compile(
    r"</(?:h[1-6]|div|section|article|header|footer|figure|figcaption|pre)\s*>", re.I
)
_RelativeUrls = Literal["deny"] | tuple[Literal["rewrite_with_base"], str]


def sanitize_html(
    fragment: str, *, base_url: str | None = None, max_bytes: int = MAX_HTML_BYTES
) -> str:
    """``fragment`` reduced to the allow-list, at most ``max_bytes`` of UTF-8.

    Relative links are resolved against ``base_url`` (the entry's page) when it is an
    absolute http(s) URL, and dropped otherwise: they would resolve against the email client
    or our own site. When the cleaned markup is too long the *input* is shortened and cleaned
    again, so the result is always well-formed (never a tag cut in half).
    """
    fragment = drop_unencodable(fragment)
    if not fragment:
        return ""
    relative: _RelativeUrls = "deny"
    if base_url is not None and _is_absolute_http(base_url):
        relative = ("rewrite_with_base", base_url)
    budget = max_bytes
    for _ in range(8):
        try:
            cleaned = _clean(fragment[:budget], relative)
        except ValueError:  # nh3 refused the base URL: drop relative links instead
            relative = "deny"
            cleaned = _clean(fragment[:budget], relative)
        size = len(cleaned.encode("utf-8"))
        if size <= max_bytes:
            return cleaned
        budget = max(0, int(min(budget, len(fragment)) * max_bytes / size * 0.9))
    return ""


def _clean(fragment: str, relative: _RelativeUrls) -> str:
    fragment = _BLOCK_CLOSE.sub("</p>", _BLOCK_OPEN.sub("<p>", fragment))
    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in _ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(_ALLOWED_SCHEMES),
        url_relative=relative,
        attribute_filter=_drop_empty_href,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    # Indentation and the blank lines left where dropped elements were cost bytes in email.
    return "\n".join(line.strip() for line in cleaned.splitlines() if line.strip())


def _drop_empty_href(tag: str, attribute: str, value: str) -> str | None:
    # An empty or fragment-only href (feedparser blanks the javascript: ones) would
    # otherwise be "resolved" into a link to the base page.
    if attribute == "href" and (not value.strip() or value.strip().startswith("#")):
        return None
    return value


def _is_absolute_http(url: str | None) -> bool:
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in _ALLOWED_SCHEMES and bool(parts.netloc)
