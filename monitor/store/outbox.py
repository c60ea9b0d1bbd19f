"""SQL for deliveries (who gets which story) and the email outbox with its send attempts.

The send protocol keeps the unavoidable SMTP window small and visible:

1. ``claim_emails`` records an attempt (outcome NULL) and leases the email, in its own commit;
2. the mailer hands the message to SMTP;
3. ``finish_attempt`` marks it sent (or failed) immediately after the server's reply.

A process killed between the server's acceptance (2) and the mark (3) leaves an attempt with
outcome NULL; the email is sent again when the lease expires (or at once when the same
mailer restarts), with the same Message-ID. Nothing else is ever sent twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from monitor.store.db import bulk_insert, pg_array, upsert_insert
from monitor.store.partition import EVERY_SUBSCRIBER, Partition
from monitor.store.tables import UTCDateTime, deliveries, email_attempts, emails


@dataclass(frozen=True, slots=True)
class NewDelivery:
    subscriber_id: int
    subscription_id: int
    story_id: int
    alert_id: int
    mode: str
    due_at: datetime
    revision: int = 1
    status: str = "pending"  # "folded": a thread's later report (monitor/notify/thread_alerts)


@dataclass(frozen=True, slots=True)
class ClaimedEmail:
    id: int
    attempt_id: int
    subscriber_id: int
    kind: str
    recipient: str
    message_id: str
    raw: bytes
    attempts: int


def add_deliveries(conn: Connection, rows: Sequence[NewDelivery], *, now: datetime) -> int:
    """Insert deliveries; (subscriber, story, revision) already present are skipped."""
    if not rows:
        return 0
    values = [
        {
            "subscriber_id": r.subscriber_id,
            "subscription_id": r.subscription_id,
            "story_id": r.story_id,
            "alert_id": r.alert_id,
            "revision": r.revision,
            "mode": r.mode,
            "status": r.status,
            "due_at": r.due_at,
            "created_at": now,
        }
        for r in rows
    ]
    inserted = bulk_insert(
        conn,
        deliveries,
        values,
        conflict=["subscriber_id", "story_id", "revision"],
        returning=["id"],
    )
    return len(inserted)


def delivered_story_ids(conn: Connection, subscriber_id: int, story_ids: Sequence[int]) -> set[int]:
    if not story_ids:
        return set()
    return set(
        conn.execute(
            select(deliveries.c.story_id).where(
                deliveries.c.subscriber_id == subscriber_id,
                deliveries.c.story_id.in_(list(story_ids)),
            )
        ).scalars()
    )


def reschedule_deliveries(
    conn: Connection, delivery_ids: Sequence[int], *, mode: str, due_at: datetime
) -> None:
    conn.execute(
        update(deliveries)
        .where(deliveries.c.id.in_(list(delivery_ids)), deliveries.c.status == "pending")
        .values(mode=mode, due_at=due_at)
    )


def skip_deliveries(conn: Connection, delivery_ids: Sequence[int]) -> None:
    conn.execute(
        update(deliveries)
        .where(deliveries.c.id.in_(list(delivery_ids)), deliveries.c.status == "pending")
        .values(status="skipped")
    )


def queue_email(
    conn: Connection,
    *,
    subscriber_id: int,
    kind: str,
    dedup_key: str,
    message_id: str,
    recipient: str,
    subject: str,
    raw: bytes,
    delivery_ids: Sequence[int] = (),
    now: datetime,
) -> tuple[int, bool]:
    """Put a composed email in the outbox once per dedup key; attach its deliveries."""
    inserted = conn.execute(
        upsert_insert(conn, emails)
        .values(
            subscriber_id=subscriber_id,
            kind=kind,
            dedup_key=dedup_key,
            message_id=message_id,
            recipient=recipient,
            subject=subject[:2000],
            raw=raw,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(emails.c.id)
    ).scalar()
    email_id = int(
        inserted
        if inserted is not None
        else conn.execute(select(emails.c.id).where(emails.c.dedup_key == dedup_key)).scalar_one()
    )
    if delivery_ids:
        conn.execute(
            update(deliveries)
            .where(deliveries.c.id.in_(list(delivery_ids)))
            .values(status="queued", email_id=email_id)
        )
    return email_id, inserted is not None


@dataclass(frozen=True, slots=True)
class NewEmail:
    """A composed email for the outbox, with the deliveries it carries."""

    subscriber_id: int
    kind: str
    dedup_key: str
    message_id: str
    recipient: str
    subject: str
    raw: bytes
    delivery_ids: tuple[int, ...] = ()


def queue_emails(conn: Connection, rows: Sequence[NewEmail], *, now: datetime) -> int:
    """:func:`queue_email` for many emails in a few statements; returns how many are new.

    An email whose dedup key is already queued (or repeats in ``rows``) is not queued
    again; its deliveries are attached to the one that is.
    """
    if not rows:
        return 0
    postgresql = conn.dialect.name == "postgresql"
    if postgresql:
        # The time as the column's own type takes it (timezone-aware, in UTC).
        when = cast(datetime, UTCDateTime().process_bind_param(now, conn.dialect))
        inserted = conn.exec_driver_sql(_PG_INSERT_EMAILS, pg_email_columns(rows, when))
    else:
        values = [
            {
                "subscriber_id": row.subscriber_id,
                "kind": row.kind,
                "dedup_key": row.dedup_key,
                "message_id": row.message_id,
                "recipient": row.recipient,
                "subject": row.subject[:SUBJECT_LIMIT],
                "raw": row.raw,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for row in rows
        ]
        stmt = (
            upsert_insert(conn, emails)
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(emails.c.id, emails.c.dedup_key)
        )
        inserted = conn.execute(stmt, values)
    ids = {str(key): int(email_id) for email_id, key in inserted}
    created = len(ids)
    missing = sorted({row.dedup_key for row in rows} - set(ids))
    if missing:
        found = conn.execute(
            select(emails.c.id, emails.c.dedup_key).where(emails.c.dedup_key.in_(missing))
        )
        ids.update({str(key): int(email_id) for email_id, key in found})
    delivery_ids, email_ids = attachments(rows, ids)
    if not delivery_ids:
        return created
    if postgresql:
        conn.exec_driver_sql(
            _PG_ATTACH_DELIVERIES,
            {"deliveries": pg_array(delivery_ids), "emails": pg_array(email_ids)},
        )
    else:
        conn.execute(
            update(deliveries)
            .where(deliveries.c.id == bindparam("b_delivery"))
            .values(status="queued", email_id=bindparam("b_email")),
            [{"b_delivery": d, "b_email": e} for d, e in zip(delivery_ids, email_ids, strict=True)],
        )
    return created


SUBJECT_LIMIT = 2000

# PostgreSQL: the pass's emails as one array per column (``pg_email_columns``), one
# statement whatever their number. The INSERT … VALUES of many rows it replaces had ~7,700
# placeholders a round, a new statement text each time, which psycopg parsed in Python.
_PG_INSERT_EMAILS = (
    "INSERT INTO emails (subscriber_id, kind, dedup_key, message_id, recipient, subject, raw,"
    " status, attempts, next_attempt_at, created_at)"
    " SELECT r.subscriber_id, r.kind, r.dedup_key, r.message_id, r.recipient, r.subject, r.raw,"
    " 'pending', 0, %(now)s, %(now)s"
    " FROM unnest(%(subscriber_id)s::bigint[], %(kind)s::text[], %(dedup_key)s::text[],"
    " %(message_id)s::text[], %(recipient)s::text[], %(subject)s::text[], %(raw)b::bytea[])"
    " AS r(subscriber_id, kind, dedup_key, message_id, recipient, subject, raw)"
    " ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key"
)

# PostgreSQL: every delivery → email attachment in one statement (it was one statement a
# delivery, ~2,700 a round, each with its parameters processed in Python).
_PG_ATTACH_DELIVERIES = (
    "UPDATE deliveries SET status = 'queued', email_id = a.email_id"
    " FROM unnest(%(deliveries)s::bigint[], %(emails)s::bigint[]) AS a(id, email_id)"
    " WHERE deliveries.id = a.id"
)


def pg_email_columns(rows: Sequence[NewEmail], now: datetime) -> dict[str, Any]:
    """The parameters of ``_PG_INSERT_EMAILS`` for ``rows``: one PostgreSQL array per
    column (text and integer arrays as literals built in C, ``pg_array``; the bytes as a
    list, sent as a binary ``bytea[]``, since psycopg's text form escapes them in Python),
    the subject cut as ``queue_email`` cuts it; ``now`` is the emails' next attempt and
    creation time."""
    return {
        "subscriber_id": pg_array([row.subscriber_id for row in rows]),
        "kind": pg_array([row.kind for row in rows]),
        "dedup_key": pg_array([row.dedup_key for row in rows]),
        "message_id": pg_array([row.message_id for row in rows]),
        "recipient": pg_array([row.recipient for row in rows]),
        "subject": pg_array([row.subject[:SUBJECT_LIMIT] for row in rows]),
        "raw": [row.raw for row in rows],
        "now": now,
    }


def attachments(rows: Sequence[NewEmail], ids: Mapping[str, int]) -> tuple[list[int], list[int]]:
    """Each delivery of ``rows`` and the id of the email (by dedup key, in ``ids``) that
    carries it, as two parallel lists in the order of ``rows``."""
    delivery_ids: list[int] = []
    email_ids: list[int] = []
    for row in rows:
        delivery_ids.extend(row.delivery_ids)
        email_ids.extend([ids[row.dedup_key]] * len(row.delivery_ids))
    return delivery_ids, email_ids


def claim_emails(
    conn: Connection,
    *,
    now: datetime,
    worker: str,
    lease: timedelta,
    limit: int = 20,
    partition: Partition = EVERY_SUBSCRIBER,
) -> list[ClaimedEmail]:
    """Lease due emails (of ``partition``'s subscribers) and record an attempt for each,
    before anything is sent.

    Three statements whatever ``limit`` is: the due emails (locked, others' locks
    skipped, on PostgreSQL; SQLite's BEGIN IMMEDIATE serializes claims), one insert of
    their attempts, one update of their leases.
    """
    stmt = (
        select(emails)
        .where(
            emails.c.status == "pending",
            emails.c.next_attempt_at <= now,
            partition.clause(emails.c.subscriber_id),
        )
        .order_by(emails.c.next_attempt_at, emails.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = conn.execute(stmt).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    attempts = {
        int(email_id): int(attempt_id)
        for attempt_id, email_id in bulk_insert(
            conn,
            email_attempts,
            [{"email_id": email_id, "started_at": now, "worker": worker} for email_id in ids],
            returning=["id", "email_id"],
        )
    }
    conn.execute(
        update(emails)
        .where(emails.c.id.in_(ids))
        .values(attempts=emails.c.attempts + 1, next_attempt_at=now + lease)
    )
    return [
        ClaimedEmail(
            id=row.id,
            attempt_id=attempts[row.id],
            subscriber_id=row.subscriber_id,
            kind=row.kind,
            recipient=row.recipient,
            message_id=row.message_id,
            raw=bytes(row.raw),
            attempts=row.attempts + 1,
        )
        for row in rows
    ]


# Built once: the mailer marks every email with these (SQLAlchemy then reuses their
# compiled form without building a statement per email).
_MARK_ATTEMPT = (
    update(email_attempts)
    .where(email_attempts.c.id == bindparam("b_attempt"))
    .values(
        outcome=bindparam("b_outcome"), detail=bindparam("b_detail"), finished_at=bindparam("b_now")
    )
)
_MARK_SENT = (
    update(emails)
    .where(emails.c.id == bindparam("b_email"))
    .values(status="sent", sent_at=bindparam("b_now"), last_error=None)
)
_MARK_RETRY = (
    update(emails)
    .where(emails.c.id == bindparam("b_email"))
    .values(status="pending", next_attempt_at=bindparam("b_retry"), last_error=bindparam("b_error"))
)
_MARK_FAILED = (
    update(emails)
    .where(emails.c.id == bindparam("b_email"))
    .values(status="failed", last_error=bindparam("b_error"))
)
# The email's update for each kind of mark :func:`single_mark` chooses.
EMAIL_MARKS = {"sent": _MARK_SENT, "retry": _MARK_RETRY, "failed": _MARK_FAILED}
# PostgreSQL: the attempt's update as a data-modifying CTE of the email's, so a mark is one
# statement — on an autocommit connection, one round trip instead of four (BEGIN, two
# UPDATEs, COMMIT), and as atomic as the transaction it replaces. The raw cursor's marks
# (``raw_marks``) are these statements compiled.
SINGLE_MARKS = {
    kind: statement.add_cte(_MARK_ATTEMPT.cte("marked_attempt"))
    for kind, statement in EMAIL_MARKS.items()
}


def marks_in_one_statement(conn: Connection) -> bool:
    """True when :func:`finish_attempt` writes each mark as one statement on ``conn``'s
    database (PostgreSQL), so the marks' connection may run in autocommit."""
    return conn.dialect.name == "postgresql"


def single_mark(
    email: ClaimedEmail,
    *,
    outcome: str,
    detail: str,
    now: datetime,
    retry_at: datetime | None = None,
) -> tuple[str, dict[str, Any]]:
    """Which of :data:`SINGLE_MARKS` records this outcome, and its parameters: sent;
    transient with a retry time (due again then); or failed (permanent, or transient
    without a retry time)."""
    values: dict[str, Any] = {
        "b_attempt": email.attempt_id,
        "b_outcome": outcome,
        "b_detail": detail[:2000],
        "b_now": now,
        "b_email": email.id,
    }
    if outcome == "sent":
        return "sent", values
    values["b_error"] = detail[:2000]
    if outcome == "transient" and retry_at is not None:
        values["b_retry"] = retry_at
        return "retry", values
    return "failed", values


def finish_attempt(
    conn: Connection,
    email: ClaimedEmail,
    *,
    outcome: str,
    detail: str,
    now: datetime,
    retry_at: datetime | None = None,
) -> None:
    """Record the SMTP outcome: sent, transient (retry at retry_at) or permanent.

    One statement on PostgreSQL (see :func:`marks_in_one_statement`), two elsewhere: the
    same statements either way, chosen by :func:`single_mark`.
    """
    kind, parameters = single_mark(email, outcome=outcome, detail=detail, now=now, retry_at=retry_at)
    if marks_in_one_statement(conn):
        conn.execute(SINGLE_MARKS[kind], parameters)
        return
    conn.execute(_MARK_ATTEMPT, parameters)
    conn.execute(EMAIL_MARKS[kind], parameters)


def recover_interrupted(conn: Connection, *, workers: Callable[[str], bool], now: datetime) -> int:
    """Retry at once what dead mailers were sending when they died.

    ``workers(name)`` says whether an attempt's worker is known to be dead (the caller
    checks processes on its own host); attempts of live or unknown workers are left to
    their lease.
    """
    in_flight = conn.execute(
        select(email_attempts.c.id, email_attempts.c.email_id, email_attempts.c.worker).where(
            email_attempts.c.outcome.is_(None)
        )
    ).all()
    dead = [(attempt, email) for attempt, email, worker in in_flight if workers(worker)]
    if not dead:
        return 0
    conn.execute(
        update(email_attempts)
        .where(email_attempts.c.id.in_([a for a, _ in dead]))
        .values(outcome="interrupted", finished_at=now, detail="process stopped mid-send")
    )
    conn.execute(
        update(emails)
        .where(emails.c.id.in_([e for _, e in dead]), emails.c.status == "pending")
        .values(next_attempt_at=now)
    )
    return len(dead)


def sent_today_count(conn: Connection, subscriber_id: int, since: datetime) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(emails)
            .where(
                emails.c.subscriber_id == subscriber_id,
                emails.c.kind.in_(["alert", "update"]),
                emails.c.created_at >= since,
            )
        ).scalar_one()
    )


def sent_today_counts(conn: Connection, since: Mapping[int, datetime]) -> dict[int, int]:
    """:func:`sent_today_count` for many subscribers (subscriber id → the start of their
    local day) in one statement: a pass's look-ups in one round trip instead of one each."""
    if not since:
        return {}
    rows = conn.execute(
        select(emails.c.subscriber_id, emails.c.created_at).where(
            emails.c.subscriber_id.in_(sorted(since)),
            emails.c.kind.in_(["alert", "update"]),
            emails.c.created_at >= min(since.values()),
        )
    )
    counts = dict.fromkeys(since, 0)
    for subscriber_id, created_at in rows:
        if created_at >= since[subscriber_id]:
            counts[subscriber_id] += 1
    return counts


def outbox_counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(emails.c.status, func.count()).group_by(emails.c.status))
    counts = {status: int(n) for status, n in rows}
    counts["deliveries_pending"] = int(
        conn.execute(
            select(func.count()).select_from(deliveries).where(deliveries.c.status == "pending")
        ).scalar_one()
    )
    return counts


