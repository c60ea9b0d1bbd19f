"""destinations: delivery beyond email (webhook, Slack, Teams, Telegram) and its ledger

``destinations`` belong to a subscription (as its email does, through the subscriber):
the URL or chat id and a webhook's signing secret are stored encrypted, with a redacted
hint for lists. ``channel_messages`` is the ledger: one row per message and destination,
with a stable delivery id, a lease (owner and until), attempts, the next attempt's time,
the sent time and the last error. Deleting a subscription deletes its destinations and
their messages.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "destinations",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column(
            "subscription_id",
            sa.Integer,
            sa.ForeignKey(
                "subscriptions.id",
                ondelete="CASCADE",
                name="fk_destinations_subscription_id_subscriptions",
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("target_hint", sa.String(200), nullable=False),
        sa.Column("signing_secret", sa.Text),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_destinations"),
    )
    op.create_index("ix_destinations_subscription_id", "destinations", ["subscription_id"])
    op.create_table(
        "channel_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
        sa.Column("delivery_id", sa.String(36), nullable=False),
        sa.Column(
            "destination_id",
            sa.Integer,
            sa.ForeignKey(
                "destinations.id",
                ondelete="CASCADE",
                name="fk_channel_messages_destination_id_destinations",
            ),
            nullable=False,
        ),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(100)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_channel_messages"),
        sa.UniqueConstraint("delivery_id", name="uq_channel_messages_delivery_id"),
        sa.UniqueConstraint(
            "destination_id", "dedup_key", name="uq_channel_messages_destination_id_dedup_key"
        ),
    )
    op.create_index(
        "ix_channel_messages_status_next", "channel_messages", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_channel_messages_status_next", table_name="channel_messages")
    op.drop_table("channel_messages")
    op.drop_index("ix_destinations_subscription_id", table_name="destinations")
    op.drop_table("destinations")
