"""story bands carry their story's SimHash

The near-duplicate look-up filters band matches by Hamming distance in SQL. With the
fingerprint on the band row, PostgreSQL can discard the (many) far stories that merely share
a 16-bit band without visiting the wide stories table; at a million stories that visit was
a third of the worker's time. On PostgreSQL the primary key also INCLUDEs the fingerprint,
so the look-up is an index-only scan (87 ms → 10 ms for a 500-item batch at a million
stories).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 03:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("story_bands", schema=None) as batch_op:
        batch_op.add_column(sa.Column("simhash", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE story_bands SET simhash = "
        "(SELECT stories.simhash FROM stories WHERE stories.id = story_bands.story_id)"
    )
    op.execute("UPDATE story_bands SET simhash = 0 WHERE simhash IS NULL")
    with op.batch_alter_table("story_bands", schema=None) as batch_op:
        batch_op.alter_column("simhash", existing_type=sa.BigInteger(), nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE story_bands DROP CONSTRAINT pk_story_bands,"
            " ADD CONSTRAINT pk_story_bands PRIMARY KEY (band_key, story_id) INCLUDE (simhash)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE story_bands DROP CONSTRAINT pk_story_bands,"
            " ADD CONSTRAINT pk_story_bands PRIMARY KEY (band_key, story_id)"
        )
    with op.batch_alter_table("story_bands", schema=None) as batch_op:
        batch_op.drop_column("simhash")
