"""Search results as CSV and JSON files (pure: rows in, text out).

Headlines come from feeds anyone can write, so a CSV cell a spreadsheet would run as a
formula is kept as text (``monitor.spreadsheet``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from monitor.search.archive import Found
from monitor.spreadsheet import safe_cell

COLUMNS = (
    "story_id",
    "published_at",
    "title",
    "outlet",
    "url",
    "lang",
    "countries",
    "category",
    "copies",
    "relevance",
    "story_page",
)
def export_rows(found: Sequence[Found], public_url: str) -> list[dict[str, Any]]:
    """One plain record per result (the JSON export's items, the CSV's rows)."""
    base = public_url.rstrip("/")
    return [
        {
            "story_id": f.story.id,
            "published_at": f.story.published_at.astimezone(UTC).isoformat(),
            "title": f.story.title,
            "outlet": f.story.credited_outlet,
            "url": f.story.url or "",
            "lang": f.story.lang or "",
            "countries": list(f.story.countries),
            "category": f.story.category or "",
            "copies": f.story.source_count,
            "relevance": round(f.relevance, 6),
            "story_page": f"{base}/stories/{f.story.id}",
        }
        for f in found
    ]


def to_csv(found: Sequence[Found], public_url: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in export_rows(found, public_url):
        cells = []
        for name in COLUMNS:
            value = record[name]
            text = " ".join(value) if isinstance(value, list) else str(value)
            cells.append(safe_cell(text))
        writer.writerow(cells)
    return out.getvalue()


def to_json(found: Sequence[Found], public_url: str, query: str, capped: bool) -> str:
    return json.dumps(
        {"query": query, "capped": capped, "items": export_rows(found, public_url)},
        ensure_ascii=False,
        indent=1,
    )
