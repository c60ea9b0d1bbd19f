"""index stories by first-seen time with their id

The Countries page counts the alerted stories first seen in the last 90 days
(``stories.alerted_stories_per_country``). With ``ix_stories_first_seen_at`` holding the
time alone, PostgreSQL read every such story's (wide) row for its id before hashing them
against the alerts: 720 ms at a million stories. With the id in the key the period's ids
are an index-only scan (docs/benchmarks.md, "Workspace pages"). SQLite's index already
carried the id (its rowid); the key is now the same on both.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 06:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_stories_first_seen_at", table_name="stories")
    op.create_index("ix_stories_first_seen_at", "stories", ["first_seen_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_stories_first_seen_at", table_name="stories")
    op.create_index("ix_stories_first_seen_at", "stories", ["first_seen_at"])
