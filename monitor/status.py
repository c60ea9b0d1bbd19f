"""`monitor status`: one screen for operators — roles, feeds, lag, alerts, outbox.

The numbers come from ``monitor.health`` (the account ``/readyz`` and the workspace's
operations page read too); this module only words them.
"""

from __future__ import annotations

from datetime import datetime

from monitor.config import Settings
from monitor.health import HealthReport, collect_health
from monitor.runtime.processes import memory_kb
from monitor.store.db import make_engine


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return f"in {_span(-seconds)}"
    return f"{_span(seconds)} ago"


def _span(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}m"
    if seconds < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"


def _memory(pid: object) -> str:
    """", 152 MB, peak 170 MB" for a role running on this machine; "" for one that is not."""
    if not isinstance(pid, int):
        return ""
    resident = memory_kb(pid)
    if not resident:
        return ""
    return f", {resident / 1024:.0f} MB, peak {memory_kb(pid, peak=True) / 1024:.0f} MB"


def render_status(settings: Settings) -> str:
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    try:
        report = collect_health(settings, engine)
    finally:
        engine.dispose()
    return status_text(report, settings.redacted()["database_url"], settings)


def status_text(report: HealthReport, database: object, settings: Settings) -> str:
    """The screen ``monitor status`` prints for ``report`` (the health core's account)."""
    now = report.checked_at
    lines = [f"monitor status — {now:%Y-%m-%d %H:%M:%S} UTC — db {database}"]
    if report.roles:
        parts = [
            f"{beat.name} {'ok' if beat.fresh else 'STALE'} "
            f"(pid {beat.pid}, {beat.age_seconds:.0f}s{_memory(beat.pid)})"
            for beat in report.roles
        ]
        lines.append("roles:   " + "; ".join(parts))
    else:
        lines.append("roles:   none running on this machine (monitor run)")
    feeds = report.feeds
    lines.append(
        f"feeds:   {feeds.total} total, {feeds.active} active, {feeds.due} due now, "
        f"{len(feeds.failing)} failing, {feeds.paused_or_gone} paused/gone"
    )
    for feed in feeds.failing[:5]:
        lines.append(
            f"   ! #{feed.id} {feed.name[:40]}: {feed.error_count} errors, next {_ago(feed.next_poll_at, now)}"
            f" — {(feed.last_error or '')[:80]}"
        )
    if report.lag.total is None:
        lines.append(
            f"kafka:   unreachable at {settings.kafka_bootstrap} ({report.lag.error})"
        )
    else:
        lines.append(f"kafka:   lag {report.lag.total} items on {settings.items_topic}")
    counts = report.counts
    lines.append(
        f"stories: {counts['stories']} stories from {counts['sources']} items, {counts['alerts']} alerts"
    )
    for alert in report.recent_alerts:
        countries = ",".join(alert.countries or [])
        lines.append(
            f"   {_ago(alert.created_at, now):>9}  [{alert.category} {countries}] "
            f"{alert.title[:70]} — {alert.credited_outlet}"
        )
    box = report.outbox
    lines.append(
        "outbox:  " + ", ".join(f"{k} {v}" for k, v in sorted(box.items()))
        if box
        else "outbox:  empty"
    )
    lines.append(
        "chats:   " + ", ".join(f"{k} {v}" for k, v in sorted(report.channels.items()))
        + " (webhooks, Slack, Teams, Telegram; `monitor subscriber destination list`)"
    )
    return "\n".join(lines)


def print_status(settings: Settings) -> int:
    print(render_status(settings))
    return 0
