"""Threads from a stream: reports of one event join, a new development starts a linked
thread, unrelated events stay apart, and candidates are limited by time and shared keys."""

from __future__ import annotations

from datetime import date

from monitor.threads.group import ThreadBook, group_stories, stories_per_thread
from tests.threads.conftest import facts

LULA_ZELENSKY = {"countries": "BR", "leader_countries": "BR", "side_people": "zelensk",
                 "people": "lula", "category": "peace-plan"}


def test_reports_of_one_event_join_and_a_reply_becomes_a_linked_thread() -> None:
    stream = [
        facts("suggestion-1", "2023-04-06", title="Lula sugere ceder a Crimeia", **LULA_ZELENSKY),
        facts("suggestion-2", "2023-04-06", title="Lula suggests Ukraine cede Crimea",
              **LULA_ZELENSKY),
        facts("reply", "2023-04-07", title="Kiev rejeita sugestão de Lula", **LULA_ZELENSKY),
        facts("other", "2023-04-07", countries="MX", category="trade-economy"),
    ]
    threads = group_stories(stream)
    assert [t.story_ids for t in threads] == [
        ("suggestion-1", "suggestion-2"), ("reply",), ("other",)
    ]
    first, reply, other = threads
    assert first.follows is None and other.follows is None
    assert reply.follows == first.thread_id
    assert first.countries == ("BR",) and first.category == "peace-plan"
    assert (first.first_day, reply.last_day) == (date(2023, 4, 6), date(2023, 4, 7))


def test_a_second_meeting_months_later_is_a_new_unlinked_thread() -> None:
    call = facts("call", "2023-03-02", **LULA_ZELENSKY)
    meeting = facts("meeting", "2023-09-20", **LULA_ZELENSKY)
    threads = group_stories([meeting, call])  # order of arrival does not matter: by day
    assert [t.story_ids for t in threads] == [("call",), ("meeting",)]
    assert threads[1].follows is None  # beyond related_days: a new story, not a development


def test_a_thread_closes_after_the_window() -> None:
    stream = [facts(f"s{day}", f"2023-09-{day:02d}", **LULA_ZELENSKY) for day in (1, 2, 3, 9)]
    threads = group_stories(stream)
    assert [len(t.story_ids) for t in threads] == [3, 1]
    assert stories_per_thread(threads) == 2.0
    assert stories_per_thread([]) == 0.0


def test_stories_with_nothing_in_common_are_never_compared() -> None:
    # No shared key (country, person, term): each is its own thread although the type and
    # day agree; the index keeps the pairwise decision off such pairs.
    stream = [facts(f"s{i}", countries=code, category="summit-visit")
              for i, code in enumerate(["AR", "CL", "PE", "UY"])]
    assert len(group_stories(stream)) == 4


def test_a_placement_says_how_many_days_lie_between_a_story_and_the_report_it_matched() -> None:
    """What alerts read to decide whether a report goes with its thread
    (``thread_alerts.grouped_with_thread``): the latest matching report is the one counted."""
    book = ThreadBook()
    placed = [
        book.place(facts(f"s{n}", day, **LULA_ZELENSKY))
        for n, day in enumerate(["2023-09-01", "2023-09-01", "2023-09-02", "2023-09-02"])
    ]
    assert [(p.new, p.rule, p.matched_days) for p in placed] == [
        (True, "new", None),
        (False, "same-leaders", 0),
        (False, "same-leaders", 1),  # the day before's reports are all it can match
        (False, "same-leaders", 0),  # the same day's report is compared first
    ]
    assert len({p.thread_id for p in placed}) == 1
