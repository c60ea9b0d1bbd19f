"""SQL: daily counts of alerted stories per country and per category, from the alerts table.

Days are UTC days of the alert's creation. Countries are a JSON list per alert, so the
counting happens here in Python over the alerts of the period (a few thousand rows a month
for a topic like ours), not in SQL that would differ between SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.store.tables import alerts


def daily_counts(conn: Connection, first_day: date, last_day: date) -> dict[str, list[int]]:
    """``{"country:BR": [n_day0, …], "category:peace-plan": […]}`` for every day in range."""
    days = (last_day - first_day).days + 1
    start = datetime.combine(first_day, time(), tzinfo=UTC)
    end = start + timedelta(days=days)
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    rows = conn.execute(
        select(alerts.c.created_at, alerts.c.countries, alerts.c.category).where(
            alerts.c.created_at >= start, alerts.c.created_at < end
        )
    )
    for created_at, countries, category in rows:
        index = (created_at.astimezone(UTC).date() - first_day).days
        for code in countries or ():
            counts[f"country:{code}"][index] += 1
        if category:
            counts[f"category:{category}"][index] += 1
    return dict(counts)
