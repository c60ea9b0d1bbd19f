"""SQL for subscribers and their subscriptions (stored queries, filters, delivery mode)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, true, update
from sqlalchemy.engine import Connection

from monitor.store.tables import deliveries, email_attempts, emails, subscribers, subscriptions


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    id: int
    email: str
    display_name: str
    time_zone: str
    confirmed: bool
    status: str
    status_reason: str | None = None
    confirmed_at: datetime | None = None
    created_at: datetime | None = None
    language: str = "en"


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    id: int
    subscriber_id: int
    name: str
    query: str | None
    filters: dict[str, Any] = field(default_factory=dict)
    mode: str = "immediate"
    digest_time: str = "08:00"
    digest_weekday: int = 0
    quiet_start: str | None = None
    quiet_end: str | None = None
    daily_cap: int | None = None
    paused: bool = False
    topic: str = "ukraine-latam"
    volume_alerts: bool = False


def _subscriber(row: Any) -> SubscriberRow:
    return SubscriberRow(**{k: row._mapping[k] for k in SubscriberRow.__dataclass_fields__})


def _subscription(row: Any) -> SubscriptionRow:
    return SubscriptionRow(**{k: row._mapping[k] for k in SubscriptionRow.__dataclass_fields__})


def add_subscriber(
    conn: Connection,
    email: str,
    *,
    display_name: str = "",
    time_zone: str = "UTC",
    language: str = "en",
    confirmed: bool = False,
    now: datetime,
) -> tuple[int, bool]:
    """Create a subscriber (or find the existing one by address); return (id, created).

    Addresses are stored lower-cased, so look-ups use the unique index.
    """
    email = email.strip().lower()
    existing = conn.execute(select(subscribers.c.id).where(subscribers.c.email == email)).scalar()
    if existing is not None:
        return int(existing), False
    new_id = conn.execute(
        subscribers.insert()
        .values(
            email=email,
            display_name=display_name,
            time_zone=time_zone,
            language=language,
            confirmed=confirmed,
            confirmed_at=now if confirmed else None,
            status="active",
            created_at=now,
        )
        .returning(subscribers.c.id)
    ).scalar_one()
    return int(new_id), True


def get_subscriber(
    conn: Connection, key: int | str, *, created_by: datetime | None = None
) -> SubscriberRow | None:
    """A subscriber by id or address (with ``created_by``, only if that old)."""
    cond = (
        subscribers.c.id == key
        if isinstance(key, int)
        else subscribers.c.email == key.strip().lower()
    )
    stmt = select(subscribers).where(cond)
    if created_by is not None:
        stmt = stmt.where(subscribers.c.created_at <= created_by)
    row = conn.execute(stmt).first()
    return _subscriber(row) if row else None


def list_subscribers(conn: Connection) -> list[SubscriberRow]:
    return [_subscriber(r) for r in conn.execute(select(subscribers).order_by(subscribers.c.id))]


def set_subscriber(
    conn: Connection, subscriber_id: int, *, created_by: datetime | None = None, **values: Any
) -> bool:
    """Set columns of one subscriber; with ``created_by``, only if the row is that old.

    ``created_by`` is how a signed link acts: a subscriber created after the link was
    issued is someone else who got a deleted subscriber's id (SQLite reuses ids).
    """
    stmt = update(subscribers).where(subscribers.c.id == subscriber_id)
    if created_by is not None:
        stmt = stmt.where(subscribers.c.created_at <= created_by)
    return conn.execute(stmt.values(**values)).rowcount == 1


def delete_subscriber(conn: Connection, subscriber_id: int) -> bool:
    """Delete a subscriber with their subscriptions, deliveries and emails.

    Deliveries are deleted here rather than by a foreign key (migration 0007): a worker whose
    snapshot of the subscriptions predates the deletion may still write a delivery for this
    subscriber, which the assembler then skips, instead of failing the worker's batch.
    """
    conn.execute(delete(deliveries).where(deliveries.c.subscriber_id == subscriber_id))
    return conn.execute(delete(subscribers).where(subscribers.c.id == subscriber_id)).rowcount == 1


@dataclass(frozen=True, slots=True)
class Erased:
    """What ``erase_subscriber`` deleted; ``message_ids`` name the emails' outbox files."""

    subscriptions: int
    deliveries: int
    emails: int
    message_ids: tuple[str, ...]


