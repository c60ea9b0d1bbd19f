"""stored counts of alerted stories per whole UTC week and key (trend_weeks)

Trends a year by week still summed ~57,000 day rows of trend_days on a million stories
(p95 256-506 ms). A third level holds each UTC week's (from Monday 00:00) sum per key,
written by the worker in the same transaction as the hours and days
(``trend_counts.keep``, ``rollup.by_week``); a period reads week rows where a whole UTC
week lies in one of the reader's week buckets, save a few hours at its edges
(``trends.levels.split``; docs/trends.md, "Three levels"). The backfill sums the day rows
already stored (``trend_counts.rebuild_weeks``), so the levels agree from the start.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from monitor.store import trend_counts

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trend_weeks",
        sa.Column("bucket", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("stories", sa.Integer, nullable=False),
    )
    bind = op.get_bind()
    trend_counts.rebuild_weeks(bind)
    if bind.dialect.name == "postgresql":
        op.execute("ANALYZE trend_weeks")


def downgrade() -> None:
    op.drop_table("trend_weeks")
