"""Turn a subscriber's wall-clock times into UTC instants, deterministically across DST.

Rules, the same everywhere in notify:

- a local time that happens twice (clocks go back) means its **first** occurrence;
- a local time that never happens (clocks go forward) means the instant the same distance
  past the jump, e.g. 02:30 on the New York spring-forward night is 03:30 EDT (07:30 UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.errors import UnknownTimeZone


@lru_cache(maxsize=512)
def load_zone(name: str) -> ZoneInfo:
    """The zone for an IANA name such as ``America/Sao_Paulo``; raises UnknownTimeZone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZone(name) from exc


def as_zone(zone: str | ZoneInfo) -> ZoneInfo:
    """Accept a zone or its name."""
    return zone if isinstance(zone, ZoneInfo) else load_zone(zone)


def require_utc(moment: datetime, what: str = "time") -> datetime:
    """``moment`` in UTC; a naive datetime is a programming error, not a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment!r}")
    return moment.astimezone(UTC)


def local_instants(day: date, at: time, zone: ZoneInfo) -> tuple[datetime, ...]:
    """Every UTC instant at which the wall clock in ``zone`` reads ``day`` ``at``, earliest first.

    One instant normally, two when the time is repeated, and for a time skipped by a
    forward jump the single instant the same distance past the jump.
    """
    if at.tzinfo is not None:
        raise ValueError("local times must be naive wall-clock times")
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return (first,)
    exists = [u for u in (first, second) if u.astimezone(zone).replace(tzinfo=None) == wall]
    if exists:
        return tuple(sorted(exists))
    # Skipped: fold=0 reads the time with the offset before the jump, which lands after it.
    return (max(first, second),)


def resolve_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The one UTC instant meant by ``day`` ``at`` in ``zone`` (see the module rules)."""
    return local_instants(day, at, zone)[0]
