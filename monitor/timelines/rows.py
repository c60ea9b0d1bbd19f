"""Turn stored alerted stories into one country's timeline rows (pure).

Each story is classified again with the topics in force: the evidence offsets then index
the text as it is stored now (a later copy can replace a story's text), and the rows follow
the topics and cue lists in force.

Which topics (``timeline_topics``): the cue lists are the same for every topic, but the
evidence (which countries, which sentences name a state) is each topic's. A story is read
with each loaded topic whose alert on it names the country, in the topic set's order
(file-name order); a topic no longer loaded is skipped. One row per (story, kind) and one
stance per story: the first topic that gives one wins (``readings.first_of_each_kind``).
Each row names the topic it was read with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from monitor.errors import InputError, Problem
from monitor.matching.classifier import classify
from monitor.matching.text import fold
from monitor.matching.topic import Topic
from monitor.timelines.cues import TimelineCues
from monitor.timelines.export import TimelineRow
from monitor.timelines.extract import extract_timeline
from monitor.timelines.model import StoryText, StoryTimeline, TimelineEntry
from monitor.timelines.readings import STANCE_KIND, first_of_each_kind


@dataclass(frozen=True, slots=True)
class StoredStory:
    """The columns of an alerted story the timeline reads."""

    story_id: int
    title: str
    text: str
    url: str | None
    lang: str | None
    outlet: str
    published_at: datetime
    topics: tuple[str, ...] = ()  # the topics whose alert on it names the country


def country_stories(stories: Iterable[Any], country: str) -> list[StoredStory]:
    """The stored alerted stories (``store.stories.alerted_stories``) with an alert naming
    ``country``, with the topics of those alerts."""
    found: list[StoredStory] = []
    for story in stories:
        topics = tuple(row.topic for row in story.alerts if country in (row.countries or ()))
        if topics:
            found.append(
                StoredStory(
                    story.id,
                    story.title,
                    story.text,
                    story.url,
                    story.lang,
                    story.credited_outlet,
                    story.published_at,
                    topics,
                )
            )
    return found


def timeline_topics(loaded: Sequence[Topic], alerted: Iterable[str]) -> list[Topic]:
    """The topics a story's timeline is read with: the loaded ones among those that
    ``alerted`` it about the country, in the loaded (topic set's) order."""
    wanted = set(alerted)
    return [topic for topic in loaded if topic.topic_id in wanted]


def resolve_country(country: str, names: Mapping[str, str]) -> str:
    """An ISO code from a code or a name of the topic's gazetteer ("br", "Brazil")."""
    wanted = fold(country).strip()
    for code, label in names.items():
        if wanted in (code.lower(), fold(label).strip()):
            return code
    known = ", ".join(f"{code} ({label})" for code, label in sorted(names.items()))
    raise InputError(f"unknown country {country!r}", [Problem("COUNTRY", f"give one of: {known}")])


def timeline_rows(
    topics: Sequence[Topic],
    cues: TimelineCues,
    stories: Iterable[StoredStory],
    country: str,
    start: date,
    end: date,
) -> list[TimelineRow]:
    """The country's entries and stances from stories published in [start, end], oldest
    first; each story read with its ``timeline_topics``, the first topic giving an entry
    of a kind (or a stance) keeping it."""
    rows: list[TimelineRow] = []
    for story in stories:
        day = story.published_at.date()
        if not start <= day <= end:
            continue
        readings = _readings(timeline_topics(topics, story.topics), cues, story, country, day)
        for topic_id, item in first_of_each_kind(readings):
            if item.country != country:
                continue
            if isinstance(item, TimelineEntry):
                rows.append(
                    _row(
                        story,
                        day,
                        country,
                        item.kind,
                        item.value,
                        item.actors,
                        item.counterpart,
                        item.quote.sentence,
                        topic_id,
                        why=reasons(item),
                    )
                )
            else:
                rows.append(
                    _row(
                        story,
                        day,
                        country,
                        STANCE_KIND,
                        item.stance,
                        (),
                        "",
                        item.quote.sentence,
                        topic_id,
                    )
                )
    rows.sort(key=lambda row: (row.day, int(row.story_id)))
    return rows


def _readings(
    topics: Sequence[Topic], cues: TimelineCues, story: StoredStory, country: str, day: date
) -> list[tuple[str, StoryTimeline]]:
    """The story as each topic reads it, for the topics whose verdict names ``country``."""
    readings: list[tuple[str, StoryTimeline]] = []
    text = StoryText(str(story.story_id), story.title, story.text, day.isoformat())
    for topic in topics:
        verdict = classify(topic, story.title, story.text, story.lang)
        if country in verdict.countries:
            readings.append((topic.topic_id, extract_timeline(cues, text, verdict)))
    return readings


def _row(
    story: StoredStory,
    day: date,
    country: str,
    kind: str,
    value: str | None,
    actors: tuple[str, ...],
    counterpart: str,
    quote: str,
    topic: str,
    why: str = "",
) -> TimelineRow:
    return TimelineRow(
        day=day,
        country=country,
        kind=kind,
        value=value,
        actors=actors,
        counterpart=counterpart,
        story_id=str(story.story_id),
        title=story.title,
        outlet=story.outlet,
        url=story.url,
        quote=quote,
        topic=topic,
        why=why,
    )


def reasons(entry: TimelineEntry) -> str:
    """The precision filter's probability and the features that carried it, as one cell
    ("0.94: distance +0.45, counterpart_clause +0.34"); empty when no filter judged it."""
    if entry.confidence is None:
        return ""
    return f"{entry.confidence:.2f}: " + ", ".join(entry.why)
