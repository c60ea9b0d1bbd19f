"""Why a thread's reports were joined, from the stored facts (pure): each report's
countries, people and terms that another report of the thread also has."""

from __future__ import annotations

from datetime import date

from monitor.threads.explain import Shared, shared_facts
from monitor.threads.facts import StoryFacts
from monitor.threads.stored import to_data


def facts(story_id: str, **sets: list[str]) -> dict[str, object]:
    """Stored facts, as the worker writes them (``stored.to_data``)."""
    return to_data(
        StoryFacts(
            story_id=story_id,
            day=date(2023, 9, 20),
            category="summit-visit",
            title=story_id,
            countries=frozenset(sets.get("countries", [])),
            sides=frozenset(),
            people=frozenset(sets.get("people", [])),
            side_people=frozenset(),
            leader_countries=frozenset(),
            title_countries=frozenset(),
            terms=frozenset(sets.get("terms", [])),
        )
    )


def test_each_report_shares_what_another_report_also_has() -> None:
    reports = [
        facts("a", countries=["BR", "UA"], people=["lula", "zelensky"], terms=["york"]),
        facts("b", countries=["BR"], people=["lula"], terms=["assembly", "york"]),
        facts("c", countries=["UA"], people=["zelensky"], terms=["assembly"]),
    ]
    assert shared_facts(reports) == [
        Shared(("BR", "UA"), ("lula", "zelensky"), ("york",)),
        Shared(("BR",), ("lula",), ("assembly", "york")),
        Shared(("UA",), ("zelensky",), ("assembly",)),
    ]


def test_a_lone_report_or_missing_facts_share_nothing() -> None:
    alone = shared_facts([facts("a", countries=["BR"], terms=["york"])])
    assert alone == [Shared()] and not alone[0]
    # A row without facts (or with malformed ones) shares nothing and hides nothing.
    mixed = shared_facts([None, {"countries": "BR"}, facts("c", countries=["BR"])])
    assert mixed == [Shared(), Shared(), Shared()]
    both = shared_facts([facts("a", countries=["BR"]), facts("b", countries=["BR", "AR"])])
    assert [s.countries for s in both] == [("BR",), ("BR",)] and all(both)
