"""whether a threaded story is grouped with its thread in alerts (story_threads.grouped)

A blind set of event-thread pairs showed the same-event decision joining distinct events
(pairwise precision 0.671), and every join folded the story's immediate alert into its
thread's: a distinct event could reach no immediate subscriber. Joins made with a report
of the same day are far surer than joins across days (docs/threads.md, "Which joins fold
an alert"). ``matched_days`` keeps how many days lay between the story and the report it
matched; ``grouped`` keeps the decision that followed (``thread_alerts.grouped_with_thread``):
a story not grouped stays in its thread for readers but is alerted and listed on its own.
Rows placed before this revision were grouped, as they were then.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 02:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("story_threads") as batch:
        batch.add_column(sa.Column("matched_days", sa.SmallInteger))
        batch.add_column(
            sa.Column("grouped", sa.Boolean, nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("story_threads") as batch:
        batch.drop_column("grouped")
        batch.drop_column("matched_days")
