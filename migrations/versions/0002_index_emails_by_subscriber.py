"""index emails by subscriber; store subscriber addresses lower-cased

The daily-cap check counts a subscriber's recent emails (needs the index); address
look-ups compare lower-cased values against the unique index (the code already refused
addresses differing only in case, so lower-casing cannot collide).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 00:51:09.334424
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE subscribers SET email = lower(email)")
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.create_index(
            "ix_emails_subscriber_created", ["subscriber_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.drop_index("ix_emails_subscriber_created")
