"""Shared helpers: the real topic, and story facts written out by hand for table tests."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.matching.topic import Topic, load_topic
from monitor.threads.facts import StoryFacts, name_keys, persons_of
from tests import PROJECT_ROOT

TOPIC_PATH = PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml"
DATA = PROJECT_ROOT / "tests" / "data" / "threads"


@pytest.fixture(scope="session")
def topic() -> Topic:
    return load_topic(TOPIC_PATH)


def facts(
    story_id: str = "s",
    day: str = "2023-09-20",
    *,
    countries: str = "",
    people: str = "",
    side_people: str = "",
    leader_countries: str = "",
    title_countries: str = "",
    category: str | None = "summit-visit",
    terms: str = "",
    title: str = "",
    persons: str | None = None,
) -> StoryFacts:
    """StoryFacts from space-separated strings (a row of a table test). ``persons``: one
    person per space-separated entry, its name words joined by "+" ("mauro+vieira
    kuleba"); by default each lower-case word of ``people`` and ``side_people`` is a
    person (upper-case ones are bodies: UNGA)."""
    if persons is None:
        words = [w for w in (people.split() + side_people.split()) if w.islower()]
        named = persons_of([{w} for w in words])
    else:
        named = frozenset(name_keys(set(entry.split("+"))) for entry in persons.split())
    return StoryFacts(
        story_id=story_id,
        day=date.fromisoformat(day),
        countries=frozenset(countries.split()),
        sides=frozenset({"UA"}),
        people=frozenset(people.split()) | frozenset(side_people.split()),
        side_people=frozenset(side_people.split()),
        leader_countries=frozenset(leader_countries.split()),
        title_countries=frozenset(title_countries.split()),
        category=category,
        terms=frozenset(terms.split()),
        title=title,
        persons=named,
    )
