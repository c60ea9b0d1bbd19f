"""story bands without an index by story

``ix_story_bands_story_id`` was kept by 0004 for a retention job that would delete a
story's bands. No query reads bands by story, and such a job does not need the index: a
story's band keys are a function of its SimHash (``monitor.store.stories.band_keys``), so
its rows are found by the primary key ``(band_key, story_id)``. Every band row paid for the
second B-tree on insert, the batch's most expensive statement.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 03:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEX = "ix_story_bands_story_id"


def upgrade() -> None:
    with op.batch_alter_table("story_bands", schema=None) as batch_op:
        batch_op.drop_index(INDEX)


def downgrade() -> None:
    with op.batch_alter_table("story_bands", schema=None) as batch_op:
        batch_op.create_index(INDEX, ["story_id"], unique=False)
