"""The one decision of which topic's alert a subscription gets a story under (pure)."""

from __future__ import annotations

import pytest

from monitor.subscriptions.topic_choice import (
    ALL_TOPICS,
    NO_TOPIC,
    StoryTopics,
    delivery_view,
    one_per_subscriber,
    topic_label,
)

UA, RU = "ukraine-latam", "russia-latam"


@pytest.mark.parametrize(
    ("choice", "story", "accepted", "expected"),
    [
        # A topic subscription: only its topic's alert, and only if the query passes on it.
        (UA, StoryTopics((RU, UA)), {RU, UA}, UA),
        (UA, StoryTopics((RU,)), {RU, UA, NO_TOPIC}, None),
        (RU, StoryTopics((RU,)), {RU}, RU),
        (RU, StoryTopics((RU,)), set(), None),
        (UA, StoryTopics(()), {NO_TOPIC}, None),
        # "all": the first alerting topic (set order) its query passes on ...
        (ALL_TOPICS, StoryTopics((RU, UA)), {RU, UA}, RU),
        (ALL_TOPICS, StoryTopics((RU, UA)), {UA}, UA),
        (ALL_TOPICS, StoryTopics((RU, UA)), {NO_TOPIC}, None),
        # ... or, when no topic ever alerted the story, the topic-less view.
        (ALL_TOPICS, StoryTopics(()), {NO_TOPIC}, NO_TOPIC),
        (ALL_TOPICS, StoryTopics(()), set(), None),
        # Alerted in an earlier batch and nothing new now: not offered again as topic-less.
        (ALL_TOPICS, StoryTopics((), alerted_before=True), {NO_TOPIC, UA}, None),
        (UA, StoryTopics((), alerted_before=True), {NO_TOPIC, UA}, None),
        # A topic not loaded (no alerts under it) reaches nobody.
        ("gone-topic", StoryTopics((RU, UA)), {RU, UA, "gone-topic"}, None),
    ],
)
def test_delivery_view(
    choice: str, story: StoryTopics, accepted: set[str], expected: str | None
) -> None:
    asked: list[str] = []

    def passes(view: str) -> bool:
        asked.append(view)
        return view in accepted

    assert delivery_view(choice, story, passes) == expected
    assert set(asked) <= set(story.views(choice))  # never tests a view it cannot get


def test_one_delivery_per_subscriber_from_their_lowest_numbered_subscription() -> None:
    wanted = [(7, 12, "russia sub"), (7, 3, "ukraine sub"), (2, 5, "other"), (7, 9, "all")]
    assert one_per_subscriber(wanted) == ["other", "ukraine sub"]
    assert one_per_subscriber([]) == []


def test_topic_labels_fall_back_to_the_slug() -> None:
    names = {UA: "Ukraine–Latin America diplomacy"}
    assert topic_label(names, UA) == "Ukraine–Latin America diplomacy"
    assert topic_label(names, RU) == RU
    assert "no topic" in topic_label(names, None) and "no topic" in topic_label(names, NO_TOPIC)
