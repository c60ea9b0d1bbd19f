"""`monitor query test`: parse and lint a query, then show what it would have matched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from monitor.config import Settings
from monitor.matching.commands import check_query, matching_ids
from monitor.matching.query import MatchDoc
from monitor.store.db import make_engine, transaction
from monitor.store.stories import alerted_stories_since


def stored_story_doc(row: Any) -> MatchDoc:
    """An alerted story row (``alerted_stories_since``, the API's pages) as the query
    language sees it: one definition, so `query test` and the API's search agree."""
    return MatchDoc(
        title=row.title,
        text=row.text,
        outlet=row.credited_outlet,
        site=(urlsplit(row.url).hostname or "").removeprefix("www.") if row.url else "",
        lang=row.lang,
        countries=tuple(row.countries or ()),
        category=row.category,
    )


def preview_query(settings: Settings, query: str, *, days: int = 30, limit: int = 20) -> int:
    node, warnings = check_query(query)  # QueryError → clear message, exit 2
    print(f"query ok: {query}")
    for warning in warnings:
        where = f" (at {warning.position})" if warning.position is not None else ""
        print(f"  warning [{warning.code}]{where}: {warning.message}")
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    try:
        with transaction(engine) as conn:
            rows = alerted_stories_since(conn, datetime.now(UTC) - timedelta(days=days))
    finally:
        engine.dispose()
    # One row per alert: a story alerted under two topics is one story, matched when the
    # query matches it as either topic shows it (shown once, as the first that matched).
    docs = [(str(row.alert_id), stored_story_doc(row)) for row in rows]
    hits = set(matching_ids(node, docs))
    matched = list({row.id: row for row in reversed(rows) if str(row.alert_id) in hits}.values())
    matched.reverse()
    total = len({row.id for row in rows})
    print(f"{len(matched)} of {total} alerted stories of the last {days} days match:")
    for row in matched[:limit]:
        when = row.published_at.strftime("%Y-%m-%d")
        countries = ",".join(row.countries or [])
        print(
            f"  #{row.id} {when} [{row.category} {countries}] {row.title} — {row.credited_outlet}"
        )
    if len(matched) > limit:
        print(f"  … and {len(matched) - limit} more (--limit)")
    return 0
