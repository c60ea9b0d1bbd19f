"""Subscriptions choose a topic, or "all" stories, through the real worker handler and
store (SQLite and PostgreSQL): who gets which story under which topic's alert."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from monitor.matching.topic_set import classify_all
from monitor.store.db import make_engine, transaction
from monitor.store.subscribers import add_subscriber, add_subscription
from monitor.store.tables import alerts, deliveries
from monitor.stream.handler import ItemHandler
from monitor.subscriptions.fanout import SubscriptionIndex
from monitor.subscriptions.topic_choice import NO_ALERT
from tests.stream.test_several_topics import (
    BOTH,
    BOTH_TOPICS,
    NEITHER,
    NOW,
    RUSSIA_ONLY,
    UKRAINE_ONLY,
    item,
)

UA, RU = "ukraine-latam", "russia-latam"


def _handler(engine: Any) -> ItemHandler:
    return ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, BOTH, lean=True),
        subscriptions=SubscriptionIndex(recheck_seconds=0),
    )


def _subscribe(conn: Any, email: str, *subscriptions: dict[str, Any]) -> int:
    person, _ = add_subscriber(conn, email, confirmed=True, now=NOW)
    for values in subscriptions:
        add_subscription(conn, person, now=NOW, filters={}, mode="immediate", **values)
    return person


def _delivered(conn: Any) -> dict[tuple[int, int], str | None]:
    """(subscriber, story) → the topic of the alert delivered (None: no alert)."""
    topic_of = dict(conn.execute(select(alerts.c.id, alerts.c.topic)).all())
    rows = conn.execute(
        select(deliveries.c.subscriber_id, deliveries.c.story_id, deliveries.c.alert_id)
    ).all()
    return {(person, story): topic_of.get(alert_id) for person, story, alert_id in rows}


def test_each_subscription_gets_its_topics_stories(db_url: str) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as conn:
        ukraine = _subscribe(conn, "ua@example.org", {"query": None, "topic": UA})
        russia = _subscribe(conn, "ru@example.org", {"query": None, "topic": RU})
        everything = _subscribe(
            conn, "all@example.org", {"query": "Rosneft OR Boca OR Lula", "topic": "all"}
        )
        both = _subscribe(
            conn,
            "both@example.org",
            {"name": "ukraine", "query": None, "topic": UA},
            {"name": "russia", "query": None, "topic": RU},
        )
        # An existing row as migration 0014 left it: the founding topic, today's behaviour.
        legacy = _subscribe(conn, "old@example.org", {"query": None})
    handler = _handler(engine)
    try:
        outcome = handler.handle([BOTH_TOPICS, RUSSIA_ONLY, UKRAINE_ONLY, NEITHER])
        again = handler.handle([BOTH_TOPICS, RUSSIA_ONLY, UKRAINE_ONLY, NEITHER])
        with transaction(engine) as conn:
            got = _delivered(conn)
            ids = _story_ids(conn)
    finally:
        engine.dispose()
    both_story, russia_story = ids["both"], ids["russia"]
    ukraine_story, neither_story = ids["ukraine"], ids["neither"]
    assert outcome.alerts == 4
    assert again.deliveries == 0 and again.replayed == 4
    # A Russia-only story (no war link) reaches the Russia and "all" subscribers, never the
    # Ukraine one; the story relevant to both comes to each under its own topic's alert.
    assert got[(russia, russia_story)] == RU
    assert got[(everything, russia_story)] == RU
    assert (ukraine, russia_story) not in got and (legacy, russia_story) not in got
    assert got[(ukraine, both_story)] == UA and got[(legacy, both_story)] == UA
    assert got[(russia, both_story)] == RU
    assert got[(ukraine, ukraine_story)] == UA and (russia, ukraine_story) not in got
    # "all": the first alerting topic in file order its query passes on ...
    assert got[(everything, both_story)] == RU
    # ... and a story no topic finds relevant, with no alert behind it.
    assert got[(everything, neither_story)] is None
    assert not any(story == neither_story for (person, story) in got if person != everything)
    # Subscribed to both topics: each story once, under their first subscription's topic.
    assert got[(both, both_story)] == UA
    assert got[(both, russia_story)] == RU and got[(both, ukraine_story)] == UA
    # ukraine 2, russia 2, all 3 (not the Chile aid story: its query), both 3, legacy 2
    assert outcome.deliveries == len(got) == 12


def _story_ids(conn: Any) -> dict[str, int]:
    from monitor.store.tables import story_sources

    return dict(conn.execute(select(story_sources.c.item_id, story_sources.c.story_id)).all())


def test_the_all_view_of_an_unalerted_story_has_no_alert_row(db_url: str) -> None:
    from monitor.store.alert_feeds import feed_entries
    from monitor.store.outbox import due_delivery_details

    engine = make_engine(db_url)
    with transaction(engine) as conn:
        _subscribe(conn, "all@example.org", {"query": "Boca", "topic": "all"})
    try:
        outcome = _handler(engine).handle([NEITHER])
        with transaction(engine) as conn:
            (alert_id,) = conn.execute(select(deliveries.c.alert_id)).scalars().all()
            alert_count = len(conn.execute(select(alerts.c.id)).all())
            (due,) = due_delivery_details(conn, NOW.replace(year=2100))
            (entry,) = feed_entries(conn, 1)
    finally:
        engine.dispose()
    assert outcome.alerts == 0 and outcome.deliveries == 1
    assert alert_id == NO_ALERT and alert_count == 0
    # The mailer and the subscription's private feed still find it, with no topic.
    assert due.title == NEITHER.title and due.topic is None and due.category is None
    assert entry.title == NEITHER.title and entry.category is None and entry.score == 0.0


# Ukraine's topic alerts the short copy; the fuller copy, which leads with a Russia–Venezuela
# oil deal, is relevant to Russia's topic too.
_TITLE = "Vieira's busy week in foreign policy"
_UKRAINE_PART = (
    "Brazilian Foreign Minister Mauro Vieira spoke with Ukrainian Foreign Minister Dmytro "
    "Kuleba about grain exports."
)
SHORT = item("short", _TITLE, _UKRAINE_PART)
FULLER = replace(
    item("fuller", _TITLE, RUSSIA_ONLY.text + " " + _UKRAINE_PART), outlet="Other Outlet"
)


def test_a_fuller_copy_is_rechecked_for_the_topics_that_have_not_alerted(db_url: str) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as conn:
        ukraine = _subscribe(conn, "ua@example.org", {"query": None, "topic": UA})
        russia = _subscribe(conn, "ru@example.org", {"query": None, "topic": RU})
    handler = _handler(engine)
    try:
        first = handler.handle([SHORT])
        second = handler.handle([FULLER])
        with transaction(engine) as conn:
            topics = sorted(conn.execute(select(alerts.c.topic)).scalars())
            got = _delivered(conn)
            texts = conn.execute(select(alerts.c.story_id)).scalars().all()
    finally:
        engine.dispose()
    assert first.alerts == 1 and second.joined == 1 and second.alerts == 1
    assert topics == [RU, UA] and len(set(texts)) == 1  # one story, two alerts
    (story,) = set(texts)
    assert got == {(ukraine, story): UA, (russia, story): RU}
