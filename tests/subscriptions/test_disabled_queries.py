"""A stored query that breaks a limit added after it was saved: disabled, visibly, harmlessly.

Queries are checked when saved, so only one saved before a limit existed (or written to
the database by hand) can break one. The worker never evaluates it (it matches nothing),
keeps handling the batch, logs ``subscription.query_invalid`` with the reason at every
reload, and ``subscriber list`` and the preferences page show the reason.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from monitor.errors import QueryError
from monitor.feeds.normalize import normalize_feed
from monitor.feeds.parse import parse_feed
from monitor.matching.query import MatchDoc, parse
from monitor.matching.query.ast import Near, Term
from monitor.matching.topic import load_topic
from monitor.matching.topic_set import TopicSet, classify_all
from monitor.store.db import transaction
from monitor.store.subscribers import add_subscriber, add_subscription
from monitor.store.tables import deliveries
from monitor.stream.handler import ItemHandler
from monitor.subscriptions.fanout import SubscriptionIndex
from tests import PROJECT_ROOT
from tests.matching import near_reference

TOPIC = load_topic(PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml")
RIO = list(
    normalize_feed(
        parse_feed(
            (PROJECT_ROOT / "seeds" / "fixtures" / "example-riotimes-feed.xml").read_bytes(),
            url="https://feeds.example/rio.xml",
            content_type=None,
            fetched_at=datetime(2023, 12, 11, 20, tzinfo=UTC),
        ),
        outlet="The Rio Times",
    ).items
)

# Nine operands: valid before the 8-operand limit; it would match the relevant Rio Times story.
LEGACY = " NEAR/100 ".join(["the"] * 9)


def _as_parsed_before_the_limits() -> Near:
    """The tree ``parse(LEGACY)`` gave before the limits: a left-nested chain."""
    node: Near | Term = Term("the")
    for _ in range(8):
        node = Near(node, Term("the"), 100)
    assert isinstance(node, Near)
    return node


def test_the_legacy_query_would_match_and_is_now_refused() -> None:
    story = RIO[1]  # the one relevant story of the feed
    assert near_reference.near_matches(_as_parsed_before_the_limits(), MatchDoc(story.title, story.text))
    with pytest.raises(QueryError) as refused:
        parse(LEGACY)
    assert refused.value.position == LEGACY.rindex("NEAR")
    assert "too many operands" in refused.value.reason
    assert parse("Ukraine AND Latin") is not None


def test_worker_keeps_going_and_the_disabled_query_matches_nothing(
    db_url: str, engines: Any, caplog: pytest.LogCaptureFixture
) -> None:
    engine = engines(db_url)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        legacy_person, _ = add_subscriber(conn, "legacy@example.org", confirmed=True, now=now)
        legacy = add_subscription(conn, legacy_person, now=now, name="old", query=LEGACY,
                                  filters={}, mode="immediate")
        person, _ = add_subscriber(conn, "desk@example.org", confirmed=True, now=now)
        add_subscription(conn, person, now=now, name="br", query="Ukraine AND Latin",
                         filters={}, mode="immediate")
    handler = ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, TopicSet((TOPIC,))),
        subscriptions=SubscriptionIndex(recheck_seconds=0),
    )
    with caplog.at_level(logging.ERROR, logger="monitor.subscriptions.fanout"):
        outcome = handler.handle(RIO)
    assert outcome.items == len(RIO) and outcome.alerts >= 1
    with transaction(engine) as conn:
        recipients = set(conn.execute(select(deliveries.c.subscriber_id)).scalars())
    assert recipients == {person}
    (record,) = [r for r in caplog.records if r.getMessage() == "subscription.settings_invalid"]
    assert getattr(record, "subscription_id") == legacy  # noqa: B009
    assert "too many operands" in " ".join(getattr(record, "problems"))  # noqa: B009
