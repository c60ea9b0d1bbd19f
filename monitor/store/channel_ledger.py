"""SQL for destinations and the channel ledger (every message to a webhook or chat).

The send protocol is email's (monitor/store/outbox.py), with the lease on the row:

1. ``claim_messages`` takes a lease (owner, until) and counts the attempt, in its own commit;
2. the dispatcher posts the message;
3. ``finish_message`` marks it sent (or failed, or due again) as soon as the receiver answers.

A dispatcher killed between the receiver's acceptance (2) and the mark (3) leaves a leased
pending row; it is sent again when the lease ends (or at once when a dispatcher of the same
host finds the owner dead), with the same delivery id — the ``Idempotency-Key`` receivers
use to drop the repeat. Nothing else is ever sent twice: the dedup key makes queueing the
same message twice a no-op.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Connection

from monitor.store.db import upsert_insert
from monitor.store.tables import channel_messages, destinations, subscriptions


@dataclass(frozen=True, slots=True)
class DestinationRow:
    id: int
    subscription_id: int
    subscriber_id: int
    kind: str
    target: str  # sealed
    target_hint: str
    signing_secret: str | None  # sealed
    enabled: bool
    disabled_reason: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewChannelMessage:
    destination_id: int
    dedup_key: str
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    id: int
    delivery_id: str
    destination_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    destination_kind: str
    target: str  # sealed
    target_hint: str
    signing_secret: str | None  # sealed


def add_destination(
    conn: Connection,
    *,
    subscription_id: int,
    kind: str,
    target: str,
    target_hint: str,
    signing_secret: str | None,
    now: datetime,
) -> int:
    return int(
        conn.execute(
            destinations.insert()
            .values(
                subscription_id=subscription_id,
                kind=kind,
                target=target,
                target_hint=target_hint,
                signing_secret=signing_secret,
                enabled=True,
                created_at=now,
            )
            .returning(destinations.c.id)
        ).scalar_one()
    )


def _destination_query() -> Any:
    return select(
        destinations.c.id,
        destinations.c.subscription_id,
        subscriptions.c.subscriber_id,
        destinations.c.kind,
        destinations.c.target,
        destinations.c.target_hint,
        destinations.c.signing_secret,
        destinations.c.enabled,
        destinations.c.disabled_reason,
        destinations.c.created_at,
    ).join(subscriptions, subscriptions.c.id == destinations.c.subscription_id)


def list_destinations(
    conn: Connection, *, subscription_id: int | None = None
) -> list[DestinationRow]:
    query = _destination_query().order_by(destinations.c.id)
    if subscription_id is not None:
        query = query.where(destinations.c.subscription_id == subscription_id)
    return [DestinationRow(**row._mapping) for row in conn.execute(query)]


def get_destination(conn: Connection, destination_id: int) -> DestinationRow | None:
    row = conn.execute(_destination_query().where(destinations.c.id == destination_id)).first()
    return DestinationRow(**row._mapping) if row else None


def remove_destination(conn: Connection, destination_id: int) -> bool:
    conn.execute(delete(channel_messages).where(channel_messages.c.destination_id == destination_id))
    return bool(conn.execute(delete(destinations).where(destinations.c.id == destination_id)).rowcount)


def sealed_secrets(conn: Connection) -> list[tuple[int, str, str | None]]:
    """Every destination's (id, sealed target, sealed signing secret), locked on PostgreSQL
    until the transaction ends (a key rotation rewrites them all)."""
    query = select(destinations.c.id, destinations.c.target, destinations.c.signing_secret)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return [(int(i), t, s) for i, t, s in conn.execute(query.order_by(destinations.c.id))]


def reseal_destination(
    conn: Connection, destination_id: int, *, target: str, signing_secret: str | None
) -> None:
    conn.execute(
        update(destinations)
        .where(destinations.c.id == destination_id)
        .values(target=target, signing_secret=signing_secret)
    )


def set_enabled(
    conn: Connection, destination_id: int, *, enabled: bool, reason: str | None, now: datetime
) -> bool:
    values: dict[str, Any] = {"enabled": enabled, "disabled_reason": None, "disabled_at": None}
    if not enabled:
        values.update(disabled_reason=(reason or "")[:2000], disabled_at=now)
    result = conn.execute(update(destinations).where(destinations.c.id == destination_id).values(**values))
    return bool(result.rowcount)


def enabled_destinations(
    conn: Connection, subscription_ids: Sequence[int]
) -> dict[int, list[int]]:
    """Subscription id → its enabled destinations' ids (for the assembler's pass)."""
    out: dict[int, list[int]] = {}
    if not subscription_ids:
        return out
    rows = conn.execute(
        select(destinations.c.subscription_id, destinations.c.id)
        .where(
            destinations.c.subscription_id.in_(list(subscription_ids)),
            destinations.c.enabled.is_(True),
        )
        .order_by(destinations.c.id)
    )
    for subscription_id, destination_id in rows:
        out.setdefault(int(subscription_id), []).append(int(destination_id))
    return out


def queue_messages(conn: Connection, rows: Sequence[NewChannelMessage], *, now: datetime) -> int:
    """Queue messages once per (destination, dedup key); returns how many are new."""
    if not rows:
        return 0
    values = [
        {
            "delivery_id": str(uuid.uuid4()),
            "destination_id": row.destination_id,
            "dedup_key": row.dedup_key[:200],
            "kind": row.kind,
            "payload": row.payload,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for row in rows
    ]
    stmt = (
        upsert_insert(conn, channel_messages)
        .on_conflict_do_nothing(index_elements=["destination_id", "dedup_key"])
        .returning(channel_messages.c.id)
    )
    return len(conn.execute(stmt, values).all())


def claim_messages(
    conn: Connection, *, now: datetime, worker: str, lease: timedelta, limit: int = 50
) -> list[ClaimedMessage]:
    """Lease due messages of enabled destinations and count the attempt, before sending."""
    free = or_(channel_messages.c.lease_until.is_(None), channel_messages.c.lease_until <= now)
    stmt = (
        select(
            channel_messages.c.id,
            channel_messages.c.delivery_id,
            channel_messages.c.destination_id,
            channel_messages.c.kind,
            channel_messages.c.payload,
            channel_messages.c.attempts,
            destinations.c.kind.label("destination_kind"),
            destinations.c.target,
            destinations.c.target_hint,
            destinations.c.signing_secret,
        )
        .join(destinations, destinations.c.id == channel_messages.c.destination_id)
        .where(
            channel_messages.c.status == "pending",
            channel_messages.c.next_attempt_at <= now,
            free,
            destinations.c.enabled.is_(True),
        )
        .order_by(channel_messages.c.next_attempt_at, channel_messages.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=channel_messages)
    rows = conn.execute(stmt).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    conn.execute(
        update(channel_messages)
        .where(channel_messages.c.id.in_(ids))
        .values(
            attempts=channel_messages.c.attempts + 1,
            lease_owner=worker,
            lease_until=now + lease,
        )
    )
    return [
        ClaimedMessage(**{**row._mapping, "attempts": row.attempts + 1}) for row in rows
    ]


def finish_message(
    conn: Connection,
    message: ClaimedMessage,
    *,
    outcome: str,
    detail: str,
    now: datetime,
    retry_at: datetime | None = None,
) -> None:
    """Record the receiver's answer: sent, transient (due again at retry_at) or permanent."""
    values: dict[str, Any] = {"lease_owner": None, "lease_until": None}
    if outcome == "sent":
        values.update(status="sent", sent_at=now, last_error=None)
    elif outcome == "transient" and retry_at is not None:
        values.update(status="pending", next_attempt_at=retry_at, last_error=detail[:2000])
    else:
        values.update(status="failed", last_error=detail[:2000])
    conn.execute(update(channel_messages).where(channel_messages.c.id == message.id).values(**values))


