"""Analysts' timeline corrections: the only SQL that reads or writes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from monitor.store.tables import stories, timeline_corrections
from monitor.timelines.review import RowCorrection


def add_correction(
    conn: Connection, fix: RowCorrection, *, subscriber_id: int | None, now: datetime
) -> int | None:
    """Keep one correction; its id (later ids win when corrections are applied), or None
    when the story is not stored (erased since the page was drawn, or never was)."""
    known = conn.execute(select(stories.c.id).where(stories.c.id == int(fix.story_id)))
    if known.first() is None:
        return None
    return int(
        conn.execute(
            insert(timeline_corrections)
            .values(
                story_id=int(fix.story_id),
                country=fix.country,
                kind=fix.kind,
                action=fix.action,
                new_kind=fix.new_kind,
                value=fix.value,
                subscriber_id=subscriber_id,
                created_at=now,
            )
            .returning(timeline_corrections.c.id)
        ).scalar_one()
    )


def corrections(conn: Connection, country: str | None = None) -> list[RowCorrection]:
    """Every kept correction (of one country's rows, if given), oldest first."""
    stmt = select(timeline_corrections).order_by(timeline_corrections.c.id)
    if country is not None:
        stmt = stmt.where(timeline_corrections.c.country == country)
    return [
        RowCorrection(
            str(row.story_id),
            row.country,
            row.kind,
            "remove" if row.action == "remove" else "set",
            row.new_kind,
            row.value,
        )
        for row in conn.execute(stmt)
    ]
