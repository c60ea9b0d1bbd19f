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

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from monitor.threads.decide import DEFAULT_RULES, Rules, related, same_event
from monitor.threads.facts import StoryFacts

__all__ = ["Thread", "group_stories", "stories_per_thread"]


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


def _keys(facts: StoryFacts) -> set[str]:
    """What two stories must share for the decision to call them one event."""
    return (
        {f"c:{c}" for c in facts.countries}
        | {f"p:{p}" for p in facts.people}
        | {f"t:{t}" for t in facts.terms}
    )


def group_stories(stories: Iterable[StoryFacts], rules: Rules = DEFAULT_RULES) -> list[Thread]:
    """Threads of the stories, in order of their first story."""
    ordered = sorted(stories, key=lambda s: s.day)  # stable: same-day stories keep order
    threads: list[_Open] = []
    index: dict[str, set[int]] = defaultdict(set)
    for story in ordered:
        keys = _keys(story)
        candidates = sorted({t for key in keys for t in index.get(key, ())})
        home = _find(
            story, candidates, threads, rules.window_days, lambda a, b: same_event(a, b, rules).same
        )
        if home is None:
            older = _find(
                story, candidates, threads, rules.related_days, lambda a, b: related(a, b, rules)
            )
            home = len(threads)
            threads.append(_Open(home, [], older))
        threads[home].members.append(story)
        for key in keys:
            index[key].add(home)
    return [t.freeze() for t in threads]


def _find(
    story: StoryFacts,
    candidates: Sequence[int],
    threads: list[_Open],
    horizon: int,
    match: Callable[[StoryFacts, StoryFacts], bool],
) -> int | None:
    """The most recent candidate thread with a member within ``horizon`` days that
    ``match``es the story."""
    for thread_id in reversed(candidates):
        for member in reversed(threads[thread_id].members):
            if abs((story.day - member.day).days) > horizon:
                continue
            if match(story, member):
                return thread_id
    return None


def stories_per_thread(threads: Sequence[Thread]) -> float:
    """How many stories a thread holds on average (what one alert per thread saves)."""
    if not threads:
        return 0.0
    return sum(len(t.story_ids) for t in threads) / len(threads)
