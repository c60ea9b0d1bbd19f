"""The worker's batch handler on SQLite and PostgreSQL: clustering, alerts, idempotence."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.feeds.normalize import normalize_feed
from monitor.feeds.parse import parse_feed
from monitor.matching.topic import load_topic
from monitor.matching.topic_set import TopicSet, classify_all
from monitor.models import FeedItem
from monitor.notify.assemble import Assembler
from monitor.store.db import make_engine, transaction
from monitor.store.subscribers import (
    add_subscriber,
    add_subscription,
    delete_subscriber,
    delete_subscription,
)
from monitor.store.tables import alerts, deliveries, emails, stories, story_sources
from monitor.stream.handler import ItemHandler
from monitor.subscriptions.fanout import SubscriptionIndex
from monitor.trends.volumes import COUNTRY, OUTLET, alert_rows, period_bounds, period_counts, tally
from tests import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "seeds" / "fixtures"
TOPIC = load_topic(PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml")


def items_of(name: str, outlet: str) -> list[FeedItem]:
    path = FIXTURES / name
    parsed = parse_feed(
        path.read_bytes(),
        url=f"https://feeds.example/{name}",
        content_type=None,
        fetched_at=datetime(2023, 12, 11, 20, tzinfo=UTC),
    )
    return list(normalize_feed(parsed, outlet=outlet).items)


RIO = items_of("example-riotimes-feed.xml", "The Rio Times")
MENAFN = items_of("example-menafn-feed.xml", "MENAFN")


@pytest.fixture
def handler(db_url: str) -> Any:
    engine = make_engine(db_url)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        person, _ = add_subscriber(conn, "desk@example.org", confirmed=True, now=now)
        add_subscription(
            conn, person, now=now, name="all", query=None, filters={}, mode="immediate"
        )
        other, _ = add_subscriber(conn, "other@example.org", confirmed=True, now=now)
        add_subscription(
            conn,
            other,
            now=now,
            name="brazil",
            query="Brasil OR Brazil",
            filters={},
            mode="immediate",
        )
    yield ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, TopicSet((TOPIC,))),
        subscriptions=SubscriptionIndex(recheck_seconds=0),
    )
    engine.dispose()


def counts(handler: ItemHandler) -> dict[str, int]:
    with transaction(handler.engine) as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in (
                ("stories", stories),
                ("sources", story_sources),
                ("alerts", alerts),
                ("deliveries", deliveries),
            )
        }


@pytest.mark.parametrize("order", ["original-first", "copy-first"])
def test_syndicated_copy_joins_the_original_in_either_order(
    handler: ItemHandler, order: str
) -> None:
    first, second = (RIO, MENAFN) if order == "original-first" else (MENAFN, RIO)
    handler.handle(first)
    handler.handle(second)
    got = counts(handler)
    # 3 + 3 items; the seed story is in both feeds, the placeholders are distinct stories.
    assert got["sources"] == 6 and got["stories"] == 5
    assert got["alerts"] == 1
    assert got["deliveries"] == 1  # one subscriber wants everything; the other's query misses
    with transaction(handler.engine) as conn:
        seed = conn.execute(select(stories).where(stories.c.source_count == 2)).one()
    assert seed.credited_outlet == "The Rio Times"
    assert "Diplomatic Horizon" in seed.title
    # The stored counts Trends sums follow the credit (copy first: MENAFN's, then Rio's).
    with transaction(handler.engine) as conn:
        day = conn.execute(select(alerts.c.created_at)).scalar_one().date()
        stored = period_counts(conn, day, day, kinds=(OUTLET, COUNTRY))
        rows = alert_rows(conn, *period_bounds(day, day))
        counted = tally(rows, day, day, kinds=(OUTLET, COUNTRY))
    assert stored.counts == counted and stored.stories == 1
    assert {k for k in counted if k.startswith("outlet:")} == {"outlet:The Rio Times"}


def test_replayed_batches_change_nothing(handler: ItemHandler) -> None:
    first = handler.handle(RIO + MENAFN)
    again = handler.handle(RIO + MENAFN)
    shuffled = handler.handle(list(reversed(MENAFN)) + RIO[:1])
    assert first.alerts == 1 and again.alerts == 0 and shuffled.alerts == 0
    assert again.replayed == 6 and shuffled.replayed == 4
    assert counts(handler) == {"stories": 5, "sources": 6, "alerts": 1, "deliveries": 1}


def test_duplicate_items_inside_one_batch_are_stored_once(handler: ItemHandler) -> None:
    outcome = handler.handle(RIO + RIO)
    assert outcome.replayed == 3
    assert counts(handler)["sources"] == 3


def test_subscription_changes_are_picked_up(handler: ItemHandler) -> None:
    with transaction(handler.engine) as conn:
        person, _ = add_subscriber(conn, "py@example.org", confirmed=True, now=datetime.now(UTC))
        add_subscription(
            conn,
            person,
            now=datetime.now(UTC),
            name="py",
            query='Paraguay AND "peace plan"',
            filters={"countries": ["PY"]},
            mode="immediate",
        )
    handler.handle(MENAFN)
    with transaction(handler.engine) as conn:
        wanted = set(conn.execute(select(deliveries.c.subscriber_id)).scalars())
    assert len(wanted) == 2  # the catch-all subscriber and the new Paraguay one


def test_copies_inside_one_batch_meet_and_light_rewrites_join_by_fingerprint(
    handler: ItemHandler,
) -> None:
    import dataclasses

    original = MENAFN[1]
    rewrite = dataclasses.replace(
        original,
        item_id="g:rewrite",
        title="A different headline for the same wire copy",
        title_key="a different headline for the same wire copy",
        outlet="Other Outlet",
        simhash=original.simhash ^ 0b101,  # three bits away: a light rewrite
    )
    far = dataclasses.replace(original, item_id="g:far", title="Unrelated",
                              text="Markets were calm on Monday.", title_key="unrelated",
                              simhash=original.simhash ^ 0xFFFF_0000_FFFF)
    outcome = handler.handle([original, RIO[1], rewrite, far])
    assert outcome.new_stories == 2 and outcome.joined == 2
    with transaction(handler.engine) as conn:
        counts_by_story = sorted(conn.execute(select(stories.c.source_count)).scalars())
    assert counts_by_story == [1, 3]
    assert outcome.alerts == 1


def test_a_fuller_copy_makes_an_unalerted_story_relevant(handler: ItemHandler) -> None:
    import dataclasses

    seed = RIO[1]
    # A teaser with next to no text: the same-story rule lets the headline decide.
    stub = dataclasses.replace(seed, item_id="g:stub", text="Read more.", html="")
    assert handler.handle([stub]).alerts == 0  # a headline alone is not enough here
    fuller = handler.handle([seed])
    assert fuller.joined == 1 and fuller.alerts == 1
    with transaction(handler.engine) as conn:
        text = conn.execute(select(stories.c.text)).scalar_one()
    assert "Paraguay" in text


def test_classification_runs_before_the_transaction_and_replays_are_not_classified(
    handler: Any,
) -> None:
    """Classifying happens outside any transaction (so no advisory lock another worker waits
    for, and no SQLite write lock), and an item already stored is skipped before it costs a
    classification."""
    from sqlalchemy import event

    held: list[Any] = []  # driver connections the handler has checked out right now
    event.listen(handler.engine, "checkout", lambda dbapi, record, proxy: held.append(dbapi))
    event.listen(handler.engine, "checkin", lambda dbapi, record: held.remove(dbapi))

    def in_transaction(dbapi: Any) -> bool:
        if hasattr(dbapi, "info"):  # psycopg
            import psycopg

            return bool(dbapi.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)
        return bool(dbapi.in_transaction)  # sqlite3

    real = handler.classify
    seen: list[tuple[str, int, bool]] = []

    def watching(title: str, text: str, lang: str | None) -> Any:
        seen.append((title, len(held), any(in_transaction(c) for c in held)))
        return real(title, text, lang)

    handler.classify = watching
    first = handler.handle(RIO)
    assert first.alerts >= 1
    assert seen, "the batch was classified"
    assert all(not in_tx for _, _, in_tx in seen), seen
    assert any(open_connections for _, open_connections, _ in seen), "the check saw the connection"
    seen.clear()
    again = handler.handle(RIO)
    assert again.replayed == len(RIO)
    assert seen == [], "a replayed batch is not classified again"


def test_a_subscriber_deleted_under_a_stale_snapshot_costs_no_item(
    db_url: str, make_settings: Any, engines: Any
) -> None:
    """The worker re-reads subscriptions every few seconds; a subscriber deleted in between
    still gets delivery rows from it. Those rows must not fail the batch (its items would
    be retried and dead-lettered); the assembler skips them, nothing is sent to them."""
    engine = engines(db_url)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        kept, _ = add_subscriber(conn, "kept@example.org", confirmed=True, now=now)
        add_subscription(conn, kept, now=now, name="all", query=None, filters={}, mode="immediate")
        gone, _ = add_subscriber(conn, "gone@example.org", confirmed=True, now=now)
        add_subscription(conn, gone, now=now, name="all", query=None, filters={}, mode="immediate")
    handler = ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, TopicSet((TOPIC,))),
        subscriptions=SubscriptionIndex(recheck_seconds=3600),
    )
    handler.handle(RIO[:1])  # an off-topic placeholder; loads the snapshot with both
    with transaction(engine) as conn:
        assert delete_subscriber(conn, gone)
    outcome = handler.handle(MENAFN)
    assert outcome.items == len(MENAFN) and outcome.alerts == 1
    assert Assembler(make_settings(database_url=db_url), engine).run_once() == 1
    with transaction(engine) as conn:
        recipients = list(conn.execute(select(emails.c.recipient)).scalars())
        pending = conn.execute(
            select(func.count()).select_from(deliveries).where(deliveries.c.status == "pending")
        ).scalar_one()
    assert recipients == ["kept@example.org"] and pending == 0


@pytest.mark.parametrize("deleted", ["subscriber", "subscription"])
def test_deleting_a_subscriber_or_subscription_deletes_its_deliveries(
    handler: ItemHandler, deleted: str
) -> None:
    handler.handle(MENAFN)
    with transaction(handler.engine) as conn:
        ((subscriber_id, subscription_id),) = conn.execute(
            select(deliveries.c.subscriber_id, deliveries.c.subscription_id)
        ).all()
        if deleted == "subscriber":
            assert delete_subscriber(conn, subscriber_id)
        else:
            assert delete_subscription(conn, subscription_id)
    assert counts(handler)["deliveries"] == 0


def test_the_first_batch_loads_the_subscriptions_on_a_machine_booted_seconds_ago(
    db_url: str, engines: Any
) -> None:
    """``time.monotonic()`` counts from boot. Five seconds after boot, with an hour between
    re-reads, the index must still load on its first refresh (it once compared with 0.0)."""
    engine = engines(db_url)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        person, _ = add_subscriber(conn, "desk@example.org", confirmed=True, now=now)
        add_subscription(conn, person, now=now, name="all", query=None, filters={}, mode="immediate")
    uptime = [5.0]
    index = SubscriptionIndex(recheck_seconds=3600, clock=lambda: uptime[0])
    index.refresh_if_changed(engine)
    assert len(index) == 1
    with transaction(engine) as conn:
        other, _ = add_subscriber(conn, "other@example.org", confirmed=True, now=now)
        add_subscription(conn, other, now=now, name="all", query=None, filters={}, mode="immediate")
    uptime[0] = 60.0
    index.refresh_if_changed(engine)
    assert len(index) == 1, "within the recheck interval the snapshot is kept"
    uptime[0] = 3606.0
    index.refresh_if_changed(engine)
    assert len(index) == 2
