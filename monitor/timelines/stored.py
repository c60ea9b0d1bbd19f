"""One country's timeline from the store: the alerted stories that name it (each once,
``alerted_stories``), the extractor's rows as every loaded topic reads them
(``timelines.rows``), and the analysts' corrections applied. The workspace's country page,
the API and ``monitor timeline`` all read it here, with the loaded topic set
(``MONITOR_TOPIC_DIR``, or ``MONITOR_TOPIC_FILE`` alone)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection

from monitor.matching.topic_set import TopicSet
from monitor.store.stories import alerted_stories
from monitor.store.timeline_corrections import corrections
from monitor.timelines.cues import TimelineCues
from monitor.timelines.export import TimelineRow
from monitor.timelines.review import correct_rows
from monitor.timelines.rows import StoredStory, country_stories, timeline_rows

# Stories are read by when they arrived and placed by when they were published: a week's
# margin before the period finds a story published in it but seen later.
ARRIVAL_MARGIN = timedelta(days=7)


def country_timeline(
    conn: Connection, topics: TopicSet, cues: TimelineCues, country: str, first: date, last: date
) -> tuple[list[TimelineRow], list[StoredStory]]:
    """(rows of [first, last] after corrections, the stories read) for ``country``."""
    since = datetime(first.year, first.month, first.day, tzinfo=UTC) - ARRIVAL_MARGIN
    stored = country_stories(alerted_stories(conn, since), country)
    fixes = corrections(conn, country)
    rows = timeline_rows(topics.topics, cues, stored, country, first, last)
    return correct_rows(rows, fixes), stored
