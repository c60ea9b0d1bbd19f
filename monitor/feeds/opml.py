"""OPML import and export of the feed list: the lingua franca of feed readers.

Import reads untrusted files, so a document with a DOCTYPE (the carrier of entity-expansion
bombs and external entities) is rejected outright before expat sees it (``xmlguard``, the
same check feeds pass), and sizes, outline counts and nesting depth are capped. Nested folders
are flattened into each feed's ``categories`` path. Outlines whose ``xmlUrl`` is not an
absolute http(s) URL are skipped (a ``file:`` URL in a shared OPML must not reach the
fetcher), repeated feeds are kept once, and outlines with neither a feed nor outlines
inside are skipped; every skipped outline is reported with its line (``OpmlImport``).

OPML has no field for what the registry keeps beyond a feed's title, URL and language, so
monitor's export adds attributes in its own namespace (``monitor:outlet``,
``monitor:interval`` in seconds, ``monitor:state``, ``monitor:stateReason``); feed
readers ignore them, and importing monitor's export restores the registry as it was.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from monitor.errors import OpmlError
from monitor.feeds.encoding import decode_feed_bytes
from monitor.feeds.xmlguard import UnsafeXml, without_doctype

MAX_OPML_BYTES = 5 * 1024 * 1024
MAX_OUTLINES = 20_000
MAX_DEPTH = 32
_FEED_SCHEMES = ("http", "https")
NAMESPACE = "urn:x-monitor:opml:1"


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed of an OPML list. ``categories`` is the folder path, outermost first.

    ``outlet``, ``interval``, ``state`` and ``state_reason`` are monitor's own attributes,
    as text (None when the outline has none); ``line`` is where the outline starts.
    """

    xml_url: str
    title: str = ""
    html_url: str | None = None
    language: str | None = None
    categories: tuple[str, ...] = ()
    outlet: str | None = None
    interval: str | None = None
    state: str | None = None
    state_reason: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class SkippedOutline:
    """An outline that did not become a feed, and why."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class OpmlImport:
    """The feeds of an OPML document in document order, and the outlines skipped."""

    feeds: list[OpmlFeed]
    skipped: list[SkippedOutline]


def export_opml(feeds: Iterable[OpmlFeed], *, title: str = "monitor feeds") -> str:
    """An OPML 2.0 document listing ``feeds``, grouped into nested folders by category path."""
    root = _Folder()
    for feed in feeds:
        folder = root
        for category in feed.categories:
            folder = folder.subfolders.setdefault(category, _Folder())
        folder.feeds.append(feed)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<opml version="2.0" xmlns:monitor="{NAMESPACE}">',
        f"  <head><title>{_escape_text(title)}</title></head>",
        "  <body>",
    ]
    _export_folder(root, lines, depth=2)
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def import_opml(text: str | bytes) -> OpmlImport:
    """The feeds in an OPML document and the outlines skipped. Raises ``OpmlError``."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"OPML too large: {len(data)} bytes (cap {MAX_OPML_BYTES})")
    try:
        guarded = without_doctype(text if isinstance(text, str) else decode_feed_bytes(data).text)
    except UnsafeXml as exc:
        raise OpmlError(f"OPML refused: {exc}") from exc
    if guarded.doctype is not None:
        raise OpmlError("OPML with a DOCTYPE is refused (entity expansion and external entities)")
    # Text was already decoded: expat must not re-read an encoding from the declaration.
    parser = xml.parsers.expat.ParserCreate("utf-8")
    reader = _OutlineReader(parser)
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    try:
        parser.Parse(guarded.text.encode("utf-8"), True)
    except xml.parsers.expat.ExpatError as exc:
        raise OpmlError(
            f"not OPML: malformed XML ({xml.parsers.expat.ErrorString(exc.code)} at line {exc.lineno})"
        ) from exc
    if not reader.saw_opml:
        raise OpmlError("not OPML: no <opml> root element")
    return OpmlImport(reader.feeds, sorted(reader.skipped, key=lambda s: s.line))


@dataclass(slots=True)
class _Open:
    """An open outline: its folder label (None for a feed outline), line, and whether
    outlines were found inside it."""

    folder: str | None
    line: int
    is_feed: bool
    has_children: bool = False


