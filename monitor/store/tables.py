"""The schema as SQLAlchemy Core tables. Alembic migrations create it; the app never does.

Unique keys carry the pipeline's idempotence: replaying an item, an alert or a delivery
hits a unique key and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)

from monitor.feeds.identity import NEAR_DUP_BANDS

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and always returned timezone-aware (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def _now() -> datetime:
    return datetime.now(UTC)


feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("name", String(300), nullable=False, default=""),
    Column("outlet", String(300), nullable=False, default=""),
    Column("language", String(16)),
    Column("poll_interval", Float),  # seconds; NULL = settings.poll_interval
    Column("state", String(16), nullable=False, default="active"),  # active | paused | gone
    Column("state_reason", Text),
    Column("etag", String(1024)),
    Column("last_modified", String(128)),
    Column("trust_validators", Boolean, nullable=False, default=True),
    Column("server_interval", Float),  # seconds hinted by ttl / sy:updatePeriod / max-age
    Column("last_polled_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("next_poll_at", UTCDateTime, nullable=False, default=_now),
    Column("error_count", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("last_status", Integer),
    Column("items_published", BigInteger, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("updated_at", UTCDateTime, nullable=False, default=_now, onupdate=_now),
)
Index("ix_feeds_state_next_poll", feeds.c.state, feeds.c.next_poll_at)

# Items already published to Kafka, per feed; saved only after the broker acknowledged them.
feed_items = Table(
    "feed_items",
    metadata,
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("content_hash", String(32)),
    Column("first_seen_at", UTCDateTime, nullable=False, default=_now),
    Column("last_seen_at", UTCDateTime, nullable=False, default=_now),
)

# A story is a cluster of copies of one piece of news (syndicated copies, light rewrites).
# One column per SimHash band, ``band0`` … (plain str: orjson refuses SQLAlchemy's
# quoted_name as a row key).
BAND_COLUMN_NAMES = tuple(f"band{index}" for index in range(NEAR_DUP_BANDS))

stories = Table(
    "stories",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("html", Text, nullable=False, default=""),
    Column("url", String(2048)),
    Column("lang", String(16)),
    Column("credited_outlet", String(300), nullable=False, default=""),
    Column("title_key", String(512), nullable=False, default=""),
    Column("simhash", BigInteger, nullable=False, default=0),
    Column("published_at", UTCDateTime, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False, default=_now),
    Column("updated_at", UTCDateTime, nullable=False, default=_now, onupdate=_now),
    Column("source_count", Integer, nullable=False, default=1),
    # The SimHash's band keys (monitor.store.stories.band_keys; NULL without a fingerprint):
    # near-duplicates share at least one. Columns rather than rows of a band table
    # (migration 0008): the same index entries without a heap row per band and story.
    *(Column(name, BigInteger) for name in BAND_COLUMN_NAMES),
)
Index("ix_stories_title_key", stories.c.title_key)
# What the workspace reads a large archive by (migration 0017): Latest's outlet list, the
# recent window of Countries and previews, Search's latest-first order.
Index("ix_stories_credited_outlet", stories.c.credited_outlet, stories.c.id)
Index("ix_stories_first_seen_at", stories.c.first_seen_at, stories.c.id)
Index("ix_stories_published_at", stories.c.published_at, stories.c.id)
# Each band index carries the fingerprint, so a look-up drops the far stories that merely
# share 16 bits by Hamming distance in an index-only scan, without visiting the wide rows.
for _name in BAND_COLUMN_NAMES:
    Index(f"ix_stories_{_name}", stories.c[_name], stories.c.id, postgresql_include=["simhash"])

# Each copy of a story as it arrived from one feed. item_id is unique: replays change nothing.
story_sources = Table(
    "story_sources",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    # No foreign key to stories (migration 0006, as for the rows below): every row is written
    # in the transaction that writes or reads its story, nothing deletes stories, and the
    # per-row check was a fixed cost on every stored item.
    Column("story_id", BigInteger, nullable=False),
    Column("item_id", String(64), nullable=False, unique=True),
    Column("feed_url", String(2048), nullable=False),
    Column("outlet", String(300), nullable=False, default=""),
    Column("original_outlet", String(300)),
    Column("url", String(2048)),
    Column("title", Text, nullable=False, default=""),
    Column("published_at", UTCDateTime, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False, default=_now),
    Column("published_ms", BigInteger),  # producer timestamp, for latency measurement
)
Index("ix_story_sources_story_id", story_sources.c.story_id)

alerts = Table(
    "alerts",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("story_id", BigInteger, nullable=False),  # no foreign key: see story_sources
    Column("topic", String(100), nullable=False),
    Column("score", Float, nullable=False),
    Column("category", String(40)),
    Column("countries", JSON, nullable=False, default=list),
    Column("matched", JSON, nullable=False, default=list),
    Column("revision", Integer, nullable=False, default=1),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("updated_at", UTCDateTime, nullable=False, default=_now, onupdate=_now),
    UniqueConstraint("story_id", "topic"),
)
Index("ix_alerts_created_at", alerts.c.created_at)

# Stored counts of alerted stories per UTC hour and key (migration 0022, monitor/trends/
# rollup.py): a (story, key) pair counts in the hour of its first alert naming the key;
# the worker writes them with the alerts, in their transaction. ``kind`` is country,
# category, outlet or "*" (every alerted story, ``name`` empty).
trend_counts = Table(
    "trend_counts",
    metadata,
    Column("bucket", BigInteger, primary_key=True, autoincrement=False),  # Unix second
    Column("kind", String(16), primary_key=True),
    Column("name", String(300), primary_key=True),
    Column("stories", Integer, nullable=False),
)

# The same counts per whole UTC day (migration 0023): each row the sum of its day's hour
# rows, written in the same transaction (``trend_counts.keep``), so a long period reads a
# row per day and key inside the reader's buckets and hours only at their edges
# (``trends.levels``).
trend_days = Table(
    "trend_days",
    metadata,
    Column("bucket", BigInteger, primary_key=True, autoincrement=False),  # UTC midnight
    Column("kind", String(16), primary_key=True),
    Column("name", String(300), primary_key=True),
    Column("stories", Integer, nullable=False),
)

# The same counts per whole UTC week from Monday (migration 0024): each row the sum of its
# week's hour rows, written in the same transaction; a year by week reads a row per week
# and key (``trends.levels``).
trend_weeks = Table(
    "trend_weeks",
    metadata,
    Column("bucket", BigInteger, primary_key=True, autoincrement=False),  # Monday 00:00 UTC
    Column("kind", String(16), primary_key=True),
    Column("name", String(300), primary_key=True),
    Column("stories", Integer, nullable=False),
)

# The later hours in which an alert names a (story, key) pair again (a story alerted under
# another topic hours later): a period that starts after the pair's first hour counts it on
# its first such hour inside.
trend_repeats = Table(
    "trend_repeats",
    metadata,
    Column("story_id", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), primary_key=True),
    Column("name", String(300), primary_key=True),
    Column("bucket", BigInteger, primary_key=True, autoincrement=False),
    Column("first_bucket", BigInteger, nullable=False),
)
Index("ix_trend_repeats_bucket", trend_repeats.c.bucket)

subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("time_zone", String(64), nullable=False, default="UTC"),
    # The language of every message the subscriber receives (monitor/catalogs.py).
    Column("language", String(8), nullable=False, default="en"),
    Column("confirmed", Boolean, nullable=False, default=False),
    Column("confirmed_at", UTCDateTime),
    Column("status", String(16), nullable=False, default="active"),  # active|unsubscribed|bouncing
    Column("status_reason", Text),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False
    ),
    Column("name", String(200), nullable=False, default=""),
    Column("query", Text),  # stored query (query language); NULL = every alert of the topic
    # A topic slug, or "all": every story the worker classifies, only the query decides
    # (monitor/subscriptions/topic_choice.py). Rows from before migration 0014: the founding topic.
    Column("topic", String(100), nullable=False, default="ukraine-latam"),
    Column("filters", JSON, nullable=False, default=dict),
    Column(
        "mode", String(16), nullable=False, default="immediate"
    ),  # immediate|hourly|daily|weekly
    Column("digest_time", String(5), nullable=False, default="08:00"),  # local HH:MM
    Column("digest_weekday", Integer, nullable=False, default=0),  # 0 = Monday
    Column("quiet_start", String(5)),  # local HH:MM
    Column("quiet_end", String(5)),
    Column("daily_cap", Integer),
    Column("paused", Boolean, nullable=False, default=False),
    # SHA-256 of the private feed key (monitor/delivery/feed_keys.py); NULL = no feed.
    Column("feed_key_hash", String(64)),
    # Also a message when its countries' or categories' volume is unusual (migration 0018).
    Column("volume_alerts", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("updated_at", UTCDateTime, nullable=False, default=_now, onupdate=_now),
)
Index("ix_subscriptions_subscriber_id", subscriptions.c.subscriber_id)
Index("ux_subscriptions_feed_key_hash", subscriptions.c.feed_key_hash, unique=True)

# A reader's keys for the read API (monitor/web/api/): only each key's SHA-256 is stored.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False
    ),
    Column("name", String(200), nullable=False, default=""),
    Column("prefix", String(16), nullable=False),  # shown in lists, to tell keys apart
    Column("key_hash", String(64), nullable=False),
    Column("scopes", String(100), nullable=False),  # space-separated: "read" or "read write"
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("last_used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)
Index("ux_api_keys_key_hash", api_keys.c.key_hash, unique=True)
Index("ix_api_keys_subscriber_id", api_keys.c.subscriber_id)

# Analysts' corrections of country timelines (monitor/timelines/review.py); later rows win.
timeline_corrections = Table(
    "timeline_corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("country", String(2), nullable=False),
    Column("kind", String(32), nullable=False),  # the row corrected: an entry kind or "stance"
    Column("action", String(8), nullable=False),  # set | remove
    Column("new_kind", String(32)),
    Column("value", String(32)),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
)
Index(
    "ix_timeline_corrections_country_story",
    timeline_corrections.c.country,
    timeline_corrections.c.story_id,
)

# The spike and silence detector's ledger (monitor/notify/volume.py): one row per alert
# raised for a key ("country:BR"), day, kind and count; the cooldown reads the latest.
volume_alerts = Table(
    "volume_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False),
    Column("day", Date, nullable=False),
    Column("kind", String(8), nullable=False),  # spike | silence
    Column("observed", Integer, nullable=False),
    Column("expected", Float, nullable=False),
    Column("tail_probability", Float, nullable=False),
    Column("detected_at", UTCDateTime, nullable=False, default=_now),
    UniqueConstraint("key", "day", "kind", "observed"),
)
Index("ix_volume_alerts_day", volume_alerts.c.day)

# Event threads (migration 0019, monitor/threads/): one row per real-world event that
# alerted stories report, with its actors, type and dates as data, and the older thread it
# develops (``follows_id``: a second meeting, a reply), if any. No foreign keys, as for
# the stream's other rows: the worker writes them in the transaction that stores the story.
threads = Table(
    "threads",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("category", String(40)),
    Column("countries", JSON, nullable=False, default=list),
    Column("actors", JSON, nullable=False, default=list),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("story_count", Integer, nullable=False, default=1),
    Column("follows_id", BigInteger),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("updated_at", UTCDateTime, nullable=False, default=_now),
)
Index("ix_threads_follows_id", threads.c.follows_id)

# Each alerted story's thread, with the facts the decision read (so later stories are
# compared without classifying again) and the rule that placed it ("new" for a founder).
story_threads = Table(
    "story_threads",
    metadata,
    Column("story_id", BigInteger, primary_key=True),
    Column("thread_id", BigInteger, nullable=False),
    Column("day", Date, nullable=False),
    Column("rule", String(40), nullable=False),
    Column("facts", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    # Days between the story and the report it matched (None for a thread's first), and
    # whether alerts and digests group it with its thread (thread_alerts.grouped_with_thread).
    Column("matched_days", SmallInteger),
    Column("grouped", Boolean, nullable=False, server_default=true()),
)
Index(
    "ix_story_threads_day", story_threads.c.day, story_threads.c.thread_id, story_threads.c.story_id
)
Index("ix_story_threads_thread_id", story_threads.c.thread_id)

# When each subscriber was last alerted of a thread at once (the fan-out's per-thread
# decision, monitor/notify/thread_alerts.py), and how many later reports were folded since.
thread_alerts = Table(
    "thread_alerts",
    metadata,
    Column("thread_id", BigInteger, primary_key=True),
    Column("subscriber_id", Integer, primary_key=True),
    Column("alerted_at", UTCDateTime, nullable=False),
    Column("folded", Integer, nullable=False, default=0),
)

# One row per (subscriber, story, revision): the guard against double sends.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    # No foreign keys (migrations 0006 and 0007). The story and alert: see story_sources.
    # The subscriber and subscription: a worker with a snapshot of the subscriptions taken
    # before a subscriber was deleted would fail its whole batch on the key; instead the
    # assembler skips such deliveries, and deleting a subscriber (or subscription) deletes
    # its deliveries in ``monitor.store.subscribers``.
    Column("subscriber_id", Integer, nullable=False),
    Column("subscription_id", Integer, nullable=False),
    Column("story_id", BigInteger, nullable=False),
    Column("alert_id", BigInteger, nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    Column("mode", String(16), nullable=False),
    Column("status", String(16), nullable=False, default="pending"),  # pending|queued|skipped
    Column("due_at", UTCDateTime, nullable=False, default=_now),
    Column("email_id", BigInteger, ForeignKey("emails.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    UniqueConstraint("subscriber_id", "story_id", "revision"),
)
Index("ix_deliveries_status_due", deliveries.c.status, deliveries.c.due_at)

# The outbox: each composed email, sent at most once outside the documented SMTP window.
emails = Table(
    "emails",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column(
        "subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False
    ),
    Column("kind", String(16), nullable=False),  # alert|update|digest|confirm
    Column("dedup_key", String(200), nullable=False, unique=True),
    Column("message_id", String(300), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", Text, nullable=False, default=""),
    Column("raw", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False, default="pending"),  # pending|sent|failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False, default=_now),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("sent_at", UTCDateTime),
)
Index("ix_emails_status_next", emails.c.status, emails.c.next_attempt_at)
Index("ix_emails_subscriber_created", emails.c.subscriber_id, emails.c.created_at)

# Every send attempt is recorded before the message is handed to SMTP.
email_attempts = Table(
    "email_attempts",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("email_id", BigInteger, ForeignKey("emails.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", UTCDateTime, nullable=False, default=_now),
    Column("finished_at", UTCDateTime),
    Column("outcome", String(16)),  # NULL while in flight | sent | transient | permanent
    Column("detail", Text),
    Column("worker", String(100), nullable=False, default=""),
)
Index("ix_email_attempts_email_id", email_attempts.c.email_id)

# The workspace's sign-in (migration 0010). A magic link names its request row, so it works
# once: confirming it sets ``used_at`` in the transaction that opens the session.
sign_in_requests = Table(
    "sign_in_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False
    ),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)
Index(
    "ix_sign_in_requests_subscriber_requested",
    sign_in_requests.c.subscriber_id,
    sign_in_requests.c.requested_at,
)

# Server-side sessions: the cookie carries a random token, the row only its SHA-256, so
# signing out (``ended_at``) or expiry ends a session whatever the browser keeps.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column(
        "subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False
    ),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
)
Index("ix_web_sessions_subscriber_id", web_sessions.c.subscriber_id)

# Operators named by ``monitor operator add`` (MONITOR_OPERATORS names others, without rows).
operators = Table(
    "operators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("added_at", UTCDateTime, nullable=False),
)

# Where a subscription delivers besides email (migration 0012): a webhook, Slack, Teams or
# Telegram. ``target`` (the URL, or Telegram's chat id) and ``signing_secret`` are
# encrypted with the destination key (monitor/delivery/secrets.py); ``target_hint`` is the
# redacted form lists and logs show. A destination a receiver refused for good is kept,
# disabled, with the reason shown to the reader.
destinations = Table(
    "destinations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "subscription_id",
        Integer,
        ForeignKey("subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(16), nullable=False),  # webhook | slack | teams | telegram | discord | mattermost
    Column("target", Text, nullable=False),  # encrypted URL or chat id
    Column("target_hint", String(200), nullable=False, default=""),
    Column("signing_secret", Text),  # encrypted; webhooks only
    Column("enabled", Boolean, nullable=False, default=True),
    Column("disabled_reason", Text),
    Column("disabled_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
)
Index("ix_destinations_subscription_id", destinations.c.subscription_id)

# The channel ledger: one row per message to one destination, claimed with a lease, sent,
# then marked (monitor/store/channel_ledger.py). ``delivery_id`` is the stable id receivers
# see (and the webhook's Idempotency-Key): every attempt of one message carries it.
channel_messages = Table(
    "channel_messages",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("delivery_id", String(36), nullable=False, unique=True),
    Column(
        "destination_id",
        Integer,
        ForeignKey("destinations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("dedup_key", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # alert | update | digest | test
    Column("payload", JSON, nullable=False),  # the channel-neutral message
    Column("status", String(16), nullable=False, default="pending"),  # pending|sent|failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False, default=_now),
    Column("lease_owner", String(100)),
    Column("lease_until", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    UniqueConstraint("destination_id", "dedup_key"),
)
Index("ix_channel_messages_status_next", channel_messages.c.status, channel_messages.c.next_attempt_at)
