"""Turn stored alerted stories into one country's timeline rows (pure).

Each story is classified again with the current topic: the evidence offsets then index
the text as it is stored now (a later copy can replace a story's text), and the rows follow
the topic and cue lists in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from monitor.timelines.model import StoryText


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


def country_stories(rows: Iterable[Any], country: str) -> list[StoredStory]:
    """The stored alerted stories (``alerted_stories_since`` rows) whose alert names
    ``country``, each once: a story alerted under two topics has two alert rows."""
    found: dict[int, StoredStory] = {}
    for row in rows:
        if country in (row.countries or []) and row.id not in found:
            found[row.id] = StoredStory(
                row.id,
                row.title,
                row.text,
                row.url,
                row.lang,
                row.credited_outlet,
                row.published_at,
            )
    return list(found.values())


def resolve_country(country: str, names: Mapping[str, str]) -> str:
    """An ISO code from a code or a name of the topic's gazetteer ("br", "Brazil")."""
    wanted = fold(country).strip()
    for code, label in names.items():
        if wanted in (code.lower(), fold(label).strip()):
            return code
    known = ", ".join(f"{code} ({label})" for code, label in sorted(names.items()))
    raise InputError(f"unknown country {country!r}", [Problem("COUNTRY", f"give one of: {known}")])


def timeline_rows(
    topic: Topic,
    cues: TimelineCues,
    stories: Iterable[StoredStory],
    country: str,
    start: date,
    end: date,
) -> list[TimelineRow]:
    """The country's entries and stances from stories published in [start, end], oldest
    first."""
    rows: list[TimelineRow] = []
    for story in stories:
        day = story.published_at.date()
        if not start <= day <= end:
            continue
        verdict = classify(topic, story.title, story.text, story.lang)
        if country not in verdict.countries:
            continue
        sid = str(story.story_id)
        timeline = extract_timeline(
            cues, StoryText(sid, story.title, story.text, day.isoformat()), verdict
        )
        for entry in timeline.entries:
            if entry.country == country:
                rows.append(
                    _row(
                        story,
                        day,
                        country,
                        entry.kind,
                        entry.value,
                        entry.actors,
                        entry.counterpart,
                        entry.quote.sentence,
                    )
                )
        for stance in timeline.stances:
            if stance.country == country:
                rows.append(
                    _row(
                        story, day, country, "stance", stance.stance, (), "", stance.quote.sentence
                    )
                )
    rows.sort(key=lambda row: (row.day, int(row.story_id)))
    return rows


def _row(
    story: StoredStory,
    day: date,
    country: str,
    kind: str,
    value: str | None,
    actors: tuple[str, ...],
    counterpart: str,
    quote: str,
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
    )
