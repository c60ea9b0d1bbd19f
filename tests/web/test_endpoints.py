"""The web endpoint over real HTTP: health, readiness, metrics, unsubscribe, opt-in, preferences."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.notify.tokens import make_token
from monitor.store.db import transaction
from monitor.store.subscribers import get_subscriber, list_subscriptions
from monitor.web.limits import RateLimiter

from .helpers import call, person


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


def test_confirmation_link_shows_a_button_and_only_its_post_confirms(web: Any) -> None:
    settings, engine, base = web
    pid, _ = person(engine, confirmed=False)
    token = make_token(settings.token_key(), "confirm", pid, None, datetime.now(UTC))
    # What a mail scanner or link preview does: GET and HEAD, repeatedly.
    for _ in range(3):
        status, page = call(f"{base}/c/{token}")
        assert status == 200
        assert call(f"{base}/c/{token}", method="HEAD")[0] == 200
    with transaction(engine) as conn:
        subscriber = get_subscriber(conn, pid)
    assert subscriber is not None and not subscriber.confirmed
    # The page: a form that POSTs back to the link, a labelled button, no script.
    assert f"<form method='post' action='/c/{token}'>" in page
    assert "<button type='submit'" in page and "Confirm my subscription" in page
    assert "<script" not in page and "<html lang='en'>" in page
    status, page = call(f"{base}/c/{token}", data=b"")
    assert status == 200 and "Subscription confirmed" in page
    with transaction(engine) as conn:
        subscriber = get_subscriber(conn, pid)
    assert subscriber is not None and subscriber.confirmed
    assert "Already confirmed" in call(f"{base}/c/{token}")[1]


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
