"""`monitor status`: one screen for operators — roles, feeds, lag, alerts, outbox."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from monitor.config import Settings
from monitor.daemon import read_heartbeats
from monitor.processes import memory_kb
from monitor.store import channel_ledger, outbox
from monitor.store import feeds as feed_store
from monitor.store.db import make_engine, transaction
from monitor.store.stories import count_rows, recent_alerts


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
    now = datetime.now(UTC)
    lines = [
        f"monitor status — {now:%Y-%m-%d %H:%M:%S} UTC — db {settings.redacted()['database_url']}"
    ]
    beats = read_heartbeats(settings)
    if beats:
        parts = []
        for role, beat in sorted(beats.items()):
            age = time.time() - float(beat.get("heartbeat", 0))  # type: ignore[arg-type]
            state = "ok" if age < 30 else "STALE"
            pid = beat.get("pid")
            parts.append(f"{role} {state} (pid {pid}, {age:.0f}s{_memory(pid)})")
        lines.append("roles:   " + "; ".join(parts))
    else:
        lines.append("roles:   none running on this machine (monitor run)")
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    try:
        with transaction(engine) as conn:
            feeds = feed_store.list_feeds(conn)
            counts = count_rows(conn)
            alerts = recent_alerts(conn, 5)
            box = outbox.outbox_counts(conn)
            channels = channel_ledger.ledger_counts(conn)
    finally:
        engine.dispose()
    active = [f for f in feeds if f.state == "active"]
    due = [f for f in active if f.next_poll_at <= now]
    failing = [f for f in feeds if f.error_count > 0]
    lines.append(
        f"feeds:   {len(feeds)} total, {len(active)} active, {len(due)} due now, "
        f"{len(failing)} failing, {len(feeds) - len(active)} paused/gone"
    )
    for feed in sorted(failing, key=lambda f: -f.error_count)[:5]:
        lines.append(
            f"   ! #{feed.id} {feed.name[:40]}: {feed.error_count} errors, next {_ago(feed.next_poll_at, now)}"
            f" — {(feed.last_error or '')[:80]}"
        )
    try:
        from monitor.stream.lag import consumer_lag

        lag = consumer_lag(settings, timeout=3.0)
        lines.append(f"kafka:   lag {sum(lag.values())} items on {settings.items_topic}")
    except Exception as exc:
        lines.append(f"kafka:   unreachable at {settings.kafka_bootstrap} ({type(exc).__name__})")
    lines.append(
        f"stories: {counts['stories']} stories from {counts['sources']} items, {counts['alerts']} alerts"
    )
    for alert in alerts:
        countries = ",".join(alert.countries or [])
        lines.append(
            f"   {_ago(alert.created_at, now):>9}  [{alert.category} {countries}] "
            f"{alert.title[:70]} — {alert.credited_outlet}"
        )
    lines.append(
        "outbox:  " + ", ".join(f"{k} {v}" for k, v in sorted(box.items()))
        if box
        else "outbox:  empty"
    )
    lines.append(
        "chats:   " + ", ".join(f"{k} {v}" for k, v in sorted(channels.items()))
        + " (webhooks, Slack, Teams, Telegram; `monitor subscriber destination list`)"
    )
    return "\n".join(lines)


def print_status(settings: Settings) -> int:
    print(render_status(settings))
    return 0
