"""Write a country's timeline as CSV or iCalendar (RFC 5545, via the icalendar package).

Pure: rows in, text or bytes out. A stance is a row of its own (kind ``stance``) so that
it is exported with its quote like any entry. Every row cites its story id and quotes
the supporting sentence.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from icalendar import Calendar, Event

from monitor.spreadsheet import safe_cell

CSV_COLUMNS = (
    "date",
    "country",
    "kind",
    "value",
    "actors",
    "counterpart",
    "story_id",
    "title",
    "outlet",
    "url",
    "quote",
    "corrected",
    "topic",
    "why",
)


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One exported line: an entry or a stance of one country, from one stored story."""

    day: date
    country: str
    kind: str  # an entry kind, or "stance"
    value: str | None
    actors: tuple[str, ...]
    counterpart: str
    story_id: str
    title: str
    outlet: str
    url: str | None
    quote: str
    corrected: bool = False  # an analyst changed its kind or value (monitor.timelines.review)
    topic: str = ""  # the topic whose reading of the story gave it (timelines.rows)
    why: str = ""  # the precision filter's probability and reasons (timelines.rows.reasons)


def to_csv(rows: Sequence[TimelineRow]) -> str:
    """CSV with a header line; actors are joined with ``; ``; cells that a spreadsheet
    would run as a formula are kept as text (``monitor.spreadsheet``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            safe_cell(cell)
            for cell in [
                row.day.isoformat(),
                row.country,
                row.kind,
                row.value or "",
                "; ".join(row.actors),
                row.counterpart,
                row.story_id,
                row.title,
                row.outlet,
                row.url or "",
                row.quote,
                "yes" if row.corrected else "",
                row.topic,
                row.why,
            ]
        )
    return out.getvalue()


def to_ics(rows: Sequence[TimelineRow], *, country_name: str, stamp: datetime) -> bytes:
    """An iCalendar file: one all-day event per row, its quote and story in the description.

    ``stamp`` (DTSTAMP) is passed in so the output is reproducible; the UID is stable per
    (story, country, kind), so a re-export updates rather than duplicates in a calendar.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//monitor//country timeline//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{country_name}: timeline with Ukraine and Russia")
    for row in rows:
        event = Event()
        event.add("uid", f"{row.story_id}-{row.country}-{row.kind}@monitor")
        event.add("dtstamp", stamp)
        event.add("dtstart", row.day)
        what = row.kind + (f" ({row.value})" if row.value else "")
        who = f" — {', '.join(row.actors)}" if row.actors else ""
        event.add("summary", f"{row.country} {what}{who}")
        event.add("description", f"«{row.quote}»\nStory {row.story_id}: {row.title} ({row.outlet})")
        if row.url:
            event.add("url", row.url)
        event.add("categories", [row.kind])
        calendar.add_component(event)
    return bytes(calendar.to_ical())
