"""Which subscriptions want an alert: stored queries via the matcher, then filters.

The index holds every deliverable subscription in memory; stored queries live in one
QueryMatcher, so an alert is checked against the few candidate queries the matcher's
presearch finds instead of every subscriber's query. The index reloads itself when the
subscriptions table changes.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable
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
from monitor.notify.preferences import Vocabulary, check_preferences, input_from_row
from monitor.store.db import transaction
from monitor.store.outbox import NewDelivery
from monitor.store.subscribers import (
    SubscriberRow,
    SubscriptionRow,
    deliverable_subscriptions,
    subscriptions_version,
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


@dataclass(frozen=True, slots=True)
class QueryMatches:
    """Stored-query ids an item matched, and the matcher snapshot that matched them."""

    snapshot: object
    ids: frozenset[int]


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
        self._entries: dict[int, Entry] = {}
        self._policies: dict[int, DeliverySettings] = {}
        self._unconditional: list[int] = []
        self._matcher = QueryMatcher()

    def __len__(self) -> int:
        return len(self._entries)

    def load(self, entries: Iterable[Entry]) -> None:
        matcher = QueryMatcher()
        table: dict[int, Entry] = {}
        policies: dict[int, DeliverySettings] = {}
        unconditional: list[int] = []
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
            if not subscription.query:
                unconditional.append(subscription.id)
                continue
            try:
                matcher.add(str(subscription.id), subscription.query)
            except QueryError as exc:
                # Saved before validation existed, or edited by hand: never matches, says why.
                log.error(
                    "subscription.query_invalid", subscription_id=subscription.id, error=str(exc)
                )
        with self._lock:
            self._entries, self._unconditional, self._matcher = table, unconditional, matcher
            self._policies = policies

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

    def query_matches(self, item: FeedItem, verdict: Classification) -> QueryMatches:
        """The stored queries this item matches, tagged with the index snapshot used.

        This is the costly part of fan-out (building the match document, running the
        matcher) and needs no database, so the worker does it before taking its locks;
        ``matching`` reuses the answer unless the index was reloaded in between.
        """
        with self._lock:
            matcher = self._matcher
        if not len(matcher):
            return QueryMatches(matcher, frozenset())
        found = matcher.match(match_doc(item, verdict))
        return QueryMatches(matcher, frozenset(int(i) for i in found))

    def matching(
        self, item: FeedItem, verdict: Classification, ahead: QueryMatches | None = None
    ) -> list[Entry]:
        return [entry for entry, _ in self._matching(item, verdict, ahead)]

    def _matching(
        self, item: FeedItem, verdict: Classification, ahead: QueryMatches | None
    ) -> list[tuple[Entry, DeliverySettings]]:
        """Matching subscriptions with their delivery settings, from one snapshot of the index
        (a reload in between cannot pair an entry with another generation's settings)."""
        with self._lock:
            entries, policies = self._entries, self._policies
            unconditional, matcher = self._unconditional, self._matcher
        if ahead is None or ahead.snapshot is not matcher:
            ahead = self.query_matches(item, verdict)
        ids = sorted(set(unconditional) | ahead.ids)
        return [
            (entries[i], policies[i])
            for i in ids
            if passes_filters(entries[i][0].filters or {}, item, verdict)
        ]

    def deliveries_for(
        self,
        item: FeedItem,
        verdict: Classification,
        *,
        story_id: int,
        alert_id: int,
        now: datetime,
        ahead: QueryMatches | None = None,
    ) -> list[NewDelivery]:
        """One delivery per subscriber (their lowest-numbered matching subscription)."""
        out: list[NewDelivery] = []
        seen: set[int] = set()
        for (subscription, subscriber), policy in self._matching(item, verdict, ahead):
            if subscriber.id in seen:
                continue
            seen.add(subscriber.id)
            out.append(
                NewDelivery(
                    subscriber_id=subscriber.id,
                    subscription_id=subscription.id,
                    story_id=story_id,
                    alert_id=alert_id,
                    mode=subscription.mode,
                    due_at=_due_at(policy, now),
                )
            )
        return out


@functools.lru_cache(maxsize=4096)
def _due_at(policy: DeliverySettings, now: datetime) -> datetime:
    """When an alert arriving ``now`` is due under ``policy`` (cached: a batch shares one
    clock, and many subscriptions share settings). The daily cap is applied later, by the
    mailer, which knows what was sent today."""
    return decide_delivery(now, policy, 0).send_at
