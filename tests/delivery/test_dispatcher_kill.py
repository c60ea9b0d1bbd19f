"""The real dispatcher process killed mid-send (failpoint after a receiver's 2xx, before
the mark), then restarted: nothing lost, and every repeat (webhook, Slack, Teams, Telegram, Discord) carries the same delivery id
and body and fills an attempt the kill interrupted. Both databases."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select

from monitor.delivery.commands import NewDestination, add_destination
from monitor.failpoints import EXIT_CODE
from monitor.notify.assemble import Assembler
from monitor.store.db import transaction
from monitor.store.tables import channel_messages, destinations
from tests.chaos.harness import record_figures
from tests.delivery.receivers import Receivers
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
    db_url: str, make_settings: Any, receivers: Receivers, tmp_path: Path, engines: Any,
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

    code, text = run_dispatcher(
        settings, tmp_path, "killed", MONITOR_FAILPOINTS="dispatcher.after_accept:6"
    )
    assert code == EXIT_CODE, text[-2000:]
    assert "failpoint dispatcher.after_accept: exiting" in text
    code, text = run_dispatcher(settings, tmp_path, "restarted")
    assert code == 0, text[-2000:]
    assert "dispatcher.recovered_interrupted" in text  # freed at once, not after the lease

    with transaction(engine) as conn:
        rows = conn.execute(select(channel_messages)).all()
    assert all(row.status == "sent" for row in rows)
    copies: dict[str, list[bytes]] = defaultdict(list)
    for received in receivers.received:
        copies[received.headers["X-Monitor-Delivery"]].append(received.body)
    figures: dict[str, Any] = {}
    for kind in paths.values():
        figures[kind] = {"messages": 0, "received": 0, "lost": 0, "window": 0, "outside": 0}
    for row in rows:
        path = paths[kinds[row.destination_id]]
        got = copies.get(row.delivery_id, [])
        tally = figures[path]
        tally["messages"] += 1
        tally["received"] += len(got)
        tally["lost"] += not got
        # A repeat is inside the window when it fills an attempt the kill interrupted:
        # never more copies than attempts, and every copy byte-identical.
        tally["window"] += min(len(got), row.attempts) - 1 if got else 0
        tally["outside"] += max(0, len(got) - row.attempts)
        assert len(set(got)) <= 1, "a repeat must be the same message"
    assert set(copies) == {row.delivery_id for row in rows}  # nothing else was sent
    assert sum(t["lost"] for t in figures.values()) == 0
    assert sum(t["outside"] for t in figures.values()) == 0
    assert sum(t["window"] for t in figures.values()) >= 1  # the kill did catch a send

    names = {
        HOOK: "webhook",
        SLACK: "Slack",
        TEAMS: "Teams",
        paths["telegram"]: "Telegram",
        DISCORD: "Discord",
    }
    database = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
    record_figures(
        f"Destinations: dispatcher killed after a 2xx, before the mark ({database})",
        {
            f"{names[path]}: messages / received / lost / window resends / outside window": (
                f"{t['messages']} / {t['received']} / {t['lost']} / {t['window']} / {t['outside']}"
            )
            for path, t in figures.items()
        },
        scale=1,
    )
