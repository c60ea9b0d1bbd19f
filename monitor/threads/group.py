"""Threads from a time-ordered stream of stories: one thread per real-world event.

``group_stories`` reads stories in order (by day, then as given). A story joins the
active thread (a story of it within ``Rules.window_days``) that holds a story reporting
the same event (``decide.same_event``); otherwise it starts a new thread. A new thread
that is a development of an older one (``decide.related``: a country and the event type
in common within ``Rules.related_days``: a second meeting, a reply) records the older thread as
the one it ``follows``, so a reader sees the link instead of one swallowed story.

Candidates are limited twice: by time (threads whose last story is older than the window
are closed to joining) and by shared keys (an actor, a multilateral body or a distinctive
term), looked up in an index, so the pairwise decision runs on few pairs. Pure.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from monitor.threads.decide import DEFAULT_RULES, Rules, related, same_event
from monitor.threads.facts import StoryFacts

__all__ = [
    "Placement",
    "Thread",
    "ThreadBook",
    "group_stories",
    "stories_per_thread",
    "story_keys",
]


@dataclass(frozen=True, slots=True)
class Thread:
    """One event: its stories in arrival order, its actors, type and dates, and the older
    thread it develops (``follows``), if any."""

    thread_id: int
    story_ids: tuple[str, ...]
    countries: tuple[str, ...]
    category: str | None
    first_day: date
    last_day: date
    follows: int | None


@dataclass(slots=True)
class _Open:
    """A thread while the stream is read (mutable inside ``group_stories`` only)."""

    thread_id: int
    members: list[StoryFacts]
    follows: int | None

    def freeze(self) -> Thread:
        countries: dict[str, None] = {}
        for member in self.members:
            for code in sorted(member.countries):
                countries.setdefault(code, None)
        return Thread(
            thread_id=self.thread_id,
            story_ids=tuple(m.story_id for m in self.members),
            countries=tuple(countries),
            category=self.members[0].category,
            first_day=min(m.day for m in self.members),
            last_day=max(m.day for m in self.members),
            follows=self.follows,
        )


@functools.lru_cache(maxsize=65_536)
def story_keys(facts: StoryFacts) -> frozenset[str]:
    """What two stories must share for the decision to call them one event (cached: the
    worker seeds the window's stored stories every batch)."""
    return frozenset(
        {f"c:{c}" for c in facts.countries}
        | {f"p:{p}" for p in facts.people}
        | {f"t:{t}" for t in facts.terms}
    )


@dataclass(frozen=True, slots=True)
class Placement:
    """Where :meth:`ThreadBook.place` put one story: its thread (an id the book was seeded
    with, or a new one the book numbered), whether that thread is new, the rule that joined
    it ("new" for a founder), for a new thread the older thread it ``follows``, and for a
    joined one how many days lie between the story and the report it matched."""

    story_id: str
    thread_id: int
    new: bool
    rule: str
    follows: int | None
    matched_days: int | None = None


class ThreadBook:
    """Open threads and their shared-key index, grown one story at a time.

    ``group_stories`` fills one from nothing; the worker seeds one with the stored stories
    of the window (:meth:`seed`, thread ids from the database, oldest thread first) and
    places its batch's alerted stories, so both make the same decision the same way. New
    threads get ids from ``next_id`` upward (the worker passes negative provisional ids
    and swaps them for database ids after inserting). Pure.
    """

    def __init__(self, rules: Rules = DEFAULT_RULES, *, next_id: int = 0, step: int = 1) -> None:
        self.rules = rules
        self._threads: list[_Open] = []
        self._position: dict[int, int] = {}  # thread id → position (creation order)
        self._index: dict[str, set[int]] = defaultdict(set)  # key → positions
        self._next_id = next_id
        self._step = step

    def seed(self, thread_id: int, story: StoryFacts, follows: int | None = None) -> None:
        """Add a stored story to its stored thread (threads must come oldest first)."""
        position = self._position.get(thread_id)
        if position is None:
            position = len(self._threads)
            self._position[thread_id] = position
            self._threads.append(_Open(thread_id, [], follows))
        self._add(position, story)

    def place(self, story: StoryFacts) -> Placement:
        """Put a new story in the thread of its event, or in a new thread."""
        shared: Counter[int] = Counter(
            p for key in story_keys(story) for p in self._index.get(key, ())
        )
        # Fewest shared keys first, then oldest: ``_find`` reads from the end, so the thread
        # sharing most with the story (its event's, as a rule) is compared first.
        candidates = sorted(shared, key=lambda p: (shared[p], p))
        rule: list[str] = []

        def joins(a: StoryFacts, b: StoryFacts) -> bool:
            decision = same_event(a, b, self.rules)
            if decision.same:
                rule.append(decision.rule)
            return decision.same

        home = _find(
            story,
            candidates,
            self._threads,
            self.rules.window_days,
            joins,
            self.rules.compared_members,
        )
        if home is not None:
            position, matched = home
            self._add(position, story)
            thread = self._threads[position]
            days = abs((story.day - matched.day).days)
            return Placement(story.story_id, thread.thread_id, False, rule[0], None, days)
        older = _find(
            story,
            candidates,
            self._threads,
            self.rules.related_days,
            lambda a, b: related(a, b, self.rules),
            self.rules.compared_members,
        )
        follows = None if older is None else self._threads[older[0]].thread_id
        thread_id = self._next_id
        self._next_id += self._step
        self._position[thread_id] = len(self._threads)
        self._threads.append(_Open(thread_id, [], follows))
        self._add(len(self._threads) - 1, story)
        return Placement(story.story_id, thread_id, True, "new", follows)

    def threads(self) -> list[Thread]:
        """Every thread of the book, in order of creation."""
        return [t.freeze() for t in self._threads]

    def _add(self, position: int, story: StoryFacts) -> None:
        self._threads[position].members.append(story)
        for key in story_keys(story):
            self._index[key].add(position)


def group_stories(stories: Iterable[StoryFacts], rules: Rules = DEFAULT_RULES) -> list[Thread]:
    """Threads of the stories, in order of their first story."""
    book = ThreadBook(rules)
    for story in sorted(stories, key=lambda s: s.day):  # stable: same-day stories keep order
        book.place(story)
    return book.threads()


def _find(
    story: StoryFacts,
    candidates: Sequence[int],
    threads: list[_Open],
    horizon: int,
    match: Callable[[StoryFacts, StoryFacts], bool],
    compared: int,
) -> tuple[int, StoryFacts] | None:
    """The position of the most recent candidate thread with a member within ``horizon``
    days that ``match``es the story, and that member (of each thread, the latest
    ``compared`` members within the horizon are compared)."""
    for position in reversed(candidates):
        budget = compared
        for member in reversed(threads[position].members):
            if abs((story.day - member.day).days) > horizon:
                continue
            if match(story, member):
                return position, member
            budget -= 1
            if budget <= 0:
                break
    return None


def stories_per_thread(threads: Sequence[Thread]) -> float:
    """How many stories a thread holds on average (what one alert per thread saves)."""
    if not threads:
        return 0.0
    return sum(len(t.story_ids) for t in threads) / len(threads)
