"""`monitor feed list`: the registry for people, and for scripts (``--json``). Pure.

The JSON form is a list of feed objects with stable keys (always present; null when
unset), listed in the README. Times are ISO 8601 in UTC (``…Z``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _human(moment: datetime | None) -> str:
    return "never" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def feeds_json(feeds: Sequence[Any]) -> list[dict[str, Any]]:
    """One object per ``FeedRow``."""
    return [
        {
            "id": f.id,
            "url": f.url,
            "name": f.name,
            "outlet": f.outlet,
            "language": f.language,
            "interval_seconds": f.poll_interval,
            "state": f.state,
            "state_reason": f.state_reason,
            "next_poll_at": _iso(f.next_poll_at),
            "last_polled_at": _iso(f.last_polled_at),
            "last_success_at": _iso(f.last_success_at),
            "last_status": f.last_status,
            "error_count": f.error_count,
            "last_error": f.last_error,
            "items_published": f.items_published,
        }
        for f in feeds
    ]


def feed_lines(feeds: Sequence[Any], default_interval: float) -> list[str]:
    """The list for people: two lines a feed (three when it is failing), then a count."""
    lines: list[str] = []
    for f in feeds:
        state = f.state if not f.state_reason else f"{f.state} ({f.state_reason})"
        language = f", {f.language}" if f.language else ""
        outlet = f" — {f.outlet}" if f.outlet and f.outlet != f.name else ""
        lines.append(f"{f.id:>4}  {f.name}{outlet}{language}  [{state}]")
        lines.append(f"      {f.url}")
        every = (
            f"every {_duration(f.poll_interval)}"
            if f.poll_interval
            else f"every {_duration(default_interval)} (default)"
        )
        status = f", HTTP {f.last_status}" if f.last_status else ""
        lines.append(
            f"      {every}; next poll {_human(f.next_poll_at)}; "
            f"last polled {_human(f.last_polled_at)}{status}; {f.items_published} items published"
        )
        if f.error_count:
            lines.append(f"      ! {f.error_count} errors in a row, last: {f.last_error or '?'}")
    lines.append(f"{len(feeds)} feed{'s' if len(feeds) != 1 else ''}")
    return lines


def _duration(seconds: float) -> str:
    if seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"
