"""Rows as the API's JSON objects (the shapes the OpenAPI document declares). Pure.

Story text is as published, so links pass ``safe_http_url`` (anything but plain http(s)
becomes null, as in emails and feeds) and summaries are one cleaned line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.delivery.syndication import rfc3339
from monitor.notify.links import safe_http_url
from monitor.notify.text import clean_inline, truncate
from monitor.store.api_keys import ApiKeyRow
from monitor.store.subscribers import SubscriptionRow

SUMMARY_CHARS = 400


def moment(value: datetime | None) -> str | None:
    return None if value is None else rfc3339(value.astimezone(UTC))


def _countries(value: Any) -> list[str]:
    return [str(code) for code in value] if isinstance(value, list) else []


def alert_json(row: Any) -> dict[str, Any]:
    """An alert's own fields, from a page row (``alert_id``) or an alerts row (``id``)."""
    m = row._mapping
    return {
        "id": int(m["alert_id"] if "alert_id" in m else m["id"]),
        "topic": m["topic"],
        "score": round(float(m["score"]), 4),
        "category": m["category"],
        "countries": _countries(m["countries"]),
        "revision": int(m["revision"]),
        "created_at": moment(m["created_at"]),
        "updated_at": moment(m["updated_at"]),
    }


def story_json(row: Any) -> dict[str, Any]:
    """One entry of /stories and /search: the story, a summary, and the alert."""
    return {
        "id": int(row.story_id),
        "title": clean_inline(row.title or ""),
        "summary": truncate(clean_inline(row.text or ""), SUMMARY_CHARS),
        "url": safe_http_url(row.url),
        "lang": row.lang,
        "outlet": row.credited_outlet or "",
        "published_at": moment(row.published_at),
        "first_seen_at": moment(row.first_seen_at),
        "source_count": int(row.source_count),
        "alert": alert_json(row),
    }


def alert_entry_json(row: Any) -> dict[str, Any]:
    """One entry of /alerts: the alert, and which story it is about."""
    return {
        **alert_json(row),
        "story": {
            "id": int(row.story_id),
            "title": clean_inline(row.title or ""),
            "url": safe_http_url(row.url),
            "outlet": row.credited_outlet or "",
            "lang": row.lang,
            "published_at": moment(row.published_at),
        },
    }


def _evidence(value: Any) -> list[dict[str, Any]]:
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            out.append(
                {
                    "rule": str(item.get("rule", "")),
                    "term": str(item.get("term", "")),
                    "field": str(item.get("field", "")),
                    "start": int(item.get("start", 0) or 0),
                    "end": int(item.get("end", 0) or 0),
                }
            )
    return out


def story_detail_json(story: Any, copies: list[Any], alerts: list[Any]) -> dict[str, Any]:
    """/stories/{id}: the story in full, each copy as it arrived, each alert with evidence."""
    return {
        "id": int(story.id),
        "title": clean_inline(story.title or ""),
        "text": story.text or "",
        "url": safe_http_url(story.url),
        "lang": story.lang,
        "outlet": story.credited_outlet or "",
        "published_at": moment(story.published_at),
        "first_seen_at": moment(story.first_seen_at),
        "source_count": int(story.source_count),
        "copies": [
            {
                "outlet": c.outlet or "",
                "original_outlet": c.original_outlet,
                "url": safe_http_url(c.url),
                "title": clean_inline(c.title or ""),
                "published_at": moment(c.published_at),
                "first_seen_at": moment(c.first_seen_at),
            }
            for c in copies
        ],
        "alerts": [{**alert_json(a), "evidence": _evidence(a.matched)} for a in alerts],
    }


def subscription_json(row: SubscriptionRow) -> dict[str, Any]:
    filters = row.filters if isinstance(row.filters, dict) else {}
    quiet = f"{row.quiet_start}-{row.quiet_end}" if row.quiet_start and row.quiet_end else None
    min_score = filters.get("min_score")
    return {
        "id": row.id,
        "name": row.name,
        "query": row.query,
        "topic": row.topic,
        "countries": list(filters.get("countries") or []),
        "categories": list(filters.get("categories") or []),
        "languages": list(filters.get("languages") or []),
        "outlets": list(filters.get("outlets") or []),
        "min_score": None if min_score is None else float(min_score),
        "mode": row.mode,
        "digest_time": row.digest_time,
        "digest_weekday": row.digest_weekday,
        "quiet": quiet,
        "daily_cap": row.daily_cap,
        "volume_alerts": bool(row.volume_alerts),
        "paused": bool(row.paused),
    }


def key_line(row: ApiKeyRow) -> str:
    """One line of ``monitor subscriber api-key list`` (never the key itself)."""
    state = f"revoked {moment(row.revoked_at)}" if row.revoked_at else "active"
    used = moment(row.last_used_at) or "never"
    return (
        f"key {row.id} subscriber {row.subscriber_id} mk_{row.prefix}_… "
        f"{row.name!r} scopes={','.join(row.scopes)} created {moment(row.created_at)} "
        f"last used {used} {state}"
    )
