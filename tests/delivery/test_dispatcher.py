"""The dispatcher against real loopback receivers playing Slack, Teams, Telegram and a
webhook, on SQLite and PostgreSQL: content, signatures, retries, refusals, redaction."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.delivery.commands import (
    NewDestination,
    add_destination,
    enable_destination,
    list_destinations,
    send_trial,
)
from monitor.delivery.dispatcher import Dispatcher
from monitor.delivery.secrets import DestinationCipher, hint_of
from monitor.delivery.targets import BadDestinationError
from monitor.delivery.webhook import verify_signature
from monitor.notify.assemble import Assembler
from monitor.store import channel_ledger as ledger
from monitor.store.db import make_engine, transaction
from monitor.store.tables import channel_messages, destinations, emails, subscriptions
from tests.delivery.receivers import Receivers, Reply, json_of
from tests.notify.test_mailer import ingest, subscribe
from tests.stream.test_handler import MENAFN, RIO

BOT_TOKEN = "123456:TEST-bot-token-abcdefghijklmnop"
CHAT = "-1001234567777"
HOOK = "/hooks/webhook-secret-path-A1"
SLACK = "/services/T000/B000/slack-secret-path-B2"
TEAMS = "/workflows/teams-secret-path-C3/triggers/manual/paths/invoke"
DISCORD = "/api/webhooks/1234/discord-secret-path-D4"


@pytest.fixture
def world(db_url: str, make_settings: Any, receivers: Receivers) -> Iterator[Any]:
    settings = make_settings(
        database_url=db_url,
        public_url="https://alerts.example.org",
        destinations_allow_http=True,
        telegram_bot_token=BOT_TOKEN,
        telegram_api_url=receivers.url(""),
        dispatch_timeout=0.5,
        dispatch_host_spacing=0.0,
    )
    engine = make_engine(settings.db_url)
    yield settings, engine, receivers
    engine.dispose()


def subscription_of(engine: Any) -> int:
    with transaction(engine) as conn:
        return int(conn.execute(select(subscriptions.c.id)).scalars().one())


def add(settings: Settings, engine: Any, kind: str, target: str, capsys: Any) -> tuple[int, str]:
    """Add a destination as the CLI does; return its id and the printed signing secret."""
    destination = add_destination(settings, engine, NewDestination(subscription_of(engine), kind, target))
    printed = capsys.readouterr().out
    found = re.search(r"signing secret \(shown once; give it to the receiver\): (\S+)", printed)
    assert (found is not None) == (kind == "webhook")
    return destination, found.group(1) if found else ""


def dispatch(settings: Settings, engine: Any, now: datetime | None = None) -> int:
    async def go() -> int:
        dispatcher = Dispatcher(settings, engine, worker="test-dispatcher")
        try:
            return await dispatcher.pass_once(now)
        finally:
            await dispatcher.close()

    return asyncio.run(go())


def ledger_rows(engine: Any) -> list[Any]:
    with transaction(engine) as conn:
        return list(conn.execute(select(channel_messages).order_by(channel_messages.c.id)))


def one_alert(settings: Settings, engine: Any) -> int:
    """Ingest the founding example and assemble it; return how many emails were queued."""
    ingest(engine, RIO + MENAFN)
    return Assembler(settings, engine).run_once()


def test_every_channel_gets_the_alert_once_in_its_own_format(world: Any, capsys: Any) -> None:
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org", mode="immediate")
    hook, secret = add(settings, engine, "webhook", receivers.url(HOOK), capsys)
    add(settings, engine, "slack", receivers.url(SLACK), capsys)
    add(settings, engine, "teams", receivers.url(TEAMS), capsys)
    add(settings, engine, "telegram", CHAT, capsys)
    add(settings, engine, "discord", receivers.url(DISCORD), capsys)

    assert one_alert(settings, engine) == 1
    assert Assembler(settings, engine).run_once() == 0  # nothing queued twice
    rows = ledger_rows(engine)
    assert len(rows) == 5 and {r.kind for r in rows} == {"alert"}
    with transaction(engine) as conn:
        (email,) = conn.execute(select(emails)).all()
    assert {r.dedup_key for r in rows} == {email.dedup_key}  # the same alert as the email

    assert dispatch(settings, engine) == 5
    assert dispatch(settings, engine) == 0
    by_id = {r.destination_id: r for r in ledger_rows(engine)}
    assert all(r.status == "sent" and r.attempts == 1 and r.lease_owner is None for r in by_id.values())

    (webhook,) = receivers.at(HOOK)
    headers = webhook.headers
    assert verify_signature(
        secret, headers["X-Monitor-Timestamp"], webhook.body, headers["X-Monitor-Signature"],
        now=time.time(),
    )
    assert headers["Idempotency-Key"] == by_id[hook].delivery_id == json_of(webhook)["delivery_id"]
    story = json_of(webhook)["groups"][0]["stories"][0]
    title = story["title"]
    assert "Latin America" in title and story["url"].startswith("https://")
    assert email.subject.endswith(title[:40]) or title[:40] in email.subject

    (slack,) = receivers.at(SLACK)
    assert json_of(slack)["blocks"][0]["text"]["text"] == title
    (teams,) = receivers.at(TEAMS)
    card = json_of(teams)["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert title in orjson.dumps(card).decode()
    (telegram,) = receivers.at(f"/bot{BOT_TOKEN}/sendMessage")
    sent = json_of(telegram)
    assert sent["chat_id"] == CHAT and sent["parse_mode"] == "HTML"
    assert f"<b>{title}</b>" in sent["text"] or title.replace("'", "&#x27;") in sent["text"]
    (discord,) = receivers.at(DISCORD)
    posted = json_of(discord)
    assert posted["allowed_mentions"] == {"parse": []}
    assert story["url"].replace("(", "%28").replace(")", "%29") in posted["embeds"][0]["description"]
    assert discord.headers["X-Monitor-Delivery"] in {r.delivery_id for r in by_id.values()}


def test_500_then_success_and_429_with_retry_after(world: Any, capsys: Any) -> None:
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org", mode="immediate")
    hook, _ = add(settings, engine, "webhook", receivers.url(HOOK), capsys)
    slack, _ = add(settings, engine, "slack", receivers.url(SLACK), capsys)
    receivers.script(HOOK, Reply(500, body="boom"))
    receivers.script(SLACK, Reply(429, {"Retry-After": "120"}, body="rate_limited"))
    one_alert(settings, engine)

    start = datetime.now(UTC)
    assert dispatch(settings, engine) == 0
    rows = {r.destination_id: r for r in ledger_rows(engine)}
    assert rows[hook].status == "pending" and "500" in rows[hook].last_error
    assert start < rows[hook].next_attempt_at <= start + timedelta(seconds=10)
    waited = rows[slack].next_attempt_at - start
    assert timedelta(seconds=118) <= waited <= timedelta(seconds=125)  # Retry-After honoured

    assert dispatch(settings, engine, start + timedelta(seconds=60)) == 1  # the webhook only
    assert dispatch(settings, engine, start + timedelta(seconds=110)) == 0  # Slack still waits
    assert dispatch(settings, engine, start + timedelta(seconds=130)) == 1
    rows = {r.destination_id: r for r in ledger_rows(engine)}
    assert all(r.status == "sent" and r.attempts == 2 for r in rows.values())
    tries = receivers.at(HOOK)
    assert len(tries) == 2 and len({t.headers["Idempotency-Key"] for t in tries}) == 1
    assert len({json_of(t)["delivery_id"] for t in tries}) == 1
    assert len(receivers.at(SLACK)) == 2


def test_404_disables_the_destination_with_a_reason_the_list_shows(
    world: Any, capsys: Any
) -> None:
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org", mode="immediate")
    teams, _ = add(settings, engine, "teams", receivers.url(TEAMS), capsys)
    receivers.script(TEAMS, Reply(404, body="workflow not found"))
    one_alert(settings, engine)

    assert dispatch(settings, engine) == 0
    (row,) = ledger_rows(engine)
    assert row.status == "failed" and "404" in row.last_error
    with transaction(engine) as conn:
        found = ledger.get_destination(conn, teams)
    assert found is not None and not found.enabled
    assert found.disabled_reason is not None and "HTTP 404 Not Found" in found.disabled_reason
    list_destinations(engine, None, as_json=False)
    listed = capsys.readouterr().out
    assert "disabled: HTTP 404 Not Found" in listed and "teams-secret-path" not in listed
    assert dispatch(settings, engine, datetime.now(UTC) + timedelta(hours=1)) == 0
    assert len(receivers.at(TEAMS)) == 1  # no retry of a permanent refusal

    enable_destination(engine, teams)
    with transaction(engine) as conn:
        again = ledger.get_destination(conn, teams)
    assert again is not None and again.enabled and again.disabled_reason is None


def test_a_slow_receiver_times_out_and_the_retry_carries_the_same_key(
    world: Any, capsys: Any
) -> None:
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org", mode="immediate")
    add(settings, engine, "webhook", receivers.url(HOOK), capsys)
    receivers.script(HOOK, Reply(200, delay=3.0))
    one_alert(settings, engine)

    began = time.monotonic()
    assert dispatch(settings, engine) == 0
    # the timeout (0.5 s) cut it short, well before the 3 s reply (wide for a loaded host)
    assert time.monotonic() - began < 2.5
    (row,) = ledger_rows(engine)
    assert row.status == "pending" and "timed out" in row.last_error
    assert dispatch(settings, engine, datetime.now(UTC) + timedelta(minutes=1)) == 1
    tries = receivers.at(HOOK)
    assert len(tries) == 2 and tries[0].headers["Idempotency-Key"] == tries[1].headers["Idempotency-Key"]


def test_private_addresses_are_refused_at_the_door_and_on_every_send(
    db_url: str, make_settings: Any, receivers: Receivers, capsys: Any
) -> None:
    settings = make_settings(
        database_url=db_url, allow_private_addresses=False, destinations_allow_http=True
    )
    engine = make_engine(settings.db_url)
    try:
        subscribe(engine, "desk@example.org", mode="immediate")
        subscription = subscription_of(engine)
        refused = {
            receivers.url(HOOK): "loopback address",
            f"http://localhost:{receivers.port}/x": "this machine",
            "http://10.1.2.3/hook": "private address",
            "http://169.254.169.254/latest/meta-data": "link-local",
            "http://[::ffff:127.0.0.1]/x": "loopback",
            "http://2130706433/x": "non-canonical numeric",
            "ftp://example.org/x": "must start with https://",
            "https://user:pw@example.org/x": "user name or password",
            "not a url": "empty, too long or has spaces",
        }
        for url, why in refused.items():
            with pytest.raises(BadDestinationError, match=re.escape(why)):
                add_destination(settings, engine, NewDestination(subscription, "webhook", url))
        strict = make_settings(database_url=db_url)
        with pytest.raises(BadDestinationError, match="plain http"):
            add_destination(strict, engine, NewDestination(subscription, "slack", "http://example.org/x"))
        with pytest.raises(BadDestinationError, match="Telegram chat id"):
            add_destination(strict, engine, NewDestination(subscription, "telegram", "<b>1</b>"))

        # Stored while private addresses were allowed: refused on the way out, by the
        # URL check (a literal address) and by the resolver (a name), never connected to.
        cipher = DestinationCipher(settings.destination_keys())
        ids = []
        with transaction(engine) as conn:
            for url in (receivers.url(HOOK), f"http://localhost:{receivers.port}{SLACK}"):
                ids.append(
                    ledger.add_destination(
                        conn,
                        subscription_id=subscription,
                        kind="webhook",
                        target=cipher.seal(url),
                        target_hint=hint_of("webhook", url),
                        signing_secret=cipher.seal("s"),
                        now=datetime.now(UTC),
                    )
                )
        one_alert(settings, engine)
        assert dispatch(settings, engine) == 0
        assert receivers.received == []
        with transaction(engine) as conn:
            for destination in ids:
                row = ledger.get_destination(conn, destination)
                assert row is not None and not row.enabled
                assert row.disabled_reason is not None and "refused" in row.disabled_reason
    finally:
        engine.dispose()


def test_targets_are_encrypted_and_never_printed_or_logged(
    world: Any, capsys: Any, caplog: Any
) -> None:
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org", mode="immediate")
    add(settings, engine, "slack", receivers.url(SLACK), capsys)
    telegram, _ = add(settings, engine, "telegram", CHAT, capsys)
    receivers.script(f"/bot{BOT_TOKEN}/sendMessage", Reply(403, body="Forbidden: bot was blocked"))
    receivers.script(SLACK, Reply(500, body="oops"))
    one_alert(settings, engine)
    caplog.set_level(logging.INFO, logger="monitor")
    dispatch(settings, engine)

    secrets_ = ("slack-secret-path", CHAT, BOT_TOKEN, "TEST-bot-token")
    with transaction(engine) as conn:
        stored = [tuple(map(str, row)) for row in conn.execute(select(destinations))]
        stored += [tuple(map(str, row)) for row in conn.execute(select(channel_messages))]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    list_destinations(engine, None, as_json=True)
    listed = capsys.readouterr().out
    config = orjson.dumps(settings.redacted()).decode()
    for secret in secrets_:
        assert secret not in " ".join(" ".join(row) for row in stored)
        assert secret not in logged
        assert secret not in listed
        assert secret not in config
    assert "channel.failed" in logged and "channel.rejected" in logged  # it did log them
    assert f"http://127.0.0.1:{receivers.port}/****" in listed and "chat ****777" in listed
    with transaction(engine) as conn:
        blocked = ledger.get_destination(conn, telegram)
    assert blocked is not None and not blocked.enabled and "403" in str(blocked.disabled_reason)


def test_the_test_action_posts_now_and_reports(world: Any, capsys: Any) -> None:
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org", mode="immediate")
    hook, secret = add(settings, engine, "webhook", receivers.url(HOOK), capsys)
    outcome = asyncio.run(send_trial(settings, engine, hook))
    assert outcome.kind == "sent"
    (got,) = receivers.at(HOOK)
    assert json_of(got)["kind"] == "test"
    assert verify_signature(
        secret, got.headers["X-Monitor-Timestamp"], got.body, got.headers["X-Monitor-Signature"],
        now=time.time(),
    )
    receivers.script(HOOK, Reply(410, body="gone"))
    outcome = asyncio.run(send_trial(settings, engine, hook))
    assert outcome.kind == "permanent" and "410" in outcome.reason and outcome.disable
    assert ledger_rows(engine) == []  # a test message is not an alert


def test_a_changed_key_or_an_expired_lease_sends_nothing_and_loses_nothing(
    world: Any, capsys: Any, make_settings: Any
) -> None:
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org", mode="immediate")
    add(settings, engine, "webhook", receivers.url(HOOK), capsys)
    one_alert(settings, engine)

    # Another destination key (MONITOR_DESTINATION_SECRET changed): retried, not crashed.
    other = make_settings(
        database_url=settings.database_url.get_secret_value(),
        destination_secret="A" * 43 + "=",
        destinations_allow_http=True,
    )
    assert dispatch(other, engine) == 0
    (row,) = ledger_rows(engine)
    assert row.status == "pending" and "cannot be decrypted" in row.last_error
    assert receivers.received == []

    # The host's turn comes after the lease's safe part: released, not sent.
    async def late() -> Any:
        dispatcher = Dispatcher(settings, engine, worker="test-dispatcher")
        try:
            with transaction(engine) as conn:
                (claimed,) = ledger.claim_messages(
                    conn, now=datetime.now(UTC) + timedelta(hours=1), worker="w",
                    lease=timedelta(minutes=2),
                )
            expired_at = asyncio.get_running_loop().time() - 1000
            return await dispatcher._deliver(claimed, expired_at)
        finally:
            await dispatcher.close()

    assert asyncio.run(late()) is False
    (row,) = ledger_rows(engine)
    assert row.status == "pending" and row.lease_owner is None and row.attempts == 1
    assert receivers.received == []
    assert dispatch(settings, engine, datetime.now(UTC) + timedelta(hours=1)) == 1
    assert len(receivers.at(HOOK)) == 1


def test_erasing_a_person_erases_their_destinations_and_messages(world: Any, capsys: Any) -> None:
    from monitor.store.subscribers import delete_subscriber

    settings, engine, receivers = world
    person = subscribe(engine, "desk@example.org", mode="immediate")
    add(settings, engine, "slack", receivers.url(SLACK), capsys)
    one_alert(settings, engine)
    assert len(ledger_rows(engine)) == 1
    with transaction(engine) as conn:
        assert delete_subscriber(conn, person)
    with transaction(engine) as conn:
        assert conn.execute(select(destinations)).all() == []
    assert ledger_rows(engine) == []
    assert dispatch(settings, engine) == 0 and receivers.received == []


def test_a_daily_digest_is_one_message_per_destination_grouped_as_the_email(
    world: Any, capsys: Any
) -> None:
    from tests.notify.test_mailer import dev_items

    settings, engine, receivers = world
    subscribe(engine, "kyiv@example.org", tz="Europe/Kyiv", mode="daily", digest_time="08:00")
    add(settings, engine, "webhook", receivers.url(HOOK), capsys)
    add(settings, engine, "telegram", CHAT, capsys)
    noon = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    ingest(engine, dev_items(), now=noon)
    assert Assembler(settings, engine).run_once(noon) == 0
    assert ledger_rows(engine) == []  # nothing before the digest is due, for chats either
    due = datetime(2026, 3, 28, 6, 0, tzinfo=UTC)  # 08:00 in Kyiv
    assert Assembler(settings, engine).run_once(due) == 1
    rows = ledger_rows(engine)
    assert len(rows) == 2 and {r.kind for r in rows} == {"digest"}
    with transaction(engine) as conn:
        (email,) = conn.execute(select(emails)).all()
    assert dispatch(settings, engine, due) == 2
    (webhook,) = receivers.at(HOOK)
    digest = json_of(webhook)
    stories = [s for group in digest["groups"] for s in group["stories"]]
    assert digest["kind"] == "digest" and digest["total"] == len(stories) >= 3
    assert f"{len(stories)} stories" in digest["heading"] and f"{len(stories)} stories" in email.subject
    assert all(" — " in group["name"] for group in digest["groups"])  # category — country
    (telegram,) = receivers.at(f"/bot{BOT_TOKEN}/sendMessage")
    text = json_of(telegram)["text"]
    shown = text.count("• <b>")
    more = re.search(r"…and (\d+) more stories in the email digest", text)
    assert shown >= 8 and more is not None  # 7 with full snippets and shown + int(more.group(1)) == len(stories)
    first = [g["name"] for g in digest["groups"]][:2]
    assert text.index(first[0]) < text.index(first[1])  # the email's group order


def test_one_host_gets_its_concurrency_and_spacing_and_a_down_receiver_loses_nothing(
    db_url: str, make_settings: Any, receivers: Receivers, capsys: Any
) -> None:
    import socket

    settings = make_settings(
        database_url=db_url,
        destinations_allow_http=True,
        dispatch_per_host=1,
        dispatch_host_spacing=0.3,
        dispatch_timeout=2.0,
    )
    engine = make_engine(settings.db_url)
    with socket.socket() as probe:  # a port with nobody listening: the receiver is down
        probe.bind(("127.0.0.1", 0))
        down_port = probe.getsockname()[1]
    later: Receivers | None = None
    try:
        subscribe(engine, "desk@example.org", mode="immediate")
        for n in range(4):
            receivers.script(f"/hook{n}", Reply(200, delay=0.2))
            add(settings, engine, "webhook", receivers.url(f"/hook{n}"), capsys)
        add(settings, engine, "slack", f"http://127.0.0.1:{down_port}{SLACK}", capsys)
        one_alert(settings, engine)

        assert dispatch(settings, engine) == 4
        assert receivers.most_in_flight == 1  # dispatch_per_host
        gaps = [b - a for a, b in zip(receivers.arrivals, receivers.arrivals[1:], strict=False)]
        assert len(gaps) == 3 and min(gaps) >= 0.3 * 0.9  # dispatch_host_spacing
        (down,) = [r for r in ledger_rows(engine) if r.status != "sent"]
        assert down.status == "pending" and "could not connect" in down.last_error

        later = Receivers(port=down_port).start()  # the receiver comes back
        assert dispatch(settings, engine, datetime.now(UTC) + timedelta(minutes=5)) == 1
        assert len(later.at(SLACK)) == 1
        assert all(r.status == "sent" for r in ledger_rows(engine))
    finally:
        if later is not None:
            later.stop()
        engine.dispose()
