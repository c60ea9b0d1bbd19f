"""The API's OpenAPI 3.1 document, as data. Served at /api/v1/openapi.json.

tests/web/api/ checks every endpoint's real responses (success and problem alike) against
the schemas here with jsonschema (Draft 2020-12, the dialect OpenAPI 3.1 uses), so the
document cannot drift from what the server sends.
"""

from __future__ import annotations

from typing import Any

from monitor.catalogs import LANGUAGES
from monitor.timelines.model import KINDS as TIMELINE_KINDS
from monitor.timelines.model import PEACE_VALUES, STANCES, VOTE_VALUES
from monitor.web.api.paging import DEFAULT_LIMIT, MAX_LIMIT


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_TIME = {"type": "string", "format": "date-time"}
_NULL_TIME = {"type": ["string", "null"], "format": "date-time"}
_NULL_TEXT = {"type": ["string", "null"]}
_CODES = {"type": "array", "items": {"type": "string"}}

_ALERT: dict[str, Any] = {
    "type": "object",
    "required": ["id", "topic", "score", "category", "countries", "revision", "created_at",
                 "updated_at"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer"},
        "topic": {"type": "string"},
        "score": {"type": "number"},
        "category": _NULL_TEXT,
        "countries": _CODES,
        "revision": {"type": "integer", "minimum": 1},
        "created_at": _TIME,
        "updated_at": _TIME,
    },
}
_STORY_FIELDS = {
    "id": {"type": "integer"},
    "title": {"type": "string"},
    "url": {"type": ["string", "null"], "format": "uri"},
    "lang": _NULL_TEXT,
    "outlet": {"type": "string"},
    "published_at": _TIME,
    "first_seen_at": _TIME,
    "source_count": {"type": "integer", "minimum": 1},
}
_EVIDENCE = {
    "type": "object",
    "required": ["rule", "term", "field", "start", "end"],
    "additionalProperties": False,
    "properties": {
        "rule": {"type": "string"},
        "term": {"type": "string"},
        "field": {"type": "string"},
        "start": {"type": "integer"},
        "end": {"type": "integer"},
    },
}
_SUBSCRIPTION_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "maxLength": 200},
    "query": {"type": ["string", "null"], "description": "stored query (README: query language)"},
    "topic": {
        "type": "string",
        "pattern": "^[A-Za-z0-9_-]{1,100}$",
        "description": "a loaded topic's id (default ukraine-latam), or `all`: every story the "
        "worker reads, chosen by the query alone (which is then required)",
    },
    "countries": _CODES,
    "categories": _CODES,
    "languages": _CODES,
    "outlets": _CODES,
    "min_score": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
    "mode": {"enum": ["immediate", "hourly", "daily", "weekly"]},
    "digest_time": {"type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}$"},
    "digest_weekday": {"type": "integer", "minimum": 0, "maximum": 6},
    "quiet": {"type": ["string", "null"], "description": "local quiet hours, 22:00-07:00"},
    "daily_cap": {"type": ["integer", "null"], "minimum": 0},
    "paused": {"type": "boolean"},
    "volume_alerts": {
        "type": "boolean",
        "description": "also a message when its countries' or categories' coverage spikes or "
        "falls silent",
    },
}

_THREAD_FIELDS: dict[str, Any] = {
    "id": {"type": "integer"},
    "category": {**_NULL_TEXT, "description": "the event type, e.g. summit-visit"},
    "countries": _CODES,
    "actors": {**_CODES, "description": "people's name words and multilateral bodies"},
    "first_day": {"type": "string", "format": "date"},
    "last_day": {"type": "string", "format": "date"},
    "story_count": {"type": "integer", "minimum": 1},
    "created_at": _TIME,
    "updated_at": _TIME,
    "follows": {"type": ["integer", "null"],
                "description": "the earlier thread this one develops (a reply, a second act)"},
    "followed_by": {"type": "array", "items": {"type": "integer"},
                    "description": "the later threads that develop this one"},
}
_THREAD_STORY: dict[str, Any] = {
    "type": "object",
    "required": ["id", "title", "url", "outlet", "lang", "published_at", "rule", "shared"],
    "additionalProperties": False,
    "properties": {
        **{k: _STORY_FIELDS[k] for k in ("id", "title", "url", "outlet", "lang", "published_at")},
        "rule": {"type": "string",
                 "description": "the rule that placed it: new (the first report), same-leaders, "
                 "same-type, actor-and-terms or terms (docs/threads.md)"},
        "shared": {
            "type": "object",
            "description": "what its stored facts have in common with another story of the "
            "thread",
            "required": ["countries", "people", "terms"],
            "additionalProperties": False,
            "properties": {"countries": _CODES, "people": _CODES, "terms": _CODES},
        },
    },
}

