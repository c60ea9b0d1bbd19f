"""What a feed validator checks, written down for the tests: RFC 4287 (Atom) and JSON Feed 1.1.

Not the W3C validator itself (not on a package registry), but its MUST-level rules for the
elements monitor writes: required elements present once, dates in RFC 3339, ids absolute
IRIs and unique, an author for every entry, an alternate link or content for every entry,
links with absolute http(s) targets, text constructs of a known type.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")
_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+\Z")


def _absolute_http(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _once(parent: ET.Element, tag: str, where: str, problems: list[str]) -> ET.Element | None:
    found = parent.findall(ATOM + tag)
    if len(found) != 1:
        problems.append(f"{where}: {len(found)} atom:{tag} (exactly one required)")
        return None
    return found[0]


def _text_construct(element: ET.Element | None, where: str, problems: list[str]) -> None:
    if element is not None and element.get("type", "text") not in {"text", "html", "xhtml"}:
        problems.append(f"{where}: unknown text type {element.get('type')!r}")


def atom_problems(body: bytes) -> list[str]:
    """Every RFC 4287 rule the feed breaks; empty when it is valid."""
    problems: list[str] = []
    try:
        feed = ET.fromstring(body)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if feed.tag != ATOM + "feed":
        return [f"root is {feed.tag}, not atom:feed"]
    for tag in ("id", "title", "updated"):
        element = _once(feed, tag, "feed", problems)
        if tag == "updated" and element is not None and not RFC3339.match(element.text or ""):
            problems.append(f"feed: updated {element.text!r} is not RFC 3339")
        if tag == "id" and element is not None and not _IRI_SCHEME.match(element.text or ""):
            problems.append(f"feed: id {element.text!r} is not an absolute IRI")
    _text_construct(feed.find(ATOM + "title"), "feed title", problems)
    selfs = [link for link in feed.findall(ATOM + "link") if link.get("rel") == "self"]
    if len(selfs) != 1 or not _absolute_http(selfs[0].get("href")):
        problems.append("feed: needs one rel=self link with an absolute URL (validators warn)")
    feed_author = feed.find(ATOM + "author") is not None
    ids: set[str] = set()
    for n, entry in enumerate(feed.findall(ATOM + "entry"), 1):
        where = f"entry {n}"
        for tag in ("id", "title", "updated"):
            element = _once(entry, tag, where, problems)
            if element is None:
                continue
            if tag in {"updated"} and not RFC3339.match(element.text or ""):
                problems.append(f"{where}: {tag} {element.text!r} is not RFC 3339")
            if tag == "id":
                if not _IRI_SCHEME.match(element.text or ""):
                    problems.append(f"{where}: id {element.text!r} is not an absolute IRI")
                if element.text in ids:
                    problems.append(f"{where}: duplicate id {element.text}")
                ids.add(element.text or "")
        for published in entry.findall(ATOM + "published"):
            if not RFC3339.match(published.text or ""):
                problems.append(f"{where}: published {published.text!r} is not RFC 3339")
        if not feed_author and entry.find(ATOM + "author") is None:
            problems.append(f"{where}: no atom:author and the feed has none")
        for author in entry.findall(ATOM + "author"):
            if len(author.findall(ATOM + "name")) != 1:
                problems.append(f"{where}: author without exactly one name")
        alternates = [
            link for link in entry.findall(ATOM + "link") if link.get("rel", "alternate") == "alternate"
        ]
        for link in entry.findall(ATOM + "link"):
            if not _absolute_http(link.get("href")):
                problems.append(f"{where}: link href {link.get('href')!r} is not absolute http(s)")
        if not alternates and entry.find(ATOM + "content") is None:
            problems.append(f"{where}: neither an alternate link nor content (RFC 4287 4.1.1.1)")
        for category in entry.findall(ATOM + "category"):
            if not category.get("term"):
                problems.append(f"{where}: category without a term")
        for tag in ("title", "summary", "content"):
            _text_construct(entry.find(ATOM + tag), f"{where} {tag}", problems)
    return problems


def json_feed_problems(document: Any) -> list[str]:
    """Every JSON Feed 1.1 rule the document breaks; empty when it is valid."""
    problems: list[str] = []
    if not isinstance(document, dict):
        return ["top level is not an object"]
    if document.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(f"version {document.get('version')!r}")
    if not isinstance(document.get("title"), str) or not document["title"]:
        problems.append("title missing")
    if "feed_url" in document and not _absolute_http(document["feed_url"]):
        problems.append("feed_url is not an absolute URL")
    items = document.get("items")
    if not isinstance(items, list):
        return [*problems, "items is not an array"]
    ids: set[str] = set()
    for n, item in enumerate(items, 1):
        where = f"item {n}"
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: id must be a non-empty string")
        elif item["id"] in ids:
            problems.append(f"{where}: duplicate id")
        else:
            ids.add(item["id"])
        if not (isinstance(item.get("content_text"), str) or isinstance(item.get("content_html"), str)):
            problems.append(f"{where}: needs content_text or content_html")
        for field in ("date_published", "date_modified"):
            if field in item and not RFC3339.match(str(item[field])):
                problems.append(f"{where}: {field} {item[field]!r} is not RFC 3339")
        if "url" in item and not _absolute_http(item["url"]):
            problems.append(f"{where}: url is not absolute http(s)")
        for key in item:
            known = {
                "id", "url", "external_url", "title", "content_html", "content_text", "summary",
                "image", "banner_image", "date_published", "date_modified", "authors", "tags",
                "language", "attachments",
            }
            if key not in known and not key.startswith("_"):
                problems.append(f"{where}: unknown key {key!r} (extensions start with _)")
    return problems
