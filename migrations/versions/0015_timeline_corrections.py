"""timeline corrections: what analysts changed on a country's timeline

One row per correction of one timeline row (a story's entry or stance for one country):
``action`` ``set`` gives the row a new ``new_kind`` and ``value`` (a stance correction
keeps ``kind`` = ``new_kind`` = ``stance``), ``remove`` drops it. Later rows win. The
quote stays the extractor's: a correction never makes a row without its sentence. Who
corrected is kept (NULL once that person is erased); deleting the story deletes its
corrections.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timeline_corrections",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column(
            "story_id",
            sa.Integer,
            sa.ForeignKey(
                "stories.id",
                ondelete="CASCADE",
                name="fk_timeline_corrections_story_id_stories",
            ),
            nullable=False,
        ),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("new_kind", sa.String(32)),
        sa.Column("value", sa.String(32)),
        sa.Column(
            "subscriber_id",
            sa.Integer,
            sa.ForeignKey(
                "subscribers.id",
                ondelete="SET NULL",
                name="fk_timeline_corrections_subscriber_id_subscribers",
            ),
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_timeline_corrections"),
    )
    op.create_index(
        "ix_timeline_corrections_country_story",
        "timeline_corrections",
        ["country", "story_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_timeline_corrections_country_story", table_name="timeline_corrections")
    op.drop_table("timeline_corrections")
