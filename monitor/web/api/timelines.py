"""GET /countries/{code}/timeline: one state's dealings with Ukraine and Russia.

The rows are ``monitor.timelines`` (rules over the classifier's evidence, each quoting its
sentence): the same ones the workspace's country page shows and ``monitor timeline``
exports. The period is ``since``/``until`` days, as for /trends (30 days by default, at
most 366); stances are rows of kind ``stance``. Every loaded topic reads the stories
(``timelines.rows``: one row per story and kind, the first topic's), and each entry names
its ``topic``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from monitor.config import Settings
from monitor.errors import InputError
from monitor.matching.topic_set import TopicSet, load_topic_set
from monitor.store.db import transaction
from monitor.timelines.cues import TimelineCues, load_cues
from monitor.timelines.rows import resolve_country
from monitor.timelines.stored import country_timeline
from monitor.web.api.door import Call, Reply
from monitor.web.api.problems import not_found
from monitor.web.api.trends import trend_days


@cache
def _topics(paths: tuple[str, ...]) -> TopicSet:
    return load_topic_set(Path(path) for path in paths)


@cache
def _cues() -> TimelineCues:
    return load_cues()


def timeline(engine: Engine, settings: Settings, call: Call) -> Reply:
    topics = _topics(tuple(str(path) for path in settings.topic_files()))
    names = topics.country_names()
    try:
        code = resolve_country(call.path["code"], names)
    except InputError:
        raise not_found("Latin American or Caribbean country by that code or name") from None
    first, last = trend_days(call.params.get("since"), call.params.get("until"), call.now.date())
    with transaction(engine) as conn:
        rows, _ = country_timeline(conn, topics, _cues(), code, first, last)
    return Reply(
        200,
        {
            "country": code,
            "name": names.get(code, code),
            "since": first.isoformat(),
            "until": last.isoformat(),
            "entries": [
                {
                    "date": row.day.isoformat(),
                    "kind": row.kind,
                    "value": row.value,
                    "actors": list(row.actors),
                    "counterpart": row.counterpart or None,
                    "quote": row.quote,
                    "corrected": row.corrected,
                    "topic": row.topic,
                    "story": {
                        "id": int(row.story_id),
                        "title": row.title,
                        "outlet": row.outlet,
                        "url": row.url,
                    },
                }
                for row in rows
            ],
        },
    )
