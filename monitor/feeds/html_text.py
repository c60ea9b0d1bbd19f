"""Plain text from feed HTML, for matching: tags dropped, entities decoded, whitespace collapsed.

This is not for display (see ``sanitize``). It reads like a person would: block elements
break words apart, script/style bodies vanish, WordPress "texturized" entities (``&#8217;``)
become characters, and the boilerplate feeds append to excerpts (``[…]``, "The post … appeared
first on …", "Continue reading →") is removed because it is not part of the story.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
# Elements whose content is never text for a reader. Kept short on purpose: an unclosed
# hidden element hides everything after it, so only elements that are always closed (or, like
# script and style, swallow the rest in browsers too) are listed.
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})
# An entity left over after one round of decoding means the feed escaped twice
# (``&amp;#8217;``), which is common enough to undo.
_LEFTOVER_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Invisible characters that split words for matching: controls, zero-width spaces, BOMs,
# soft hyphens, lone surrogates.
_INVISIBLE_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff\ufffe\uffff\ud800-\udfff]"
)
_TAIL_CHARS = 1000
_TRAILING_BOILERPLATE = (
    re.compile(r"\s*\[\s*(?:…|\.\.\.|&hellip;)\s*\]\s*$"),
    re.compile(r"\s*The post .{1,400}? appeared first on .{1,200}?$"),
    re.compile(
        r"\s*(?:Continue reading|Read more|Leia mais|Leer más|Seguir leyendo)\s*(?:→|»|›|\.\.\.|…)?\s*$",
        re.IGNORECASE,
    ),
)


# Lone surrogates (from character references like ``&#xD800;``) and NUL cannot be encoded
# as UTF-8 by JSON writers, Kafka or PostgreSQL, so no field may carry them.
_UNENCODABLE = re.compile("[\x00\ud800-\udfff]")


def drop_unencodable(value: str) -> str:
    """``value`` without NUL and lone surrogates, which no UTF-8 sink accepts."""
    return _UNENCODABLE.sub("", value)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment on one line, with feed boilerplate removed."""
    if not fragment:
        return ""
    if "<" in fragment or "&" in fragment:
        collector = _TextCollector()
        collector.feed(fragment)
        collector.close()
        text = "".join(collector.parts)
    else:
        text = fragment
    return clean_text(text)


def clean_text(text: str) -> str:
    """Decode leftover entities, drop invisible characters and trailing boilerplate, collapse spaces."""
    if _LEFTOVER_ENTITY.search(text):
        text = html.unescape(text)
    text = " ".join(_INVISIBLE_CHARS.sub("", text).split())
    # Boilerplate is only ever at the end; searching just the tail keeps hostile text (the
    # same phrase repeated a million times) from costing quadratic regex time.
    head, tail = text[:-_TAIL_CHARS], text[-_TAIL_CHARS:]
    for pattern in _TRAILING_BOILERPLATE:
        tail = pattern.sub("", tail)
    return head + tail
