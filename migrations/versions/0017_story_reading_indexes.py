"""index stories by credited outlet, first-seen and publication time

The workspace reads a large archive through these: Latest's outlet filter lists the
outlets of alerted stories (a skip scan over ``credited_outlet``), the Countries page and
the subscription preview read the stories first seen in a recent window
(``alerted_stories``), and Search without a query, or with a date range, reads the
latest published stories first. Without them each is a scan of every story (seconds at a
million; docs/benchmarks.md, "Workspace pages").

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index("ix_stories_credited_outlet", ["credited_outlet", "id"], unique=False)
        batch_op.create_index("ix_stories_first_seen_at", ["first_seen_at"], unique=False)
        batch_op.create_index("ix_stories_published_at", ["published_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index("ix_stories_published_at")
        batch_op.drop_index("ix_stories_first_seen_at")
        batch_op.drop_index("ix_stories_credited_outlet")
