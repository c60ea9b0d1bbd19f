"""Backfills and replays never send a story twice."""

from __future__ import annotations

from typing import Any

from monitor.store.db import transaction
from monitor.store.subscribers import list_subscriptions
from monitor.subscriptions.backfill import run_backfill
from tests.notify.test_mailer import dev_items, ingest, run_pass, subscribe, world  # noqa: F401
from tests.stream.test_handler import MENAFN, RIO


def test_backfill_and_replay_send_nothing_twice(world: Any, capsys: Any) -> None:  # noqa: F811
    settings, engine, sink = world
    early = subscribe(engine, "early@example.org", mode="immediate")
    stream = RIO + MENAFN + dev_items()
    ingest(engine, stream)
    run_pass(settings, engine)
    first_wave = len(sink.received)
    assert first_wave >= 3 and {m.rcpt_tos[0] for m in sink.received} == {"early@example.org"}

    # The early subscriber already has everything: a backfill adds nothing.
    with transaction(engine) as conn:
        (early_sub,) = list_subscriptions(conn, early)
    run_backfill(settings, early_sub.id, days=7)
    assert "0 queued" in capsys.readouterr().out

    # A subscriber who joins later gets the past matches once, as one digest.
    late = subscribe(engine, "late@example.org", mode="immediate", query="Brazil OR Brasil OR Lula")
    with transaction(engine) as conn:
        (late_sub,) = list_subscriptions(conn, late)
    run_backfill(settings, late_sub.id, days=7)
    out = capsys.readouterr().out
    assert "queued as one digest" in out and " 0 queued" not in out
    run_pass(settings, engine)
    late_mail = [m for m in sink.received if m.rcpt_tos == ["late@example.org"]]
    assert len(late_mail) == 1 and "digest" in str(late_mail[0].message["Subject"]).lower()

    # Again, and a replay of the whole stream: nothing new for anyone.
    run_backfill(settings, late_sub.id, days=7)
    ingest(engine, stream)
    run_pass(settings, engine)
    assert len(sink.received) == first_wave + 1
    ids = [m.message_id for m in sink.received]
    assert len(ids) == len(set(ids))
