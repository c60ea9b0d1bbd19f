"""stored counts of alerted stories per hour and key (trend_counts, trend_repeats)

Trends, GET /trends and ``monitor spikes`` counted a period's alerts at every request
(150-300 ms for 30 days on a million stories, 3.7-5.3 s for a year by week, most of it
joining each alert to its story for the outlet). The worker now writes, with each alert,
how many stories each (UTC hour, key) has: a (story, key) pair counts in the hour of its
first alert naming the key (monitor/trends/rollup.py; docs/trends.md, "Stored counts").
The backfill counts the alerts already stored, set-based, with the same rule
(``trend_counts.rebuild``).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from monitor.store import trend_counts

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trend_counts",
        sa.Column("bucket", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("stories", sa.Integer, nullable=False),
    )
    op.create_table(
        "trend_repeats",
        sa.Column("story_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("bucket", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("first_bucket", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_trend_repeats_bucket", "trend_repeats", ["bucket"])
    bind = op.get_bind()
    trend_counts.rebuild_hours(bind)  # the days are 0023's
    if bind.dialect.name == "postgresql":
        op.execute("ANALYZE trend_counts")
        op.execute("ANALYZE trend_repeats")


def downgrade() -> None:
    op.drop_index("ix_trend_repeats_bucket", table_name="trend_repeats")
    op.drop_table("trend_repeats")
    op.drop_table("trend_counts")
