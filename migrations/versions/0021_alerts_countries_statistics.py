"""statistics on the text of alerts' countries (PostgreSQL)

Search, Latest and the API find a country's alerts with ``CAST(countries AS TEXT) LIKE
'%"MX"%'`` (the column is a JSON list). Without statistics on that expression PostgreSQL
guesses any such pattern matches 0.3 % of the alerts; on the workspace benchmark's
archive Mexico is 17 %. A search for a common word in Mexico over a year was then planned
country first, testing 42,212 stories' documents one by one (855 ms); with the estimate
right the period and the country are joined first (548-583 ms, docs/benchmarks.md). The
statistics object makes ANALYZE sample the expression's values; nothing is written per
alert. SQLite has no such thing (its planner does not estimate LIKE): nothing to do.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 09:35:00
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

NAME = "st_alerts_countries_text"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE STATISTICS IF NOT EXISTS {NAME} ON (CAST(countries AS TEXT)) FROM alerts")
    op.execute("ANALYZE alerts")  # the estimate is right from now, not from autovacuum's turn


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP STATISTICS IF EXISTS {NAME}")
