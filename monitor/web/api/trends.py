"""GET /trends: alerted stories per UTC day, by country and by category, over a period.

The counting is monitor/trends/volumes.py's ``daily_counts`` (the same numbers
``monitor trends`` reads); this only picks the days and reshapes the result.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from monitor.config import Settings
from monitor.store.db import transaction
from monitor.trends.volumes import CATEGORY, COUNTRY, daily_counts, split_kinds
from monitor.web.api.door import Call, Reply
from monitor.web.api.problems import bad_parameter

DEFAULT_DAYS = 30
MAX_DAYS = 366


def _day(field: str, text: str | None, default: date) -> date:
    if text is None or text == "":
        return default
    try:
        if len(text) != 10:
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise bad_parameter(field, f"a date like 2026-12-01; got {text[:40]!r}") from None
    if not 2000 <= day.year < 2100:
        raise bad_parameter(field, f"a date from 2000 to 2099; got {text!r}")
    return day


def trend_days(since: str | None, until: str | None, today: date) -> tuple[date, date]:
    """(first day, last day), both included: the last 30 days by default, at most 366."""
    last = _day("until", until, today)
    first = _day("since", since, last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise bad_parameter("since", "must not be after until")
    if (last - first).days + 1 > MAX_DAYS:
        raise bad_parameter("since", f"trends cover at most {MAX_DAYS} days")
    return first, last


def trends(engine: Engine, settings: Settings, call: Call) -> Reply:
    first, last = trend_days(call.params.get("since"), call.params.get("until"), call.now.date())
    with transaction(engine) as conn:
        counts = daily_counts(conn, first, last)
    days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    by = split_kinds(counts)
    return Reply(200, {"days": days, "countries": by[COUNTRY], "categories": by[CATEGORY]})
