"""GET /threads and /threads/{id}: event threads (issue 19, docs/threads.md).

A thread is one real-world event and the alerted stories that report it. The list is
newest thread first, paged by keyset on (created_at, id) like /stories (a thread that
grows keeps its place), filtered by ``country``, ``category`` and days: ``since``/``until``
keep the threads with a report in that period. One thread carries its stories (oldest
first, with the rule that placed each and what each shares with the others), the thread
it develops and its later developments.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from monitor.config import Settings
from monitor.notify.links import safe_http_url
from monitor.notify.text import clean_inline
from monitor.store import threads as thread_store
from monitor.store.db import transaction
from monitor.threads.explain import shared_facts
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
from monitor.web.api.reads import path_id
from monitor.web.api.shapes import moment

# Stories in one thread's answer (its story_count says how many it holds in all).
MAX_STORIES = 200


def thread_query(call: Call) -> thread_store.ThreadQuery:
    """The filters, days, cursor and size a list request asks for (400 on any bad one)."""
    p = call.params
    if p.get("lang"):
        raise bad_parameter("lang", "threads have no language; filter their stories instead")
    filters = parse_filters(p.get("country"), p.get("category"), None)
    since = parse_moment("since", p.get("since"))
    until = parse_moment("until", p.get("until"))
    if since is not None and until is not None and since >= until:
        raise bad_parameter("since", "must be before until")
    cursor = decode_cursor(p.get("cursor"))
    return thread_store.ThreadQuery(
        country=filters.country,
        category=filters.category,
        first=None if since is None else since.date(),
        # ``until`` is exclusive: the last day a thread may begin is the one before it.
        last=None if until is None else (until - timedelta(microseconds=1)).date(),
        after=None if cursor is None else (cursor.at, cursor.id),
        limit=parse_limit(p.get("limit")),
    )


def thread_json(row: Any) -> dict[str, Any]:
    """A thread's own fields, from a ``threads`` row or a ThreadView."""
    return {
        "id": int(row.id),
        "category": row.category,
        "countries": [str(c) for c in row.countries or ()],
        "actors": [str(a) for a in row.actors or ()],
        "first_day": row.first_day.isoformat(),
        "last_day": row.last_day.isoformat(),
        "story_count": int(row.story_count),
        "created_at": moment(row.created_at),
        "updated_at": moment(row.updated_at),
    }


def thread_detail_json(view: thread_store.ThreadView) -> dict[str, Any]:
    """/threads/{id}: the thread, its stories and the threads it is linked with."""
    shared = shared_facts([m.facts for m in view.members])
    return {
        **thread_json(view),
        "follows": None if view.follows is None else view.follows.thread_id,
        "followed_by": [link.thread_id for link in view.followed_by],
        "stories": [
            {
                "id": member.story_id,
                "title": clean_inline(member.title or ""),
                "url": safe_http_url(member.url),
                "outlet": member.credited_outlet,
                "lang": member.lang,
                "published_at": moment(member.published_at),
                "rule": member.rule,
                "shared": {
                    "countries": list(common.countries),
                    "people": list(common.people),
                    "terms": list(common.terms),
                },
            }
            for member, common in zip(view.members, shared, strict=True)
        ],
    }


def list_threads(engine: Engine, settings: Settings, call: Call) -> Reply:
    query = thread_query(call)
    with transaction(engine) as conn:
        rows = thread_store.thread_page(
            conn,
            thread_store.ThreadQuery(
                country=query.country,
                category=query.category,
                first=query.first,
                last=query.last,
                after=query.after,
                limit=query.limit + 1,
            ),
        )
        items = rows[: query.limit]
        later = thread_store.followers(conn, [int(r.id) for r in items])
    more = len(rows) > query.limit
    return Reply(
        200,
        {
            "items": [
                {
                    **thread_json(row),
                    "follows": None if row.follows_id is None else int(row.follows_id),
                    "followed_by": later.get(int(row.id), []),
                }
                for row in items
            ],
            "next_cursor": encode_cursor(Cursor(items[-1].created_at, int(items[-1].id)))
            if more and items
            else None,
        },
    )


def get_thread(engine: Engine, settings: Settings, call: Call) -> Reply:
    thread_id = path_id(call, "id", "thread")
    if call.params.get("cursor"):
        raise bad_parameter("cursor", "a single thread has no pages")
    with transaction(engine) as conn:
        view = thread_store.thread_detail(conn, thread_id, limit=MAX_STORIES)
    if view is None:
        raise not_found("event thread by that id")
    return Reply(200, thread_detail_json(view))
