"""A story's thread facts as stored data, and the facts of an alerted story. Pure.

The worker keeps each threaded story's facts in ``story_threads.facts`` (JSON), so a later
story is compared with it without classifying it again; ``to_data`` and ``from_data`` are
that round trip. ``alert_facts`` builds the facts from the verdict the worker already has
(the alerting topic's, with its evidence), and the story's day from its publication time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from monitor.models import Classification
from monitor.threads.facts import StoryFacts, ThreadStory, facts_from

__all__ = ["alert_facts", "from_data", "to_data"]

_SETS = (
    "countries",
    "sides",
    "people",
    "side_people",
    "leader_countries",
    "title_countries",
    "terms",
)


def to_data(facts: StoryFacts) -> dict[str, Any]:
    """The facts as JSON-ready data (sets as sorted lists; the day is the row's column)."""
    data: dict[str, Any] = {name: sorted(getattr(facts, name)) for name in _SETS}
    data["category"] = facts.category
    data["title"] = facts.title
    data["persons"] = sorted(sorted(person) for person in facts.persons)
    return data


def from_data(story_id: int, day: date, data: Mapping[str, Any]) -> StoryFacts:
    """The facts of a stored story (``story_id`` and ``day`` are the row's columns)."""
    sets = {name: frozenset(str(v) for v in data.get(name) or ()) for name in _SETS}
    # Facts stored before persons were kept have none: the people rule stays silent.
    persons = frozenset(frozenset(str(k) for k in person) for person in data.get("persons") or ())
    return StoryFacts(
        story_id=str(story_id),
        day=day,
        category=data.get("category"),
        title=str(data.get("title") or ""),
        persons=persons,
        **sets,
    )


def alert_facts(
    story_id: int,
    title: str,
    text: str,
    lang: str | None,
    published: datetime,
    verdict: Classification,
) -> StoryFacts:
    """The thread facts of an alerted story from its alert's verdict (no new classifying)."""
    story = ThreadStory(str(story_id), title, text, "", published.date(), lang)
    return facts_from(story, verdict, verdict.category)
