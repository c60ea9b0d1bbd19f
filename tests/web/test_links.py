"""Links from emails against the real server: lifetimes, the expired-link pages, a fresh
confirmation link, key rotation, and tokens that act only on their own subscriber's rows."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, cast

from sqlalchemy import select

from monitor.errors import InvalidToken
from monitor.notify.assemble import queue_confirmation
from monitor.notify.tokens import LIFETIMES, make_token, verify_token
from monitor.store.db import transaction
from monitor.store.subscribers import (
    add_subscriber,
    add_subscription,
    delete_subscription,
    get_subscriber,
    list_subscriptions,
)
from monitor.store.tables import emails

from .helpers import call, person

FORMER = b"former-secret-7d1e4b9a0c3f5e8d2b6a"


def confirmation_emails(engine: Any, subscriber_id: int) -> list[tuple[str, EmailMessage]]:
    with transaction(engine) as conn:
        rows = conn.execute(
            select(emails.c.dedup_key, emails.c.raw)
            .where(emails.c.subscriber_id == subscriber_id, emails.c.kind == "confirm")
            .order_by(emails.c.id)
        ).all()
    return [
        (key, email.message_from_bytes(raw, policy=email.policy.default))
        for key, raw in rows
    ]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(cast(EmailMessage, part).get_content().split())


def test_the_confirmation_email_promises_the_lifetime_the_server_enforces(web: Any) -> None:
    settings, engine, _ = web
    pid, _ = person(engine, confirmed=False)
    sent_at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert queue_confirmation(settings, engine, pid, "LatAm", now=sent_at)
    ((_, message),) = confirmation_emails(engine, pid)
    body = text_of(message)
    promised = re.search(r"valid for (\d+) days", body)
    token = re.search(r"/c/([A-Za-z0-9_.\-]+)", body)
    assert promised and token, body
    days = timedelta(days=int(promised.group(1)))
    assert days == LIFETIMES["confirm"]
    keys = settings.token_keys()
    assert verify_token(token.group(1), keys, "confirm", sent_at + days).subscriber_id == pid
    try:
        verify_token(token.group(1), keys, "confirm", sent_at + days + timedelta(seconds=1))
    except InvalidToken as exc:
        assert exc.reason == "expired"
    else:
        raise AssertionError("the confirmation link outlived what the email promised")


def test_expired_links_change_nothing_and_say_what_to_do(web: Any) -> None:
    settings, engine, base = web
    pid, sid = person(engine, confirmed=False)
    key, now = settings.token_key(), datetime.now(UTC)
    # Links made for a subscriber who existed then: backdate the subscriber too.
    with transaction(engine) as conn:
        from monitor.store.tables import subscribers

        conn.execute(
            subscribers.update()
            .where(subscribers.c.id == pid)
            .values(created_at=now - timedelta(days=6 * 365))
        )
    confirm = make_token(key, "confirm", pid, None, now - timedelta(days=400))
    unsubscribe = make_token(key, "unsubscribe", pid, sid, now - timedelta(days=5 * 365))
    preferences = make_token(key, "preferences", pid, None, now - timedelta(days=61))
    advice = {
        f"{base}/c/{confirm}": "add it again",  # too old even to ask for a fresh one
        f"{base}/u/{unsubscribe}": "use the unsubscribe link in your latest email",
        f"{base}/p/{preferences}": "Preferences links work for 60 days",
    }
    for url, words in advice.items():
        for data in (None, b"List-Unsubscribe=One-Click"):
            status, page = call(url, data=data)
            assert status == 410 and "This link has expired" in page, (url, page)
            assert words in page and "/renew" not in page, page
    with transaction(engine) as conn:
        subscriber = get_subscriber(conn, pid)
        (subscription,) = list_subscriptions(conn, pid)
    assert subscriber is not None and not subscriber.confirmed
    assert subscriber.status == "active" and not subscription.paused
    # A broken link gets its own advice, and still changes nothing.
    status, page = call(f"{base}/u/{unsubscribe[:-9]}", data=b"")
    assert status == 400 and "not valid" in page and "whole link" in page


def test_an_expired_confirmation_link_can_ask_for_a_fresh_one_once_a_day(web: Any) -> None:
    settings, engine, base = web
    pid, _ = person(engine, confirmed=False)
    with transaction(engine) as conn:
        from monitor.store.tables import subscribers

        conn.execute(
            subscribers.update()
            .where(subscribers.c.id == pid)
            .values(created_at=datetime.now(UTC) - timedelta(days=30))
        )
    stale = make_token(
        settings.token_key(), "confirm", pid, None, datetime.now(UTC) - timedelta(days=8)
    )
    status, page = call(f"{base}/c/{stale}")
    assert status == 410 and f"action='/c/{stale}/renew'" in page
    assert "Send me a new confirmation link" in page
    for _ in range(2):  # a second press the same day sends nothing more
        status, page = call(f"{base}/c/{stale}/renew", data=b"")
        assert status == 200 and "Check your inbox" in page
    ((key, message),) = confirmation_emails(engine, pid)
    assert key.startswith(f"confirm:{pid}:renewed:")
    fresh = re.search(r"/c/([A-Za-z0-9_.\-]+)", text_of(message))
    assert fresh is not None and fresh.group(1) != stale
    assert call(f"{base}/c/{fresh.group(1)}")[0] == 200
    assert call(f"{base}/c/{fresh.group(1)}", data=b"")[0] == 200
    with transaction(engine) as conn:
        subscriber = get_subscriber(conn, pid)
    assert subscriber is not None and subscriber.confirmed
    # Past RENEWABLE_FOR an old link cannot ask any more.
    ancient = make_token(
        settings.token_key(), "confirm", pid, None, datetime.now(UTC) - timedelta(days=200)
    )
    status, page = call(f"{base}/c/{ancient}/renew", data=b"")
    assert status == 410 and "/renew" not in page


def test_links_signed_with_a_former_secret_work_while_it_is_listed(start_web: Any) -> None:
    settings, engine, base = start_web(token_old_secrets=FORMER.decode())
    pid, sid = person(engine)
    old = make_token(FORMER, "unsubscribe", pid, sid, datetime.now(UTC))
    assert settings.token_keys() == [settings.token_key(), FORMER]
    assert call(f"{base}/u/{old}")[0] == 200
    _, _, without = start_web()  # the same link once the former secret is dropped
    assert call(f"{without}/u/{old}")[0] == 400


def test_unsubscribe_never_pauses_a_reused_subscription_id(web: Any) -> None:
    """SQLite reuses the highest deleted id; PostgreSQL is given the same id explicitly, so
    the case is the same on both databases."""
    settings, engine, base = web
    ana, ana_subscription = person(engine, "ana@example.org")
    token = make_token(settings.token_key(), "unsubscribe", ana, ana_subscription, datetime.now(UTC))
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        assert delete_subscription(conn, ana_subscription)
        bob, _ = add_subscriber(conn, "bob@example.org", confirmed=True, now=now)
        reused = add_subscription(conn, bob, now=now, filters={}, id=ana_subscription)
    assert reused == ana_subscription
    status, page = call(f"{base}/u/{token}", data=b"List-Unsubscribe=One-Click")
    assert status == 200 and "Already stopped" in page
    with transaction(engine) as conn:
        (bobs,) = list_subscriptions(conn, bob)
        bob_row = get_subscriber(conn, bob)
    assert not bobs.paused and bob_row is not None and bob_row.status == "active"


def test_links_to_a_deleted_subscriber_do_not_reach_whoever_gets_the_id_next(web: Any) -> None:
    settings, engine, base = web
    ana, _ana_subscription = person(engine, "ana@example.org", confirmed=False)
    issued = datetime.now(UTC) - timedelta(minutes=10)
    key = settings.token_key()
    unsubscribe = make_token(key, "unsubscribe", ana, None, issued)
    confirm = make_token(key, "confirm", ana, None, issued)
    preferences = make_token(key, "preferences", ana, None, issued)
    with transaction(engine) as conn:
        from monitor.store.subscribers import delete_subscriber

        assert delete_subscriber(conn, ana)
        carla, _ = add_subscriber(conn, "carla@example.org", now=datetime.now(UTC))
        from monitor.store.tables import subscribers

        conn.execute(subscribers.update().where(subscribers.c.id == carla).values(id=ana))
        add_subscription(conn, ana, now=datetime.now(UTC), filters={}, name="Carla's")
    assert call(f"{base}/u/{unsubscribe}", data=b"")[0] == 200
    assert call(f"{base}/c/{confirm}", data=b"")[0] == 404
    status, page = call(f"{base}/p/{preferences}")
    assert status == 200 and "Carla" not in page
    with transaction(engine) as conn:
        carla_row = get_subscriber(conn, ana)
        (carlas,) = list_subscriptions(conn, ana)
    assert carla_row is not None and carla_row.email == "carla@example.org"
    assert carla_row.status == "active" and not carla_row.confirmed and not carlas.paused
