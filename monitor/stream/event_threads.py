"""The worker's thread assignment: alerted stories into event threads, inside the batch's
transaction (issue 19, docs/threads.md).

Only stories that got an alert in this batch and have no thread yet are placed; a story is
placed once (``story_threads`` is keyed by story), so a replayed batch, which stores
nothing new, places nothing, and a batch rolled back after kill -9 leaves no thread
behind. The shell takes the thread lock, reads the stored stories of the time window
(thread ids and days from an index; their facts from a bounded in-process cache, else from
the rows: facts never change once stored), seeds a :class:`~monitor.threads.group.ThreadBook`
with them and lets it decide (pure), then writes the new threads, the placements and the
grown threads.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.models import Classification
from monitor.notify.thread_alerts import grouped_with_thread
from monitor.store import threads as thread_store
from monitor.threads.decide import DEFAULT_RULES, Rules
from monitor.threads.facts import StoryFacts
from monitor.threads.group import Placement, ThreadBook, story_keys
from monitor.threads.stored import alert_facts, from_data, to_data

# Stored facts kept in memory; a month of alerted stories at a busy feed fits many times.
FACTS_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class AlertedStory:
    """A story that got an alert in this batch, with the verdict its facts come from."""

    story_id: int
    title: str
    text: str
    lang: str | None
    published: datetime
    verdict: Classification


@dataclass(frozen=True, slots=True)
class Assigned:
    """A batch's placements: story id → thread id for every alerted story of the batch,
    and the stories among them not grouped with their thread (alerted on their own)."""

    thread_of: dict[int, int]
    apart: frozenset[int]


class ThreadAssigner:
    """Places alerted stories in threads; one per worker (the cache is its only state)."""

    def __init__(self, rules: Rules = DEFAULT_RULES) -> None:
        self.rules = rules
        self._facts: dict[int, StoryFacts] = {}
        self._lock = threading.Lock()

    def assign(self, conn: Any, alerted: Sequence[AlertedStory], *, now: datetime) -> Assigned:
        """Place the batch's alerted stories (each with whether it is grouped with its
        thread, ``grouped_with_thread``); return where every one of them is."""
        if not alerted:
            return Assigned({}, frozenset())
        thread_store.lock_threads(conn)
        ids = [story.story_id for story in alerted]
        # Stories placed by an earlier batch (a second topic's alert) keep their placement.
        placed = thread_store.placements(conn, ids)
        fresh = sorted(
            (
                alert_facts(s.story_id, s.title, s.text, s.lang, s.published, s.verdict)
                for s in alerted
                if s.story_id not in placed
            ),
            key=lambda facts: (facts.day, int(facts.story_id)),
        )
        result = {story_id: thread_id for story_id, (thread_id, _) in placed.items()}
        apart = {story_id for story_id, (_, grouped) in placed.items() if not grouped}
        if not fresh:
            return Assigned(result, frozenset(apart))
        book = self._seeded_book(conn, fresh)
        placements = [book.place(facts) for facts in fresh]
        stored, stored_apart = self._store_placements(conn, placements, fresh, now)
        return Assigned({**result, **stored}, frozenset(apart | stored_apart))

    def _store_placements(
        self, conn: Any, placements: Sequence[Placement], fresh: Sequence[StoryFacts], now: datetime
    ) -> tuple[dict[int, int], set[int]]:
        """Write the book's placements: new threads (provisional ids swapped for the
        database's), the stories' rows, the grown threads; story id → thread id, and the
        stories not grouped with their thread."""
        result: dict[int, int] = {}
        apart: set[int] = set()
        by_story = {facts.story_id: facts for facts in fresh}
        real: dict[int, int] = {}  # provisional id → database id
        grown: dict[int, list[StoryFacts]] = {}
        rows: list[dict[str, Any]] = []
        for placement in placements:
            facts = by_story[placement.story_id]
            if placement.new:
                follows = placement.follows
                if follows is not None and follows < 0:
                    follows = real[follows]
                real[placement.thread_id] = thread_store.insert_thread(
                    conn,
                    {
                        "category": facts.category,
                        "countries": sorted(facts.countries),
                        "actors": sorted(facts.people),
                        "first_day": facts.day,
                        "last_day": facts.day,
                        "story_count": 1,
                        "follows_id": follows,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
                thread_id = real[placement.thread_id]
            else:
                thread_id = real.get(placement.thread_id, placement.thread_id)
                grown.setdefault(thread_id, []).append(facts)
            with_thread = grouped_with_thread(placement.new, placement.matched_days)
            rows.append(
                {
                    "story_id": int(placement.story_id),
                    "thread_id": thread_id,
                    "day": facts.day,
                    "rule": placement.rule,
                    "facts": to_data(facts),
                    "created_at": now,
                    "matched_days": placement.matched_days,
                    "grouped": with_thread,
                }
            )
            result[int(placement.story_id)] = thread_id
            if not with_thread:
                apart.add(int(placement.story_id))
        thread_store.add_placements(conn, rows)
        thread_store.grow_threads(
            conn,
            [
                thread_store.ThreadGrowth(
                    thread_id=thread_id,
                    stories_added=len(added),
                    first_day=min(f.day for f in added),
                    last_day=max(f.day for f in added),
                    countries=frozenset().union(*(f.countries for f in added)),
                    actors=frozenset().union(*(f.people for f in added)),
                )
                for thread_id, added in sorted(grown.items())
            ],
            now=now,
        )
        # Cached only now: a rolled-back batch may leave them cached, which is harmless
        # (facts are a function of the story) but they are not members until stored.
        with self._lock:
            if len(self._facts) > FACTS_CACHE_LIMIT:
                self._facts.clear()
            for row in rows:
                self._facts[row["story_id"]] = by_story[str(row["story_id"])]
        return result, apart

    def _seeded_book(self, conn: Any, fresh: Sequence[StoryFacts]) -> ThreadBook:
        """A book holding the stored threads of the batch's time window that share a key
        with one of its stories (the others could not be candidates: the same decisions,
        less seeding). ``fresh`` is in day order."""
        horizon = timedelta(days=max(self.rules.window_days, self.rules.related_days))
        members = thread_store.window_members(conn, fresh[0].day - horizon, fresh[-1].day + horizon)
        book = ThreadBook(self.rules, next_id=-1, step=-1)  # provisional ids are negative
        wanted = frozenset().union(*(story_keys(facts) for facts in fresh))
        stored = self._member_facts(conn, members)
        useful = {t for _, t, facts in stored if not story_keys(facts).isdisjoint(wanted)}
        for _story_id, thread_id, facts in stored:
            if thread_id in useful:
                book.seed(thread_id, facts)
        return book

    def _member_facts(
        self, conn: Any, members: list[tuple[int, int, Any]]
    ) -> list[tuple[int, int, StoryFacts]]:
        """The window's stored members with their facts (cached, else read)."""
        with self._lock:
            known = {s: self._facts[s] for s, _, _ in members if s in self._facts}
        missing = [s for s, _, _ in members if s not in known]
        if missing:
            days = {s: d for s, _, d in members}
            loaded = {
                s: from_data(s, days[s], data)
                for s, data in thread_store.member_facts(conn, missing).items()
            }
            known.update(loaded)
            with self._lock:
                if len(self._facts) > FACTS_CACHE_LIMIT:
                    self._facts.clear()
                self._facts.update(loaded)
        return [(s, t, known[s]) for s, t, _ in members if s in known]
