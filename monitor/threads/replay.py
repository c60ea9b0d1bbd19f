"""What threads would cost an immediate subscriber on a labeled set: events with no alert.

A labeled set's stories are placed in threads as one stream, in day order (``ThreadBook``,
as the worker places them), and one immediate subscriber who follows everything is alerted
of every story that does not fold into its thread's alert. An event is **lost** when every
one of its stories folded into another event's alert: a false join made it invisible. The
fold window is taken as the thread's whole span, the worst case (a real window of
``MONITOR_THREAD_ALERT_HOURS`` folds fewer).

The events are the labeled pairs' own: stories linked by ``same_event`` pairs, taken
together, are one event (a set lists every pair inside an event, so these are exact), and
a story in no such pair is an event of its own. Two fold policies are replayed: the
shipped one (``thread_alerts.grouped_with_thread``: a thread's same-day reports fold) and
folding every join (before migration 0025), for comparison. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from monitor.notify.thread_alerts import grouped_with_thread
from monitor.threads.decide import DEFAULT_RULES, Rules
from monitor.threads.facts import StoryFacts
from monitor.threads.group import Placement, ThreadBook

__all__ = ["AlertReplay", "FoldOutcome", "events_of", "replay_alerts"]


@dataclass(frozen=True, slots=True)
class FoldOutcome:
    """One fold policy on the stream: alerts sent, and the events that got none (each
    named by its first story id)."""

    alerts: int
    lost: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlertReplay:
    """The stream's stories and events, and each policy's outcome."""

    stories: int
    events: int
    shipped: FoldOutcome
    every_join: FoldOutcome


def events_of(story_ids: Iterable[str], same_pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """story id → its event (the smallest story id of the stories the pairs link it to)."""
    parent = {story: story for story in story_ids}

    def root(story: str) -> str:
        while parent[story] != story:
            parent[story] = parent[parent[story]]
            story = parent[story]
        return story

    for a, b in same_pairs:
        first, second = sorted((root(a), root(b)))
        parent[second] = first
    return {story: root(story) for story in parent}


def replay_alerts(
    facts: Mapping[str, StoryFacts],
    event_of: Mapping[str, str],
    rules: Rules = DEFAULT_RULES,
) -> AlertReplay:
    """Place the stories of ``event_of`` as one stream and count what each policy sends."""
    book = ThreadBook(rules)
    stream = sorted((facts[s] for s in event_of), key=lambda f: f.day)  # stable by day
    placements = [book.place(story) for story in stream]

    def outcome(folds: Callable[[Placement], bool]) -> FoldOutcome:
        sent = [p for p in placements if not folds(p)]
        heard = {event_of[p.story_id] for p in sent}
        lost = sorted({event_of[p.story_id] for p in placements} - heard)
        return FoldOutcome(len(sent), tuple(lost))

    return AlertReplay(
        stories=len(placements),
        events=len(set(event_of.values())),
        shipped=outcome(lambda p: not p.new and grouped_with_thread(p.new, p.matched_days)),
        every_join=outcome(lambda p: not p.new),
    )
