"""System-wide gauges computed at scrape time: outbox depth, feed health, consumer lag.

Which feeds are failing or due is decided by ``monitor.health`` (as for ``monitor status``).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import Engine

from monitor.config import Settings
from monitor.health import feed_health
from monitor.store.db import transaction
from monitor.store.feeds import list_feeds
from monitor.store.outbox import outbox_counts


class SystemGauges:
    def __init__(self, settings: Settings, engine: Engine, lag_ttl: float = 10.0) -> None:
        self.settings = settings
        self.engine = engine
        self.lag_ttl = lag_ttl
        self._lag: dict[int, int] = {}
        self._lag_at: float | None = None  # never read yet, whatever the uptime

    def _consumer_lag(self) -> dict[int, int] | None:
        if self._lag_at is None or time.monotonic() - self._lag_at > self.lag_ttl:
            from monitor.stream.lag import consumer_lag

            try:
                self._lag = consumer_lag(self.settings, timeout=3.0)
            except Exception:
                return None
            self._lag_at = time.monotonic()
        return self._lag

    def render(self) -> bytes:
        lines: list[str] = []

        def gauge(name: str, help_: str, samples: list[tuple[str, float]]) -> None:
            lines.append(f"# HELP {name} {help_}")
            lines.append(f"# TYPE {name} gauge")
            for labels, value in samples:
                lines.append(f"{name}{labels} {value}")

        try:
            now = datetime.now(UTC)
            with transaction(self.engine) as conn:
                counts = outbox_counts(conn)
                registry = list_feeds(conn)
            health = feed_health(registry, now)
            by_state = Counter(f.state for f in registry)
            gauge(
                "monitor_outbox_emails",
                "Emails in the outbox by status",
                [(f'{{status="{k}"}}', v) for k, v in counts.items() if k != "deliveries_pending"],
            )
            gauge(
                "monitor_deliveries_pending",
                "Deliveries not yet turned into emails",
                [("", counts.get("deliveries_pending", 0))],
            )
            gauge(
                "monitor_feeds",
                "Feeds by state",
                [(f'{{state="{s}"}}', n) for s, n in sorted(by_state.items())],
            )
            gauge(
                "monitor_feeds_failing",
                "Active feeds whose last poll failed (monitor.health.is_failing)",
                [("", len(health.failing))],
            )
            gauge("monitor_feeds_due", "Active feeds due for a poll", [("", health.due)])
            gauge("monitor_database_up", "1 when the database answered this scrape", [("", 1)])
        except Exception:
            gauge("monitor_database_up", "1 when the database answered this scrape", [("", 0)])
        lag = self._consumer_lag()
        if lag is not None:
            gauge(
                "monitor_consumer_lag",
                "Items waiting in Kafka per partition",
                [(f'{{partition="{p}"}}', n) for p, n in sorted(lag.items())],
            )
            gauge("monitor_consumer_lag_total", "Items waiting in Kafka", [("", sum(lag.values()))])
        return ("\n".join(lines) + "\n").encode()
