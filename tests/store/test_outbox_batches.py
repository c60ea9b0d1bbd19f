"""The outbox's batched statements agree with their one-at-a-time forms, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.store import outbox
from monitor.store.db import make_engine, transaction
from monitor.store.subscribers import add_subscriber
from monitor.store.tables import email_attempts, emails

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_sent_today_counts_match_one_count_per_subscriber(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with transaction(engine) as conn:
            people = [
                add_subscriber(conn, f"p{n}@example.org", confirmed=True, now=NOW)[0]
                for n in range(4)
            ]
            # Alerts, updates and a digest at several times before NOW, per subscriber.
            for n, person in enumerate(people):
                for hours, kind in [(1, "alert"), (5, "update"), (9, "alert"), (2, "digest")]:
                    if hours > 3 * (n + 1):
                        continue
                    outbox.queue_email(
                        conn,
                        subscriber_id=person,
                        kind=kind,
                        dedup_key=f"{kind}:{person}:{hours}",
                        message_id=f"<{person}.{hours}@x.example>",
                        recipient=f"p{n}@example.org",
                        subject="s",
                        raw=b"x",
                        now=NOW - timedelta(hours=hours),
                    )
            # Each subscriber's local day started at a different time.
            since = {person: NOW - timedelta(hours=2 + 3 * n) for n, person in enumerate(people)}
            batched = outbox.sent_today_counts(conn, since)
            single = {p: outbox.sent_today_count(conn, p, s) for p, s in since.items()}
            assert outbox.sent_today_counts(conn, {}) == {}
        assert batched == single
        # Digests and emails before each one's day do not count.
        assert [batched[p] for p in people] == [1, 2, 2, 3]
    finally:
        engine.dispose()


def test_a_mark_records_the_attempt_and_the_email_together(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with transaction(engine) as conn:
            person = add_subscriber(conn, "ana@example.org", confirmed=True, now=NOW)[0]
            for n in range(3):
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
            claimed = outbox.claim_emails(
                conn, now=NOW, worker="w", lease=timedelta(minutes=2), limit=10
            )
        outcomes = [("sent", None), ("transient", NOW + timedelta(hours=1)), ("permanent", None)]
        for email, (outcome, retry_at) in zip(claimed, outcomes, strict=True):
            with transaction(engine) as conn:
                outbox.finish_attempt(
                    conn, email, outcome=outcome, detail=f"{outcome}!", now=NOW, retry_at=retry_at
                )
        with transaction(engine) as conn:
            rows = {r.id: r for r in conn.execute(select(emails))}
            attempts = {
                r.email_id: (r.outcome, r.detail, r.finished_at)
                for r in conn.execute(select(email_attempts))
            }
        sent, later, failed = (rows[e.id] for e in claimed)
        assert (sent.status, sent.sent_at, sent.last_error) == ("sent", NOW, None)
        assert (later.status, later.next_attempt_at, later.last_error) == (
            "pending",
            NOW + timedelta(hours=1),
            "transient!",
        )
        assert (failed.status, failed.last_error) == ("failed", "permanent!")
        assert [attempts[e.id] for e in claimed] == [
            (outcome, f"{outcome}!", NOW) for outcome, _ in outcomes
        ]
    finally:
        engine.dispose()
