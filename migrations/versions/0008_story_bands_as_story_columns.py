"""story bands as four columns of stories; no index by publication date

A story's four SimHash band keys were four rows of ``story_bands``: writing them was the
costliest statement of a worker's batch (41 ms per 1,000 items with one worker, against 25
for the stories themselves). As four columns of the story's own row, each with an index
``(band_i, id) INCLUDE (simhash)``, the index entries are the same (one per band, and the
look-up stays index-only) but the four heap rows, their tuple headers and their share of
the statement are gone. On a scratch database, inserting 500-story batches with their bands
took 89 µs a story as rows and 57 µs as columns (100,000 stories, the two layouts in
alternating batches, client time included); in the pipeline benchmark (30,000 items)
PostgreSQL's CPU per item went 0.192 → 0.159 ms with one worker and 0.186 → 0.164 with two.

``ix_stories_published_at`` is dropped: no query filters or sorts stories by publication
date (digests and backfills select by ``first_seen_at`` through the alerts), and every story
paid for the B-tree on insert.

Existing stories get their columns from their SimHash with the same arithmetic as
``monitor.feeds.fingerprint.simhash_bands``: band ``i`` is ``i << 32`` plus the fingerprint's
bits ``16i … 16i+15``. Stories without a fingerprint (SimHash 0) had no band rows and keep
NULL columns. The downgrade writes the rows back from the columns.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 08:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# A migration records the schema of its revision, so the band count is spelled out here
# rather than read from monitor (NEAR_DUP_BANDS); tests/store/test_migrations.py checks
# that the migrated schema is the one monitor/store/tables.py describes.
BANDS = 4
BAND_BITS = 16
PUBLISHED_INDEX = "ix_stories_published_at"


def _band_expression(index: int) -> str:
    # Arithmetic or logical shift give the same low 16 bits; fully parenthesised because
    # SQLite gives <<, >>, & and | one precedence.
    return f"({index * (1 << 32)} + ((simhash >> {index * BAND_BITS}) & 65535))"


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        for index in range(BANDS):
            batch_op.add_column(sa.Column(f"band{index}", sa.BigInteger(), nullable=True))
        batch_op.drop_index(PUBLISHED_INDEX)
    assignments = ", ".join(f"band{i} = {_band_expression(i)}" for i in range(BANDS))
    op.execute(f"UPDATE stories SET {assignments} WHERE simhash <> 0")
    for index in range(BANDS):
        op.create_index(
            f"ix_stories_band{index}",
            "stories",
            [f"band{index}", "id"],
            unique=False,
            postgresql_include=["simhash"],
        )
    op.drop_table("story_bands")


def downgrade() -> None:
    op.create_table(
        "story_bands",
        sa.Column("band_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("story_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("simhash", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "band_key", "story_id", name=op.f("pk_story_bands"), postgresql_include=["simhash"]
        ),
    )
    for index in range(BANDS):
        op.execute(
            f"INSERT INTO story_bands (band_key, story_id, simhash)"
            f" SELECT band{index}, id, simhash FROM stories WHERE band{index} IS NOT NULL"
        )
    for index in range(BANDS):
        op.drop_index(f"ix_stories_band{index}", table_name="stories")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        for index in range(BANDS):
            batch_op.drop_column(f"band{index}")
        batch_op.create_index(PUBLISHED_INDEX, ["published_at"], unique=False)
