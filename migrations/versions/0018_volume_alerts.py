"""volume alerts: a subscription may follow spikes and silences in its coverage

``subscriptions.volume_alerts`` says whether the subscription also receives a message when
the volume of alerted stories for one of its countries or categories (all of them when it
names none) is unusual today, judged against the 14 days before (monitor/trends/spikes.py).
Existing subscriptions do not (false). ``volume_alerts`` (the table) is the detector's
ledger: one row per alert raised for a key (``country:BR``, ``category:peace-plan``), day,
kind (spike or silence) and count. The unique key makes two mailers that judge the same
day at once raise it once; the cooldown reads the latest rows.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(
            sa.Column("volume_alerts", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_table(
        "volume_alerts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("observed", sa.Integer, nullable=False),
        sa.Column("expected", sa.Float, nullable=False),
        sa.Column("tail_probability", sa.Float, nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_volume_alerts"),
        sa.UniqueConstraint(
            "key", "day", "kind", "observed", name="uq_volume_alerts_key_day_kind_observed"
        ),
    )
    op.create_index("ix_volume_alerts_day", "volume_alerts", ["day"])


def downgrade() -> None:
    op.drop_index("ix_volume_alerts_day", table_name="volume_alerts")
    op.drop_table("volume_alerts")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("volume_alerts")
