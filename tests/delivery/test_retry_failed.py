"""Retrying a channel message that failed for good: the real dispatcher posts it again to
the real loopback receiver, once, with the same delivery id (the Idempotency-Key), and
only once its disabled destination is enabled again. SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from monitor.delivery.commands import enable_destination
from monitor.delivery.retry import Ref, parse_refs, retry_failed, retry_refusal
from monitor.store.failed_deliveries import MESSAGE, FailedDelivery
from tests.delivery.receivers import Reply
from tests.delivery.test_dispatcher import (  # noqa: F401 - world is a fixture
    HOOK,
    add,
    dispatch,
    ledger_rows,
    one_alert,
    world,
)
from tests.notify.test_mailer import subscribe


def test_a_refused_message_is_retried_once_with_its_delivery_id(
    world: Any,  # noqa: F811
    capsys: Any,
) -> None:
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org", mode="immediate")
    hook, _ = add(settings, engine, "webhook", receivers.url(HOOK), capsys)
    receivers.script(HOOK, Reply(410, body="gone for now"))
    one_alert(settings, engine)
    assert dispatch(settings, engine) == 0
    (row,) = ledger_rows(engine)
    assert row.status == "failed"
    (first,) = receivers.at(HOOK)
    assert first.headers["Idempotency-Key"] == row.delivery_id

    ref = Ref(MESSAGE, row.id)
    report = retry_failed(engine, [ref], by="test", now=datetime.now(UTC))
    assert report.requeued == (ref,) and report.waiting == (ref,) and not report.refused
    assert dispatch(settings, engine) == 0  # the destination is still disabled: it waits
    assert len(receivers.at(HOOK)) == 1

    enable_destination(engine, hook)
    assert dispatch(settings, engine) == 1
    assert dispatch(settings, engine) == 0  # nothing doubled
    second = receivers.at(HOOK)[1]
    assert len(receivers.at(HOOK)) == 2
    assert second.headers["Idempotency-Key"] == first.headers["Idempotency-Key"]
    assert second.body == first.body
    (row,) = ledger_rows(engine)
    assert row.status == "sent" and row.attempts == 1

    again = retry_failed(engine, [ref], by="test", now=datetime.now(UTC))
    assert again.requeued == () and again.refused == ((ref, "not_failed"),)


def test_what_may_be_retried() -> None:
    refs, bad = parse_refs(["email:12", " message:3 ", "email:12", "emails:1", "email:-1", ""])
    assert refs == [Ref("email", 12), Ref(MESSAGE, 3)] and bad == ["emails:1", "email:-1", ""]
    item = FailedDelivery(
        MESSAGE,
        3,
        datetime.now(UTC),
        "alert",
        "slack",
        "https://hooks.slack.com/…",
        5,
        "HTTP 410",
        7,
        "desk@example.org",
        "active",
        True,
    )
    assert retry_refusal(item) is None
    for kind in ("confirm", "sign_in", "test"):
        assert retry_refusal(replace(item, kind=kind)) == "kind"
    assert retry_refusal(replace(item, subscriber_status=None)) == "gone"
    for status in ("paused", "bouncing", "unsubscribed"):
        assert retry_refusal(replace(item, subscriber_status=status)) == "inactive"
    assert retry_refusal(replace(item, subscriber_confirmed=False)) == "unconfirmed"
