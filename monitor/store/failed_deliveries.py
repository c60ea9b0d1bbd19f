"""SQL for what failed for good: emails (the outbox) and channel messages (the ledger), as
one list for operators, newest first, in keyset pages.

An item is named by its source and id (``email`` 12, ``message`` 34). The list's order is
(created_at, source, id), descending; a page's position is the last item's key, so items
failing meanwhile never shift the next page. The two tables are read separately (each by
its status index) and merged: a page reads at most ``limit`` rows of each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.engine import Connection

from monitor.store.tables import channel_messages, destinations, emails, subscribers, subscriptions

EMAIL = "email"
MESSAGE = "message"
SOURCES = (EMAIL, MESSAGE)


@dataclass(frozen=True, slots=True, order=True)
class FailedKey:
    """Where an item stands in the list (compared as a tuple: time, then source, then id)."""

    created_at: datetime
    source: str
    id: int


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    """One email or channel message that failed for good, with its subscriber's standing."""

    source: str  # EMAIL | MESSAGE
    id: int
    created_at: datetime
    kind: str  # alert | update | digest | volume | confirm | sign_in | test
    channel: str  # "email", or the destination's kind (webhook, slack …)
    target: str  # the address, or the destination's redacted target
    attempts: int
    reason: str
    subscriber_id: int | None
    subscriber_email: str
    subscriber_status: str | None  # None: the subscriber is gone
    subscriber_confirmed: bool
    destination_id: int | None = None
    destination_enabled: bool = True

    @property
    def key(self) -> FailedKey:
        return FailedKey(self.created_at, self.source, self.id)


def _email_rows() -> Any:
    return (
        select(
            emails.c.id,
            emails.c.created_at,
            emails.c.kind,
            emails.c.recipient,
            emails.c.attempts,
            emails.c.last_error,
            emails.c.subscriber_id,
            subscribers.c.email,
            subscribers.c.status,
            subscribers.c.confirmed,
        )
        .outerjoin(subscribers, subscribers.c.id == emails.c.subscriber_id)
        .where(emails.c.status == "failed")
    )


def _message_rows() -> Any:
    return (
        select(
            channel_messages.c.id,
            channel_messages.c.created_at,
            channel_messages.c.kind,
            destinations.c.kind.label("channel"),
            destinations.c.target_hint,
            channel_messages.c.attempts,
            channel_messages.c.last_error,
            subscriptions.c.subscriber_id,
            subscribers.c.email,
            subscribers.c.status,
            subscribers.c.confirmed,
            destinations.c.id.label("destination_id"),
            destinations.c.enabled,
        )
        .join(destinations, destinations.c.id == channel_messages.c.destination_id)
        .join(subscriptions, subscriptions.c.id == destinations.c.subscription_id)
        .outerjoin(subscribers, subscribers.c.id == subscriptions.c.subscriber_id)
        .where(channel_messages.c.status == "failed")
    )


def _email(row: Any) -> FailedDelivery:
    return FailedDelivery(
        EMAIL,
        int(row.id),
        row.created_at,
        row.kind,
        "email",
        row.recipient,
        int(row.attempts),
        row.last_error or "",
        row.subscriber_id,
        row.email or "",
        row.status,
        bool(row.confirmed),
    )


def _message(row: Any) -> FailedDelivery:
    return FailedDelivery(
        MESSAGE,
        int(row.id),
        row.created_at,
        row.kind,
        row.channel,
        row.target_hint,
        int(row.attempts),
        row.last_error or "",
        row.subscriber_id,
        row.email or "",
        row.status,
        bool(row.confirmed),
        int(row.destination_id),
        bool(row.enabled),
    )


def _beyond(created_at: Any, row_id: Any, source: str, key: FailedKey, *, older: bool) -> Any:
    """The rows of one source whose (created_at, source, id) is past ``key``: smaller when
    ``older``, else larger. The source is fixed per table, so it decides the tie on time."""
    if older:
        before_in_time, same_time = created_at < key.created_at, created_at == key.created_at
        tie = (
            row_id < key.id
            if source == key.source
            else (true() if source < key.source else false())
        )
    else:
        before_in_time, same_time = created_at > key.created_at, created_at == key.created_at
        tie = (
            row_id > key.id
            if source == key.source
            else (true() if source > key.source else false())
        )
    return or_(before_in_time, and_(same_time, tie))


def failed_page(
    conn: Connection,
    *,
    limit: int,
    after: FailedKey | None = None,
    before: FailedKey | None = None,
) -> list[FailedDelivery]:
    """Up to ``limit`` failed items, newest first: the newest, those older than ``after``,
    or the ``limit`` newer than ``before`` (a page back)."""
    newer = before is not None
    key = before if newer else after
    found: list[FailedDelivery] = []
    for source, stmt, table, build in (
        (EMAIL, _email_rows(), emails, _email),
        (MESSAGE, _message_rows(), channel_messages, _message),
    ):
        created_at, row_id = table.c.created_at, table.c.id
        if key is not None:
            stmt = stmt.where(_beyond(created_at, row_id, source, key, older=not newer))
        order = (created_at.asc(), row_id.asc()) if newer else (created_at.desc(), row_id.desc())
        found.extend(build(row) for row in conn.execute(stmt.order_by(*order).limit(limit)))
    found.sort(key=lambda item: item.key, reverse=not newer)
    shown = found[:limit]
    if newer:
        shown.reverse()
    return shown


def count_failed(conn: Connection) -> int:
    total = 0
    for table in (emails, channel_messages):
        stmt = select(func.count()).select_from(table).where(table.c.status == "failed")
        total += int(conn.execute(stmt).scalar_one())
    return total


def failed_items(
    conn: Connection, email_ids: Sequence[int], message_ids: Sequence[int]
) -> list[FailedDelivery]:
    """The items of these ids that are failed now (others: sent, retried, or gone)."""
    found: list[FailedDelivery] = []
    if email_ids:
        stmt = _email_rows().where(emails.c.id.in_(list(email_ids)))
        found.extend(_email(row) for row in conn.execute(stmt))
    if message_ids:
        stmt = _message_rows().where(channel_messages.c.id.in_(list(message_ids)))
        found.extend(_message(row) for row in conn.execute(stmt))
    return found


def failed_messages(conn: Connection, limit: int = 50) -> list[FailedDelivery]:
    """The newest channel messages that failed for good (``monitor subscriber failures``)."""
    stmt = _message_rows().order_by(channel_messages.c.id.desc()).limit(limit)
    return [_message(row) for row in conn.execute(stmt)]