class _OutlineReader:
    def __init__(self, parser: xml.parsers.expat.XMLParserType) -> None:
        self.feeds: list[OpmlFeed] = []
        self.skipped: list[SkippedOutline] = []
        self.saw_opml = False
        self._parser = parser
        self._seen: set[str] = set()
        self._open: list[_Open] = []
        self._count = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "opml":
            self.saw_opml = True
            return
        if name != "outline":
            return
        self._count += 1
        if self._count > MAX_OUTLINES:
            raise OpmlError(f"OPML has more than {MAX_OUTLINES} outlines")
        if len(self._open) >= MAX_DEPTH:
            raise OpmlError(f"OPML outlines nested deeper than {MAX_DEPTH}")
        line = self._parser.CurrentLineNumber
        if self._open:
            self._open[-1].has_children = True
        own = {key[len("monitor:"):]: value for key, value in attributes.items()
               if key.startswith("monitor:")}
        attrs = {key.lower(): value for key, value in attributes.items()}
        label = " ".join((attrs.get("title") or attrs.get("text") or "").split())
        xml_url = (attrs.get("xmlurl") or "").strip()
        self._open.append(_Open(None if xml_url else label or None, line, bool(xml_url)))
        if not xml_url:
            return
        if not _is_feed_url(xml_url):
            self.skipped.append(SkippedOutline(line, f"xmlUrl {xml_url[:200]!r} is not an http(s) URL"))
            return
        if xml_url in self._seen:
            self.skipped.append(SkippedOutline(line, f"repeats the feed {xml_url[:200]}"))
            return
        self._seen.add(xml_url)
        categories = tuple(o.folder for o in self._open[:-1] if o.folder)
        if not categories and attrs.get("category"):
            first_path = attrs["category"].split(",")[0]
            categories = tuple(part.strip() for part in first_path.split("/") if part.strip())
        self.feeds.append(
            OpmlFeed(
                xml_url=xml_url,
                title=label,
                html_url=(attrs.get("htmlurl") or "").strip() or None,
                language=(attrs.get("language") or "").strip() or None,
                categories=categories,
                outlet=own.get("outlet"),
                interval=own.get("interval"),
                state=own.get("state"),
                state_reason=own.get("stateReason"),
                line=line,
            )
        )

    def end(self, name: str) -> None:
        if name != "outline" or not self._open:
            return
        closed = self._open.pop()
        if not closed.is_feed and not closed.has_children:
            self.skipped.append(SkippedOutline(closed.line, "no xmlUrl and no outlines inside"))


def _is_feed_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in _FEED_SCHEMES and bool(parts.netloc)


@dataclass(slots=True)
class _Folder:
    feeds: list[OpmlFeed] = field(default_factory=list)
    subfolders: dict[str, _Folder] = field(default_factory=dict)


def _export_folder(folder: _Folder, lines: list[str], *, depth: int) -> None:
    indent = "  " * depth
    for feed in folder.feeds:
        attributes = {
            "type": "rss",
            "text": feed.title,
            "title": feed.title,
            "xmlUrl": feed.xml_url,
        }
        if feed.html_url:
            attributes["htmlUrl"] = feed.html_url
        if feed.language:
            attributes["language"] = feed.language
        extras = {
            "monitor:outlet": feed.outlet,
            "monitor:interval": feed.interval,
            "monitor:state": feed.state,
            "monitor:stateReason": feed.state_reason,
        }
        attributes.update({key: value for key, value in extras.items() if value is not None})
        rendered = " ".join(f"{key}={_attribute(value)}" for key, value in attributes.items())
        lines.append(f"{indent}<outline {rendered}/>")
    for name, subfolder in folder.subfolders.items():
        label = _attribute(name)
        lines.append(f"{indent}<outline text={label} title={label}>")
        _export_folder(subfolder, lines, depth=depth + 1)
        lines.append(f"{indent}</outline>")


# Whitespace in attribute values is normalized away by XML parsers unless escaped.
_ATTRIBUTE_ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _attribute(value: str) -> str:
    return quoteattr(_XML_ILLEGAL.sub("", value), _ATTRIBUTE_ENTITIES)


def _escape_text(value: str) -> str:
    return (
        _XML_ILLEGAL.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
