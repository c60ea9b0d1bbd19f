"""`monitor subscriber list`: subscribers for people, and for scripts (``--json``). Pure.

The JSON form is a list of subscriber objects with stable keys (a key is always present;
null when unset); the README lists them. Times are ISO 8601 in UTC; local times of day
(digest time, quiet hours) are in the subscriber's ``time_zone``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from monitor.errors import Problem
from monitor.subscriptions.preferences import WEEKDAYS


def iso_utc(moment: datetime | None) -> str | None:
    """``2026-12-06T09:00:00Z``; None stays None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_utc(moment: datetime | None) -> str:
    """``2026-12-06 09:00 UTC``, or ``never``."""
    if moment is None:
        return "never"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def subscription_json(row: Any, problems: Sequence[Problem] = ()) -> dict[str, Any]:
    filters = row.filters if isinstance(row.filters, dict) else {}
    quiet = None
    if row.quiet_start or row.quiet_end:
        quiet = {"start": row.quiet_start, "end": row.quiet_end}
    return {
        "id": row.id,
        "name": row.name,
        "query": row.query,
        "topic": row.topic,
        "filters": {
            "countries": list(filters.get("countries") or []),
            "categories": list(filters.get("categories") or []),
            "languages": list(filters.get("languages") or []),
            "outlets": list(filters.get("outlets") or []),
            "min_score": filters.get("min_score"),
        },
        "mode": row.mode,
        "digest_time": row.digest_time,
        "digest_weekday": row.digest_weekday,
        "quiet": quiet,
        "daily_cap": row.daily_cap,
        "volume_alerts": bool(getattr(row, "volume_alerts", False)),
        "paused": bool(row.paused),
        "problems": [{"field": p.field, "message": p.message} for p in problems],
    }


def subscribers_json(
    people: Sequence[Any],
    subscriptions: Sequence[Any],
    problems: Mapping[int, Sequence[Problem]],
) -> list[dict[str, Any]]:
    """One object per subscriber with its subscriptions (``problems``: by subscription id,
    what the worker's check refuses in a stored subscription)."""
    return [
        {
            "id": person.id,
            "email": person.email,
            "name": person.display_name,
            "time_zone": person.time_zone,
            "language": getattr(person, "language", "en"),
            "confirmed": bool(person.confirmed),
            "confirmed_at": iso_utc(person.confirmed_at),
            "status": person.status,
            "status_reason": person.status_reason,
            "created_at": iso_utc(person.created_at),
            "subscriptions": [
                subscription_json(s, problems.get(s.id, ()))
                for s in subscriptions
                if s.subscriber_id == person.id
            ],
        }
        for person in people
    ]


def subscriber_lines(
    people: Sequence[Any],
    subscriptions: Sequence[Any],
    problems: Mapping[int, Sequence[Problem]],
) -> list[str]:
    """The list for people: one block per subscriber, one per subscription."""
    lines: list[str] = []
    for person in people:
        standing = (
            f"confirmed {human_utc(person.confirmed_at)}" if person.confirmed else "unconfirmed"
        )
        status = (
            person.status
            if not person.status_reason
            else (f"{person.status}: {person.status_reason}")
        )
        name = f" ({person.display_name})" if person.display_name else ""
        lines.append(f"subscriber {person.id}  {person.email}{name}")
        language = getattr(person, "language", "en")
        lines.append(f"    {standing}, {status}, time zone {person.time_zone}, language {language}")
        own = [s for s in subscriptions if s.subscriber_id == person.id]
        if not own:
            lines.append("    no subscriptions")
        for s in own:
            lines.extend(_subscription_lines(s, person.time_zone, problems.get(s.id, ())))
    subscriber_count = len(people)
    lines.append(
        f"{subscriber_count} subscriber{'s' if subscriber_count != 1 else ''}, "
        f"{len(subscriptions)} subscription{'s' if len(subscriptions) != 1 else ''}"
    )
    return lines


def _subscription_lines(row: Any, zone: str, problems: Sequence[Problem]) -> list[str]:
    paused = ", PAUSED" if row.paused else ""
    out = [f"  subscription {row.id}  {row.name or '(unnamed)'}: {_when(row, zone)}{paused}"]
    out.append(f"      topic: {row.topic}")
    out.append(f"      query: {row.query if row.query else '(every alert of the topic)'}")
    filters = row.filters if isinstance(row.filters, dict) else {}
    shown = [
        f"{key} {', '.join(str(v) for v in filters[key])}"
        for key in ("countries", "categories", "languages", "outlets")
        if filters.get(key)
    ]
    if filters.get("min_score") is not None:
        shown.append(f"min score {filters['min_score']}")
    if shown:
        out.append(f"      filters: {'; '.join(shown)}")
    out.extend(f"      ! not delivered: {problem}" for problem in problems)
    return out


def _when(row: Any, zone: str) -> str:
    if row.mode == "daily":
        when = f"daily at {row.digest_time} {zone}"
    elif row.mode == "weekly":
        day = WEEKDAYS[row.digest_weekday].title() if 0 <= row.digest_weekday <= 6 else "?"
        when = f"weekly on {day} at {row.digest_time} {zone}"
    else:
        when = str(row.mode)
    if row.quiet_start and row.quiet_end:
        when += f", quiet {row.quiet_start}-{row.quiet_end} {zone}"
    if row.daily_cap is not None:
        when += f", at most {row.daily_cap} emails a day"
    if getattr(row, "volume_alerts", False):
        when += ", and spikes and silences of its coverage"
    return when