def due_now(
    conn: Connection, now: datetime, partition: Partition = EVERY_SUBSCRIBER
) -> dict[str, int]:
    """Work the mailer should already have done: due deliveries and due unsent emails
    (of ``partition``'s subscribers)."""
    mine = partition.clause(deliveries.c.subscriber_id)
    deliveries_due = conn.execute(
        select(func.count())
        .select_from(deliveries)
        .where(deliveries.c.status == "pending", deliveries.c.due_at <= now, mine)
    ).scalar_one()
    emails_due = conn.execute(
        select(func.count())
        .select_from(emails)
        .where(
            emails.c.status == "pending",
            emails.c.next_attempt_at <= now,
            partition.clause(emails.c.subscriber_id),
        )
    ).scalar_one()
    later = conn.execute(
        select(func.count())
        .select_from(deliveries)
        .where(deliveries.c.status == "pending", deliveries.c.due_at > now, mine)
    ).scalar_one()
    return {"deliveries": int(deliveries_due), "emails": int(emails_due), "later": int(later)}


def failed_emails(conn: Connection, limit: int = 50) -> list[Any]:
    return list(
        conn.execute(
            select(
                emails.c.id,
                emails.c.recipient,
                emails.c.kind,
                emails.c.attempts,
                emails.c.last_error,
                emails.c.created_at,
            )
            .where(emails.c.status == "failed")
            .order_by(emails.c.id.desc())
            .limit(limit)
        )
    )


