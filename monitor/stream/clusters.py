"""Which story each fresh item belongs to: the worker's clustering, as one pure plan.

The worker looks up candidate stories (same headline key, or a SimHash band in common),
calls :func:`plan_clusters`, then writes what the plan says. Every join is decided by
:func:`monitor.feeds.identity.same_story`, the rule the identity tests pin down: a copy
joins its original (a syndicated excerpt, a re-titled-case headline), while a recurring
headline ("Latin America Daily Brief") over a different day's text, or a short generic one
("Brazil"), starts a story of its own — and so gets its own alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from monitor.feeds.fingerprint import hamming
from monitor.feeds.identity import NEAR_DUP_BANDS as BANDS
from monitor.feeds.identity import Likeness, item_likeness, same_story, simhash_bands
from monitor.models import FeedItem

TEXT_IMPROVEMENT = 1.2  # a copy whose text is 20% longer replaces a story's (unalerted) text


@dataclass(frozen=True, slots=True)
class KnownStory:
    """A stored story that fresh items may join, as the plan needs it."""

    id: int
    likeness: Likeness
    credited_outlet: str
    text_len: int


@dataclass
class PlannedStory:
    """A story as the plan sees it: stored (``id`` set) or to be created from ``first``.

    Its :class:`Likeness` is read only when an item could join it: most items of a stream
    start stories of their own, and reading one costs more than the rest of the plan.
    """

    title_key: str
    simhash: int
    first: FeedItem  # the item that starts it (new) or the first copy seen (stored)
    id: int | None = None
    credited_outlet: str = ""
    text_len: int = 0
    alerted_topics: frozenset[str] = frozenset()  # topics whose alert it already has
    changes: dict[str, Any] = field(default_factory=dict)
    classify_with: FeedItem | None = None  # the text to classify it by, if it needs it
    copies: list[tuple[FeedItem, int | None]] = field(default_factory=list)
    read_likeness: Likeness | None = None  # given (stored stories) or read from ``origin``
    origin: FeedItem | None = None

    @property
    def likeness(self) -> Likeness:
        if self.read_likeness is None:
            assert self.origin is not None, "a new story is read from the item it started with"
            self.read_likeness = item_likeness(self.origin)
        return self.read_likeness


def plan_clusters(
    fresh: Sequence[tuple[FeedItem, int | None]], known: Iterable[KnownStory]
) -> list[PlannedStory]:
    """Assign each fresh item (with its publish stamp) to a stored story, to a story new in
    this batch, or to a new story of its own; return the stories touched, in order.

    Of the stories an item is the same story as, it joins one with its headline first,
    else the one with the nearest fingerprint; ties go to the oldest, and stored stories
    are older than the batch's. Stories it joins take its original outlet and fuller text
    (see :func:`absorb`).
    """
    if not fresh:
        return []
    stored = _Index()
    for ref in known:
        stored.add(
            PlannedStory(
                title_key=ref.likeness.title_key,
                simhash=ref.likeness.simhash,
                first=fresh[0][0],  # replaced by the first copy that joins it
                id=ref.id,
                credited_outlet=ref.credited_outlet,
                text_len=ref.text_len,
                read_likeness=ref.likeness,
            )
        )
    batch = _Index()
    planned: list[PlannedStory] = []
    touched: set[int] = set()
    for item, stamp in fresh:
        story = _best(item, stored.near(item) + batch.near(item))
        if story is None:
            story = PlannedStory(
                title_key=item.title_key,
                simhash=item.simhash,
                origin=item,
                first=item,
                credited_outlet=item.credited_outlet,
                text_len=len(item.text),
                classify_with=item,
            )
            batch.add(story)
        else:
            if story.id is not None and not story.copies:
                story.first = item
            absorb(story, item)
        if id(story) not in touched:
            touched.add(id(story))
            planned.append(story)
        story.copies.append((item, stamp))
    return planned


def mark_alerted(planned: Iterable[PlannedStory], alerted: Mapping[int, frozenset[str]]) -> None:
    """Stored stories already alerted (story id → the topics that alerted it) keep their
    text, as their alerts were raised on it. A fuller copy is still classified, for the
    topics that have not alerted the story yet (the worker ignores the others' verdicts):
    a story alerted under one topic can be alerted under another on a longer copy."""
    for story in planned:
        if story.id is not None and alerted.get(story.id):
            story.alerted_topics = alerted[story.id]
            story.changes.pop("text", None)
            story.changes.pop("html", None)


def absorb(story: PlannedStory, item: FeedItem) -> None:
    """Let a copy improve its story: credit the original outlet, keep the fuller text."""
    if item.original_outlet and story.credited_outlet != item.original_outlet:
        story.credited_outlet = item.original_outlet
        story.changes["credited_outlet"] = item.original_outlet
        if story.id is None:
            story.first = replace(story.first, original_outlet=item.original_outlet)
    if len(item.text) > story.text_len * TEXT_IMPROVEMENT:
        story.text_len = len(item.text)
        story.classify_with = item
        if story.id is None:
            story.first = replace(story.first, text=item.text, html=item.html)
        else:
            story.changes.update(text=item.text, html=item.html)


def _best(item: FeedItem, candidates: list[PlannedStory]) -> PlannedStory | None:
    """The candidate to join: same headline first, then nearest fingerprint; the earliest
    on ties (``candidates`` come oldest first, stored before new)."""
    if not candidates:
        return None
    likeness = item_likeness(item)

    def rank(story: PlannedStory) -> tuple[int, int]:
        if story.title_key == likeness.title_key:
            return (0, 0)
        return (1, hamming(story.simhash, likeness.simhash))

    same = [story for story in candidates if same_story(likeness, story.likeness)]
    return min(same, key=rank) if same else None


class _Index:
    """Stories by headline key and by SimHash band, oldest first."""

    def __init__(self) -> None:
        self._order: dict[int, int] = {}
        self._by_title: dict[str, list[PlannedStory]] = {}
        self._by_band: dict[int, list[PlannedStory]] = {}

    def add(self, story: PlannedStory) -> None:
        self._order[id(story)] = len(self._order) if story.id is None else story.id
        if story.title_key:
            self._by_title.setdefault(story.title_key, []).append(story)
        if story.simhash:
            for key in simhash_bands(story.simhash, BANDS):
                self._by_band.setdefault(key, []).append(story)

    def near(self, item: FeedItem) -> list[PlannedStory]:
        """Stories that could be the same story as ``item``: same headline key or a band in
        common (every fingerprint within the rule's reach shares a band)."""
        found: dict[int, PlannedStory] = {}
        for story in self._by_title.get(item.title_key, ()) if item.title_key else ():
            found[id(story)] = story
        if item.simhash:
            for key in simhash_bands(item.simhash, BANDS):
                for story in self._by_band.get(key, ()):
                    found[id(story)] = story
        return sorted(found.values(), key=lambda s: self._order[id(s)])
