"""Which subscriptions want a story: stored queries via the matcher, then filters.

The index holds every deliverable subscription in memory; stored queries live in one
QueryMatcher per topic choice (a topic slug, or ``all``), so a story is checked against
the few candidate queries the matcher's presearch finds among the subscriptions that can
see it, instead of every subscriber's query. Which view of the story a subscription gets
(which topic's alert, or none) is decided by ``monitor.subscriptions.topic_choice``. The index
reloads itself when the subscriptions table changes.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from monitor.errors import QueryError
from monitor.logs import get_logger
from monitor.matching.matcher import QueryMatcher
from monitor.matching.query import MatchDoc
from monitor.models import Classification, FeedItem
from monitor.notify.policy import DeliverySettings, decide_delivery
from monitor.store.db import transaction
from monitor.store.outbox import NewDelivery
from monitor.store.subscribers import (
    SubscriberRow,
    SubscriptionRow,
    deliverable_subscriptions,
    subscriptions_version,
)
from monitor.subscriptions.preferences import Vocabulary, check_preferences, input_from_row
from monitor.subscriptions.topic_choice import (
    ALL_TOPICS,
    StoryTopics,
    delivery_view,
    one_per_subscriber,
)

log = get_logger(__name__)

Entry = tuple[SubscriptionRow, SubscriberRow]


def passes_filters(filters: dict[str, Any], item: FeedItem, verdict: Classification) -> bool:
    """Subscription filters: every given list must intersect; min_score must be reached."""
    countries = filters.get("countries") or []
    if countries and not set(countries) & set(verdict.countries):
        return False
    categories = filters.get("categories") or []
    if categories and verdict.category not in categories:
        return False
    languages = filters.get("languages") or []
    if languages and (verdict.lang or item.lang) not in languages:
        return False
    outlets = [o.casefold() for o in filters.get("outlets") or []]
    if outlets and not {item.outlet.casefold(), item.credited_outlet.casefold()} & set(outlets):
        return False
    return float(filters.get("min_score") or 0.0) <= verdict.score


def match_doc(item: FeedItem, verdict: Classification) -> MatchDoc:
    site = urlsplit(item.url).hostname or "" if item.url else ""
    return MatchDoc(
        title=item.title,
        text=item.text,
        outlet=" / ".join(o for o in {item.outlet, item.credited_outlet} if o),
        site=site.removeprefix("www."),
        lang=verdict.lang or item.lang,
        countries=verdict.countries,
        category=verdict.category,
    )


def topicless_verdict(verdicts: Mapping[str, Classification]) -> Classification:
    """The :data:`NO_TOPIC` view of a story no topic alerted: the countries any topic's
    gazetteer found, the language a topic settled on, no category, score 0."""
    countries: dict[str, None] = {}
    lang = None
    for verdict in verdicts.values():
        countries.update(dict.fromkeys(verdict.countries))
        lang = lang or verdict.lang
    return Classification(False, 0.0, None, tuple(countries), lang)


@dataclass(frozen=True, slots=True)
class QueryMatches:
    """Stored-query ids an item matched under one view, and the index snapshot used."""

    snapshot: object
    ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """One generation of the index: replaced whole, so readers never mix generations."""

    entries: dict[int, Entry]
    policies: dict[int, DeliverySettings]
    by_choice: dict[str, tuple[int, ...]]  # topic slug or "all" → subscription ids
    unconditional: frozenset[int]  # no query: the filters alone decide
    matchers: dict[str, QueryMatcher]  # topic slug or "all" → that choice's stored queries


_EMPTY = _Snapshot({}, {}, {}, frozenset(), {})


class SubscriptionIndex:
    """In-memory index of deliverable subscriptions, reloaded when the table changes."""

    def __init__(
        self,
        *,
        recheck_seconds: float = 2.0,
        vocabulary: Vocabulary | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._vocabulary = vocabulary or Vocabulary()
        self._recheck = recheck_seconds
        self._clock = clock
        # Never checked: the first refresh always loads. (A 0.0 here once meant "checked at
        # boot", and a machine up for less than recheck_seconds started with no subscribers.)
        self._checked_at: float | None = None
        self._version: object = None
        self._snapshot = _EMPTY

    def __len__(self) -> int:
        return len(self._snapshot.entries)

    @property
    def wants_topicless(self) -> bool:
        """Whether any ``all`` subscription exists (only they see stories no topic alerted)."""
        return bool(self._snapshot.by_choice.get(ALL_TOPICS))

    def load(self, entries: Iterable[Entry]) -> None:
        matchers: dict[str, QueryMatcher] = {}
        table: dict[int, Entry] = {}
        policies: dict[int, DeliverySettings] = {}
        by_choice: dict[str, list[int]] = {}
        unconditional: set[int] = set()
        for subscription, subscriber in entries:
            # The same check as at entry (CLI, import, preferences page): a row that fails
            # it was stored before the check existed or edited by hand.
            checked = check_preferences(
                input_from_row(subscription, subscriber), self._vocabulary, advice=False
            )
            if isinstance(checked, list):
                log.error(
                    "subscription.settings_invalid",
                    subscription_id=subscription.id,
                    subscriber_id=subscriber.id,
                    problems=[str(problem) for problem in checked],
                )
                continue
            policies[subscription.id] = checked.delivery_settings()
            table[subscription.id] = (subscription, subscriber)
            by_choice.setdefault(checked.topic, []).append(subscription.id)
            if not subscription.query:
                unconditional.add(subscription.id)
                continue
            try:
                matchers.setdefault(checked.topic, QueryMatcher()).add(
                    str(subscription.id), subscription.query
                )
            except QueryError as exc:
                # Saved before validation existed, or edited by hand: never matches, says why.
                log.error(
                    "subscription.query_invalid", subscription_id=subscription.id, error=str(exc)
                )
        snapshot = _Snapshot(
            table,
            policies,
            {choice: tuple(ids) for choice, ids in by_choice.items()},
            frozenset(unconditional),
            matchers,
        )
        with self._lock:
            self._snapshot = snapshot

    def refresh_if_changed(self, engine: Engine, *, force: bool = False) -> None:
        now = self._clock()
        if not force and self._checked_at is not None and now - self._checked_at < self._recheck:
            return
        self._checked_at = now
        with transaction(engine) as conn:
            version = subscriptions_version(conn)
            if version == self._version and not force:
                return
            entries = deliverable_subscriptions(conn)
        self.load(entries)
        self._version = version
        log.info("subscriptions.loaded", count=len(entries))

    def query_matches(self, item: FeedItem, verdict: Classification, view: str) -> QueryMatches:
        """The stored queries this item matches under ``view`` (a topic slug: that topic's
        subscriptions and the ``all`` ones; :data:`NO_TOPIC`: the ``all`` ones), tagged with
        the index snapshot used.

        This is the costly part of fan-out (building the match document, running the
        matcher) and needs no database, so the worker does it before taking its locks;
        ``deliveries_for_story`` reuses the answer unless the index was reloaded between.
        """
        with self._lock:
            snapshot = self._snapshot
        return QueryMatches(snapshot, _matched(snapshot, item, verdict, view))

    def matching(self, item: FeedItem, verdict: Classification, view: str) -> list[Entry]:
        """The subscriptions that want the story as ``view`` shows it (``verdict``), if the
        story has just that view (a backfill replays one stored alert at a time)."""
        snapshot = self._snapshot
        story = StoryTopics(alerting=(view,) if view else (), alerted_before=False)
        ids = _matched(snapshot, item, verdict, view)
        out = []
        for choice in (view, ALL_TOPICS) if view else (ALL_TOPICS,):
            for sid in snapshot.by_choice.get(choice, ()):
                subscription = snapshot.entries[sid][0]

                def passes(seen: str, sid: int = sid) -> bool:
                    return (sid in snapshot.unconditional or sid in ids) and passes_filters(
                        snapshot.entries[sid][0].filters or {}, item, verdict
                    )

                if delivery_view(subscription.topic, story, passes) is not None:
                    out.append(snapshot.entries[sid])
        return sorted(out, key=lambda entry: entry[0].id)

    def deliveries_for_story(
        self,
        item: FeedItem,
        views: Mapping[str, tuple[Classification, int]],
        story: StoryTopics,
        *,
        story_id: int,
        now: datetime,
        ahead: Mapping[str, QueryMatches] | None = None,
    ) -> list[NewDelivery]:
        """One delivery per subscriber for one story, decided by :func:`delivery_view`.

        ``views`` maps each view the story has now (a topic alerting it, or
        :data:`NO_TOPIC`) to that view's verdict and alert id; ``ahead`` holds the query
        matches worked out before the transaction, by view.
        """
        with self._lock:
            snapshot = self._snapshot
        ahead = ahead or {}
        matched: dict[str, frozenset[int]] = {}

        def ids_under(view: str) -> frozenset[int]:
            if view not in matched:
                found = ahead.get(view)
                if found is None or found.snapshot is not snapshot:
                    found = QueryMatches(
                        snapshot, _matched(snapshot, item, views[view][0], view)
                    )
                matched[view] = found.ids
            return matched[view]

        wanted: list[tuple[int, int, NewDelivery]] = []
        for choice in (*story.alerting, ALL_TOPICS):
            for sid in snapshot.by_choice.get(choice, ()):
                subscription, subscriber = snapshot.entries[sid]

                def passes(view: str, sid: int = sid) -> bool:
                    return (
                        sid in snapshot.unconditional or sid in ids_under(view)
                    ) and passes_filters(
                        snapshot.entries[sid][0].filters or {}, item, views[view][0]
                    )

                view = delivery_view(subscription.topic, story, passes)
                if view is None:
                    continue
                delivery = NewDelivery(
                    subscriber_id=subscriber.id,
                    subscription_id=sid,
                    story_id=story_id,
                    alert_id=views[view][1],
                    mode=subscription.mode,
                    due_at=_due_at(snapshot.policies[sid], now),
                )
                wanted.append((subscriber.id, sid, delivery))
        return one_per_subscriber(wanted)


def _matched(
    snapshot: _Snapshot, item: FeedItem, verdict: Classification, view: str
) -> frozenset[int]:
    """Ids of the stored queries of the subscriptions that may see ``view`` which match."""
    matchers = [
        snapshot.matchers[choice]
        for choice in ((view, ALL_TOPICS) if view else (ALL_TOPICS,))
        if len(snapshot.matchers.get(choice, ()))
    ]
    if not matchers:
        return frozenset()
    doc = match_doc(item, verdict)
    return frozenset(int(i) for matcher in matchers for i in matcher.match(doc))


@functools.lru_cache(maxsize=4096)
def _due_at(policy: DeliverySettings, now: datetime) -> datetime:
    """When an alert arriving ``now`` is due under ``policy`` (cached: a batch shares one
    clock, and many subscriptions share settings). The daily cap is applied later, by the
    mailer, which knows what was sent today."""
    return decide_delivery(now, policy, 0).send_at
