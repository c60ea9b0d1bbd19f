"""One search of the archive: candidates from the full-text index, decided by the exact
evaluator, refined by facet filters, counted by facet and sorted.

The index gives a superset (``matching.query.candidates``); each candidate is read as the
query language reads a stored story (``subscriptions.preview.stored_story_doc``, the document
``monitor query test`` and the API build) and kept only when ``matches`` says so, so a
search finds what a subscription with the same query would have matched. At most
``MAX_CANDIDATES`` candidates are read per search (the most relevant or the newest, by the
chosen order); a result that stopped there says so (``capped``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Connection

from monitor.matching.query import Node, matches
from monitor.matching.query.candidates import (
    EVERYTHING,
    Candidate,
    candidate,
    required_metadata,
)
from monitor.store import search_index
from monitor.store.archive import ArchivedStory, newest_story_ids, stories_by_ids
from monitor.subscriptions.preview import stored_story_doc

MAX_CANDIDATES = 5000
FACETS = ("country", "category", "outlet", "lang")
SORTS = ("time", "relevance")


@dataclass(frozen=True, slots=True)
class Found:
    story: ArchivedStory
    relevance: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Every match (sorted), the facet counts over them, and how the look-up went."""

    found: list[Found]
    facets: dict[str, list[tuple[str, int]]]
    candidates: int
    capped: bool
    loosened: Candidate = field(default=EVERYTHING)


def facet_values(story: ArchivedStory, facet: str) -> tuple[str, ...]:
    """The values a story has for a facet (a language by its primary subtag)."""
    if facet == "country":
        return story.countries
    if facet == "category":
        return (story.category,) if story.category else ()
    if facet == "outlet":
        return (story.credited_outlet,) if story.credited_outlet else ()
    return (story.lang.split("-")[0].lower(),) if story.lang else ()


def refine(found: Sequence[Found], chosen: Mapping[str, str]) -> list[Found]:
    """Only the stories with every chosen facet value."""
    wanted = {name: value for name, value in chosen.items() if name in FACETS and value}
    return [f for f in found if all(v in facet_values(f.story, n) for n, v in wanted.items())]


def facet_counts(found: Sequence[Found], top: int = 12) -> dict[str, list[tuple[str, int]]]:
    """Per facet, its most frequent values with their counts (most first, then by value)."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for f in found:
        for name in FACETS:
            counts[name].update(facet_values(f.story, name))
    return {
        name: sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        for name, counter in counts.items()
    }


def sort_found(found: list[Found], sort: str) -> list[Found]:
    """Latest published first, or the most relevant first (ties: latest first)."""
    found.sort(key=lambda f: (f.story.published_at, f.story.id), reverse=True)
    if sort == "relevance":
        found.sort(key=lambda f: f.relevance, reverse=True)  # stable: ties stay newest first
    return found


def search_archive(
    conn: Connection,
    node: Node | None,
    *,
    sort: str = "time",
    chosen: Mapping[str, str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = MAX_CANDIDATES,
) -> SearchResult:
    """Search every stored story published in [since, until) with ``node`` (None: every
    story), refined by the ``chosen`` facet values."""
    loosened = candidate(node) if node is not None else EVERYTHING
    required = required_metadata(node) if node is not None else ()
    facets = tuple((name, value) for name, value in (chosen or {}).items() if name in FACETS)
    hits = search_index.candidates(
        conn,
        loosened,
        limit=limit,
        newest_first=sort == "time",
        since=since,
        until=until,
        metadata=required + facets,
    )
    if hits is None:
        ids = newest_story_ids(conn, limit, since=since, until=until)
        relevance = dict.fromkeys(ids, 0.0)
    else:
        relevance = {hit.story_id: hit.relevance for hit in hits}
    rows = stories_by_ids(conn, list(relevance))
    found = [
        Found(story, relevance[story.id])
        for story in rows.values()
        if node is None or matches(node, stored_story_doc(story))
    ]
    found = refine(found, chosen or {})
    return SearchResult(
        found=sort_found(found, sort),
        facets=facet_counts(found),
        candidates=len(relevance),
        capped=len(relevance) >= limit,
        loosened=loosened,
    )


def page_after(found: Sequence[Found], after: int | None, size: int) -> tuple[list[Found], bool]:
    """The ``size`` results after the story ``after`` (None or unknown: from the top), and
    whether more follow."""
    start = 0
    if after is not None:
        for index, f in enumerate(found):
            if f.story.id == after:
                start = index + 1
                break
    page = list(found[start : start + size])
    return page, start + size < len(found)
