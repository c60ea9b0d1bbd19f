"""One country's timeline from the store: the alerted stories that name it, the
extractor's rows, and the analysts' corrections applied. The workspace's country page,
the API and ``monitor timeline`` all read it here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection

from monitor.matching.topic import Topic
from monitor.store.stories import alerted_stories_since
from monitor.store.timeline_corrections import corrections
from monitor.timelines.cues import TimelineCues
from monitor.timelines.export import TimelineRow
from monitor.timelines.review import correct_rows
from monitor.timelines.rows import StoredStory, country_stories, timeline_rows

# Stories are read by when they arrived and placed by when they were published: a week's
# margin before the period finds a story published in it but seen later.
ARRIVAL_MARGIN = timedelta(days=7)


def country_timeline(
    conn: Connection, topic: Topic, cues: TimelineCues, country: str, first: date, last: date
) -> tuple[list[TimelineRow], list[StoredStory]]:
    """(rows of [first, last] after corrections, the stories read) for ``country``."""
    since = datetime(first.year, first.month, first.day, tzinfo=UTC) - ARRIVAL_MARGIN
    stored = country_stories(alerted_stories_since(conn, since), country)
    fixes = corrections(conn, country)
    rows = timeline_rows(topic, cues, stored, country, first, last)
    return correct_rows(rows, fixes), stored
