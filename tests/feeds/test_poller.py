"""The poller against a real HTTP server, a real broker and a real database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from monitor.config import Settings
from monitor.feeds.commands import import_feeds
from monitor.feeds.fetcher import make_session
from monitor.feeds.poller import Poller, PollOutcome, limits_from, policy_from
from monitor.feeds.publisher import ItemPublisher
from monitor.runtime.failpoints import EXIT_CODE
from monitor.services.fixture_server import Response
from monitor.store import feeds as feed_store
from monitor.store.db import make_engine, transaction
from monitor.store.tables import feed_items, story_sources
from monitor.stream.topics import ensure_topics
from tests import PROJECT_ROOT
from tests.roles import RoleProcess, Roles, read_topic, wait_until

FIXTURES = PROJECT_ROOT / "seeds" / "fixtures"
RIO = (FIXTURES / "example-riotimes-feed.xml").read_bytes()


def poll_once(settings: Settings, engine: Any) -> list[PollOutcome]:
    async def run() -> list[PollOutcome]:
        publisher = ItemPublisher(settings.kafka_bootstrap, settings.items_topic)
        session = make_session(limits_from(settings), policy_from(settings))
        try:
            return await Poller(settings, engine, publisher, session).poll_due()
        finally:
            await session.close()
            publisher.close()

    return asyncio.run(run())


@pytest.fixture
def setup(
    db_url: str, kafka_bootstrap: str, make_settings: Any
) -> Iterator[tuple[Settings, Any]]:
    settings = make_settings(database_url=db_url)
    ensure_topics(settings)
    engine = make_engine(settings.db_url)
    yield settings, engine
    engine.dispose()


def test_failing_feeds_are_recorded_and_the_good_one_still_comes_through(
    setup: tuple[Settings, Any], fixture_server: Any
) -> None:
    settings, engine = setup
    fixture_server.routes["/broken"] = Response(500, b"oops")
    fixture_server.routes["/gone"] = Response(410, b"")
    fixture_server.routes["/page"] = Response(
        200, b"<!DOCTYPE html><html><body>hi</body></html>", {"Content-Type": "text/html"}
    )
    fixture_server.routes["/limited"] = Response(429, b"", {"Retry-After": "3600"})
    import_feeds(
        engine,
        [
            {"url": fixture_server.url(p)}
            for p in ("broken", "gone", "page", "limited", "example-riotimes-feed.xml")
        ],
        settings=settings,
    )
    before = datetime.now(UTC)
    outcomes = {o.feed_id: o for o in poll_once(settings, engine)}

    with transaction(engine) as conn:
        feeds = {f.url.rsplit("/", 1)[1]: f for f in feed_store.list_feeds(conn)}
    good = feeds["example-riotimes-feed.xml"]
    assert outcomes[good.id].status == "new-items" and outcomes[good.id].published == 3
    assert len(read_topic(settings)) == 3
    assert good.error_count == 0 and good.etag is None

    broken = feeds["broken"]
    assert broken.state == "active" and broken.error_count == 1
    assert "500" in (broken.last_error or "")
    assert broken.next_poll_at > before
    assert "HTML page" in (feeds["page"].last_error or "")
    gone = feeds["gone"]
    assert gone.state == "gone" and "410" in (gone.state_reason or "")
    limited = feeds["limited"]
    assert (limited.next_poll_at - before).total_seconds() >= 3600 - 5

    # Broken feeds back off but are polled again later, never given up on.
    with transaction(engine) as conn:
        feed_store.record_poll(conn, broken.id, next_poll_at=datetime.now(UTC))
    fixture_server.routes["/broken"] = Response(200, RIO)
    poll_once(settings, engine)
    with transaction(engine) as conn:
        healed = feed_store.get_feed(conn, broken.id)
    assert healed is not None and healed.error_count == 0 and healed.last_error is None


def test_conditional_get_and_permanent_redirect(
    setup: tuple[Settings, Any], fixture_server: Any
) -> None:
    settings, engine = setup

    def feed(headers: dict[str, str]) -> Response:
        if headers.get("if-none-match") == '"v1"':
            return Response(304, b"", {"ETag": '"v1"'})
        return Response(200, RIO, {"ETag": '"v1"', "Content-Type": "application/rss+xml"})

    fixture_server.routes["/new-home"] = feed
    fixture_server.routes["/old-home"] = Response(301, b"", {"Location": "/new-home"})
    import_feeds(engine, [{"url": fixture_server.url("old-home")}], settings=settings)
    assert poll_once(settings, engine)[0].published == 3
    with transaction(engine) as conn:
        moved = feed_store.list_feeds(conn)[0]
        feed_store.record_poll(conn, moved.id, next_poll_at=datetime.now(UTC))
    assert moved.url == fixture_server.url("new-home") and moved.etag == '"v1"'
    second = poll_once(settings, engine)[0]
    assert second.status in ("not-modified", "unchanged") and second.published == 0
    assert (
        fixture_server.requests[-1][1].get("if-none-match") == '"v1"'
        or second.status == "unchanged"
    )
    assert len(read_topic(settings)) == 3


def test_a_feed_whose_validators_lie_stops_being_trusted(
    setup: tuple[Settings, Any], fixture_server: Any
) -> None:
    settings, engine = setup
    menafn = (FIXTURES / "example-menafn-feed.xml").read_bytes()
    state = {"body": RIO}
    fixture_server.routes["/liar"] = lambda headers: Response(
        200, state["body"], {"ETag": '"same"', "Content-Type": "application/rss+xml"}
    )
    import_feeds(engine, [{"url": fixture_server.url("liar")}], settings=settings)
    poll_once(settings, engine)
    state["body"] = RIO.replace(
        b"</channel>",
        menafn.split(b"<channel>")[1].split(b"</channel>")[0].split(b"</lastBuildDate>")[1]
        + b"</channel>",
    )
    with transaction(engine) as conn:
        feed_store.record_poll(
            conn, feed_store.list_feeds(conn)[0].id, next_poll_at=datetime.now(UTC)
        )
    outcome = poll_once(settings, engine)[0]
    with transaction(engine) as conn:
        liar = feed_store.list_feeds(conn)[0]
    assert outcome.published == 3  # the new items still came through
    assert liar.trust_validators is False


def test_poller_killed_between_publish_and_state_save_loses_nothing(
    setup: tuple[Settings, Any], fixture_server: Any, tmp_path: Path
) -> None:
    settings, engine = setup
    import_feeds(
        engine,
        [
            {"url": fixture_server.url("example-riotimes-feed.xml")},
            {"url": fixture_server.url("example-menafn-feed.xml")},
        ],
        settings=settings,
    )
    crashing = RoleProcess(
        "poller", settings, tmp_path, MONITOR_FAILPOINTS="poller.after_publish"
    ).start()
    assert crashing.process is not None
    assert crashing.process.wait(timeout=60) == EXIT_CODE, crashing.log()
    published_before = read_topic(settings)
    assert len(published_before) >= 3
    with transaction(engine) as conn:
        # The crash came after the broker's acknowledgement and before the state save.
        assert conn.execute(select(func.count()).select_from(feed_items)).scalar_one() == 0

    roles = Roles(settings, tmp_path).start("poller", "worker")
    try:
        wait_until(lambda: _count(engine, story_sources) >= 6, 90, what="all six items stored")
        wait_until(lambda: _count(engine, feed_items) >= 6, 30, what="feed state saved")
    finally:
        roles.stop_all()
    records = read_topic(settings)
    ids = [orjson.loads(r.value)["item_id"] for r in records]
    assert len(set(ids)) == 6  # every item arrived
    assert len(ids) > len(set(ids))  # some were published twice (re-poll after the crash)...
    assert _count(engine, story_sources) == 6  # ...and stored once


def _count(engine: Any, table: Any) -> int:
    with transaction(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_poller_forgets_old_seen_ids_on_its_first_pass(
    kafka_bootstrap: str, make_settings: Any, engines: Any
) -> None:
    """Pruning must not wait until the machine has been up for six hours (the monotonic
    clock counts from boot): a fresh poller prunes at once."""
    from datetime import timedelta

    from monitor.feeds.poller import SEEN_RETENTION, run_forever
    from monitor.store import migrate

    settings = make_settings()
    migrate.upgrade(settings.db_url)
    ensure_topics(settings)
    engine = engines(settings.db_url)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        feed_id, _ = feed_store.add_feed(conn, "https://f.example/feed", now=now)
        feed_store.set_state(conn, feed_id, "paused", "not polled in this test", now)
        feed_store.mark_items_seen(conn, feed_id, ["old"], now - SEEN_RETENTION - timedelta(days=1))
        feed_store.mark_items_seen(conn, feed_id, ["new"], now)
    asyncio.run(run_forever(settings, asyncio.Event(), once=True))
    with transaction(engine) as conn:
        assert feed_store.known_item_ids(conn, feed_id, ["old", "new"]) == {"new"}
