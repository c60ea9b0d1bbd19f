"""What happens to a batch of items taken from the stream, in one database transaction.

For each item: skip it if already stored (a replay), join it to the story it is a copy of or
start a new story, classify new or improved stories, save an alert for relevant ones, and fan
the alert out to the subscriptions that want it as delivery rows. The transaction commits
before the agent acknowledges the batch, and every write is keyed, so a crash anywhere
replays the batch harmlessly.

Classifying and matching against the stored queries need no database, so they happen first,
outside the transaction: the advisory locks another worker may be waiting for are then held
only for database work, and two workers overlap instead of taking turns.

The batch is handled set-wise — a handful of statements per batch, not per item — so the
database round trips do not grow with the batch: look-ups first (replays, candidate stories
by title key and SimHash band), then the pure clustering plan (monitor.stream.clusters, in
which copies inside one batch meet too), then bulk inserts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from monitor.feeds.fingerprint import to_signed64
from monitor.feeds.identity import SAME_TITLE_MIN_WORDS, likeness
from monitor.logs import get_logger
from monitor.models import Classification, FeedItem
from monitor.notify.thread_alerts import fold_by_thread
from monitor.store import search_index, trend_counts
from monitor.store import stories as story_store
from monitor.store import threads as thread_store
from monitor.store.db import connection
from monitor.store.outbox import NewDelivery, add_deliveries
from monitor.stream.clusters import KnownStory, PlannedStory, mark_alerted, plan_clusters
from monitor.stream.event_threads import AlertedStory, Assigned, ThreadAssigner
from monitor.subscriptions.fanout import QueryMatches, SubscriptionIndex, topicless_verdict
from monitor.subscriptions.topic_choice import NO_ALERT, NO_TOPIC, StoryTopics

log = get_logger(__name__)

# Every topic's verdict on one story: (title, text, lang) → topic id → verdict.
ClassifyAll = Callable[[str, str, str | None], Mapping[str, Classification]]


# A story the batch classified: its plan, the item its verdicts came from, and the verdicts.
Classified = tuple[PlannedStory, FeedItem, Mapping[str, Classification]]


@dataclass
class BatchOutcome:
    items: int = 0
    replayed: int = 0
    new_stories: int = 0
    joined: int = 0
    alerts: int = 0
    deliveries: int = 0
    alert_story_ids: list[int] = field(default_factory=list)
    threaded: int = 0  # alerted stories placed in an event thread
    folded: int = 0  # deliveries folded into their thread's alert (sent nothing)


@dataclass
class Ahead:
    """Verdicts, stored-query matches and search-index words worked out before the batch's
    transaction."""

    verdicts: dict[str, Mapping[str, Classification]] = field(default_factory=dict)
    matches: dict[str, dict[str, QueryMatches]] = field(default_factory=dict)  # item → view →
    # (title, text) → the index's words: keyed by the text itself, not the item, because a
    # new story keeps the fullest text of its copies (``clusters.absorb``).
    words: dict[tuple[str, str], search_index.IndexedWords] = field(default_factory=dict)

    def words_of(self, title: str, text: str) -> search_index.IndexedWords:
        """The index's words for a story's stored title and text; worked out now if the
        text was not among the items prepared."""
        found = self.words.get((title, text))
        return found if found is not None else search_index.indexed_words(title, text)


@dataclass
class ItemHandler:
    """Turns items into stories, alerts and deliveries. Thread-safe; call from a worker thread."""

    engine: Engine
    classify: ClassifyAll
    subscriptions: SubscriptionIndex
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # Event threads (None: off) and the immediate alerts' per-thread window (0: no folding).
    threads: ThreadAssigner | None = None
    thread_window: timedelta = timedelta(0)

    def prepare(self, items: Sequence[FeedItem]) -> Ahead:
        """Classify each item, match the relevant ones against the stored queries and work
        out its search-index words (no I/O).

        Copies that turn out to join an existing story are classified for nothing; that is
        the price of not holding the locks while classifying.
        """
        ahead = Ahead()
        topicless = self.subscriptions.wants_topicless
        for item in items:
            verdicts = self.classify(item.title, item.text, item.lang)
            ahead.verdicts[item.item_id] = verdicts
            # Now, while the classifier's folded title and text are in fold_text's cache,
            # and outside the locks (the index is written in the transaction).
            ahead.words[(item.title, item.text)] = search_index.indexed_words(item.title, item.text)
            matches = ahead.matches.setdefault(item.item_id, {})
            for topic, verdict in verdicts.items():
                if verdict.relevant:
                    matches[topic] = self.subscriptions.query_matches(item, verdict, topic)
            if topicless and not matches:
                matches[NO_TOPIC] = self.subscriptions.query_matches(
                    item, topicless_verdict(verdicts), NO_TOPIC
                )
        return ahead

    def handle(
        self, items: Sequence[FeedItem], published_ms: Sequence[int | None] = ()
    ) -> BatchOutcome:
        outcome = BatchOutcome(items=len(items))
        if not items:
            return outcome
        stamps = list(published_ms) or [None] * len(items)
        self.subscriptions.refresh_if_changed(self.engine)
        started = time.perf_counter()
        with connection(self.engine) as conn:
            with conn.begin():  # replays cost a look-up, not a classification
                stored = story_store.processed_item_ids(conn, [item.item_id for item in items])
            ahead = self.prepare([item for item in items if item.item_id not in stored])
            with conn.begin():
                self._store(conn, items, stamps, stored, ahead, outcome)
        log.debug(
            "batch.stored",
            items=outcome.items,
            alerts=outcome.alerts,
            seconds=round(time.perf_counter() - started, 4),
        )
        return outcome

    def _store(
        self,
        conn: Any,
        items: Sequence[FeedItem],
        stamps: list[int | None],
        stored: set[str],
        ahead: Ahead,
        outcome: BatchOutcome,
    ) -> None:
        """The locked transaction: cluster, insert, raise alerts, place them in threads,
        add deliveries, raise the stored counts (each step counted in ``outcome``)."""
        now = self.clock()
        story_store.lock_neighbourhoods(conn, items)
        fresh = self._unprocessed(conn, items, stamps, stored, outcome)
        if not fresh:
            return
        planned = self._cluster(conn, fresh, now)
        old_outlets = self._write_stories(conn, planned, fresh, ahead, now, outcome)
        classified, created = self._raise_alerts(conn, planned, ahead, now)
        placed = self._place_in_threads(conn, classified, created, now, outcome)
        wanted = self._wanted_deliveries(classified, created, ahead, now)
        wanted = self._fold_into_threads(conn, wanted, placed, now, outcome)
        outcome.alerts = sum(len(topics) for topics in created.values())
        outcome.alert_story_ids = sorted(created)
        # Each subscriber once per story: deliveries_for_story keeps one per subscriber,
        # and the deliveries' unique key drops a story they already got under another topic.
        outcome.deliveries = add_deliveries(conn, wanted, now=now)
        # Last: every batch raises the current hour's counts, so they are locked until the
        # commit only, in one order (a deadlock between workers would need two orders).
        trend_counts.keep_added(
            conn,
            {*created, *old_outlets},
            {alert_id for topics in created.values() for alert_id in topics.values()},
            old_outlets,
        )

    def _unprocessed(
        self,
        conn: Any,
        items: Sequence[FeedItem],
        stamps: list[int | None],
        stored: set[str],
        outcome: BatchOutcome,
    ) -> list[tuple[FeedItem, int | None]]:
        """The batch's items not stored yet (each once), with their stamps; replays counted."""
        # Stored items stay stored; only the rest can have been stored since the first
        # look-up (by another worker), and that is checked again under the locks.
        done = stored | story_store.processed_item_ids(
            conn, [item.item_id for item in items if item.item_id not in stored]
        )
        fresh: list[tuple[FeedItem, int | None]] = []
        seen: set[str] = set(done)
        for item, stamp in zip(items, stamps, strict=True):
            if item.item_id in seen:
                outcome.replayed += 1
                continue
            seen.add(item.item_id)
            fresh.append((item, stamp))
        return fresh

    def _write_stories(
        self,
        conn: Any,
        planned: list[PlannedStory],
        fresh: list[tuple[FeedItem, int | None]],
        ahead: Ahead,
        now: datetime,
        outcome: BatchOutcome,
    ) -> dict[int, str]:
        """Insert the new stories (and their search words), update the joined ones, insert
        every copy; return the credited outlets the updates replace."""
        new = [s for s in planned if s.id is None]
        rows = [_story_row(s, now) for s in new]
        ids = story_store.insert_stories(conn, rows)
        for story, story_id in zip(new, ids, strict=True):
            story.id = story_id
        outcome.new_stories = len(new)
        outcome.joined = len(fresh) - len(new)
        # The search index is written with the stories, in this transaction.
        search_index.index_words(
            conn,
            [
                (i, ahead.words_of(row["title"], row["text"]))
                for i, row in zip(ids, rows, strict=True)
            ],
            fresh=True,
        )
        changes = {
            s.id: s.changes for s in planned if s.id is not None and s.changes and s not in new
        }
        # the stored counts' change is written once, last (trend_counts.keep_added)
        old_outlets = story_store.credited_outlets(
            conn, [i for i, c in changes.items() if "credited_outlet" in c]
        )
        story_store.update_stories(conn, changes, now=now)
        search_index.reindex_stories(
            conn, [i for i, c in changes.items() if "title" in c or "text" in c]
        )
        story_store.insert_sources(
            conn,
            [
                _source_row(s.id, item, stamp, now)  # type: ignore[arg-type]
                for s in planned
                for item, stamp in s.copies
            ],
            counted=frozenset(ids),
        )
        return old_outlets

    def _raise_alerts(
        self, conn: Any, planned: list[PlannedStory], ahead: Ahead, now: datetime
    ) -> tuple[list[Classified], dict[int, dict[str, int]]]:
        """Classify the stories that need it and insert one alert per (story, topic) not
        alerted yet; return the classified stories and story id → topic → new alert id."""
        # topic → story id → verdict, for the topics that have not alerted the story yet
        relevant: dict[str, dict[int, Classification]] = {}
        classified: list[Classified] = []
        for story in planned:
            if story.classify_with is None:
                continue
            item = story.classify_with
            verdicts = ahead.verdicts.get(item.item_id)
            if verdicts is None:
                verdicts = self.classify(item.title, item.text, item.lang)
            classified.append((story, item, verdicts))
            for topic, verdict in verdicts.items():
                if verdict.relevant and topic not in story.alerted_topics:
                    relevant.setdefault(topic, {})[story.id] = verdict  # type: ignore[index]
        # One alert per (story, topic): insert_alerts skips pairs already stored.
        created: dict[int, dict[str, int]] = {}
        for topic, verdicts_by_story in relevant.items():
            for story_id, alert_id in story_store.insert_alerts(
                conn, verdicts_by_story, topic, now=now
            ).items():
                created.setdefault(story_id, {})[topic] = alert_id
        return classified, created

    def _place_in_threads(
        self,
        conn: Any,
        classified: list[Classified],
        created: dict[int, dict[str, int]],
        now: datetime,
        outcome: BatchOutcome,
    ) -> Assigned:
        """Alerted stories join their event's thread in this transaction (monitor/threads)."""
        if self.threads is None or not created:
            return Assigned({}, frozenset())
        placed = self.threads.assign(
            conn,
            [
                AlertedStory(
                    story.id,
                    item.title,
                    item.text,
                    item.lang,
                    item.published,
                    verdicts[min(created[story.id])],
                )
                for story, item, verdicts in classified
                if story.id in created
            ],
            now=now,
        )
        outcome.threaded = len(placed.thread_of)
        return placed

    def _wanted_deliveries(
        self,
        classified: list[Classified],
        created: dict[int, dict[str, int]],
        ahead: Ahead,
        now: datetime,
    ) -> list[NewDelivery]:
        """The deliveries the batch's new alerts (and topic-less stories, when a
        subscription follows every story) ask for."""
        wanted: list[NewDelivery] = []
        for story, item, verdicts in classified:
            assert story.id is not None
            new_alerts = created.get(story.id, {})
            views = {topic: (verdicts[topic], alert_id) for topic, alert_id in new_alerts.items()}
            topics = StoryTopics(
                alerting=tuple(t for t in verdicts if t in new_alerts),
                # an earlier batch's alert, or one another worker stored first
                alerted_before=bool(story.alerted_topics)
                or any(v.relevant and t not in new_alerts for t, v in verdicts.items()),
            )
            if not topics.alerting and not topics.alerted_before:
                if not self.subscriptions.wants_topicless:
                    continue
                views[NO_TOPIC] = (topicless_verdict(verdicts), NO_ALERT)
            elif not topics.alerting:
                continue
            wanted += self.subscriptions.deliveries_for_story(
                item,
                views,
                topics,
                story_id=story.id,
                now=now,
                ahead=ahead.matches.get(item.item_id),
            )
        return wanted

    def _fold_into_threads(
        self,
        conn: Any,
        wanted: list[NewDelivery],
        placed: Assigned,
        now: datetime,
        outcome: BatchOutcome,
    ) -> list[NewDelivery]:
        """Immediate deliveries of a thread already alerted within the window fold into
        that alert (``thread_alerts.fold_by_thread``); the windows are recorded."""
        thread_of = placed.thread_of
        if not thread_of or self.thread_window <= timedelta(0):
            return wanted
        folding = fold_by_thread(
            wanted,
            thread_of,
            thread_store.thread_alert_times(
                conn, sorted({thread_of[d.story_id] for d in wanted if d.story_id in thread_of})
            ),
            now=now,
            window=self.thread_window,
            apart=placed.apart,
        )
        thread_store.record_thread_alerts(conn, folding.opened, folding.folded)
        outcome.folded = sum(folding.folded.values())
        return folding.deliveries

    def _cluster(
        self, conn: Any, fresh: list[tuple[FeedItem, int | None]], now: datetime
    ) -> list[PlannedStory]:
        """Look up the stories the fresh items could join, plan (pure), mark alerted ones."""
        since = now - story_store.CANDIDATE_WINDOW
        titles = sorted(
            {
                item.title_key
                for item, _ in fresh
                if len(item.title_key.split()) >= SAME_TITLE_MIN_WORDS
            }
        )
        probes = sorted(
            {
                (key, item.simhash)
                for item, _ in fresh
                if item.simhash
                for key in story_store.band_keys(item.simhash)
            }
        )
        refs = {ref.id: ref for ref in story_store.stories_by_title_keys(conn, titles, since=since)}
        for near in story_store.stories_by_bands(conn, probes, since=since).values():
            refs.update((ref.id, ref) for ref in near)
        planned = plan_clusters(fresh, [_known(refs[i]) for i in sorted(refs)])
        joined = [story.id for story in planned if story.id is not None]
        # A story alerted under a topic keeps the text its alert was raised on; a fuller
        # copy is still classified for the topics that have not alerted it yet.
        mark_alerted(planned, story_store.alert_topics(conn, joined))
        return planned


def _known(ref: story_store.StoryRef) -> KnownStory:
    return KnownStory(
        id=ref.id,
        likeness=likeness(ref.title_key, ref.simhash, ref.opening, ref.published_at),
        credited_outlet=ref.credited_outlet,
        text_len=ref.text_len,
    )


def _story_row(story: PlannedStory, now: datetime) -> dict[str, Any]:
    item = story.first
    return {
        "title": item.title,
        "text": item.text,
        "html": item.html,
        "url": item.url,
        "lang": item.lang,
        "credited_outlet": story.credited_outlet or item.credited_outlet,
        "title_key": item.title_key,
        "simhash": to_signed64(item.simhash),
        "published_at": item.published,
        "first_seen_at": now,
        "updated_at": now,
        "source_count": len(story.copies),
        **story_store.band_columns(item.simhash),
    }


def _source_row(story_id: int, item: FeedItem, stamp: int | None, now: datetime) -> dict[str, Any]:
    return {
        "story_id": story_id,
        "item_id": item.item_id,
        "feed_url": item.feed_url,
        "outlet": item.outlet,
        "original_outlet": item.original_outlet,
        "url": item.url,
        "title": item.title,
        "published_at": item.published,
        "first_seen_at": now,
        "published_ms": stamp,
    }
