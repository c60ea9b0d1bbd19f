"""Prometheus metrics, one definition each, shared by every role.

Roles run as separate processes; when ``PROMETHEUS_MULTIPROC_DIR`` is set (``monitor run``
sets it) each process writes its samples there and the web role serves their sum.
Gauges that describe the whole system (consumer lag, outbox depth, feeds due) are computed
at scrape time by the web role instead (see monitor/web/server.py).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ITEMS_FETCHED = Counter("monitor_items_fetched_total", "Feed entries parsed from fetched feeds")
ITEMS_PUBLISHED = Counter("monitor_items_published_total", "New items acknowledged by Kafka")
FEED_POLLS = Counter("monitor_feed_polls_total", "Feed polls by outcome", ["outcome"])
FEED_ERRORS = Counter("monitor_feed_errors_total", "Failed feed polls by feed", ["feed_id"])
ITEMS_PROCESSED = Counter("monitor_items_processed_total", "Items stored by the worker")
ITEMS_DEDUPLICATED = Counter(
    "monitor_items_deduplicated_total", "Items that joined an existing story or were replays"
)
ALERTS_CREATED = Counter("monitor_alerts_total", "Alerts raised on relevant stories")
DELIVERIES_CREATED = Counter("monitor_deliveries_total", "Subscriber deliveries created")
DEAD_LETTERED = Counter("monitor_items_dead_lettered_total", "Items sent to the dead-letter topic")
STORE_ERRORS = Counter("monitor_store_errors_total", "Database calls that failed and were retried")
EMAILS_SENT = Counter(
    "monitor_emails_sent_total", "Emails accepted by SMTP (or the outbox)", ["kind"]
)
EMAILS_FAILED = Counter("monitor_emails_failed_total", "Email send failures", ["kind", "permanent"])
PROCESSING_LATENCY = Histogram(
    "monitor_processing_latency_seconds",
    "From the item's publication to Kafka to its batch being committed",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
