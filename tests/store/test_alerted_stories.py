"""Each alerted story once, however many topics alerted it, on both databases: the read
every consumer starts from (``alerted_stories``), the Countries index's grouped count, and
the trends' and spike detector's counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.models import Classification
from monitor.store import trend_counts
from monitor.store.db import make_engine, transaction
from monitor.store.stories import alerted_stories, alerted_stories_per_country, insert_alerts
from monitor.store.tables import stories
from monitor.trends.volumes import daily_counts

UA, RU = "ukraine-latam", "russia-latam"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def add_story(
    conn: Any, title: str, seen: datetime, views: list[tuple[str, list[str], str]]
) -> int:
    """A story first seen at ``seen`` with one alert per (topic, countries, category)."""
    story_id = conn.execute(
        stories.insert()
        .values(
            title=title,
            text=f"{title}.",
            url=None,
            lang="en",
            credited_outlet="Wire",
            published_at=seen,
            first_seen_at=seen,
        )
        .returning(stories.c.id)
    ).scalar_one()
    for n, (topic, countries, category) in enumerate(views):
        at = seen + timedelta(minutes=n)
        # through the worker's writers: the alert, then the stored counts Trends reads
        verdict = Classification(True, 0.9, category, tuple(countries), "en")
        created = insert_alerts(conn, {int(story_id): verdict}, topic, now=at)
        trend_counts.keep_added(conn, created, set(created.values()))
    return int(story_id)


def fill(db_url: str) -> dict[str, int]:
    engine = make_engine(db_url)
    with transaction(engine) as conn:
        ids = {
            "both": add_story(
                conn,
                "Lula on Ukraine and Russia",
                NOW - timedelta(hours=2),
                [(UA, ["BR"], "peace-plan"), (RU, ["BR", "AR"], "sanctions")],
            ),
            "one": add_story(
                conn,
                "Sheinbaum on aid",
                NOW - timedelta(hours=1),
                [(UA, ["MX", "BR"], "peace-plan")],
            ),
            "old": add_story(conn, "Long ago", NOW - timedelta(days=40), [(UA, ["BR"], "other")]),
        }
    engine.dispose()
    return ids


def test_each_alerted_story_once_with_its_alerts(db_url: str) -> None:
    ids = fill(db_url)
    engine = make_engine(db_url)
    with transaction(engine) as conn:
        found = alerted_stories(conn, NOW - timedelta(days=30))
    engine.dispose()
    assert [story.id for story in found] == [ids["one"], ids["both"]]  # newest first, once
    both = found[1]
    assert both.topics == (UA, RU) and both.countries == ("BR", "AR")
    assert both.alert(RU).category == "sanctions" and both.alert(UA).countries == ["BR"]
    assert [row.alert_id for row in both.alerts] == sorted(row.alert_id for row in both.alerts)


def test_the_countries_index_counts_stories_in_sql_as_the_country_page_does(db_url: str) -> None:
    fill(db_url)
    engine = make_engine(db_url)
    since = NOW - timedelta(days=30)
    with transaction(engine) as conn:
        counted = alerted_stories_per_country(conn, since)
        read = alerted_stories(conn, since)
        nothing_since = alerted_stories_per_country(conn, NOW + timedelta(days=1))
    engine.dispose()
    by_reading: dict[str, int] = {}
    for story in read:
        for code in story.countries:
            by_reading[code] = by_reading.get(code, 0) + 1
    assert counted == by_reading == {"BR": 2, "AR": 1, "MX": 1}
    assert nothing_since == {}


def test_trends_count_a_story_alerted_under_two_topics_once(db_url: str) -> None:
    fill(db_url)
    engine = make_engine(db_url)
    day = NOW.date()
    with transaction(engine) as conn:
        counts = daily_counts(conn, day, day)
        russia = daily_counts(conn, day, day, topic=RU)
    engine.dispose()
    assert counts["country:BR"] == [2]  # not 3: "both" has two alerts naming Brazil
    assert counts["country:AR"] == [1] and counts["country:MX"] == [1]
    assert counts["category:peace-plan"] == [2] and counts["category:sanctions"] == [1]
    assert russia == {"country:BR": [1], "country:AR": [1], "category:sanctions": [1]}