def erase_subscriber(conn: Connection, subscriber_id: int) -> Erased:
    """Delete a person and everything stored about them: subscriptions, deliveries, emails
    (their raw messages) and send attempts. Stories and alerts, which are not about the
    person, stay. The caller removes the outbox files named by ``message_ids``."""
    own_emails = select(emails.c.id).where(emails.c.subscriber_id == subscriber_id)
    message_ids = tuple(
        conn.execute(
            select(emails.c.message_id).where(emails.c.subscriber_id == subscriber_id)
        ).scalars()
    )
    conn.execute(delete(email_attempts).where(email_attempts.c.email_id.in_(own_emails)))
    gone_deliveries = conn.execute(
        delete(deliveries).where(deliveries.c.subscriber_id == subscriber_id)
    ).rowcount
    gone_emails = conn.execute(
        delete(emails).where(emails.c.subscriber_id == subscriber_id)
    ).rowcount
    gone_subscriptions = conn.execute(
        delete(subscriptions).where(subscriptions.c.subscriber_id == subscriber_id)
    ).rowcount
    conn.execute(delete(subscribers).where(subscribers.c.id == subscriber_id))
    return Erased(gone_subscriptions, gone_deliveries, gone_emails, message_ids)


def add_subscription(conn: Connection, subscriber_id: int, *, now: datetime, **values: Any) -> int:
    new_id = conn.execute(
        subscriptions.insert()
        .values(subscriber_id=subscriber_id, created_at=now, updated_at=now, **values)
        .returning(subscriptions.c.id)
    ).scalar_one()
    return int(new_id)


def get_subscription(conn: Connection, subscription_id: int) -> SubscriptionRow | None:
    row = conn.execute(select(subscriptions).where(subscriptions.c.id == subscription_id)).first()
    return _subscription(row) if row else None


def subscriptions_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, SubscriptionRow]:
    """The subscriptions of ``ids`` that exist, in one statement."""
    if not ids:
        return {}
    rows = conn.execute(select(subscriptions).where(subscriptions.c.id.in_(list(ids))))
    return {int(row.id): _subscription(row) for row in rows}


def subscribers_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, SubscriberRow]:
    """The subscribers of ``ids`` that exist, in one statement."""
    if not ids:
        return {}
    rows = conn.execute(select(subscribers).where(subscribers.c.id.in_(list(ids))))
    return {int(row.id): _subscriber(row) for row in rows}


def set_subscription(
    conn: Connection, subscription_id: int, *, now: datetime, **values: Any
) -> bool:
    return (
        conn.execute(
            update(subscriptions)
            .where(subscriptions.c.id == subscription_id)
            .values(updated_at=now, **values)
        ).rowcount
        == 1
    )


def set_own_subscription(
    conn: Connection,
    subscriber_id: int,
    subscription_id: int,
    *,
    created_by: datetime,
    now: datetime,
    **values: Any,
) -> bool:
    """Set columns of a subscription only if it belongs to ``subscriber_id`` and that
    subscriber existed by ``created_by``: one statement, so a link can never act on a
    subscription that is, or has become, someone else's (SQLite reuses deleted ids)."""
    owner = select(subscribers.c.id).where(
        subscribers.c.id == subscriber_id, subscribers.c.created_at <= created_by
    )
    stmt = (
        update(subscriptions)
        .where(
            subscriptions.c.id == subscription_id,
            subscriptions.c.subscriber_id == subscriber_id,
            subscriptions.c.subscriber_id.in_(owner.scalar_subquery()),
        )
        .values(updated_at=now, **values)
    )
    return conn.execute(stmt).rowcount == 1


def delete_subscription(conn: Connection, subscription_id: int) -> bool:
    """Delete a subscription and its deliveries (see ``delete_subscriber`` for why here)."""
    conn.execute(delete(deliveries).where(deliveries.c.subscription_id == subscription_id))
    return (
        conn.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id)).rowcount
        == 1
    )


def list_subscriptions(
    conn: Connection, subscriber_id: int | None = None, *, created_by: datetime | None = None
) -> list[SubscriptionRow]:
    """Subscriptions (of one subscriber; with ``created_by``, only if the subscriber is
    that old, as in ``set_subscriber``)."""
    stmt = select(subscriptions).order_by(subscriptions.c.id)
    if subscriber_id is not None:
        stmt = stmt.where(subscriptions.c.subscriber_id == subscriber_id)
    if created_by is not None:
        owners = select(subscribers.c.id).where(subscribers.c.created_at <= created_by)
        stmt = stmt.where(subscriptions.c.subscriber_id.in_(owners.scalar_subquery()))
    return [_subscription(r) for r in conn.execute(stmt)]


