"""The mailer's marks on the driver's cursor (PostgreSQL) write what SQLAlchemy's write,
commit each by itself, and sort failures as store.db sorts them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from monitor.errors import StoreError
from monitor.store import outbox
from monitor.store.db import make_engine, transaction
from monitor.store.raw_marks import RawMarks
from monitor.store.subscribers import add_subscriber
from monitor.store.tables import email_attempts, emails

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OUTCOMES = [
    ("sent", None),
    ("transient", NOW + timedelta(hours=1)),
    ("permanent", None),
    ("transient", None),  # given up: failed
]


def claimed_emails(engine: Engine, count: int) -> list[outbox.ClaimedEmail]:
    with transaction(engine) as conn:
        person = add_subscriber(conn, "ana@example.org", confirmed=True, now=NOW)[0]
        for n in range(count):
            outbox.queue_email(
                conn,
                subscriber_id=person,
                kind="alert",
                dedup_key=f"alert:{n}",
                message_id=f"<{n}@x.example>",
                recipient="ana@example.org",
                subject="s",
                raw=b"x",
                now=NOW,
            )
        return outbox.claim_emails(
            conn, now=NOW, worker="w", lease=timedelta(minutes=2), limit=count
        )


def marked_rows(engine: Engine, claimed: list[outbox.ClaimedEmail]) -> list[tuple[object, ...]]:
    with transaction(engine) as conn:
        rows = {r.id: r for r in conn.execute(select(emails))}
        attempts = {r.email_id: r for r in conn.execute(select(email_attempts))}
    return [
        (
            rows[e.id].status,
            rows[e.id].sent_at,
            rows[e.id].next_attempt_at,
            rows[e.id].last_error,
            attempts[e.id].outcome,
            attempts[e.id].detail,
            attempts[e.id].finished_at,
        )
        for e in claimed
    ]


def test_raw_marks_write_what_sqlalchemys_marks_write(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        claimed = claimed_emails(engine, 2 * len(OUTCOMES))
        through_sqlalchemy, raw = claimed[: len(OUTCOMES)], claimed[len(OUTCOMES) :]
        with engine.connect() as conn:
            marks = conn.execution_options(isolation_level="AUTOCOMMIT")
            cursor = RawMarks(marks)
            for email, (outcome, retry_at) in zip(raw, OUTCOMES, strict=True):
                cursor.finish_attempt(
                    email, outcome=outcome, detail=f"{outcome}!", now=NOW, retry_at=retry_at
                )
                # Committed by itself: another connection sees it at once.
                assert marked_rows(engine, [email])[0][4] == outcome
            cursor.close()
        for email, (outcome, retry_at) in zip(through_sqlalchemy, OUTCOMES, strict=True):
            with transaction(engine) as conn:
                outbox.finish_attempt(
                    conn, email, outcome=outcome, detail=f"{outcome}!", now=NOW, retry_at=retry_at
                )
        expected = marked_rows(engine, through_sqlalchemy)
        assert marked_rows(engine, raw) == expected
        assert [row[0] for row in expected] == ["sent", "pending", "failed", "failed"]
    finally:
        engine.dispose()


def test_raw_marks_refuse_a_connection_that_would_not_commit_each_mark(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn, pytest.raises(ValueError, match="autocommit"):
            RawMarks(conn)
        with engine.connect() as conn:
            marks = RawMarks(conn.execution_options(isolation_level="AUTOCOMMIT"))
            email = claimed_emails(engine, 1)[0]
            naive = NOW.replace(tzinfo=None)
            with pytest.raises(ValueError, match="naive datetime"):
                marks.finish_attempt(email, outcome="sent", detail="250 ok", now=naive)
            marks.close()
    finally:
        engine.dispose()


def test_a_lost_connection_is_a_store_error_and_a_fresh_one_marks(pg_url: str) -> None:
    """The marks connection's server process ends (as in a failover): the mark raises
    StoreError, the connection is invalidated (the pool will not hand it out again), and
    a mark on a fresh connection records the outcome."""
    engine = make_engine(pg_url)
    try:
        email = claimed_emails(engine, 1)[0]
        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        marks = RawMarks(conn)
        backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            other.commit()
        with pytest.raises(StoreError, match="database unavailable"):
            marks.finish_attempt(email, outcome="sent", detail="250 ok", now=NOW)
        assert conn.invalidated
        conn.close()
        with engine.connect() as fresh:
            again = RawMarks(fresh.execution_options(isolation_level="AUTOCOMMIT"))
            again.finish_attempt(email, outcome="sent", detail="250 ok", now=NOW)
            again.close()
        assert marked_rows(engine, [email])[0][:2] == ("sent", NOW)
    finally:
        engine.dispose()
