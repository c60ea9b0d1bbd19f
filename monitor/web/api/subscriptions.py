"""The reader's own subscriptions: list, create, read, change, delete.

Every statement is scoped to the key's subscriber: another reader's subscription id
answers 404 exactly as an id that does not exist, so ids reveal nothing. Bodies are
checked by ``check_subscription`` (the CLI's and preferences page's rules) and refused
whole with every problem listed; nothing is stored from a refused body.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from monitor.config import Settings
from monitor.errors import Problem
from monitor.logs import get_logger
from monitor.store import subscribers as store
from monitor.store.db import transaction
from monitor.subscriptions.preferences import input_from_row, topic_vocabulary
from monitor.web.api.door import Call, Reply
from monitor.web.api.problems import invalid, not_found
from monitor.web.api.reads import path_id
from monitor.web.api.shapes import subscription_json
from monitor.web.api.subscription_input import (
    SubscriptionChange,
    base_input,
    check_subscription,
)

log = get_logger(__name__)
# A reader's subscriptions are few; a cap keeps a script's loop from filling the table.
MAX_SUBSCRIPTIONS = 100


def _own(conn: Connection, call: Call) -> store.SubscriptionRow:
    subscription_id = path_id(call, "id", "subscription")
    row = store.get_subscription(conn, subscription_id)
    if row is None or row.subscriber_id != call.holder.subscriber_id:
        raise not_found("subscription by that id")
    return row


def _checked(call: Call, base_row: store.SubscriptionRow | None, settings: Settings) -> SubscriptionChange:
    holder = call.holder
    vocabulary = topic_vocabulary(*settings.topic_files())
    if base_row is None:
        base = base_input(holder.subscriber_email, holder.subscriber_time_zone)
    else:
        person = store.SubscriberRow(
            id=holder.subscriber_id, email=holder.subscriber_email,
            display_name=holder.subscriber_name, time_zone=holder.subscriber_time_zone,
            confirmed=True, status=holder.subscriber_status,
        )
        base = replace(input_from_row(base_row, person), name=base_row.name)
    result = check_subscription(call.body, base, vocabulary)
    if isinstance(result, list):
        raise invalid("the subscription was refused; nothing was stored", result)
    return result


def _only_pausing(body: object) -> bool:
    return isinstance(body, dict) and body.keys() == {"paused"} and isinstance(
        body["paused"], bool
    )


def list_subscriptions(engine: Engine, settings: Settings, call: Call) -> Reply:
    with transaction(engine) as conn:
        rows = store.list_subscriptions(conn, call.holder.subscriber_id)
    return Reply(200, {"items": [subscription_json(row) for row in rows]})


def get_subscription(engine: Engine, settings: Settings, call: Call) -> Reply:
    with transaction(engine) as conn:
        row = _own(conn, call)
    return Reply(200, subscription_json(row))


def create_subscription(engine: Engine, settings: Settings, call: Call) -> Reply:
    change = _checked(call, None, settings)
    subscriber_id = call.holder.subscriber_id
    with transaction(engine) as conn:
        if len(store.list_subscriptions(conn, subscriber_id)) >= MAX_SUBSCRIPTIONS:
            raise invalid("too many subscriptions", [
                Problem("body", f"a reader has at most {MAX_SUBSCRIPTIONS}; delete one first")
            ])
        new_id = store.add_subscription(
            conn, subscriber_id, now=call.now, name=change.name,
            paused=bool(change.paused), **change.preferences.subscription_values(),
        )
        row = store.get_subscription(conn, new_id)
    assert row is not None
    log.info("api.subscription_created", subscriber_id=subscriber_id, subscription_id=new_id)
    return Reply(201, subscription_json(row),
                 (("Location", f"/api/v1/subscriptions/{new_id}"),))


def update_subscription(engine: Engine, settings: Settings, call: Call) -> Reply:
    with transaction(engine) as conn:
        current = _own(conn, call)
        if _only_pausing(call.body):
            # As on the preferences page: pausing or resuming never re-checks the rest, so
            # a subscription saved before a rule existed can still be paused.
            store.set_subscription(conn, current.id, now=call.now, paused=call.body["paused"])
            row = store.get_subscription(conn, current.id)
            assert row is not None
            return Reply(200, subscription_json(row))
        change = _checked(call, current, settings)
        values = {"name": change.name, **change.preferences.subscription_values()}
        if change.paused is not None:
            values["paused"] = change.paused
        store.set_subscription(conn, current.id, now=call.now, **values)
        row = store.get_subscription(conn, current.id)
    assert row is not None
    log.info("api.subscription_updated", subscriber_id=call.holder.subscriber_id,
             subscription_id=current.id)
    return Reply(200, subscription_json(row))


def delete_subscription(engine: Engine, settings: Settings, call: Call) -> Reply:
    with transaction(engine) as conn:
        current = _own(conn, call)
        store.delete_subscription(conn, current.id)
    log.info("api.subscription_deleted", subscriber_id=call.holder.subscriber_id,
             subscription_id=current.id)
    return Reply(204)

