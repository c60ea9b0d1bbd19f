"""subscription topics: each subscription chooses a topic, or "all" stories

``subscriptions.topic`` is a topic slug (a topic file's ``[topic].id``) or ``all``: the
subscription then sees every story the worker classifies, whatever the topics decided, and
only its query and filters choose (monitor/subscriptions/topic_choice.py). Until now every
subscription received the alerts of the one topic, so the existing rows are back-filled
with the founding topic's slug, ``ukraine-latam``: they keep exactly today's behaviour.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FOUNDING_TOPIC = "ukraine-latam"


def upgrade() -> None:
    # The server default back-fills the existing rows; new rows name their topic
    # (monitor.store.tables gives the same default for writers that leave it out).
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(
            sa.Column("topic", sa.String(100), nullable=False, server_default=FOUNDING_TOPIC)
        )


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("topic")
