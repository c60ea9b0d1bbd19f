"""deliveries without foreign keys to subscribers and subscriptions

The worker matches items against a snapshot of the subscriptions that it re-reads every
few seconds. A subscriber (or subscription) deleted in between still got delivery rows from
that snapshot, the insert failed on the foreign key, and with it the worker's whole batch:
its items were retried one by one and dead-lettered. Without the keys the delivery is
written, and the assembler skips a delivery whose subscription or subscriber is gone (it
always did, for paused or unsubscribed ones). Deleting a subscriber or a subscription now
deletes its deliveries in the same transaction (``monitor.store.subscribers``), as the
cascade did. The two checks also cost PostgreSQL about 24 µs per delivery row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (constraint, column, parent table)
FOREIGN_KEYS = [
    ("fk_deliveries_subscriber_id_subscribers", "subscriber_id", "subscribers"),
    ("fk_deliveries_subscription_id_subscriptions", "subscription_id", "subscriptions"),
]


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        for name, _, _ in FOREIGN_KEYS:
            batch_op.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    # Deliveries written for a subscriber deleted meanwhile would break the keys.
    op.execute(
        "DELETE FROM deliveries WHERE subscriber_id NOT IN (SELECT id FROM subscribers)"
        " OR subscription_id NOT IN (SELECT id FROM subscriptions)"
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        for name, column, parent in FOREIGN_KEYS:
            batch_op.create_foreign_key(name, parent, [column], ["id"], ondelete="CASCADE")
