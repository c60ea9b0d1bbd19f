"""Chaos: one of two mailer processes (MONITOR_MAILER_PROCESSES=2) killed mid-send.

The mailer role runs as `monitor run --role mailer`, which supervises one process per
partition of the subscribers; a SIGKILL of one of them mid-send, against the real SMTP
sink on loopback and PostgreSQL, loses nothing, repeats nothing outside the
acceptance-to-mark window, and never lets the other process take a subscriber it does not
own (the supervisor restarts the killed one, which finishes its own subscribers' emails).
"""

from __future__ import annotations

import os
import signal
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.runtime.heartbeat import read_heartbeats
from monitor.store.db import make_engine, transaction
from monitor.store.tables import deliveries, email_attempts, emails
from tests.chaos.harness import audit_emails, read_ledger, record_figures
from tests.notify.test_mailer import dev_items, ingest, subscribe
from tests.roles import RoleProcess, wait_until
from tests.stream.test_handler import items_of

pytestmark = pytest.mark.chaos


def _pending_per_partition(engine: Any) -> dict[int, int]:
    with transaction(engine) as conn:
        rows = conn.execute(
            select(deliveries.c.subscriber_id, func.count())
            .where(deliveries.c.status == "pending")
            .group_by(deliveries.c.subscriber_id)
        ).all()
    counts = {0: 0, 1: 0}
    for subscriber_id, n in rows:
        counts[int(subscriber_id) % 2] += int(n)
    return counts


def test_one_of_two_mailer_processes_killed_mid_send_loses_nothing(
    pg_url: str, make_settings: Any, smtp_sink: Any, tmp_path: Path, chaos_scale: float
) -> None:
    settings = make_settings(
        database_url=pg_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_security="none",
        db_timeout=5.0,
        mailer_processes=2,
    )
    engine = make_engine(settings.db_url)
    try:
        people = [
            subscribe(engine, f"reader{n}@example.org", mode="immediate")
            for n in range(int(40 * chaos_scale))
        ]
        ingest(engine, dev_items() + items_of("dev-wire-es.xml", "Dev wire"))
        due = _pending_per_partition(engine)
        assert due[0] > 300 and due[1] > 300  # immediate, no cap: one email per delivery
        owner = {f"reader{n}@example.org": p % 2 for n, p in enumerate(people)}

        def sent_by(partition: int) -> int:
            return sum(1 for r in smtp_sink.received if owner[r.rcpt_tos[0]] == partition)

        mailer = RoleProcess("mailer", settings, tmp_path / "logs").start()
        try:
            # Kill the second process once a fifth of its subscribers' emails are out.
            wait_until(
                lambda: sent_by(1) >= due[1] // 5 and "mailer-2" in read_heartbeats(settings),
                180,
                what="the second mailer process to be sending",
            )
            victim = int(str(read_heartbeats(settings)["mailer-2"]["pid"]))
            os.kill(victim, signal.SIGKILL)
            at_kill = sent_by(1)
            assert at_kill < due[1], "killed after it had finished: not mid-send"

            def settled() -> bool:
                with transaction(engine) as conn:
                    waiting = conn.execute(
                        select(func.count()).select_from(emails).where(emails.c.status == "pending")
                    ).scalar_one()
                return not any(_pending_per_partition(engine).values()) and waiting == 0

            wait_until(settled, 240, interval=1.0, what="every email to be sent")
            beats = read_heartbeats(settings)
        finally:
            code, _ = mailer.stop()
        assert code == 0, mailer.log()[-3000:]
        ledger = read_ledger(engine)
        with transaction(engine) as conn:
            attempts = conn.execute(
                select(emails.c.subscriber_id, email_attempts.c.worker).join(
                    email_attempts, email_attempts.c.email_id == emails.c.id
                )
            ).all()
    finally:
        engine.dispose()

    audit = audit_emails(ledger, smtp_sink.received)
    roles: dict[int, set[str]] = defaultdict(set)
    pids: dict[str, set[str]] = defaultdict(set)
    for subscriber_id, worker in attempts:
        _host, pid, role, _app = worker.split(":")
        roles[subscriber_id].add(role)
        pids[role].add(pid)
    figures = {
        "mailer processes": 2,
        "mailer process kills (SIGKILL)": 1,
        "emails sent (outbox)": ledger.emails_by_status.get("sent", 0),
        "emails received (SMTP)": audit.received,
        "sent by the killed process's partition before the kill": at_kill,
        "attempts interrupted by the kill (recovered)": sum(ledger.interrupted_by_message.values()),
        "lost emails": audit.lost,
        "window resends (same Message-ID)": audit.window_resends,
        "resends outside window": audit.resends_outside_window,
        "subscribers served by more than one partition": sum(
            1 for r in roles.values() if len(r) > 1
        ),
    }
    record_figures("One of two mailer processes killed mid-send", figures, scale=chaos_scale)
    assert ledger.emails_by_status == {"sent": due[0] + due[1]}
    assert audit.lost == 0 and audit.resends_outside_window == 0
    assert audit.copies_identical
    # One sending flow: the email accepted last and the one whose mark was still committing.
    assert audit.window_resends <= 2
    # Every subscriber was served by the partition that owns it, and only by it.
    for subscriber_id, served in roles.items():
        assert served == {f"mailer-{subscriber_id % 2 + 1}"}, (subscriber_id, served)
    assert set(roles) == set(people)
    # The killed process's partition was finished by its restarted successor.
    assert str(victim) in pids["mailer-2"] and len(pids["mailer-2"]) == 2
    assert int(str(beats["mailer-2"]["pid"])) != victim
    assert pids["mailer-1"] and not pids["mailer-1"] & pids["mailer-2"]
