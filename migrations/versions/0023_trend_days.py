"""stored counts of alerted stories per whole UTC day and key (trend_days)

Trends a year by week summed the year's ~246,000 hour rows of trend_counts on a million
stories (p95 239-884 ms). A second level holds each UTC day's sum of those hours per key,
written by the worker in the same transaction as the hours (``trend_counts.keep``,
``rollup.by_day``); a period reads day rows where whole UTC days lie inside one of the
reader's buckets and hour rows at the buckets' edges only (``trends.levels.split``;
docs/trends.md, "Two levels"). The backfill sums the hour rows already stored
(``trend_counts.rebuild_days``), so the two levels agree from the start.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from monitor.store import trend_counts

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trend_days",
        sa.Column("bucket", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("stories", sa.Integer, nullable=False),
    )
    bind = op.get_bind()
    trend_counts.rebuild_days(bind)
    if bind.dialect.name == "postgresql":
        op.execute("ANALYZE trend_days")


def downgrade() -> None:
    op.drop_table("trend_days")
