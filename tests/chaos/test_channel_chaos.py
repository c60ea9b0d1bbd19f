"""Chaos for every channel: the dispatcher killed with SIGKILL mid-send, over and over,
while loopback receivers playing a webhook, Slack, Teams, Telegram, Discord and Mattermost answer
500s, 429s with ``Retry-After`` (Telegram's in the JSON body, ``parameters.retry_after``),
answer slowly, and go down for 30 s.

After recovery: every message accepted (0 lost); every post explained by a claimed attempt
(0 outside the acceptance-to-mark window); every accepted repeat byte-identical and with
the same ``X-Monitor-Delivery`` / ``Idempotency-Key``; and no retry came before the
``Retry-After`` a receiver asked for, unless a kill cut the attempt short before its mark.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from bench.corpus import corpus
from monitor.delivery.commands import NewDestination, add_destination
from monitor.notify.assemble import Assembler
from monitor.runtime.failpoints import EXIT_CODE
from monitor.store.db import transaction
from monitor.store.tables import channel_messages, destinations
from tests.chaos.harness import record_figures
from tests.delivery.audit import ROW_TITLE, audit_channels
from tests.delivery.receivers import Received, Receivers, Reply
from tests.delivery.test_dispatcher import (
    BOT_TOKEN,
    CHAT,
    DISCORD,
    HOOK,
    SLACK,
    TEAMS,
    subscription_of,
)
from tests.notify.test_mailer import ingest, subscribe
from tests.roles import RoleProcess, wait_until

pytestmark = pytest.mark.chaos

TELEGRAM = f"/bot{BOT_TOKEN}/sendMessage"
MATTERMOST = "/hooks/mattermost-secret-path-E5"
CHANNELS = {  # destination kind → (receiver path, name in the figures)
    "webhook": (HOOK, "webhook"),
    "slack": (SLACK, "Slack"),
    "teams": (TEAMS, "Teams"),
    "telegram": (TELEGRAM, "Telegram"),
    "discord": (DISCORD, "Discord"),
    "mattermost": (MATTERMOST, "Mattermost"),
}
OUTAGE = 30.0  # seconds the receivers are down (the figure)
HEADER_WAIT = 3  # Retry-After the services' 429s ask for
# Telegram's 429 says how long to wait only in its JSON body. Longer than the backoff of a
# first, second or third attempt (at most 4 s here), so a retry that ignored it would
# come too soon.
TELEGRAM_WAIT = 8


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    server = Receivers().start()
    yield server
    server.stop()


def telegram_429(wait: int) -> Reply:
    body = {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {wait}",
        "parameters": {"retry_after": wait},
    }
    return Reply(429, {"Content-Type": "application/json"}, body=orjson.dumps(body).decode())


def weather(kind: str, count: int, rng: random.Random) -> list[Reply]:
    """``count`` answers: half of them fine, the rest 500s, 429s and slow 200s."""
    replies = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5:
            replies.append(Reply(200))
        elif roll < 0.65:
            replies.append(Reply(500, body="internal error"))
        elif roll < 0.78:
            if kind == "telegram":
                replies.append(telegram_429(TELEGRAM_WAIT))
            else:
                replies.append(Reply(429, {"Retry-After": str(HEADER_WAIT)}, body="slow down"))
        else:
            replies.append(Reply(200, delay=rng.uniform(1.0, 3.0)))
    return replies


def asked_wait(received: Received) -> float | None:
    """The pause a 429 asked for: its Retry-After header, or Telegram's body."""
    if received.status != 429:
        return None
    if "Retry-After" in received.reply_headers:
        return float(received.reply_headers["Retry-After"])
    return float(orjson.loads(received.reply_body)["parameters"]["retry_after"])


