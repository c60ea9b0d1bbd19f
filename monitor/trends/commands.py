"""``monitor spikes``: today's unusual volumes, judged against the last 14 days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import orjson

from monitor.config import Settings
from monitor.errors import InputError
from monitor.store.db import transaction
from monitor.store.migrate import checked_database
from monitor.trends.spikes import SpikePolicy, VolumeVerdict, judge_day
from monitor.trends.volumes import daily_counts


def current_verdicts(settings: Settings, day: date, policy: SpikePolicy) -> list[VolumeVerdict]:
    """Every key's verdict for ``day`` (UTC), most unusual first."""
    with (
        checked_database(settings) as engine,
        transaction(engine) as conn,
    ):
        counts = daily_counts(conn, day - timedelta(days=policy.baseline_days), day)
    verdicts = [judge_day(key, day, series[-1], series[:-1], policy) for key, series in counts.items()]
    return sorted(verdicts, key=lambda v: (v.kind is None, v.tail_probability, v.key))


def run(settings: Settings, *, day: str | None, show_all: bool, as_json: bool) -> int:
    policy = SpikePolicy()
    try:
        when = date.fromisoformat(day) if day else datetime.now(UTC).date()
    except ValueError as exc:
        raise InputError(f"--day {day!r} is not a date; give it as YYYY-MM-DD") from exc
    verdicts = current_verdicts(settings, when, policy)
    shown = verdicts if show_all else [v for v in verdicts if v.kind is not None]
    if as_json:
        print(orjson.dumps([
            {"key": v.key, "day": v.day.isoformat(), "kind": v.kind, "observed": v.observed,
             "expected": round(v.expected, 3), "tail_probability": v.tail_probability}
            for v in shown
        ]).decode())
        return 0
    if not shown:
        print(f"{when.isoformat()}: no spike or silence among {len(verdicts)} countries and categories")
    for verdict in shown:
        print(f"{verdict.kind or 'usual':8} {verdict.describe()}")
    return 0