def deliverable_subscriptions(
    conn: Connection, *, volume_alerts_only: bool = False
) -> list[tuple[SubscriptionRow, SubscriberRow]]:
    """Subscriptions that may receive alerts: not paused, subscriber confirmed and active
    (``volume_alerts_only``: only those that follow spikes and silences)."""
    followers = subscriptions.c.volume_alerts.is_(True) if volume_alerts_only else true()
    rows = conn.execute(
        select(
            subscriptions,
            subscribers.c.email,
            subscribers.c.display_name,
            subscribers.c.time_zone,
            subscribers.c.language,
            subscribers.c.confirmed,
            subscribers.c.status,
        )
        .join(subscribers, subscribers.c.id == subscriptions.c.subscriber_id)
        .where(
            subscriptions.c.paused.is_(False),
            subscribers.c.confirmed.is_(True),
            subscribers.c.status == "active",
            followers,
        )
        .order_by(subscriptions.c.id)
    )
    out = []
    for row in rows:
        m = row._mapping
        sub = SubscriberRow(
            id=m["subscriber_id"],
            email=m["email"],
            display_name=m["display_name"],
            time_zone=m["time_zone"],
            confirmed=m["confirmed"],
            status=m["status"],
            language=m["language"],
        )
        out.append((_subscription(row), sub))
    return out


def subscriptions_version(conn: Connection) -> tuple[int, int, Any, Any]:
    """A cheap fingerprint that changes whenever subscriptions or subscribers change."""
    row = conn.execute(
        select(
            func.count(subscriptions.c.id),
            func.coalesce(func.max(subscriptions.c.id), 0),
            func.max(subscriptions.c.updated_at),
            select(func.count(subscribers.c.id))
            .where(subscribers.c.confirmed.is_(True), subscribers.c.status == "active")
            .scalar_subquery(),
        )
    ).one()
    return (int(row[0]), int(row[1]), row[2], row[3])


# --- the operators' list: filtered, in keyset pages -----------------------------------------
# Standings a list is filtered by: the ``status`` column's values, and "unconfirmed".
SUBSCRIBER_STANDINGS = ("active", "paused", "bouncing", "unsubscribed", "unconfirmed")


@dataclass(frozen=True, slots=True)
class SubscriberFilter:
    """Which subscribers a list shows: addresses containing ``contains`` (any case), of one
    standing (one of ``SUBSCRIBER_STANDINGS``; empty: every one)."""

    contains: str = ""
    standing: str = ""


def _like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern that finds it anywhere (its own % and _ taken literally)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(stmt: Any, wanted: SubscriberFilter) -> Any:
    if wanted.contains:
        stmt = stmt.where(subscribers.c.email.like(_like_pattern(wanted.contains), escape="\\"))
    if wanted.standing == "unconfirmed":
        stmt = stmt.where(subscribers.c.confirmed.is_(False))
    elif wanted.standing:
        stmt = stmt.where(subscribers.c.status == wanted.standing)
    return stmt


def subscriber_page(
    conn: Connection,
    wanted: SubscriberFilter,
    *,
    limit: int,
    after: int | None = None,
    before: int | None = None,
) -> list[SubscriberRow]:
    """Up to ``limit`` subscribers matching ``wanted``, in id order: the first ones, those
    after id ``after``, or the last ones before id ``before`` (a page back). A keyset page:
    rows added or removed meanwhile never shift what the next page shows."""
    stmt = _filtered(select(subscribers), wanted)
    if before is not None:
        stmt = stmt.where(subscribers.c.id < before).order_by(subscribers.c.id.desc())
        rows = list(conn.execute(stmt.limit(limit)))
        rows.reverse()
    else:
        if after is not None:
            stmt = stmt.where(subscribers.c.id > after)
        rows = list(conn.execute(stmt.order_by(subscribers.c.id).limit(limit)))
    return [_subscriber(r) for r in rows]


def count_subscribers(conn: Connection, wanted: SubscriberFilter) -> int:
    stmt = _filtered(select(func.count()).select_from(subscribers), wanted)
    return int(conn.execute(stmt).scalar_one())


def subscription_counts(conn: Connection, subscriber_ids: Sequence[int]) -> dict[int, int]:
    """How many subscriptions each of ``subscriber_ids`` has (those with none are left out)."""
    if not subscriber_ids:
        return {}
    rows = conn.execute(
        select(subscriptions.c.subscriber_id, func.count())
        .where(subscriptions.c.subscriber_id.in_(list(subscriber_ids)))
        .group_by(subscriptions.c.subscriber_id)
    )
    return {int(sid): int(n) for sid, n in rows}
