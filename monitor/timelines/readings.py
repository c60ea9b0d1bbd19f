"""One story's timeline as its alerting topics read it (pure).

The cue lists are the same for every topic, but the evidence (which countries, which
sentences name a state) is each topic's, so a story alerted under two topics is read twice.
Of the readings, in the topic set's order, the first that gives an entry of a kind for a
country keeps it, and the first that gives a country a stance keeps that: a story alerted
under both default topics is one line per (country, kind) of the timeline, and an analyst's
correction (keyed by story, country and kind) has one row to apply to. The timeline rows
(``rows.timeline_rows``) and the evaluation (``measure.measure_timelines``) both read a
story this way.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.timelines.model import Stance, StoryTimeline, TimelineEntry

STANCE_KIND = "stance"  # a stance takes one slot per country, beside the entries' kinds


def first_of_each_kind(
    readings: Sequence[tuple[str, StoryTimeline]],
) -> list[tuple[str, TimelineEntry | Stance]]:
    """(topic id, entry or stance) kept from ``(topic id, timeline)`` readings, in order:
    per (country, kind), and per country's stance, the first reading's."""
    taken: set[tuple[str, str]] = set()
    kept: list[tuple[str, TimelineEntry | Stance]] = []
    for topic_id, timeline in readings:
        found: list[tuple[tuple[str, str], TimelineEntry | Stance]] = [
            ((entry.country, entry.kind), entry) for entry in timeline.entries
        ]
        found += [((stance.country, STANCE_KIND), stance) for stance in timeline.stances]
        for key, item in found:
            if key not in taken:
                taken.add(key)
                kept.append((topic_id, item))
    return kept


def merged_timeline(readings: Sequence[tuple[str, StoryTimeline]]) -> StoryTimeline:
    """The story's timeline from every reading, the first of each kind kept."""
    kept = [item for _, item in first_of_each_kind(readings)]
    return StoryTimeline(
        tuple(item for item in kept if isinstance(item, TimelineEntry)),
        tuple(item for item in kept if isinstance(item, Stance)),
    )
