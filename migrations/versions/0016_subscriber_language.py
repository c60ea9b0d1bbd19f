"""subscriber language: the language of every message a subscriber receives

``subscribers.language`` is one of the catalogs in ``monitor/locales`` (``en``, ``es``,
``pt``): emails, digests and chat messages are written in it (monitor/notify/wording.py).
Until now every message was English, so the existing rows are back-filled with ``en``:
they keep exactly today's messages.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 02:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server default back-fills the existing rows; monitor.store.tables gives the
    # same default for writers that leave it out.
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("language")
