"""CSV and iCalendar output, read back with the csv module and the icalendar parser."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime

from icalendar import Calendar

from monitor.timelines.export import CSV_COLUMNS, TimelineRow, to_csv, to_ics
from monitor.timelines.model import Quote, TimelineEntry
from monitor.timelines.rows import reasons

ROWS = [
    TimelineRow(
        day=date(2023, 9, 20),
        country="BR",
        kind="meeting",
        value=None,
        actors=("Lula", "Zelensky"),
        counterpart="ukraine",
        story_id="42",
        title="Lula and Zelensky meet, at last",
        outlet="Reuters",
        url="https://example.org/a",
        quote='Lula and Zelensky met on Wednesday; "frank", both said, in New York.',
        why="0.94: distance +0.45, counterpart_clause +0.34",
    ),
    TimelineRow(
        day=date(2023, 2, 23),
        country="BR",
        kind="stance",
        value="neutral",
        actors=(),
        counterpart="",
        story_id="7",
        title="Brasil, país de paz",
        outlet="Folha",
        url=None,
        quote="«O Brasil é um país de paz», disse Lula — sem tomar partido." + " longo" * 20,
    ),
]


def test_csv_reads_back_row_for_row() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(ROWS))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["story_id"] == "42" and rows[0]["quote"] == ROWS[0].quote
    assert rows[0]["actors"] == "Lula; Zelensky" and rows[1]["value"] == "neutral"
    assert rows[1]["url"] == "" and rows[1]["date"] == "2023-02-23"
    assert rows[0]["why"] == "0.94: distance +0.45, counterpart_clause +0.34"
    assert rows[1]["why"] == ""


def test_reasons_give_the_filters_probability_and_features_or_nothing() -> None:
    quote = Quote("text", 0, 3, "met")
    entry = TimelineEntry("s", "BR", "meeting", None, None, (), "ukraine", quote, "met")
    assert reasons(entry) == ""
    judged = replace(entry, confidence=0.712, why=("counterpart_clause +0.34", "lead +0.09"))
    assert reasons(judged) == "0.71: counterpart_clause +0.34, lead +0.09"


def test_ics_parses_back_with_dates_quotes_and_stable_uids() -> None:
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    payload = to_ics(ROWS, country_name="Brazil", stamp=stamp)
    assert all(len(line) <= 75 for line in payload.split(b"\r\n"))  # RFC 5545 folding
    calendar = Calendar.from_ical(payload)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    first, second = events
    assert first.decoded("dtstart") == date(2023, 9, 20)
    assert str(first["uid"]) == "42-BR-meeting@monitor"
    assert ROWS[0].quote in str(first["description"]) and "Story 42" in str(first["description"])
    assert str(first["url"]) == "https://example.org/a"
    assert str(second["summary"]) == "BR stance (neutral)"
    assert ROWS[1].quote in str(second["description"])
    assert to_ics(ROWS, country_name="Brazil", stamp=stamp) == payload  # reproducible
