"""What a hostile XML document loses, or fails on, before any XML parser sees it.

Entity declarations are the one XML feature that lets a small document cost a parser far
more than its size: nested entities (billion laughs), one large entity referenced thousands
of times (80 kB became 500 MB in feedparser's lenient parser, which expands the "safe"
entities its strict parser refused), external entities that read local files or reach
internal addresses. No feed needs them: feedparser's lenient parser knows the HTML entities
(``&nbsp;``, ``&eacute;``) that feeds actually use. So the DOCTYPE goes, whole, before any
parser runs — feeds lose it with a warning, OPML imports are refused (``opml.py``).

Removing is done by reading the prolog, not by pattern-matching the whole document:
everything between the XML declaration and the root element is blanked (comments and
processing instructions too, since feedparser's own DOCTYPE handling reads declarations
inside comments), and a declaration that cannot be delimited is refused rather than guessed.
Nothing after the root element's start can declare an entity for either parser.

``check_markup`` bounds the rest of the parse, which is linear in the markup once no entity
can expand: a cap on tags (escaped ones count, feedparser parses those as HTML) and on
attributes per element (Python's SAX attribute lookup is quadratic in their number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_QUOTED = r'"[^"]*+"|\'[^\']*+\''
_COMMENT = r"<!--(?:[^-]|-(?!->))*+-->"
_PI = r"<\?(?:[^?]|\?(?!>))*+\?>"
_XML_DECLARATION = re.compile(r"<\?xml(?=[\s?])(?:[^?]|\?(?!>))*+\?>")
# Whitespace, comments and processing instructions: all a prolog may hold besides a DOCTYPE.
_MISC = re.compile(rf"\s++|{_COMMENT}|{_PI}")
_DOCTYPE = re.compile(
    rf"<!DOCTYPE(?P<external>(?:[^\"'\[>]++|{_QUOTED})*+)"
    rf"(?:\[(?P<subset>(?:\s++|%[^;\s<>\"']++;|{_COMMENT}|{_PI}|<!(?:[^\"'>]++|{_QUOTED})*+>)*+)\])?"
    r"\s*+>",
    re.IGNORECASE,
)
_PUBLIC_ID = re.compile(rf"PUBLIC\s++(?P<id>{_QUOTED})", re.IGNORECASE)
_DECLARATION = re.compile(r"<!(?!--)|%[^;\s<>\"']++;")
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
# feedparser takes everything before the first "<" + ASCII word character as the prolog and
# reads ENTITY declarations there with a regex; no declaration may be left in that span.
_FEEDPARSER_HEAD_END = re.compile(r"<[A-Za-z0-9_]")
_DECLARATION_HINT = re.compile(r"<!\s*+(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# "<" plus the escaped forms feedparser unescapes and then parses as HTML.
_MARKUP_SIGNS = ("<", "&lt;", "&#60;", "&#x3c;", "&#x3C;")


class UnsafeXml(ValueError):
    """A document no parser should see. The message says why, for the caller's own error."""


@dataclass(frozen=True, slots=True)
class Doctype:
    """A DOCTYPE taken out of a document: enough to warn about it and keep version hints.

    ``declarations`` counts the markup declarations and parameter-entity references in the
    internal subset; ``entities`` the ENTITY declarations among them.
    """

    public_id: str = ""
    declarations: int = 0
    entities: int = 0


@dataclass(frozen=True, slots=True)
class GuardedXml:
    """A document whose prolog holds only its XML declaration (if any) and whitespace.

    Whatever else the prolog held (DOCTYPE, comments, processing instructions) became spaces,
    newlines kept, so positions in parser errors still match the original document.
    """

    text: str
    doctype: Doctype | None


def without_doctype(text: str) -> GuardedXml:
    """``text`` with its prolog blanked but for the XML declaration. Raises ``UnsafeXml``.

    Refuses a document whose DOCTYPE cannot be delimited, that has two, or that puts a
    DOCTYPE or ENTITY declaration anywhere a parser could still read it.
    """
    declaration = _XML_DECLARATION.match(text)
    start = position = declaration.end() if declaration else 0
    doctype: Doctype | None = None
    while True:
        misc = _MISC.match(text, position)
        if misc:
            position = misc.end()
            continue
        found = _DOCTYPE.match(text, position) if doctype is None else None
        if found is None:
            break
        doctype = _describe(found)
        position = found.end()
    head_end = _FEEDPARSER_HEAD_END.search(text, position)
    if _DECLARATION_HINT.search(text, position, head_end.start() if head_end else len(text)):
        raise UnsafeXml("a DOCTYPE or ENTITY declaration that cannot be read safely")
    removed = text[start:position]
    if removed.isspace() or not removed:
        return GuardedXml(text, doctype)
    # Blanked, not cut: the parsers' line and column numbers still point into the original.
    blank = "\n".join(" " * len(line) for line in removed.split("\n"))
    return GuardedXml(text[:start] + blank + text[position:], doctype)


def check_markup(text: str, *, max_tags: int, max_attributes: int) -> None:
    """Raise ``UnsafeXml`` when ``text`` has more tags, or one element more attributes, than allowed."""
    tags = sum(text.count(sign) for sign in _MARKUP_SIGNS)
    if tags > max_tags:
        raise UnsafeXml(f"too much markup: {tags:,} tags (cap {max_tags:,})")
    if text.count("=") > max_attributes and _crowded_tag(max_attributes).search(text):
        raise UnsafeXml(f"an element with more than {max_attributes:,} attributes")


def _describe(found: re.Match[str]) -> Doctype:
    public = _PUBLIC_ID.search(found.group("external"))
    subset = found.group("subset") or ""
    return Doctype(
        public_id=public.group("id")[1:-1] if public else "",
        declarations=len(_DECLARATION.findall(subset)),
        entities=len(_ENTITY.findall(subset)),
    )


@lru_cache(maxsize=4)
def _crowded_tag(max_attributes: int) -> re.Pattern[str]:
    # A start tag followed by more than max_attributes quoted attributes. Possessive
    # repeats: each attempt reads one tag once. A value holding "<" is not XML, so the
    # strict parser (the quadratic one) would never reach such a tag.
    attribute = r"""\s++[^\s<>="']++\s*+=\s*+(?:"[^"<]*+"|'[^'<]*+')"""
    return re.compile(rf"<[^\s<>!?/][^\s<>]*+(?:{attribute}){{{max_attributes + 1}}}")