@dataclass
class Killer:
    """Restarts the dispatcher whenever it dies, and kills it (SIGKILL) every few seconds;
    every third start is armed to die right after a receiver's 2xx, before the mark, and
    is spared the SIGKILL for up to 8 s to get there."""

    role: RoleProcess
    rng: random.Random
    sigkills: int = 0
    failpoint_exits: int = 0
    deaths: list[float] = field(default_factory=list)  # time.time() of each
    armed_until: float = 0.0  # time.monotonic()

    def start(self) -> None:
        armed = self.role.starts % 3 == 2
        countdown = self.rng.randint(2, 8)
        self.role.extra_env = (
            {"MONITOR_FAILPOINTS": f"dispatcher.after_accept:{countdown}"} if armed else {}
        )
        self.armed_until = time.monotonic() + 8.0 if armed else 0.0
        self.role.start()

    def tend(self, kill: bool) -> bool:
        """Restart a dead dispatcher; SIGKILL a live one if ``kill``. True if killed."""
        if not self.role.alive:
            assert self.role.process is not None
            assert self.role.process.returncode == EXIT_CODE, self.role.log()[-4000:]
            self.failpoint_exits += 1
            self.deaths.append(time.time())
            self.start()
        elif kill and time.monotonic() >= self.armed_until:
            self.role.kill()
            self.sigkills += 1
            self.deaths.append(time.time())
            self.start()
            return True
        return False


def pending(engine: Any) -> int:
    with transaction(engine) as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(channel_messages)
                .where(channel_messages.c.status == "pending")
            ).scalar_one()
        )


