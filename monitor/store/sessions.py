"""SQL for the workspace's sign-in: magic-link requests, sessions and operators named by command.

A sign-in link names its request row; ``use_request`` marks it used once, so a second
click (or a mail scanner's replay of the POST) opens nothing. A session row keeps only the
SHA-256 of the cookie's token; a session is live until it expires or is ended.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from monitor.store.tables import operators, sign_in_requests, subscribers, web_sessions


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A live session and who it belongs to."""

    id: int
    subscriber_id: int
    email: str
    time_zone: str
    created_at: datetime
    expires_at: datetime


def token_hash(token: str) -> str:
    """What the store keeps of a session token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def add_request(conn: Connection, subscriber_id: int, *, now: datetime) -> int:
    return int(
        conn.execute(
            insert(sign_in_requests)
            .values(subscriber_id=subscriber_id, requested_at=now)
            .returning(sign_in_requests.c.id)
        ).scalar_one()
    )


def requests_since(conn: Connection, subscriber_id: int, since: datetime) -> int:
    """Sign-in links sent to this person since ``since`` (the per-address limit)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(sign_in_requests)
            .where(
                sign_in_requests.c.subscriber_id == subscriber_id,
                sign_in_requests.c.requested_at >= since,
            )
        ).scalar_one()
    )


def use_request(
    conn: Connection, request_id: int, subscriber_id: int, *, requested_by: datetime, now: datetime
) -> bool:
    """Mark an unused request of this subscriber used; False when it was used already, or
    is not theirs, or was made after ``requested_by`` (an id reused after a deletion)."""
    return (
        conn.execute(
            update(sign_in_requests)
            .where(
                sign_in_requests.c.id == request_id,
                sign_in_requests.c.subscriber_id == subscriber_id,
                sign_in_requests.c.requested_at <= requested_by,
                sign_in_requests.c.used_at.is_(None),
            )
            .values(used_at=now)
        ).rowcount
        == 1
    )


def request_state(conn: Connection, request_id: int, subscriber_id: int) -> str:
    """'unused', 'used' or 'missing': what the landing page says before the POST."""
    row = conn.execute(
        select(sign_in_requests.c.used_at).where(
            sign_in_requests.c.id == request_id,
            sign_in_requests.c.subscriber_id == subscriber_id,
        )
    ).first()
    if row is None:
        return "missing"
    return "unused" if row.used_at is None else "used"


def open_session(
    conn: Connection, token: str, subscriber_id: int, *, now: datetime, expires_at: datetime
) -> int:
    return int(
        conn.execute(
            insert(web_sessions)
            .values(
                token_hash=token_hash(token),
                subscriber_id=subscriber_id,
                created_at=now,
                expires_at=expires_at,
            )
            .returning(web_sessions.c.id)
        ).scalar_one()
    )


def live_session(conn: Connection, token: str, *, now: datetime) -> SessionRow | None:
    """The session this token opened, if it has not ended or expired."""
    row = conn.execute(
        select(
            web_sessions.c.id,
            web_sessions.c.subscriber_id,
            web_sessions.c.created_at,
            web_sessions.c.expires_at,
            subscribers.c.email,
            subscribers.c.time_zone,
        )
        .join(subscribers, subscribers.c.id == web_sessions.c.subscriber_id)
        .where(
            web_sessions.c.token_hash == token_hash(token),
            web_sessions.c.ended_at.is_(None),
            web_sessions.c.expires_at > now,
        )
    ).first()
    if row is None:
        return None
    return SessionRow(
        int(row.id),
        int(row.subscriber_id),
        str(row.email),
        str(row.time_zone),
        row.created_at,
        row.expires_at,
    )


def end_session(conn: Connection, token: str, *, now: datetime) -> bool:
    return (
        conn.execute(
            update(web_sessions)
            .where(
                web_sessions.c.token_hash == token_hash(token), web_sessions.c.ended_at.is_(None)
            )
            .values(ended_at=now)
        ).rowcount
        == 1
    )


def operator_addresses(conn: Connection) -> list[str]:
    return list(conn.execute(select(operators.c.email).order_by(operators.c.email)).scalars())


def add_operator(conn: Connection, email: str, *, now: datetime) -> bool:
    """True when the address was added, False when it was an operator already."""
    address = email.strip().lower()
    if conn.execute(select(operators.c.id).where(operators.c.email == address)).first():
        return False
    conn.execute(insert(operators).values(email=address, added_at=now))
    return True


def remove_operator(conn: Connection, email: str) -> bool:
    return (
        conn.execute(delete(operators).where(operators.c.email == email.strip().lower())).rowcount
        == 1
    )


def is_listed_operator(conn: Connection, email: str) -> bool:
    return (
        conn.execute(
            select(operators.c.id).where(operators.c.email == email.strip().lower())
        ).first()
        is not None
    )
