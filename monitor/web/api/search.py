"""GET /search?q=…: the stored-query language, evaluated exactly, over a bounded period.

The query is parsed with ``parse``; the stories' full-text index gives the candidates (a
superset of the matches, ``matching.query.candidates``), and each alerted candidate of the
period is tested with ``matches`` on the ``MatchDoc`` that ``monitor query test`` builds
(``stored_story_doc``), so the API, the workspace's Search and the CLI agree on every
story. ``scanned`` counts the candidates read. A syntax error is a 400 that names the
position. One request reads at most ``MAX_SCAN`` stories; a page that ends there carries a
cursor to go on from, so a rare query pages through the period instead of timing out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from monitor.config import Settings
from monitor.errors import Problem, QueryError
from monitor.matching.query import matches, parse
from monitor.matching.query.candidates import candidate
from monitor.store.api_reads import alerted_page
from monitor.store.db import transaction
from monitor.store.search_index import story_filter
from monitor.subscriptions.preview import stored_story_doc
from monitor.web.api.door import Call, Reply
from monitor.web.api.paging import parse_moment
from monitor.web.api.problems import ApiProblem, bad_parameter
from monitor.web.api.reads import cursor_after, page_query
from monitor.web.api.shapes import moment, story_json

DEFAULT_DAYS = 30
MAX_DAYS = 90
MAX_QUERY = 2000
MAX_SCAN = 5000
BATCH = 500


def _period(call: Call) -> tuple[datetime, datetime]:
    until = parse_moment("until", call.params.get("until")) or call.now
    since = parse_moment("since", call.params.get("since")) or until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise bad_parameter("since", "must be before until")
    if until - since > timedelta(days=MAX_DAYS):
        raise bad_parameter("since", f"search covers at most {MAX_DAYS} days")
    return since, until


def search(engine: Engine, settings: Settings, call: Call) -> Reply:
    text = call.params.get("q", "").strip()
    if not text:
        raise bad_parameter("q", "a query is required, e.g. q=zelensky AND country:BR")
    if len(text) > MAX_QUERY:
        raise bad_parameter("q", f"at most {MAX_QUERY} characters")
    try:
        node = parse(text)
    except QueryError as exc:
        raise ApiProblem(
            400, "query-syntax", f"{exc.reason} (at position {exc.position})",
            (Problem("q", f"{exc.reason} (at position {exc.position})"),),
            extra=(("position", exc.position),),
        ) from None
    since, until = _period(call)
    query = replace(page_query(call), since=since, until=until)
    limit, after = query.limit, query.after
    found: list[Any] = []
    scanned, next_cursor = 0, None
    with transaction(engine) as conn:
        only = story_filter(conn, candidate(node))
        while True:
            rows = alerted_page(conn, replace(query, after=after, limit=BATCH), only)
            for row in rows:
                scanned += 1
                after = (row.created_at, int(row.alert_id))
                if matches(node, stored_story_doc(row)):
                    found.append(row)
                if len(found) == limit or scanned >= MAX_SCAN:
                    break
            else:
                if len(rows) == BATCH:
                    continue
                break  # the period is exhausted
            next_cursor = cursor_after(found[-1] if len(found) == limit else row)
            break
    return Reply(
        200,
        {
            "items": [story_json(row) for row in found],
            "next_cursor": next_cursor,
            "scanned": scanned,
            "since": moment(since),
            "until": moment(until),
        },
    )