SCHEMAS: dict[str, Any] = {
    "Alert": _ALERT,
    "Thread": {
        "type": "object",
        "required": list(_THREAD_FIELDS),
        "additionalProperties": False,
        "properties": _THREAD_FIELDS,
    },
    "ThreadDetail": {
        "type": "object",
        "required": [*_THREAD_FIELDS, "stories"],
        "additionalProperties": False,
        "properties": {**_THREAD_FIELDS, "stories": {"type": "array", "items": _THREAD_STORY}},
    },
    "ThreadPage": {
        "type": "object",
        "required": ["items", "next_cursor"],
        "additionalProperties": False,
        "properties": {"items": {"type": "array", "items": _ref("Thread")},
                       "next_cursor": _NULL_TEXT},
    },
    "Story": {
        "type": "object",
        "required": [*_STORY_FIELDS, "summary", "alert"],
        "additionalProperties": False,
        "properties": {**_STORY_FIELDS, "summary": {"type": "string"}, "alert": _ref("Alert")},
    },
    "StoryDetail": {
        "type": "object",
        "required": [*_STORY_FIELDS, "text", "copies", "alerts"],
        "additionalProperties": False,
        "properties": {
            **_STORY_FIELDS,
            "text": {"type": "string"},
            "copies": {"type": "array", "items": {
                "type": "object",
                "required": ["outlet", "original_outlet", "url", "title", "published_at",
                             "first_seen_at"],
                "additionalProperties": False,
                "properties": {
                    "outlet": {"type": "string"},
                    "original_outlet": _NULL_TEXT,
                    "url": {"type": ["string", "null"], "format": "uri"},
                    "title": {"type": "string"},
                    "published_at": _TIME,
                    "first_seen_at": _TIME,
                },
            }},
            "alerts": {"type": "array", "items": {
                "type": "object",
                "required": [*_ALERT["required"], "evidence"],
                "additionalProperties": False,
                "properties": {**_ALERT["properties"],
                               "evidence": {"type": "array", "items": _EVIDENCE}},
            }},
        },
    },
    "AlertEntry": {
        "type": "object",
        "required": [*_ALERT["required"], "story"],
        "properties": {
            **_ALERT["properties"],
            "story": {
                "type": "object",
                "required": ["id", "title", "url", "outlet", "lang", "published_at"],
                "additionalProperties": False,
                "properties": {k: _STORY_FIELDS[k] for k in
                               ("id", "title", "url", "outlet", "lang", "published_at")},
            },
        },
        "additionalProperties": False,
    },
    "StoryPage": {
        "type": "object",
        "required": ["items", "next_cursor"],
        "additionalProperties": False,
        "properties": {"items": {"type": "array", "items": _ref("Story")},
                       "next_cursor": _NULL_TEXT},
    },
    "AlertPage": {
        "type": "object",
        "required": ["items", "next_cursor"],
        "additionalProperties": False,
        "properties": {"items": {"type": "array", "items": _ref("AlertEntry")},
                       "next_cursor": _NULL_TEXT},
    },
    "SearchPage": {
        "type": "object",
        "required": ["items", "next_cursor", "scanned", "since", "until"],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": _ref("Story")},
            "next_cursor": _NULL_TEXT,
            "scanned": {"type": "integer", "minimum": 0},
            "since": _TIME,
            "until": _TIME,
        },
    },
    "Trends": {
        "type": "object",
        "required": ["days", "countries", "categories"],
        "additionalProperties": False,
        "properties": {
            "days": {"type": "array", "items": {"type": "string", "format": "date"}},
            "countries": {"type": "object", "additionalProperties": {
                "type": "array", "items": {"type": "integer", "minimum": 0}}},
            "categories": {"type": "object", "additionalProperties": {
                "type": "array", "items": {"type": "integer", "minimum": 0}}},
        },
    },
    "Timeline": {
        "type": "object",
        "required": ["country", "name", "since", "until", "entries"],
        "additionalProperties": False,
        "properties": {
            "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "name": {"type": "string"},
            "since": {"type": "string", "format": "date"},
            "until": {"type": "string", "format": "date"},
            "entries": {"type": "array", "items": {
                "type": "object",
                "required": ["date", "kind", "value", "actors", "counterpart", "quote",
                             "corrected", "topic", "story"],
                "additionalProperties": False,
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "kind": {"enum": [*TIMELINE_KINDS, "stance"]},
                    "value": {"enum": [*VOTE_VALUES, *PEACE_VALUES, *STANCES, None],
                              "description": "a vote, a peace-plan position or a stance"},
                    "actors": _CODES,
                    "counterpart": {"enum": ["ukraine", "russia", "ukraine+russia", None]},
                    "quote": {"type": "string",
                              "description": "the sentence of the story that supports it"},
                    "corrected": {"type": "boolean",
                                  "description": "an analyst changed its kind or value"},
                    "topic": {"type": "string",
                              "description": "the loaded topic whose reading of the story "
                              "gave the entry (the first, in file-name order)"},
                    "story": {
                        "type": "object",
                        "required": ["id", "title", "outlet", "url"],
                        "additionalProperties": False,
                        "properties": {k: _STORY_FIELDS[k]
                                       for k in ("id", "title", "outlet", "url")},
                    },
                },
            }},
        },
    },
    "Subscription": {
        "type": "object",
        "required": ["id", *_SUBSCRIPTION_FIELDS],
        "additionalProperties": False,
        "properties": {"id": {"type": "integer"}, **_SUBSCRIPTION_FIELDS},
    },
    "SubscriptionInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": _SUBSCRIPTION_FIELDS,
    },
    "SubscriptionList": {
        "type": "object",
        "required": ["items"],
        "additionalProperties": False,
        "properties": {"items": {"type": "array", "items": _ref("Subscription")}},
    },
    "Reader": {
        "type": "object",
        "required": ["email", "name", "time_zone", "language"],
        "additionalProperties": False,
        "properties": {
            "email": {"type": "string"},
            "name": {"type": "string"},
            "time_zone": {"type": "string", "description": "IANA zone of dates in messages"},
            "language": {"enum": list(LANGUAGES),
                         "description": "of every email and chat message the reader gets"},
        },
    },
    "ReaderInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"language": {"enum": list(LANGUAGES)}},
    },
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "position": {"type": "integer", "minimum": 0,
                         "description": "where a query's syntax error is (search)"},
            "errors": {"type": "array", "items": {
                "type": "object",
                "required": ["field", "message"],
                "additionalProperties": False,
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            }},
        },
    },
}


