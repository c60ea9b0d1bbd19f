"""A thread's alert says "also reported by N outlets" in every channel, as its email does:
real reports of one event through the worker with threads, the real assembler and
dispatcher, and loopback receivers playing each service, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import orjson

from monitor.notify.assemble import Assembler
from tests.delivery.receivers import json_of
from tests.delivery.test_dispatcher import (  # noqa: F401
    BOT_TOKEN,
    CHAT,
    DISCORD,
    HOOK,
    SLACK,
    TEAMS,
    add,
    dispatch,
    world,
)
from tests.stream.test_event_threads import (
    EVENT_OF,
    NEW_YORK,
    STORIES,
    item_of,
    make_handler,
    plain_text,
    subscribe,
)

MATTERMOST = "/hooks/mattermost-secret-path-E5"
ALSO = re.compile(r"also reported by (\d+) outlets?")


def test_every_channel_says_also_reported_like_the_email(world: Any, capsys: Any) -> None:  # noqa: F811
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org")
    for kind, target in (
        ("webhook", receivers.url(HOOK)),
        ("slack", receivers.url(SLACK)),
        ("teams", receivers.url(TEAMS)),
        ("telegram", CHAT),
        ("discord", receivers.url(DISCORD)),
        ("mattermost", receivers.url(MATTERMOST)),
    ):
        add(settings, engine, kind, target, capsys)
    # The reports of the Lula–Zelensky meeting in New York on its day, one batch: one
    # thread, one alert (the other reports of the day folded into it).
    now = datetime(2023, 9, 20, 18, tzinfo=UTC)
    reports = [
        item_of(s) for s in STORIES if EVENT_OF[s.story_id] == NEW_YORK and s.day == now.date()
    ]
    outcome = make_handler(engine, clock=lambda: now).handle(reports)
    assert outcome.threaded >= 3 and outcome.folded == outcome.threaded - 1
    assert Assembler(settings, engine).run_once(now) == 1
    in_email = ALSO.search(" ".join(plain_text(engine).split()))
    assert in_email is not None
    count = int(in_email.group(1))
    assert count >= 2
    line = in_email.group(0)
    assert dispatch(settings, engine) == 6

    (webhook,) = receivers.at(HOOK)
    (story,) = json_of(webhook)["groups"][0]["stories"]
    assert story["also_reported"] == count  # machine-readable
    assert story["also_reported_line"] == line  # and in the reader's words
    (slack,) = receivers.at(SLACK)
    section = next(b for b in json_of(slack)["blocks"] if b["type"] == "section")
    assert line in section["text"]["text"]
    (teams,) = receivers.at(TEAMS)
    assert line in orjson.dumps(json_of(teams)).decode()
    (telegram,) = receivers.at(f"/bot{BOT_TOKEN}/sendMessage")
    assert line in json_of(telegram)["text"]
    (discord,) = receivers.at(DISCORD)
    assert line in json_of(discord)["embeds"][0]["description"]
    (mattermost,) = receivers.at(MATTERMOST)
    assert line in json_of(mattermost)["text"]


def test_a_story_without_a_thread_says_nothing_of_it(world: Any, capsys: Any) -> None:  # noqa: F811
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org")
    add(settings, engine, "webhook", receivers.url(HOOK), capsys)
    add(settings, engine, "slack", receivers.url(SLACK), capsys)
    now = datetime(2023, 9, 20, 18, tzinfo=UTC)
    (alone,) = [item_of(s) for s in STORIES if EVENT_OF[s.story_id] == NEW_YORK][:1]
    make_handler(engine, clock=lambda: now).handle([alone])
    assert Assembler(settings, engine).run_once(now) == 1
    assert ALSO.search(plain_text(engine)) is None
    assert dispatch(settings, engine) == 2
    (webhook,) = receivers.at(HOOK)
    (story,) = json_of(webhook)["groups"][0]["stories"]
    assert story["also_reported"] == 0 and story["also_reported_line"] == ""
    (slack,) = receivers.at(SLACK)
    assert "also reported" not in orjson.dumps(json_of(slack)).decode()
