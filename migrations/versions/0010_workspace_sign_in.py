"""the workspace's sign-in: magic-link requests, sessions, operators named by command

Readers and operators sign in to the web workspace with a link sent by email (no
passwords). ``sign_in_requests`` records each link sent, so a link works once: confirming
it sets ``used_at`` in the transaction that opens the session. ``web_sessions`` holds the
server side of each session: the browser's cookie carries a random token whose SHA-256 is
``token_hash``, so signing out or expiry really ends a session, and a copy of the table
opens none. ``operators`` lists the operators named with ``monitor operator add`` (those
named in MONITOR_OPERATORS need no row). Requests and sessions belong to a subscriber row
and go with it (``monitor subscriber delete`` forgets the person).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_sign_in_requests_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_requests")),
    )
    op.create_index(
        "ix_sign_in_requests_subscriber_requested",
        "sign_in_requests",
        ["subscriber_id", "requested_at"],
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_web_sessions_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    op.create_index("ix_web_sessions_subscriber_id", "web_sessions", ["subscriber_id"])
    op.create_table(
        "operators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("email", name=op.f("uq_operators_email")),
    )


def downgrade() -> None:
    op.drop_table("operators")
    op.drop_index("ix_web_sessions_subscriber_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index("ix_sign_in_requests_subscriber_requested", table_name="sign_in_requests")
    op.drop_table("sign_in_requests")
