"""api keys: a reader's keys for the read API under /api/v1

Each key belongs to one subscriber and is shown once, at creation; only its SHA-256 is
stored (monitor/web/api/keys.py), with a short prefix that lets a person tell their keys
apart in a list. ``scopes`` is space-separated (``read``, or ``read write``). A revoked key
keeps its row (``revoked_at``) so a list still shows what existed. Deleting the subscriber
deletes their keys.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column(
            "subscriber_id",
            sa.Integer,
            sa.ForeignKey(
                "subscribers.id",
                ondelete="CASCADE",
                name="fk_api_keys_subscriber_id_subscribers",
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
    )
    op.create_index("ux_api_keys_key_hash", "api_keys", ["key_hash"], unique=True)
    op.create_index("ix_api_keys_subscriber_id", "api_keys", ["subscriber_id"])


def downgrade() -> None:
    op.drop_index("ix_api_keys_subscriber_id", table_name="api_keys")
    op.drop_index("ux_api_keys_key_hash", table_name="api_keys")
    op.drop_table("api_keys")