def failed_counts(conn: Connection, subscriber_ids: Sequence[int]) -> dict[int, int]:
    """How many emails to each of ``subscriber_ids`` failed for good (none: left out)."""
    if not subscriber_ids:
        return {}
    rows = conn.execute(
        select(emails.c.subscriber_id, func.count())
        .where(emails.c.subscriber_id.in_(list(subscriber_ids)), emails.c.status == "failed")
        .group_by(emails.c.subscriber_id)
    )
    return {int(sid): int(n) for sid, n in rows}


def requeue_failed_emails(
    conn: Connection, email_ids: Sequence[int], *, now: datetime
) -> list[int]:
    """Make failed emails due again, as they are: the same row, dedup key, Message-ID and
    bytes, so the mailer's next claim sends each once (``claim_emails``), and an email
    that is no longer failed (sent, or retried already) is left alone. The attempt count
    starts again, so a retry gets the full backoff; the attempts stay in email_attempts.
    Returns the ids requeued."""
    if not email_ids:
        return []
    stmt = (
        update(emails)
        .where(emails.c.id.in_(list(email_ids)), emails.c.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=now)
        .returning(emails.c.id)
    )
    return sorted(int(i) for i in conn.execute(stmt).scalars())


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A due delivery with everything needed to compose its email."""

    id: int
    mode: str
    due_at: datetime
    created_at: datetime
    revision: int
    subscription_id: int
    subscriber_id: int
    story_id: int
    title: str
    text: str
    url: str | None
    published_at: datetime
    credited_outlet: str
    # The alert's; all None for an "all" subscription's story no topic alerted (alert 0).
    alert_id: int
    topic: str | None
    category: str | None
    countries: list[str] | None
    score: float | None
    matched: list[dict[str, Any]] | None


def due_delivery_details(
    conn: Connection,
    now: datetime,
    subscriptions: int = 500,
    partition: Partition = EVERY_SUBSCRIBER,
) -> list[DueDelivery]:
    """Every due delivery of the (up to) ``subscriptions`` subscriptions waiting longest,
    among those of ``partition``'s subscribers.

    Whole subscriptions at a time: a digest's deliveries must be assembled together, or a
    later pass would find its email already queued under the same key. Whole subscribers
    per process (the partition): caps and bundles count everything a subscriber is sent.
    """
    from monitor.store.tables import alerts, stories

    due = (
        (deliveries.c.status == "pending")
        & (deliveries.c.due_at <= now)
        & partition.clause(deliveries.c.subscriber_id)
    )
    chosen = (
        select(deliveries.c.subscription_id)
        .where(due)
        .group_by(deliveries.c.subscription_id)
        .order_by(func.min(deliveries.c.due_at))
        .limit(subscriptions)
        .scalar_subquery()
    )
    columns = (
        deliveries.c.id,
        deliveries.c.mode,
        deliveries.c.due_at,
        deliveries.c.created_at,
        deliveries.c.revision,
        deliveries.c.subscription_id,
        deliveries.c.subscriber_id,
        deliveries.c.story_id,
        deliveries.c.alert_id,
    )
    rows = conn.execute(
        select(*columns)
        .where(due, deliveries.c.subscription_id.in_(chosen))
        .order_by(deliveries.c.due_at, deliveries.c.id)
    ).all()
    if not rows:
        return []
    # A story's text and an alert's evidence (JSON) once each, not once per delivery row:
    # a day's digests carry each story to thousands of readers.
    story_ids = sorted({row[7] for row in rows})
    alert_ids = sorted({row[8] for row in rows})
    story_columns = (
        stories.c.title,
        stories.c.text,
        stories.c.url,
        stories.c.published_at,
        stories.c.credited_outlet,
    )
    alert_columns = (
        alerts.c.topic,
        alerts.c.category,
        alerts.c.countries,
        alerts.c.score,
        alerts.c.matched,
    )
    names = [c.name for c in (*columns[:8], *story_columns, columns[8], *alert_columns)]
    if names != _DUE_FIELDS:
        raise AssertionError("due_delivery_details: columns out of step with DueDelivery")
    story_rows = conn.execute(
        select(stories.c.id, *story_columns).where(stories.c.id.in_(story_ids))
    )
    alert_rows = conn.execute(select(alerts.c.id, *alert_columns).where(alerts.c.id.in_(alert_ids)))
    return joined_due(
        cast(Sequence[tuple[Any, ...]], rows),
        {row[0]: tuple(row[1:]) for row in story_rows},
        {row[0]: tuple(row[1:]) for row in alert_rows},
    )


_DUE_FIELDS = [f.name for f in dataclasses.fields(DueDelivery)]
_NO_ALERT: tuple[Any, ...] = (None, None, None, None, None)


def joined_due(
    rows: Sequence[tuple[Any, ...]],
    story_details: Mapping[int, tuple[Any, ...]],
    alert_details: Mapping[int, tuple[Any, ...]],
) -> list[DueDelivery]:
    """Due deliveries (id, mode, due_at, created_at, revision, subscription_id,
    subscriber_id, story_id, alert_id) joined with their story's details (title, text,
    url, published_at, credited_outlet) and their alert's (topic, category, countries,
    score, matched), in the order of ``rows``: as an inner join on the story (a delivery
    of a story not found is left out) and an outer join on the alert (an "all"
    subscription's story no topic alerted has none: its fields are None). Deliveries of
    one story or alert share its values."""
    out = []
    for row in rows:
        story = story_details.get(row[7])
        if story is None:
            continue
        alert = alert_details.get(row[8], _NO_ALERT)
        # Positional: building each row's mapping of names cost more than the rest of the row.
        out.append(DueDelivery(*(*row[:8], *story, row[8], *alert)))
    return out


def story_outlets(conn: Connection, story_ids: Sequence[int]) -> dict[int, list[str]]:
    """Every outlet that carried each story, in order of arrival (for 'republished by')."""
    from monitor.store.tables import story_sources

    out: dict[int, list[str]] = {}
    if not story_ids:
        return out
    rows = conn.execute(
        select(story_sources.c.story_id, story_sources.c.outlet)
        .where(story_sources.c.story_id.in_(list(story_ids)))
        .order_by(story_sources.c.id)
    )
    for story_id, outlet in rows:
        names = out.setdefault(story_id, [])
        if outlet and outlet not in names:
            names.append(outlet)
    return out
