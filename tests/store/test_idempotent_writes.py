"""Every keyed insert reports honestly whether it inserted, on both databases.

(psycopg reports rowcount -1 for INSERT … ON CONFLICT; the store must not rely on it.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.models import Classification, FeedItem
from monitor.store import feeds, outbox, stories
from monitor.store.db import transaction
from monitor.store.subscribers import add_subscriber, add_subscription

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
ITEM = FeedItem(
    item_id="g:1",
    feed_url="https://f.example/feed",
    outlet="Outlet",
    title="T",
    text="x",
    published=NOW,
    fetched_at=NOW,
    simhash=12345,
    title_key="t",
)
VERDICT = Classification(True, 0.9, "peace-plan", ("BR",), "en")


def test_second_insert_of_the_same_key_reports_not_created(db_url: str, engines: Any) -> None:
    engine = engines(db_url)
    with transaction(engine) as conn:
        assert feeds.add_feed(conn, "https://f.example/feed", now=NOW)[1] is True
        assert feeds.add_feed(conn, "https://f.example/feed", now=NOW)[1] is False
        (story_id,) = stories.insert_stories(
            conn,
            [
                {
                    "title": "T",
                    "text": "x",
                    "title_key": "t",
                    "simhash": 12345,
                    "published_at": NOW,
                    "first_seen_at": NOW,
                    "updated_at": NOW,
                    "credited_outlet": "Outlet",
                    "source_count": 0,
                    **stories.band_columns(12345),
                }
            ],
        )
        source = {
            "story_id": story_id,
            "item_id": ITEM.item_id,
            "feed_url": ITEM.feed_url,
            "outlet": "Outlet",
            "title": "T",
            "published_at": NOW,
            "first_seen_at": NOW,
        }
        assert stories.insert_sources(conn, [source]) == {ITEM.item_id}
        assert stories.insert_sources(conn, [source]) == set()
        first = stories.insert_alerts(conn, {story_id: VERDICT}, "topic", now=NOW)
        assert stories.insert_alerts(conn, {story_id: VERDICT}, "topic", now=NOW) == {}
        assert list(first) == [story_id]
        alert_id = first[story_id]
        person, _ = add_subscriber(conn, "a@example.org", confirmed=True, now=NOW)
        sub = add_subscription(conn, person, now=NOW, filters={})
        rows = [outbox.NewDelivery(person, sub, story_id, alert_id, "immediate", NOW)]
        assert outbox.add_deliveries(conn, rows, now=NOW) == 1
        assert outbox.add_deliveries(conn, rows, now=NOW) == 0
        kwargs = dict(
            subscriber_id=person,
            kind="alert",
            dedup_key="k",
            message_id="<m@x>",
            recipient="a@example.org",
            subject="s",
            raw=b"raw",
            now=NOW,
        )
        email_id, created = outbox.queue_email(conn, **kwargs)  # type: ignore[arg-type]
        assert created is True
        assert outbox.queue_email(conn, **kwargs) == (email_id, False)  # type: ignore[arg-type]


def test_seen_item_ids_older_than_retention_are_forgotten(db_url: str, engines: Any) -> None:
    from datetime import timedelta

    engine = engines(db_url)
    with transaction(engine) as conn:
        feed_id, _ = feeds.add_feed(conn, "https://f.example/feed", now=NOW)
        feeds.mark_items_seen(conn, feed_id, ["old"], NOW - timedelta(days=400))
        feeds.mark_items_seen(conn, feed_id, ["new"], NOW)
        assert feeds.forget_old_items(conn, NOW - timedelta(days=180)) == 1
        assert feeds.known_item_ids(conn, feed_id, ["old", "new"]) == {"new"}


def test_queued_in_bulk_once_per_key_and_claimed_in_bulk(db_url: str, engines: Any) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from monitor.store.tables import deliveries, email_attempts, emails

    engine = engines(db_url)
    with transaction(engine) as conn:
        person, _ = add_subscriber(conn, "a@example.org", confirmed=True, now=NOW)
        sub = add_subscription(conn, person, now=NOW, filters={})
        (story_a, story_b, story_c) = stories.insert_stories(
            conn,
            [
                {
                    "title": title,
                    "text": "x",
                    "title_key": title,
                    "simhash": n,
                    "published_at": NOW,
                    "first_seen_at": NOW,
                    "updated_at": NOW,
                    "credited_outlet": "Outlet",
                    "source_count": 0,
                    **stories.band_columns(n),
                }
                for n, title in ((11, "a"), (22, "b"), (33, "c"))
            ],
        )
        alerts = stories.insert_alerts(
            conn, {s: VERDICT for s in (story_a, story_b, story_c)}, "topic", now=NOW
        )
        new = [outbox.NewDelivery(person, sub, s, alerts[s], "daily", NOW) for s in alerts]
        outbox.add_deliveries(conn, new, now=NOW)
        ids = sorted(conn.execute(select(deliveries.c.id)).scalars())

        def email(key: str, *delivery_ids: int) -> outbox.NewEmail:
            return outbox.NewEmail(
                person, "digest", key, f"<{key}@x>", "a@example.org", "s", b"r", delivery_ids
            )

        assert outbox.queue_emails(conn, [email("one", ids[0]), email("two", ids[1])], now=NOW) == 2
        # "one" again (already queued) and "three" twice in the same batch: one new email.
        batch = [email("one", ids[0]), email("three", ids[2]), email("three")]
        assert outbox.queue_emails(conn, batch, now=NOW) == 1
        attached = dict(conn.execute(select(deliveries.c.id, deliveries.c.email_id)).all())
        queued = dict(conn.execute(select(emails.c.dedup_key, emails.c.id)).all())
        assert set(queued) == {"one", "two", "three"}
        assert attached == {ids[0]: queued["one"], ids[1]: queued["two"], ids[2]: queued["three"]}

        claimed = outbox.claim_emails(
            conn, now=NOW, worker="w", lease=timedelta(seconds=60), limit=2
        )
        assert [c.id for c in claimed] == [queued["one"], queued["two"]]
        attempts = dict(conn.execute(select(email_attempts.c.id, email_attempts.c.email_id)).all())
        assert {attempts[c.attempt_id] for c in claimed} == {c.id for c in claimed}
        assert all(c.attempts == 1 for c in claimed)
        later = outbox.claim_emails(conn, now=NOW, worker="w", lease=timedelta(seconds=60))
        assert [c.id for c in later] == [queued["three"]]  # the leased two are not due


def test_queued_emails_keep_every_byte_and_character(db_url: str, engines: Any) -> None:
    """The outbox stores exactly what it is given: bytes of every value, and subjects,
    keys and addresses with the characters an array literal quotes or escapes."""
    from sqlalchemy import select

    from monitor.store.tables import emails

    raw = bytes(range(256)) * 3 + b'\r\n{"a","b"}\\\x00'
    odd = 'a "quoted", {braced} \\back\\slash; NULL ∑ é'
    engine = engines(db_url)
    with transaction(engine) as conn:
        person, _ = add_subscriber(conn, "a@example.org", confirmed=True, now=NOW)
        rows = [
            outbox.NewEmail(person, "digest", f"k{n}:{odd}", f"<{n}@x>", f"{n}@x", odd, raw)
            for n in range(3)
        ]
        rows.append(outbox.NewEmail(person, "alert", "long", "<l@x>", "l@x", "s" * 2500, b""))
        assert outbox.queue_emails(conn, rows, now=NOW) == 4
        stored = {
            key: (kind, mid, to, subject, bytes(data), attempts, status, created, due)
            for key, kind, mid, to, subject, data, attempts, status, created, due in conn.execute(
                select(
                    emails.c.dedup_key,
                    emails.c.kind,
                    emails.c.message_id,
                    emails.c.recipient,
                    emails.c.subject,
                    emails.c.raw,
                    emails.c.attempts,
                    emails.c.status,
                    emails.c.created_at,
                    emails.c.next_attempt_at,
                )
            )
        }
    assert stored == {
        **{
            f"k{n}:{odd}": ("digest", f"<{n}@x>", f"{n}@x", odd, raw, 0, "pending", NOW, NOW)
            for n in range(3)
        },
        "long": ("alert", "<l@x>", "l@x", "s" * 2000, b"", 0, "pending", NOW, NOW),
    }


def test_due_deliveries_joined_with_their_story_and_alert() -> None:
    rows = [
        (1, "daily", NOW, NOW, 1, 10, 100, 7, 70),
        (2, "daily", NOW, NOW, 1, 11, 101, 8, 0),  # an "all" subscription: no alert
        (3, "daily", NOW, NOW, 1, 12, 102, 9, 70),  # its story is gone: left out
        (4, "immediate", NOW, NOW, 2, 13, 103, 7, 70),
    ]
    story = ("T", "text", "https://x", NOW, "Outlet")
    other = ("U", "more", None, NOW, "Other")
    alert = ("topic", "politics", ["BR"], 0.9, [{"rule": "r"}])
    due = outbox.joined_due(rows, {7: story, 8: other}, {70: alert})
    assert [d.id for d in due] == [1, 2, 4]
    first, second, fourth = due
    assert (first.title, first.text, first.topic, first.matched) == ("T", "text", "topic", alert[4])
    assert (second.title, second.alert_id, second.topic, second.matched) == ("U", 0, None, None)
    assert (fourth.mode, fourth.revision, fourth.countries) == ("immediate", 2, ["BR"])


def test_attachments_pair_each_delivery_with_its_email() -> None:
    def email(key: str, *delivery_ids: int) -> outbox.NewEmail:
        return outbox.NewEmail(1, "digest", key, "<m>", "a@x", "s", b"r", delivery_ids)

    rows = [email("a", 1, 2), email("b"), email("a", 3), email("c", 4)]
    assert outbox.attachments(rows, {"a": 10, "b": 20, "c": 30}) == ([1, 2, 3, 4], [10, 10, 10, 30])
