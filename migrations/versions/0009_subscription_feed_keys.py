"""subscription feeds: the hash of each subscription's private feed key

A subscription's alerts can be read as a private Atom feed and JSON Feed at
``/f/<key>.atom`` and ``/f/<key>.json`` (monitor/delivery/syndication.py). The URL is the
credential, so only the key's SHA-256 is stored (monitor/delivery/feed_keys.py); NULL means
the subscription has no feed (none issued, or revoked). Unique, so a look-up by hash finds
at most one subscription, through the index.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("feed_key_hash", sa.String(64), nullable=True))
    op.create_index(
        "ux_subscriptions_feed_key_hash", "subscriptions", ["feed_key_hash"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_subscriptions_feed_key_hash", table_name="subscriptions")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("feed_key_hash")
