"""A stored query's own volume, the pure parts: its daily series, who follows its key,
which stories its spike shows, and the line that names it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

from monitor.notify.volume_words import volume_heading
from monitor.notify.wording import words
from monitor.trends.spikes import SpikePolicy, VolumeVerdict
from monitor.trends.watch import (
    VolumeKey,
    follows,
    query_key,
    query_series,
    top_stories,
    verdicts_due,
)

TODAY = date(2026, 12, 7)


def row(
    story_id: int, day: date, *, hour: int = 12, topic: str = "ukraine-latam", score: float = 0.5
) -> SimpleNamespace:
    return SimpleNamespace(
        story_id=story_id,
        topic=topic,
        created_at=datetime.combine(day, time(hour), tzinfo=UTC),
        countries=["BR"],
        category="trade-economy",
        score=score,
    )


def test_a_query_series_counts_each_matched_story_once_on_its_first_day() -> None:
    first = TODAY - timedelta(days=3)
    rows = [
        row(1, TODAY),
        row(1, TODAY - timedelta(days=1), topic="russia-latam"),  # its first alert: yesterday
        row(2, TODAY),
        row(3, first),
        row(4, first - timedelta(days=1)),  # before the window
    ]
    assert query_series(rows, first, TODAY) == [1, 0, 1, 1]
    assert query_series([], first, TODAY) == [0, 0, 0, 0]


def test_a_query_key_is_followed_by_its_own_subscription_only() -> None:
    key = VolumeKey.parse(query_key("ukraine-latam", 42))
    assert (key.topic, key.kind, key.name) == ("ukraine-latam", "query", "42")
    assert follows({}, "ukraine-latam", key, subscription_id=42)
    assert not follows({}, "ukraine-latam", key, subscription_id=43)
    assert not follows({}, "all", key)  # no id: nobody's query
    # Its own country keys are still followed as before.
    assert follows(
        {"countries": ["BR"]},
        "ukraine-latam",
        VolumeKey.parse("ukraine-latam/country:BR"),
        subscription_id=42,
    )


def test_the_detector_judges_a_query_series_like_any_key() -> None:
    policy = SpikePolicy()
    key = query_key("all", 7)
    (due,) = verdicts_due({key: [1] * (policy.baseline_days + 1) + [6]}, TODAY, {}, policy)
    assert (due.key, due.kind, due.observed) == (key, "spike", 6)


def test_a_query_spike_shows_the_querys_matches_whatever_their_topic() -> None:
    rows = [
        row(1, TODAY, score=0.9),
        row(2, TODAY, topic="russia-latam", score=0.7),
        row(3, TODAY, score=0.99),
    ]
    key = VolumeKey.parse(query_key("all", 7))
    assert [r.story_id for r in top_stories(rows, key, among={1, 2})] == [1, 2]
    assert top_stories(rows, key) == []  # no matches named: nothing shown


def test_the_heading_names_the_query() -> None:
    verdict = VolumeVerdict(query_key("ukraine-latam", 7), TODAY, "spike", 6, 1.0, 1e-6)
    line = volume_heading(
        verdict, topic_name="Ukraine–Latin America", today=TODAY, w=words("en"), subject="“lithium”"
    )
    assert line.endswith("“lithium”: 6 stories today against a usual 1.0"), line