def _param(name: str, description: str, schema: dict[str, Any] | None = None,
           where: str = "query", required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema or {"type": "string"}}


_PROBLEM = {"description": "a problem (RFC 9457)",
            "content": {"application/problem+json": {"schema": _ref("Problem")}}}
_LIST_PARAMS = [
    _param("country", "ISO 3166-1 code the alert names, e.g. BR"),
    _param("category", "the alert's category, e.g. peace-plan"),
    _param("lang", "the story's language code, e.g. es"),
    _param("since", "alerts created at or after (ISO 8601 date or date-time)"),
    _param("until", "alerts created before (ISO 8601 date or date-time)"),
    _param("cursor", "next_cursor of the previous page, as is"),
    _param("limit", f"page size, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})",
           {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
]
_ID = _param("id", "the id", {"type": "integer"}, "path", True)
_THREAD_PARAMS = [
    _param("country", "ISO 3166-1 code the thread names, e.g. BR"),
    _param("category", "the thread's event type, e.g. summit-visit"),
    _param("since", "threads with a report on or after this day (ISO 8601 date)"),
    _param("until", "threads with a report before this moment (ISO 8601 date or date-time)"),
    _param("cursor", "next_cursor of the previous page, as is"),
    _param("limit", f"page size, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})",
           {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
]


def _op(summary: str, scope: str, ok: int, schema: str | None,
        params: list[dict[str, Any]] | None = None, body: bool = False,
        body_schema: str = "SubscriptionInput") -> dict[str, Any]:
    responses: dict[str, Any] = {
        str(ok): {"description": "success"} if schema is None else {
            "description": "success", "content": {"application/json": {"schema": _ref(schema)}}},
        "4XX": _PROBLEM,
        "5XX": _PROBLEM,
    }
    op: dict[str, Any] = {"summary": summary, "security": [{"bearer": [scope]}],
                          "parameters": params or [], "responses": responses}
    if body:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _ref(body_schema)}}}
    return op


def document() -> dict[str, Any]:
    """The whole OpenAPI document (a fresh copy each call)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "monitor read API", "version": "1.0.0",
                 "description": "Alerted stories, event threads, search, trends and "
                                "the reader's own subscriptions. Keys: `monitor subscriber api-key add`."},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/stories": {"get": _op("alerted stories, newest alert first", "read", 200,
                                    "StoryPage", _LIST_PARAMS)},
            "/stories/{id}": {"get": _op("one alerted story: copies, alerts, evidence", "read",
                                         200, "StoryDetail", [_ID])},
            "/alerts": {"get": _op("alerts, newest first", "read", 200, "AlertPage",
                                   _LIST_PARAMS)},
            "/threads": {"get": _op(
                "event threads (one real-world event and its alerted reports), newest first",
                "read", 200, "ThreadPage", _THREAD_PARAMS)},
            "/threads/{id}": {"get": _op(
                "one event thread: its stories, the rule that placed each, what they share, "
                "and its linked threads", "read", 200, "ThreadDetail", [_ID])},
            "/search": {"get": _op(
                "stories of a period (default the last 30 days, at most 90) that a query "
                "matches", "read", 200, "SearchPage",
                [_param("q", "a query in the stored-query language", required=True),
                 *_LIST_PARAMS])},
            "/trends": {"get": _op(
                "alerted stories per UTC day by country and by category", "read", 200,
                "Trends",
                [_param("since", "first day (default 29 days before until)",
                        {"type": "string", "format": "date"}),
                 _param("until", "last day (default today, UTC)",
                        {"type": "string", "format": "date"})])},
            "/countries/{code}/timeline": {"get": _op(
                "one Latin American or Caribbean state's dealings with Ukraine and Russia: "
                "visits, calls, meetings, votes, peace-plan positions, decisions and stances, "
                "each quoting its sentence", "read", 200, "Timeline",
                [_param("code", "ISO 3166-1 code (any case) or the country's name",
                        where="path", required=True),
                 _param("since", "first day (default 29 days before until)",
                        {"type": "string", "format": "date"}),
                 _param("until", "last day (default today, UTC)",
                        {"type": "string", "format": "date"})])},
            "/me": {
                "get": _op("the reader's own settings", "read", 200, "Reader"),
                "patch": _op("change the language of the reader's emails and chat messages",
                             "write", 200, "Reader", body=True, body_schema="ReaderInput"),
            },
            "/subscriptions": {
                "get": _op("the reader's subscriptions", "read", 200, "SubscriptionList"),
                "post": _op("create a subscription", "write", 201, "Subscription", body=True),
            },
            "/subscriptions/{id}": {
                "get": _op("one of the reader's subscriptions", "read", 200, "Subscription",
                           [_ID]),
                "patch": _op("change the given fields", "write", 200, "Subscription", [_ID],
                             body=True),
                "delete": _op("delete it (and its pending deliveries)", "write", 204, None,
                              [_ID]),
            },
        },
    }
