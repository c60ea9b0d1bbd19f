"""event threads: threads, each alerted story's thread, and per-subscriber thread alerts

``threads`` holds one real-world event (issue 19): its event type, countries and actors as
data, its first and last day, how many stories it holds, and the older thread it develops
(``follows_id``). ``story_threads`` places each alerted story in one thread, with the facts
the decision read and the rule that placed it. ``thread_alerts`` records when a subscriber
was last alerted of a thread at once, so the fan-out sends at most one alert per thread
per update window. See docs/threads.md.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 02:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("id", _ID, nullable=False),
        sa.Column("category", sa.String(40)),
        sa.Column("countries", sa.JSON, nullable=False),
        sa.Column("actors", sa.JSON, nullable=False),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("story_count", sa.Integer, nullable=False),
        sa.Column("follows_id", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_threads"),
    )
    op.create_index("ix_threads_follows_id", "threads", ["follows_id"])
    op.create_table(
        "story_threads",
        sa.Column("story_id", sa.BigInteger, nullable=False),
        sa.Column("thread_id", sa.BigInteger, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("story_id", name="pk_story_threads"),
    )
    op.create_index("ix_story_threads_day", "story_threads", ["day", "thread_id", "story_id"])
    op.create_index("ix_story_threads_thread_id", "story_threads", ["thread_id"])
    op.create_table(
        "thread_alerts",
        sa.Column("thread_id", sa.BigInteger, nullable=False),
        sa.Column("subscriber_id", sa.Integer, nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("folded", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("thread_id", "subscriber_id", name="pk_thread_alerts"),
    )


def downgrade() -> None:
    op.drop_table("thread_alerts")
    op.drop_index("ix_story_threads_thread_id", table_name="story_threads")
    op.drop_index("ix_story_threads_day", table_name="story_threads")
    op.drop_table("story_threads")
    op.drop_index("ix_threads_follows_id", table_name="threads")
    op.drop_table("threads")
