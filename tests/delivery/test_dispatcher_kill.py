"""The real dispatcher process killed mid-send, twice (failpoint after a receiver's 2xx,
before the mark), while the receivers answer 500s and 429s with Retry-After, then run to
the end: nothing lost, and every repeat (webhook, Slack, Teams, Telegram, Discord) carries the same delivery id
and body and fills an attempt the kill interrupted. Both databases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from monitor.delivery.commands import NewDestination, add_destination
from monitor.notify.assemble import Assembler
from monitor.runtime.failpoints import EXIT_CODE
from monitor.store.db import transaction
from monitor.store.tables import channel_messages, destinations
from tests.chaos.harness import record_figures
from tests.delivery.audit import ROW_TITLE, audit_channels
from tests.delivery.receivers import Receivers, Reply
from tests.delivery.test_dispatcher import (
    BOT_TOKEN,
    CHAT,
    DISCORD,
    HOOK,
    SLACK,
    TEAMS,
    subscription_of,
)
from tests.notify.test_mailer import dev_items, ingest, subscribe


def run_dispatcher(settings: Any, tmp_path: Path, name: str, **env: str) -> tuple[int, str]:
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        code = subprocess.call(
            [sys.executable, "-m", "monitor", "run", "--role", "dispatcher", "--once"],
            env={**os.environ, **settings.as_env(), **env},
            stdout=out,
            stderr=out,
            timeout=120,
        )
    return code, log.read_text(errors="replace")


def test_killed_dispatcher_loses_nothing_and_repeats_only_with_the_same_id(
    db_url: str,
    make_settings: Any,
    receivers: Receivers,
    tmp_path: Path,
    engines: Any,
    capsys: Any,
) -> None:
    settings = make_settings(
        database_url=db_url,
        destinations_allow_http=True,
        telegram_bot_token=BOT_TOKEN,
        telegram_api_url=receivers.url(""),
        dispatch_host_spacing=0.0,
        dispatch_per_host=4,
        log_format="json",
    )
    engine = engines(settings.db_url)
    subscribe(engine, "desk@example.org", mode="immediate")
    subscription = subscription_of(engine)
    paths = {
        "webhook": HOOK,
        "slack": SLACK,
        "teams": TEAMS,
        "telegram": f"/bot{BOT_TOKEN}/sendMessage",
        "discord": DISCORD,
    }
    for kind, path in paths.items():
        target = CHAT if kind == "telegram" else receivers.url(path)
        add_destination(settings, engine, NewDestination(subscription, kind, target))
    capsys.readouterr()
    ingest(engine, dev_items())
    assert Assembler(settings, engine).run_once() >= 3
    with transaction(engine) as conn:
        kinds = dict(conn.execute(select(destinations.c.id, destinations.c.kind)).all())
        queued = conn.execute(select(channel_messages)).all()
    assert len(queued) >= 15

    # Receivers that fail on the way: 500s, and 429s asking for a second's pause.
    for path in paths.values():
        receivers.script(
            path,
            Reply(200),
            Reply(500, body="boom"),
            Reply(200),
            Reply(429, {"Retry-After": "1"}, body="slow down"),
        )

    for run, countdown in enumerate((6, 9)):  # killed twice, each time after a 2xx
        code, text = run_dispatcher(
            settings,
            tmp_path,
            f"killed-{run}",
            MONITOR_FAILPOINTS=f"dispatcher.after_accept:{countdown}",
        )
        assert code == EXIT_CODE, text[-2000:]
        assert "failpoint dispatcher.after_accept: exiting" in text
    recovered = False
    for run in range(10):  # then runs to the end, waiting out Retry-After and backoff
        code, text = run_dispatcher(settings, tmp_path, f"restarted-{run}")
        assert code == 0, text[-2000:]
        recovered = recovered or "dispatcher.recovered_interrupted" in text
        with transaction(engine) as conn:
            pending = conn.execute(
                select(channel_messages.c.id).where(channel_messages.c.status != "sent")
            ).all()
        if not pending:
            break
        time.sleep(3)  # backoff after a 500 is 2.5–5 s
    assert recovered  # the dead dispatcher's leases were freed at once, not after 120 s
    answered = {r.status for r in receivers.received}
    assert {200, 500, 429} <= answered  # the failures did happen on the way

    with transaction(engine) as conn:
        rows = conn.execute(select(channel_messages)).all()
    assert all(row.status == "sent" for row in rows)
    names = {
        "webhook": "webhook",
        "slack": "Slack",
        "teams": "Teams",
        "telegram": "Telegram",
        "discord": "Discord",
    }
    audits = audit_channels(list(rows), {d: names[k] for d, k in kinds.items()}, receivers.received)
    assert set(audits) == set(names.values())  # nothing accepted that was not queued
    for name, audit in audits.items():
        assert not audit.problems, (name, audit.problems)
    assert sum(a.lost for a in audits.values()) == 0
    assert sum(a.outside for a in audits.values()) == 0
    assert sum(a.window for a in audits.values()) >= 1  # the kill did catch a send

    database = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
    record_figures(
        f"Destinations: dispatcher killed twice after a 2xx, receivers answering 500 and 429 ({database})",
        {f"{name}: {ROW_TITLE}": audit.row() for name, audit in audits.items()},
        scale=1,
    )