def release_message(conn: Connection, message: ClaimedMessage) -> None:
    """Give a claimed message back unsent (the dispatcher is stopping): due again now."""
    conn.execute(
        update(channel_messages)
        .where(channel_messages.c.id == message.id, channel_messages.c.status == "pending")
        .values(lease_owner=None, lease_until=None, attempts=channel_messages.c.attempts - 1)
    )


def requeue_failed_messages(
    conn: Connection, message_ids: Sequence[int], *, now: datetime
) -> list[int]:
    """Make failed messages due again, as they are: the same row and ``delivery_id`` (the
    receivers' Idempotency-Key), so the dispatcher's next claim posts each once and a
    receiver that did get it can drop the repeat. A message that is no longer failed is
    left alone; the attempt count starts again. A disabled destination's messages wait
    for it to be enabled. Returns the ids requeued."""
    if not message_ids:
        return []
    stmt = (
        update(channel_messages)
        .where(channel_messages.c.id.in_(list(message_ids)), channel_messages.c.status == "failed")
        .values(
            status="pending", attempts=0, next_attempt_at=now, lease_owner=None, lease_until=None
        )
        .returning(channel_messages.c.id)
    )
    return sorted(int(i) for i in conn.execute(stmt).scalars())


def recover_interrupted(conn: Connection, *, workers: Callable[[str], bool], now: datetime) -> int:
    """Free at once the leases of dispatchers known dead (``workers(owner)`` says so)."""
    leased = conn.execute(
        select(channel_messages.c.id, channel_messages.c.lease_owner).where(
            channel_messages.c.status == "pending",
            channel_messages.c.lease_until > now,
        )
    ).all()
    dead = [message_id for message_id, owner in leased if owner and workers(owner)]
    if dead:
        conn.execute(
            update(channel_messages)
            .where(channel_messages.c.id.in_(dead))
            .values(lease_until=now, last_error="dispatcher stopped mid-send")
        )
    return len(dead)


def ledger_counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        select(channel_messages.c.status, func.count()).group_by(channel_messages.c.status)
    )
    counts = {str(status): int(n) for status, n in rows}
    counts["destinations_disabled"] = int(
        conn.execute(
            select(func.count()).select_from(destinations).where(destinations.c.enabled.is_(False))
        ).scalar_one()
    )
    return counts


def messages_of(conn: Connection, destination_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(channel_messages)
            .where(channel_messages.c.destination_id == destination_id)
            .order_by(channel_messages.c.id)
        )
    )


