"""One account of the system's health, read by ``monitor status``, ``/readyz``, the
Prometheus gauges and the workspace's operations page, so they never disagree.

The decisions are pure functions here: when a role's heartbeat is stale
(:func:`role_beats`), which feeds are failing or due (:func:`feed_health`), and what
readiness requires (:func:`heartbeat_checks`). The probes (:func:`database_check`,
:func:`kafka_check`, :func:`read_lag`) and :func:`collect_health` only read the
heartbeat files, the database and Kafka; none of them raises for an unreachable part, it
is reported instead.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, text

from monitor.config import Settings
from monitor.runtime.heartbeat import read_heartbeats
from monitor.store import channel_ledger, outbox
from monitor.store import feeds as feed_store
from monitor.store.db import transaction
from monitor.store.feeds import FeedRow
from monitor.store.stories import count_rows, recent_alerts

# A role whose heartbeat is older than this is stale (roles beat every few seconds).
HEARTBEAT_STALE_SECONDS = 30.0
LAG_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class Check:
    """One readiness check: passed or not, and what was seen."""

    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class RoleBeat:
    """A role's last heartbeat: its instance name, age in seconds, pid, and freshness."""

    name: str
    age_seconds: float
    pid: int | None
    fresh: bool


def role_beats(
    beats: Mapping[str, Mapping[str, object]],
    now: float,
    stale_after: float = HEARTBEAT_STALE_SECONDS,
) -> list[RoleBeat]:
    """Each heartbeat file as a RoleBeat, by name; an unreadable stamp counts as never."""
    found = []
    for name, beat in sorted(beats.items()):
        stamp = beat.get("heartbeat", 0)
        try:
            at = float(stamp) if isinstance(stamp, int | float | str) else 0.0
        except ValueError:
            at = 0.0
        age = now - at
        pid = beat.get("pid")
        found.append(RoleBeat(name, age, pid if isinstance(pid, int) else None, age < stale_after))
    return found


def heartbeat_checks(
    beats: Mapping[str, Mapping[str, object]],
    now: float,
    stale_after: float = HEARTBEAT_STALE_SECONDS,
    skip: str = "web",
) -> dict[str, Check]:
    """Readiness's check per role that wrote a heartbeat (but ``skip``, the caller itself)."""
    return {
        f"role:{beat.name}": Check(beat.fresh, f"heartbeat {beat.age_seconds:.0f}s ago")
        for beat in role_beats(beats, now, stale_after)
        if beat.name != skip
    }


def is_failing(feed: FeedRow) -> bool:
    """A feed is failing when it is polled (active) and its last poll failed. A paused or
    gone feed is not polled, so it is counted as paused/gone, not as failing."""
    return feed.state == "active" and feed.error_count > 0


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """The registry at a glance; ``failing`` worst first (most errors in a row)."""

    total: int
    active: int
    due: int
    failing: tuple[FeedRow, ...]

    @property
    def paused_or_gone(self) -> int:
        return self.total - self.active


def feed_health(feeds: Sequence[FeedRow], now: datetime) -> FeedHealth:
    active = [f for f in feeds if f.state == "active"]
    failing = sorted((f for f in feeds if is_failing(f)), key=lambda f: (-f.error_count, f.id))
    return FeedHealth(
        total=len(feeds),
        active=len(active),
        due=sum(1 for f in active if f.next_poll_at <= now),
        failing=tuple(failing),
    )


@dataclass(frozen=True, slots=True)
class LagReading:
    """The worker group's lag on the items topic per partition, or why it is unknown."""

    partitions: Mapping[int, int]
    error: str | None = None

    @property
    def total(self) -> int | None:
        return None if self.error else sum(self.partitions.values())


def read_lag(settings: Settings, timeout: float = LAG_TIMEOUT_SECONDS) -> LagReading:
    try:
        from monitor.stream.lag import consumer_lag

        return LagReading(consumer_lag(settings, timeout=timeout))
    except Exception as exc:  # any client failure means the same: Kafka did not answer
        return LagReading({}, type(exc).__name__)


def database_check(engine: Engine) -> Check:
    try:
        with transaction(engine) as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return Check(False, str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    return Check(True, "reachable")


def kafka_check(settings: Settings, timeout: float = 2.0) -> Check:
    from monitor.services.kafka_broker import broker_answers

    up = broker_answers(settings.kafka_bootstrap, timeout=timeout)
    return Check(up, "reachable" if up else "no answer")


def readiness_checks(settings: Settings, engine: Engine) -> dict[str, Check]:
    """What ``/readyz`` requires: the database and Kafka answer, every other role beats."""
    checks = {"database": database_check(engine), "kafka": kafka_check(settings)}
    try:
        beats = read_heartbeats(settings)
    except OSError as exc:
        checks["heartbeats"] = Check(False, f"cannot read heartbeats: {exc}")
        return checks
    checks.update(heartbeat_checks(beats, time.time()))
    return checks


@dataclass(frozen=True, slots=True)
class HealthReport:
    """Everything ``monitor status`` shows, as data."""

    checked_at: datetime
    roles: list[RoleBeat]
    feeds: FeedHealth
    lag: LagReading
    counts: Mapping[str, int]
    recent_alerts: list[Any]
    outbox: Mapping[str, int]
    channels: Mapping[str, int]  # the chat and webhook ledger's messages by state


def collect_health(
    settings: Settings, engine: Engine, *, recent: int = 5, now: datetime | None = None
) -> HealthReport:
    """Read heartbeats, the database and Kafka once. Database errors raise (the caller
    says the database is unreachable); Kafka's are reported in ``lag``."""
    now = now or datetime.now(UTC)
    roles = role_beats(read_heartbeats(settings), now.timestamp())
    with transaction(engine) as conn:
        feeds = feed_store.list_feeds(conn)
        counts = count_rows(conn)
        alerts = recent_alerts(conn, recent)
        box = outbox.outbox_counts(conn)
        channels = channel_ledger.ledger_counts(conn)
    return HealthReport(
        checked_at=now,
        roles=roles,
        feeds=feed_health(feeds, now),
        lag=read_lag(settings),
        counts=counts,
        recent_alerts=alerts,
        outbox=box,
        channels=channels,
    )
