"""GET /stories, /stories/{id} and /alerts: alerted stories, newest first, a page at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine

from monitor.config import Settings
from monitor.store.api_reads import PageQuery, alerted_page, story_detail
from monitor.store.db import transaction
from monitor.web.api.door import Call, Reply
from monitor.web.api.paging import (
    Cursor,
    decode_cursor,
    encode_cursor,
    parse_filters,
    parse_limit,
    parse_moment,
)
from monitor.web.api.problems import bad_parameter, not_found
from monitor.web.api.shapes import alert_entry_json, story_detail_json, story_json


def page_query(call: Call) -> PageQuery:
    """The filters, period, cursor and size a list request asks for (400 on any bad one)."""
    p = call.params
    filters = parse_filters(p.get("country"), p.get("category"), p.get("lang"))
    cursor = decode_cursor(p.get("cursor"))
    return PageQuery(
        since=parse_moment("since", p.get("since")),
        until=parse_moment("until", p.get("until")),
        country=filters.country,
        category=filters.category,
        lang=filters.lang,
        after=None if cursor is None else (cursor.at, cursor.id),
        limit=parse_limit(p.get("limit")),
    )


def cursor_after(row: Any) -> str:
    return encode_cursor(Cursor(row.created_at, int(row.alert_id)))


def page_body(rows: Sequence[Any], limit: int, shape: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """A page of ``limit`` rows (``rows`` has one more when another page follows)."""
    items = rows[:limit]
    more = len(rows) > limit
    return {
        "items": [shape(row) for row in items],
        "next_cursor": cursor_after(items[-1]) if more and items else None,
    }


def _listing(engine: Engine, call: Call, shape: Callable[[Any], dict[str, Any]]) -> Reply:
    query = page_query(call)
    with transaction(engine) as conn:
        rows = alerted_page(conn, replace(query, limit=query.limit + 1))
    return Reply(200, page_body(rows, query.limit, shape))


def list_stories(engine: Engine, settings: Settings, call: Call) -> Reply:
    return _listing(engine, call, story_json)


def list_alerts(engine: Engine, settings: Settings, call: Call) -> Reply:
    return _listing(engine, call, alert_entry_json)


def path_id(call: Call, name: str, what: str) -> int:
    """A numeric id from the path; anything else is a 404 (there is no such thing)."""
    text = call.path.get(name, "")
    if not text.isdigit() or len(text) > 18:
        raise not_found(what)
    return int(text)


def get_story(engine: Engine, settings: Settings, call: Call) -> Reply:
    story_id = path_id(call, "id", "story")
    if call.params.get("cursor"):
        raise bad_parameter("cursor", "a single story has no pages")
    with transaction(engine) as conn:
        detail = story_detail(conn, story_id)
    if detail is None:
        raise not_found("alerted story by that id")
    return Reply(200, story_detail_json(detail.story, detail.copies, detail.alerts))
