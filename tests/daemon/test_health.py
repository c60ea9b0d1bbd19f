"""The health core (monitor/health.py): its rules as tables, and one account read by
``monitor status``, ``/readyz`` and the Prometheus gauges, on both databases."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from monitor.health import (
    Check,
    collect_health,
    feed_health,
    is_failing,
    readiness_checks,
    role_beats,
)
from monitor.runtime.heartbeat import status_dir, write_heartbeat
from monitor.status import render_status
from monitor.store import feeds as feed_store
from monitor.store.db import make_engine, transaction
from monitor.store.feeds import FeedRow
from monitor.stream.topics import ensure_topics
from monitor.web.gauges import SystemGauges

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
BASE = FeedRow(
    id=1, url="https://a.example/rss", name="A", outlet="A", language=None, poll_interval=None,
    state="active", state_reason=None, etag=None, last_modified=None, trust_validators=True,
    server_interval=None, last_polled_at=None, last_success_at=None, next_poll_at=NOW,
    error_count=0, last_error=None, last_status=None, items_published=0,
)


@pytest.mark.parametrize(
    ("state", "errors", "failing"),
    [
        ("active", 0, False),
        ("active", 1, True),
        ("paused", 3, False),  # not polled: counted as paused, not failing
        ("gone", 9, False),
    ],
)
def test_a_failing_feed_is_an_active_feed_whose_last_poll_failed(
    state: str, errors: int, failing: bool
) -> None:
    assert is_failing(replace(BASE, state=state, error_count=errors)) is failing


def test_feed_health_counts_and_orders_the_failing_worst_first() -> None:
    feeds = [
        replace(BASE, id=1, error_count=1),
        replace(BASE, id=2, error_count=5, next_poll_at=NOW + timedelta(minutes=5)),
        replace(BASE, id=3, state="paused", error_count=2),
        replace(BASE, id=4, state="gone"),
        replace(BASE, id=5, next_poll_at=NOW - timedelta(seconds=1)),
    ]
    health = feed_health(feeds, NOW)
    assert (health.total, health.active, health.due, health.paused_or_gone) == (5, 3, 2, 2)
    assert [f.id for f in health.failing] == [2, 1]


def test_role_beats_judge_staleness_once() -> None:
    beats: dict[str, dict[str, object]] = {
        "worker": {"heartbeat": 990.0, "pid": 12},
        "mailer": {"heartbeat": 900},
        "poller": {"heartbeat": "not a time"},
        "web": {},
    }
    assert [(b.name, b.fresh, round(b.age_seconds), b.pid) for b in role_beats(beats, 1000.0)] == [
        ("mailer", False, 100, None),
        ("poller", False, 1000, None),
        ("web", False, 1000, None),
        ("worker", True, 10, 12),
    ]


def test_status_readiness_and_gauges_read_one_account(
    db_url: str, make_settings: Any
) -> None:
    settings = make_settings(database_url=db_url)
    ensure_topics(settings)
    engine = make_engine(settings.db_url)
    now = datetime.now(UTC)
    try:
        with transaction(engine) as conn:
            ids = [
                feed_store.add_feed(conn, f"https://f{n}.example/rss", name=f"F{n}", now=now)[0]
                for n in range(4)
            ]
            feed_store.record_poll(conn, ids[0], error_count=2, last_error="HTTP 503")
            feed_store.set_state(conn, ids[1], "paused", "paused by operator", now)
            feed_store.record_poll(conn, ids[1], error_count=7)
            feed_store.record_poll(conn, ids[2], next_poll_at=now + timedelta(hours=1))
        write_heartbeat(settings, "worker")
        (status_dir(settings) / "mailer.json").write_bytes(orjson.dumps({"heartbeat": 1.0}))

        report = collect_health(settings, engine)
        assert (report.feeds.total, report.feeds.active, report.feeds.due) == (4, 3, 2)
        assert [f.id for f in report.feeds.failing] == [ids[0]]
        assert report.lag.total == 0 and report.lag.error is None

        status = render_status(settings)
        assert "feeds:   4 total, 3 active, 2 due now, 1 failing, 1 paused/gone" in status
        assert "worker ok" in status and "mailer STALE" in status

        checks = readiness_checks(settings, engine)
        assert checks["database"] == Check(True, "reachable")
        assert checks["kafka"] == Check(True, "reachable")
        assert checks["role:worker"].ok and not checks["role:mailer"].ok

        gauges = SystemGauges(settings, engine).render().decode()
        assert re.search(r"^monitor_feeds_failing 1$", gauges, re.M), gauges
        assert re.search(r"^monitor_feeds_due 2$", gauges, re.M), gauges
        assert 'monitor_feeds{state="paused"} 1' in gauges
    finally:
        engine.dispose()


def test_an_unreachable_kafka_is_reported_not_raised(db_url: str, make_settings: Any) -> None:
    from monitor.services import free_port

    settings = make_settings(database_url=db_url, kafka_bootstrap=f"127.0.0.1:{free_port()}")
    engine = make_engine(settings.db_url)
    try:
        report = collect_health(settings, engine)
        assert report.lag.total is None and report.lag.error
        assert readiness_checks(settings, engine)["kafka"] == Check(False, "no answer")
        assert "kafka:   unreachable at 127.0.0.1:" in render_status(settings)
    finally:
        engine.dispose()
