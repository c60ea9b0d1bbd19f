"""SQL for API keys: create, list, revoke, and the look-up that authenticates a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from monitor.store.tables import api_keys, subscribers


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    id: int
    subscriber_id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class KeyHolder:
    """Who a presented key speaks for: the key and its subscriber's state."""

    key_id: int
    subscriber_id: int
    scopes: tuple[str, ...]
    subscriber_status: str
    subscriber_email: str
    subscriber_time_zone: str
    subscriber_name: str


def _row(row: object) -> ApiKeyRow:
    m = row._mapping  # type: ignore[attr-defined]
    return ApiKeyRow(
        id=int(m["id"]),
        subscriber_id=int(m["subscriber_id"]),
        name=m["name"],
        prefix=m["prefix"],
        scopes=tuple(m["scopes"].split()),
        created_at=m["created_at"],
        last_used_at=m["last_used_at"],
        revoked_at=m["revoked_at"],
    )


def add_api_key(
    conn: Connection,
    subscriber_id: int,
    *,
    name: str,
    prefix: str,
    key_hash: str,
    scopes: tuple[str, ...],
    now: datetime,
) -> int:
    new_id = conn.execute(
        api_keys.insert()
        .values(
            subscriber_id=subscriber_id,
            name=name,
            prefix=prefix,
            key_hash=key_hash,
            scopes=" ".join(scopes),
            created_at=now,
        )
        .returning(api_keys.c.id)
    ).scalar_one()
    return int(new_id)


def list_api_keys(conn: Connection, subscriber_id: int | None = None) -> list[ApiKeyRow]:
    stmt = select(api_keys).order_by(api_keys.c.id)
    if subscriber_id is not None:
        stmt = stmt.where(api_keys.c.subscriber_id == subscriber_id)
    return [_row(r) for r in conn.execute(stmt)]


def revoke_api_key(conn: Connection, key_id: int, *, now: datetime) -> bool:
    """Mark a key revoked (its requests answer 401 from now on); False if no such live key."""
    result = conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def key_holder(conn: Connection, key_hash: str) -> KeyHolder | None:
    """The live (not revoked) key with this hash, and its subscriber; None otherwise."""
    row = conn.execute(
        select(
            api_keys.c.id,
            api_keys.c.subscriber_id,
            api_keys.c.scopes,
            subscribers.c.status,
            subscribers.c.email,
            subscribers.c.time_zone,
            subscribers.c.display_name,
        )
        .join(subscribers, subscribers.c.id == api_keys.c.subscriber_id)
        .where(api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    return KeyHolder(
        key_id=int(row.id),
        subscriber_id=int(row.subscriber_id),
        scopes=tuple(row.scopes.split()),
        subscriber_status=row.status,
        subscriber_email=row.email,
        subscriber_time_zone=row.time_zone,
        subscriber_name=row.display_name,
    )


def touch_api_key(conn: Connection, key_id: int, *, now: datetime) -> None:
    conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=now))