@pytest.mark.timeout(1800)  # make chaos-channels (scale 5) runs for many minutes
def test_every_channel_survives_outages_429s_and_a_dispatcher_killed_mid_send(
    pg_url: str,
    make_settings: Any,
    receivers: Receivers,
    engines: Any,
    tmp_path: Path,
    chaos_scale: float,
    capsys: Any,
) -> None:
    settings = make_settings(
        database_url=pg_url,
        destinations_allow_http=True,
        telegram_bot_token=BOT_TOKEN,
        telegram_api_url=receivers.url(""),
        dispatch_per_host=12,  # 2 per host in production; the six receivers share 127.0.0.1
        dispatch_host_spacing=0.0,
        dispatch_max_attempts=40,
        dispatch_retry_base=1.0,  # backoff 0.5–1 s, 1–2 s … so the test ends within minutes
        # The 30 s outage costs each message several attempts; without a cap the doubling
        # then waits minutes (2–9 for the eighth to eleventh attempt) after the receivers return.
        dispatch_retry_cap=15.0,
        log_format="json",
    )
    engine = engines(settings.db_url)
    subscribe(engine, "desk@example.org", mode="immediate")
    subscription = subscription_of(engine)
    for kind, (path, _) in CHANNELS.items():
        target = CHAT if kind == "telegram" else receivers.url(path)
        add_destination(settings, engine, NewDestination(subscription, kind, target))
    capsys.readouterr()  # the webhook's signing secret
    ingest(engine, corpus(int(250 * chaos_scale), seed=18))
    assert Assembler(settings, engine).run_once() >= 50 * chaos_scale
    with transaction(engine) as conn:
        kinds = dict(conn.execute(select(destinations.c.id, destinations.c.kind)).all())
        queued = int(conn.execute(select(func.count()).select_from(channel_messages)).scalar_one())
    per_channel = queued // len(CHANNELS)

    rng = random.Random(18)
    for kind, (path, _) in CHANNELS.items():
        receivers.script(path, *weather(kind, per_channel // 2, rng))
    dispatcher = RoleProcess("dispatcher", settings, tmp_path / "logs")
    killer = Killer(dispatcher, rng)
    started = time.monotonic()
    killer.start()
    outage = (started + 8.0, started + 8.0 + OUTAGE)
    next_kill = started + rng.uniform(1.0, 4.0)
    down = False
    try:
        while pending(engine) or time.monotonic() < outage[1]:
            now = time.monotonic()
            if not down and outage[0] <= now < outage[1]:
                receivers.down()
                down = True
            elif down and now >= outage[1]:
                receivers.up()
                down = False
                for kind, (path, _) in CHANNELS.items():  # a second bad spell on the way back
                    receivers.script(path, *weather(kind, per_channel // 5, rng))
            # Killed until 20 s after the outage; then left to finish its backoffs (each
            # kill counts an attempt of every message it holds, and backoff doubles).
            due = now >= next_kill and now < outage[1] + 20.0
            if killer.tend(due):
                next_kill = now + rng.uniform(1.0, 4.0)
            assert now - started < 240 * (1 + chaos_scale), dispatcher.log()[-4000:]
            time.sleep(0.1)
        wait_until(lambda: receivers.in_flight == 0, 10, what="the receivers to answer")
    finally:
        dispatcher.stop()
    wall = time.monotonic() - started

    with transaction(engine) as conn:
        rows = conn.execute(select(channel_messages)).all()
    assert Counter(row.status for row in rows) == {"sent": len(rows)}
    names = {destination: CHANNELS[kind][1] for destination, kind in kinds.items()}
    audits = audit_channels(list(rows), names, receivers.received)
    assert set(audits) == {name for _, name in CHANNELS.values()}
    for name, audit in audits.items():
        assert not audit.problems, (name, audit.problems[:5])
    assert sum(a.lost for a in audits.values()) == 0
    assert sum(a.outside for a in audits.values()) == 0

    # Retry-After honoured: the next post of that message came no sooner than asked,
    # unless a kill fell between the 429 and that post (the answer was never marked).
    by_id: dict[str, list[Received]] = {}
    for got in sorted(receivers.received, key=lambda r: r.at):
        by_id.setdefault(got.headers["X-Monitor-Delivery"], []).append(got)
    honoured: Counter[str] = Counter()
    for posts in by_id.values():
        for got, after in pairwise(posts):
            wait = asked_wait(got)
            if wait is None:
                continue
            channel = "Telegram (body)" if got.path == TELEGRAM else "header"
            if after.at >= got.at + wait - 0.05:
                honoured[f"{channel} honoured"] += 1
            elif any(got.at <= death <= after.at for death in killer.deaths):
                honoured[f"{channel} cut short by a kill"] += 1
            else:
                honoured[f"{channel} NOT honoured"] += 1
    assert not [k for k in honoured if "NOT" in k], honoured
    assert honoured["Telegram (body) honoured"] >= 3 and honoured["header honoured"] >= 3

    answers = Counter(r.status for r in receivers.received)
    slow = sum(1 for r in receivers.received if r.delay > 0)
    assert answers[500] >= 10 and answers[429] >= 10 and slow >= 10
    assert killer.sigkills >= 8 and killer.failpoint_exits >= 2
    assert sum(a.window for a in audits.values()) >= 1  # some kill did land in the window
    assert "dispatcher.recovered_interrupted" in dispatcher.log()

    record_figures(
        "Destinations: chaos on every channel (PostgreSQL)",
        {
            "messages queued (6 channels)": len(rows),
            "receivers down (s)": f"{OUTAGE:g}",
            "dispatcher SIGKILLs": killer.sigkills,
            "dispatcher deaths right after a 2xx (failpoint)": killer.failpoint_exits,
            "answers 500 / 429 / slow 200 (1–3 s)": (f"{answers[500]} / {answers[429]} / {slow}"),
            "429s honoured / cut short by a kill (header)": (
                f"{honoured['header honoured']} / {honoured['header cut short by a kill']}"
            ),
            "429s honoured / cut short by a kill (Telegram body)": (
                f"{honoured['Telegram (body) honoured']} / "
                f"{honoured['Telegram (body) cut short by a kill']}"
            ),
            "most attempts of one message": max(row.attempts for row in rows),
            "wall time (s)": round(wall),
            **{f"{name}: {ROW_TITLE}": audits[name].row() for _, name in CHANNELS.values()},
        },
        scale=chaos_scale,
    )
