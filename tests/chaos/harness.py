"""Shared pieces of the chaos tests: a synthetic item stream, a publisher that rides out
broker restarts, the ground truth to check against, and the figures they report."""

from __future__ import annotations

import functools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from monitor.config import Settings
from monitor.errors import PublishError
from monitor.feeds.publisher import ItemPublisher
from monitor.matching.classifier import classify
from monitor.matching.topic import load_topic
from monitor.models import FeedItem
from monitor.store.db import transaction
from monitor.store.tables import alerts, deliveries, email_attempts, emails, stories, story_sources
from tests import PROJECT_ROOT

# Every topic the worker loads by default: an alert is owed per (item, topic) that finds
# the item relevant.
TOPICS = [load_topic(path) for path in sorted((PROJECT_ROOT / "seeds" / "topics").glob("*.toml"))]
RELIABILITY_DOC = PROJECT_ROOT / "docs" / "reliability.md"


def alert_key(item_id: str, topic: str) -> str:
    return f"{item_id}@{topic}"


def expected_relevant(items: list[FeedItem]) -> set[str]:
    """The alerts the pipeline owes: ``item@topic`` for each topic that finds it relevant."""
    owed = set()
    for topic in TOPICS:
        judge = functools.partial(classify, topic)
        owed |= {
            alert_key(i.item_id, topic.topic_id)
            for i in items
            if judge(i.title, i.text, i.lang).relevant
        }
    return owed


def relevant_item_ids(items: list[FeedItem]) -> set[str]:
    """The items at least one topic alerts."""
    return {key.rsplit("@", 1)[0] for key in expected_relevant(items)}


class StreamPublisher(threading.Thread):
    """Publishes items at a steady rate; retries through broker outages, never skips one."""

    def __init__(self, settings: Settings, items: list[FeedItem], rate: float) -> None:
        super().__init__(daemon=True)
        self.settings, self.items, self.rate = settings, items, rate
        self.published = 0
        self.retries = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            publisher: ItemPublisher | None = None
            batch = max(1, int(self.rate / 10))
            for start in range(0, len(self.items), batch):
                chunk = self.items[start : start + batch]
                while True:
                    try:
                        if publisher is None:
                            publisher = ItemPublisher(
                                self.settings.kafka_bootstrap,
                                self.settings.items_topic,
                                delivery_timeout=20,
                            )
                        publisher.publish(chunk)
                        break
                    except PublishError:
                        self.retries += 1
                        if publisher is not None:
                            publisher.close(timeout=1)
                        publisher = None
                        time.sleep(1.0)
                self.published += len(chunk)
                time.sleep(batch / self.rate)
            if publisher is not None:
                publisher.close()
        except BaseException as exc:  # surfaced by the test
            self.error = exc


@dataclass
class Ledger:
    """What the database and the SMTP server say happened."""

    sources: int = 0
    stories: int = 0
    alert_item_ids: Counter[str] = field(default_factory=Counter)  # item@topic → alerts
    deliveries_pending: int = 0
    emails_by_status: dict[str, int] = field(default_factory=dict)
    interrupted_by_message: Counter[str] = field(default_factory=Counter)
    sent_message_ids: set[str] = field(default_factory=set)


def read_ledger(engine: Any) -> Ledger:
    with transaction(engine) as conn:
        ledger = Ledger(
            sources=conn.execute(select(func.count()).select_from(story_sources)).scalar_one(),
            stories=conn.execute(select(func.count()).select_from(stories)).scalar_one(),
        )
        rows = conn.execute(
            select(story_sources.c.item_id, alerts.c.topic).join(
                alerts, alerts.c.story_id == story_sources.c.story_id
            )
        )
        ledger.alert_item_ids = Counter(alert_key(item, topic) for item, topic in rows)
        ledger.deliveries_pending = conn.execute(
            select(func.count()).select_from(deliveries).where(deliveries.c.status == "pending")
        ).scalar_one()
        ledger.emails_by_status = dict(
            conn.execute(select(emails.c.status, func.count()).group_by(emails.c.status)).all()
        )
        ledger.interrupted_by_message = Counter(
            conn.execute(
                select(emails.c.message_id)
                .join(email_attempts, email_attempts.c.email_id == emails.c.id)
                .where(
                    email_attempts.c.outcome.in_(["interrupted"])
                    | email_attempts.c.outcome.is_(None)
                )
            ).scalars()
        )
        ledger.sent_message_ids = set(
            conn.execute(select(emails.c.message_id).where(emails.c.status == "sent")).scalars()
        )
    return ledger


@dataclass
class EmailAudit:
    received: int
    distinct: int
    lost: int
    window_resends: int
    resends_outside_window: int
    copies_identical: bool


def audit_emails(ledger: Ledger, received: list[Any]) -> EmailAudit:
    by_id: dict[str, list[bytes]] = {}
    for message in received:
        by_id.setdefault(message.message_id, []).append(message.data)
    lost = len(ledger.sent_message_ids - set(by_id))
    window = outside = 0
    for message_id, copies in by_id.items():
        extra = len(copies) - 1
        allowed = ledger.interrupted_by_message.get(message_id, 0)
        window += min(extra, allowed)
        outside += max(0, extra - allowed)
    identical = all(len(set(c)) == 1 for c in by_id.values())
    return EmailAudit(len(received), len(by_id), lost, window, outside, identical)


def record_figures(section: str, rows: dict[str, Any], *, scale: float) -> None:
    """Replace this section's table in docs/reliability.md with the latest run's figures."""
    RELIABILITY_DOC.parent.mkdir(parents=True, exist_ok=True)
    text = RELIABILITY_DOC.read_text() if RELIABILITY_DOC.exists() else _HEADER
    start, end = f"<!-- {section} -->", f"<!-- /{section} -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    table = "\n".join(
        [
            start,
            f"### {section}",
            "",
            f"Last run: {stamp}, scale {scale:g}.",
            "",
            "| figure | value |",
            "| --- | ---: |",
        ]
        + [f"| {key} | {value} |" for key, value in rows.items()]
        + [end]
    )
    if start in text and end in text:
        before, _, rest = text.partition(start)
        _, _, after = rest.partition(end)
        text = before + table + after
    else:
        text = text.rstrip() + "\n\n" + table + "\n"
    RELIABILITY_DOC.write_text(text)


_HEADER = """# Reliability figures

Written by the chaos tests (`make test` runs them at scale 1; `make chaos SCALE=5` runs them
longer, with `--chaos-scale`). Each section is replaced by the latest run. What the figures mean:

- **lost alerts**: relevant items with no alert after recovery (must be 0);
- **duplicate alerts**: items with more than one alert (must be 0);
- **lost emails**: emails marked sent that the SMTP server never received (must be 0);
- **window resends**: second copies of an email that match an attempt interrupted between
  the SMTP server's acceptance and the mark (the documented window; same Message-ID);
- **resends outside window**: any other second copy (must be 0).
"""


def wait_path(path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
