"""The alert replay of a labeled set: which events an immediate subscriber would never
hear of, under the shipped fold policy and under folding every join (pure)."""

from __future__ import annotations

from monitor.threads.replay import events_of, replay_alerts
from tests.threads.conftest import facts

LULA_ZELENSKY = {"countries": "BR", "leader_countries": "BR", "side_people": "zelensk",
                 "people": "lula", "category": "summit-visit"}


def test_events_are_the_stories_the_same_event_pairs_link() -> None:
    ids = ["a", "b", "c", "d", "e"]
    assert events_of(ids, [("b", "c"), ("d", "c")]) == {
        "a": "a", "b": "b", "c": "b", "d": "b", "e": "e"
    }
    assert events_of(ids, []) == {s: s for s in ids}


def test_a_false_join_across_days_loses_an_event_only_when_every_join_folds() -> None:
    """A call on Monday (two reports) and a meeting of the same two leaders on Tuesday that
    the decision joins to it (the same two leaders): folding every join, nobody hears of
    the meeting; folding only same-day joins, the meeting is alerted on its own and its
    second report folds into it."""
    stream = {
        "call-1": facts("call-1", "2023-09-18", **LULA_ZELENSKY),
        "call-2": facts("call-2", "2023-09-18", **LULA_ZELENSKY),
        "meeting-1": facts("meeting-1", "2023-09-19", **LULA_ZELENSKY),
        "meeting-2": facts("meeting-2", "2023-09-19", **LULA_ZELENSKY),
    }
    event_of = events_of(stream, [("call-1", "call-2"), ("meeting-1", "meeting-2")])
    replay = replay_alerts(stream, event_of)
    assert (replay.stories, replay.events) == (4, 2)
    assert replay.every_join.alerts == 1 and replay.every_join.lost == ("meeting-1",)
    assert replay.shipped.alerts == 2 and replay.shipped.lost == ()


def test_a_false_join_within_a_day_still_loses_the_event() -> None:
    """What the shipped policy does not fix: two acts of one day joined as one."""
    stream = {
        "call": facts("call", "2023-09-18", **LULA_ZELENSKY),
        "meeting": facts("meeting", "2023-09-18", **LULA_ZELENSKY),
    }
    replay = replay_alerts(stream, events_of(stream, []))
    assert replay.shipped.lost == replay.every_join.lost == ("meeting",)
