"""The web endpoint over real HTTP: health, readiness, metrics, unsubscribe, opt-in, preferences."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.notify.tokens import make_token
from monitor.store.db import make_engine, transaction
from monitor.store.subscribers import (
    add_subscriber,
    add_subscription,
    get_subscriber,
    list_subscriptions,
)
from monitor.web.server import RateLimiter, serve


@pytest.fixture
def web(db_url: str, kafka_bootstrap: str, make_settings: Any) -> Any:
    from monitor.services import free_port

    port = free_port()
    settings = make_settings(database_url=db_url, web_port=port)
    from monitor.stream.topics import ensure_topics

    ensure_topics(settings)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(serve(settings, stop),))
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    engine = make_engine(settings.db_url)
    yield settings, engine, base
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
    loop.close()
    engine.dispose()


def call(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def person(engine: Any, *, confirmed: bool = True) -> tuple[int, int]:
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        pid, _ = add_subscriber(conn, "reader@example.org", confirmed=confirmed, now=now)
        sid = add_subscription(conn, pid, now=now, filters={}, name="LatAm")
    return pid, sid


def test_health_readiness_and_metrics(web: Any) -> None:
    _settings, _engine, base = web
    assert call(base + "/healthz")[0] == 200
    status, body = call(base + "/readyz")
    assert status == 200 and '"database"' in body and '"kafka"' in body
    status, body = call(base + "/metrics")
    assert status == 200
    assert "monitor_outbox_emails" in body and "monitor_database_up 1" in body
    assert "monitor_consumer_lag_total" in body


def test_one_click_unsubscribe_needs_post_and_a_valid_token(web: Any) -> None:
    settings, engine, base = web
    pid, sid = person(engine)
    token = make_token(settings.token_key(), "unsubscribe", pid, sid, datetime.now(UTC))
    status, body = call(f"{base}/u/{token}")  # a mail scanner's GET changes nothing
    assert status == 200 and "<form method='post'" in body
    with transaction(engine) as conn:
        assert not list_subscriptions(conn, pid)[0].paused
    status, _ = call(f"{base}/u/{token}", data=b"List-Unsubscribe=One-Click")
    assert status == 200
    with transaction(engine) as conn:
        assert list_subscriptions(conn, pid)[0].paused
        subscriber = get_subscriber(conn, pid)
    assert subscriber is not None and subscriber.status == "unsubscribed"
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert call(f"{base}/u/{tampered}", data=b"")[0] == 400
    wrong_purpose = make_token(settings.token_key(), "confirm", pid, sid, datetime.now(UTC))
    assert call(f"{base}/u/{wrong_purpose}", data=b"")[0] == 400


def test_confirmation_link_confirms(web: Any) -> None:
    settings, engine, base = web
    pid, _ = person(engine, confirmed=False)
    token = make_token(settings.token_key(), "confirm", pid, None, datetime.now(UTC))
    assert call(f"{base}/c/{token}")[0] == 200
    with transaction(engine) as conn:
        subscriber = get_subscriber(conn, pid)
    assert subscriber is not None and subscriber.confirmed


def test_preferences_page_pauses_only_own_subscriptions(web: Any) -> None:
    settings, engine, base = web
    pid, sid = person(engine)
    token = make_token(settings.token_key(), "preferences", pid, None, datetime.now(UTC))
    status, body = call(f"{base}/p/{token}")
    assert status == 200 and "LatAm" in body
    assert call(f"{base}/p/{token}", data=f"subscription={sid}&action=pause".encode())[0] == 200
    with transaction(engine) as conn:
        assert list_subscriptions(conn, pid)[0].paused
    assert call(f"{base}/p/{token}", data=b"subscription=999&action=pause")[0] == 404


def test_token_routes_are_rate_limited(web: Any) -> None:
    _, _, base = web
    codes = [call(f"{base}/u/not-a-token")[0] for _ in range(15)]
    assert codes[0] == 400 and 429 in codes


def test_rate_limiter_refills_over_time() -> None:
    limiter = RateLimiter(rate=1.0, burst=2)
    assert limiter.allow("a", 0.0) and limiter.allow("a", 0.0)
    assert not limiter.allow("a", 0.1)
    assert limiter.allow("a", 1.2)
    assert limiter.allow("b", 0.1)  # clients are independent
