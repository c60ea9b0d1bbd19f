"""Several topics at once: every story is classified with every loaded topic, one alert per
(story, topic) that finds it relevant, one delivery per subscriber and story."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.errors import TopicFileError
from monitor.matching.topic_set import TopicSet, classify_all, load_topic_set, topic_files
from monitor.models import FeedItem
from monitor.store.db import make_engine, transaction
from monitor.store.subscribers import add_subscriber, add_subscription
from monitor.store.tables import alerts, deliveries
from monitor.stream.handler import ItemHandler
from monitor.subscriptions.fanout import SubscriptionIndex
from monitor.trends.volumes import (
    CATEGORY,
    COUNTRY,
    OUTLET,
    alert_rows,
    period_bounds,
    period_counts,
    tally,
)
from tests import PROJECT_ROOT

TOPICS_DIR = PROJECT_ROOT / "seeds" / "topics"
BOTH = load_topic_set([TOPICS_DIR / "russia-latam.toml", TOPICS_DIR / "ukraine-latam.toml"])
NOW = datetime(2024, 10, 23, 12, tzinfo=UTC)


def item(item_id: str, title: str, text: str) -> FeedItem:
    return FeedItem(
        item_id=item_id,
        feed_url="https://feeds.example/x",
        outlet="Example",
        title=title,
        text=text,
        published=NOW,
        fetched_at=NOW,
        lang="en",
        title_key=title.lower(),
    )


# Russia–Brazil with a war link: both topics. Russia–Venezuela oil, no war: Russia's only.
# Ukraine–Chile aid: Ukraine's only. A football score: neither.
BOTH_TOPICS = item(
    "both",
    "Lula and Putin discuss the war in Ukraine by phone",
    "Brazilian President Luiz Inácio Lula da Silva spoke with Russian President Vladimir "
    "Putin about peace talks to end the war in Ukraine, the Planalto said.",
)
RUSSIA_ONLY = item(
    "russia",
    "Rosneft and Venezuela sign oil agreement in Caracas",
    "Russian state oil company Rosneft signed an agreement with the Venezuelan government "
    "of Nicolás Maduro to expand joint oil production, Venezuela's oil minister said.",
)
UKRAINE_ONLY = item(
    "ukraine",
    "Chile sends humanitarian aid to Ukraine",
    "The Chilean government sent a shipment of humanitarian aid to Ukraine, Chile's foreign "
    "minister announced in Santiago, after a call with Ukrainian Foreign Minister Kuleba.",
)
NEITHER = item("neither", "Boca Juniors beat River Plate 2-1", "A late goal decided it.")


def test_the_directory_holds_both_topics_in_name_order() -> None:
    assert BOTH.ids == ("russia-latam", "ukraine-latam")
    assert "energy-nuclear" in BOTH.categories() and "peace-plan" in BOTH.categories()
    assert len(BOTH.country_names()) == 33


@pytest.mark.parametrize(
    ("story", "relevant_to"),
    [
        (BOTH_TOPICS, {"russia-latam", "ukraine-latam"}),
        (RUSSIA_ONLY, {"russia-latam"}),
        (UKRAINE_ONLY, {"ukraine-latam"}),
        (NEITHER, set()),
    ],
)
def test_each_topic_judges_each_story(story: FeedItem, relevant_to: set[str]) -> None:
    for lean in (False, True):
        verdicts = classify_all(BOTH, story.title, story.text, story.lang, lean=lean)
        assert set(verdicts) == set(BOTH.ids)
        assert {t for t, v in verdicts.items() if v.relevant} == relevant_to


def test_a_story_is_alerted_under_every_topic_and_delivered_once(db_url: str) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as conn:
        person, _ = add_subscriber(conn, "desk@example.org", confirmed=True, now=NOW)
        # Subscribed to both topics: each story once, however many topics alert it.
        for topic in ("ukraine-latam", "russia-latam"):
            add_subscription(
                conn,
                person,
                now=NOW,
                name=topic,
                query=None,
                filters={},
                mode="immediate",
                topic=topic,
            )
    handler = ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, BOTH, lean=True),
        subscriptions=SubscriptionIndex(recheck_seconds=0),
    )
    try:
        outcome = handler.handle([BOTH_TOPICS, RUSSIA_ONLY, UKRAINE_ONLY, NEITHER])
        again = handler.handle([BOTH_TOPICS, RUSSIA_ONLY, UKRAINE_ONLY, NEITHER])
        with transaction(engine) as conn:
            rows = conn.execute(select(alerts.c.story_id, alerts.c.topic)).all()
            delivered = conn.execute(select(deliveries.c.story_id)).scalars().all()
            # the stored counts Trends sums were written with the alerts, once despite the replay
            first_alert = conn.execute(select(alerts.c.created_at)).scalars().first()
            assert first_alert is not None
            day = first_alert.date()
            stored = period_counts(conn, day, day, kinds=(COUNTRY, CATEGORY, OUTLET))
            counted = tally(
                alert_rows(conn, *period_bounds(day, day)),
                day,
                day,
                kinds=(COUNTRY, CATEGORY, OUTLET),
            )
    finally:
        engine.dispose()
    assert outcome.alerts == 4 and again.alerts == 0 and again.replayed == 4
    by_story: dict[int, set[str]] = {}
    for story_id, topic in rows:
        by_story.setdefault(story_id, set()).add(topic)
    assert sorted(map(sorted, by_story.values())) == [
        ["russia-latam"],
        ["russia-latam", "ukraine-latam"],
        ["ukraine-latam"],
    ]
    assert sorted(delivered) == sorted(by_story)  # one delivery per story, not per alert
    assert outcome.deliveries == 3
    assert stored.stories == 3 and stored.counts == counted
    assert counted["outlet:Example"] == [3] and counted["country:BR"] == [1]


def test_one_file_setting_means_just_that_topic(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("MONITOR_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("MONITOR_TOPIC_FILE", raising=False)
    assert [p.name for p in Settings().topic_files()] == ["russia-latam.toml", "ukraine-latam.toml"]
    chosen = TOPICS_DIR / "russia-latam.toml"
    monkeypatch.setenv("MONITOR_TOPIC_FILE", str(chosen))
    assert Settings().topic_files() == [chosen]
    monkeypatch.delenv("MONITOR_TOPIC_FILE")
    own = tmp_path / "topics"
    own.mkdir()
    monkeypatch.setenv("MONITOR_TOPIC_DIR", str(own))
    with pytest.raises(TopicFileError, match="no topic files"):
        Settings().topic_files()


def test_two_files_with_one_id_are_refused(tmp_path: Path) -> None:
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text(
            (TOPICS_DIR / "russia-latam.toml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    with pytest.raises(TopicFileError, match="already the id of"):
        load_topic_set(topic_files(tmp_path, None))


def test_one_topic_set_is_one_topic() -> None:
    """A set of one topic gives exactly that topic's verdicts (nothing shared leaks)."""
    from monitor.matching.classifier import classify

    ukraine = BOTH.topics[1]
    for story in (BOTH_TOPICS, RUSSIA_ONLY, UKRAINE_ONLY, NEITHER):
        alone = classify_all(TopicSet((ukraine,)), story.title, story.text, None)
        assert alone == {"ukraine-latam": classify(ukraine, story.title, story.text)}
