"""What a query (and a subscription's filters) would have matched: `monitor query test` and
the workspace's live preview share ``preview_matches``, which is pure.

The stories are the alerted ones of a window (``alerted_stories``), each once; the query is
decided by the exact evaluator (``matching_ids``) on the same ``MatchDoc`` the API's search
builds, and the filters by the fan-out's own ``passes_filters``, so a preview shows what a
subscription with these settings would have been sent.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from monitor.config import Settings
from monitor.matching.commands import check_query, matching_ids
from monitor.matching.query import MatchDoc, Node
from monitor.models import Classification, FeedItem
from monitor.store.db import transaction
from monitor.store.migrate import checked_database
from monitor.store.stories import AlertedStory, alerted_stories
from monitor.subscriptions.fanout import passes_filters
from monitor.subscriptions.topic_choice import ALL_TOPICS, StoryTopics, delivery_view

PREVIEW_DAYS = 30
_UTC = ZoneInfo("UTC")


def stored_story_doc(row: Any) -> MatchDoc:
    """An alert's row (one of ``AlertedStory.alerts``, the API's pages) as the query
    language sees it: one definition, so `query test` and the API's search agree."""
    return MatchDoc(
        title=row.title,
        text=row.text,
        outlet=row.credited_outlet,
        site=(urlsplit(row.url).hostname or "").removeprefix("www.") if row.url else "",
        lang=row.lang,
        countries=tuple(row.countries or ()),
        category=row.category,
    )


def stored_story_verdict(row: Any) -> tuple[FeedItem, Classification]:
    """An alert's row as the item and verdict fan-out's filters judge (and backfill
    hands to the subscription index)."""
    item = FeedItem(
        item_id=str(row.id),
        feed_url="",
        outlet=row.credited_outlet,
        title=row.title,
        text=row.text,
        published=row.published_at,
        fetched_at=row.first_seen_at,
        url=row.url,
        lang=row.lang,
    )
    verdict = Classification(True, row.score, row.category, tuple(row.countries or ()), row.lang)
    return item, verdict


class StoryDocs:
    """``stored_story_doc``, remembered for the ``size`` stories used last: the workspace's
    live preview asks again at every pause in the typing, over the same stories, and building
    a story's document (tokenizing its text) is most of a preview's cost. A story whose
    stored values change gets a new document. Safe to share between threads. A document
    also keeps the evaluator's per-word memos, so the bound is on documents, not bytes."""

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._docs: OrderedDict[tuple[Any, int], MatchDoc] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, row: Any) -> MatchDoc:
        values = (row.title, row.text, row.credited_outlet, row.url, row.lang,
                  tuple(row.countries or ()), row.category)
        key = (row.id, hash(values))
        with self._lock:
            doc = self._docs.get(key)
            if doc is not None:
                self._docs.move_to_end(key)
                return doc
        doc = stored_story_doc(row)
        with self._lock:
            self._docs[key] = doc
            while len(self._docs) > self._size:
                self._docs.popitem(last=False)
        return doc


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True, slots=True)
class QueryPreview:
    """What matched in a window: the stories (newest first), how many were looked at, and
    a count for every day of the window (oldest first, days without a match included)."""

    considered: int
    matched: tuple[Any, ...]
    per_day: tuple[DayCount, ...]

    @property
    def busiest(self) -> int:
        return max((d.count for d in self.per_day), default=0)


def preview_window(now: datetime, zone: ZoneInfo, days: int = PREVIEW_DAYS) -> tuple[datetime, date]:
    """The window of a preview: ``days`` calendar days in ``zone`` ending today; returns its
    start (UTC, for SQL) and its first day."""
    first = now.astimezone(zone).date() - timedelta(days=days - 1)
    return datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC), first


def preview_matches(
    stories: Sequence[AlertedStory],
    query: str | Node | None,
    filters: dict[str, Any] | None = None,
    *,
    zone: ZoneInfo = _UTC,
    first_day: date | None = None,
    days: int = PREVIEW_DAYS,
    doc_of: Callable[[Any], MatchDoc] = stored_story_doc,
    topic: str | None = None,
) -> QueryPreview:
    """The ``stories`` (``store.stories.alerted_stories``) a subscription with ``query``,
    ``filters`` and ``topic`` (None: ``all``) would have been sent, each once, as the alert
    it would have been sent under, counted per day of ``zone`` from ``first_day`` (default:
    the oldest match's day). The view is the fan-out's decision,
    ``topic_choice.delivery_view``: a topic choice sees only its topic's alerts, ``all``
    the first of a story's alerts (in alert order) that the query and filters pass. No
    query: every view passes it, as a subscription without a query receives every alert.
    ``doc_of`` builds an alert's document (``StoryDocs`` remembers them). Stories no topic
    alerted are not in ``stories``, so an ``all`` preview shows the alerted stories its
    query matches, not every story read."""
    choice = topic or ALL_TOPICS
    offered = [(story, StoryTopics(story.topics)) for story in stories]
    offered = [(story, topics) for story, topics in offered if topics.views(choice)]
    hits: set[str] | None = None
    if query is not None and query != "":
        docs = [
            (_alert_key(story.alert(view)), doc_of(story.alert(view)))
            for story, topics in offered
            for view in topics.views(choice)
        ]
        hits = set(matching_ids(query, docs))
    wanted = filters or {}

    def passes(row: Any) -> bool:
        return (hits is None or _alert_key(row) in hits) and passes_filters(
            wanted, *stored_story_verdict(row)
        )

    matched_rows = []
    for story, topics in offered:

        def shown(view: str, story: AlertedStory = story) -> bool:
            return passes(story.alert(view))

        view = delivery_view(choice, topics, shown)
        if view is not None:
            matched_rows.append(story.alert(view))
    matched = tuple(matched_rows)
    counts: dict[date, int] = {}
    for row in matched:
        day = row.first_seen_at.astimezone(zone).date()
        counts[day] = counts.get(day, 0) + 1
    if first_day is None:
        first_day = min(counts, default=datetime.now(UTC).astimezone(zone).date())
    per_day = tuple(
        DayCount(first_day + timedelta(days=n), counts.get(first_day + timedelta(days=n), 0))
        for n in range(days)
    )
    return QueryPreview(considered=len(offered), matched=matched, per_day=per_day)


def _alert_key(row: Any) -> str:
    """An alert row's key among the views of ``alerted_stories``: its alert id."""
    return str(getattr(row, "alert_id", None) or row.id)


def preview_query(
    settings: Settings, query: str, *, days: int = 30, limit: int = 20, topic: str | None = None
) -> int:
    node, warnings = check_query(query)  # QueryError → clear message, exit 2
    print(f"query ok: {query}")
    for warning in warnings:
        where = f" (at {warning.position})" if warning.position is not None else ""
        print(f"  warning [{warning.code}]{where}: {warning.message}")
    with (
        checked_database(settings) as engine,
        transaction(engine) as conn,
    ):
        stories = alerted_stories(conn, datetime.now(UTC) - timedelta(days=days))
    preview = preview_matches(stories, node, days=days, topic=topic)
    matched = preview.matched
    under = f" under topic {topic}" if topic else ""
    print(
        f"{len(matched)} of {preview.considered} alerted stories{under} of the last {days} days "
        "match:"
    )
    for row in matched[:limit]:
        when = row.published_at.strftime("%Y-%m-%d")
        countries = ",".join(row.countries or [])
        print(
            f"  #{row.id} {when} [{row.category} {countries}] {row.title} — {row.credited_outlet}"
        )
    if len(matched) > limit:
        print(f"  … and {len(matched) - limit} more (--limit)")
    return 0
