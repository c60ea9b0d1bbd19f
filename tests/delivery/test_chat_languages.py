"""Chat and webhook messages in the reader's language, through the real assembler and
dispatcher to loopback receivers playing each service, on SQLite and PostgreSQL: the
formatters' words, category and country names, the local date and the counts are in it;
the webhook's JSON keys and machine-readable values are the same in every language; the
story's own text stays as published and is escaped for each channel."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import orjson

from monitor.delivery.commands import send_trial
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
from tests.notify.test_languages import HOSTILE_TITLE, hostile_copies
from tests.notify.test_mailer import dev_items, ingest, subscribe

WHEN_ES = "lun, 11 de dic de 2023, 10:07 UTC-03"  # 13:07 UTC, in São Paulo
MESSAGE_KEYS = {"delivery_id", "kind", "heading", "subscription", "created", "total",
                "language", "groups"}
STORY_KEYS = {"title", "url", "outlet", "published", "category", "countries", "snippet", "when",
              "also_reported", "also_reported_line"}


def test_an_alert_reaches_every_channel_in_spanish(world: Any, capsys: Any) -> None:  # noqa: F811
    settings, engine, receivers = world
    subscribe(engine, "mesa@example.org", tz="America/Sao_Paulo", mode="immediate",
              language="es")
    for kind, target in (("webhook", receivers.url(HOOK)), ("slack", receivers.url(SLACK)),
                         ("teams", receivers.url(TEAMS)), ("telegram", CHAT),
                         ("discord", receivers.url(DISCORD))):
        add(settings, engine, kind, target, capsys)
    ingest(engine, hostile_copies())
    assert Assembler(settings, engine).run_once() == 1
    assert dispatch(settings, engine) == 5

    (webhook,) = receivers.at(HOOK)
    sent = json_of(webhook)
    assert set(sent) == MESSAGE_KEYS and sent["language"] == "es" and sent["kind"] == "alert"
    (story,) = sent["groups"][0]["stories"]
    assert set(story) == STORY_KEYS
    assert story["title"] == HOSTILE_TITLE  # as published; the receiver escapes it
    assert story["published"] == "2023-12-11T13:07:44+00:00"  # machine-readable, UTC
    assert story["when"] == WHEN_ES and story["category"] == "Plan de paz"

    (slack,) = receivers.at(SLACK)
    posted = json_of(slack)
    assert "&lt;script&gt;" in posted["text"] and "<script>" not in posted["text"]
    sections = [b for b in posted["blocks"] if b["type"] == "section"]
    assert sections[0]["accessory"]["text"]["text"] == "Abrir"
    assert WHEN_ES in sections[0]["text"]["text"]

    (teams,) = receivers.at(TEAMS)
    assert WHEN_ES in orjson.dumps(json_of(teams)).decode()

    (telegram,) = receivers.at(f"/bot{BOT_TOKEN}/sendMessage")
    text = json_of(telegram)["text"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    assert WHEN_ES in text

    (discord,) = receivers.at(DISCORD)
    embeds = json_of(discord)["embeds"]
    assert "lun, 11 de dic de 2023" in embeds[0]["description"]
    assert "\\<script\\>" in embeds[0]["description"]  # markdown-escaped


WHEN_UK = "пн, 11 груд. 2023 р., 10:07 UTC-03"


def test_an_alert_reaches_a_chat_and_a_webhook_in_ukrainian(world: Any, capsys: Any) -> None:  # noqa: F811
    settings, engine, receivers = world
    subscribe(engine, "desk@example.org", tz="America/Sao_Paulo", mode="immediate",
              language="uk")
    add(settings, engine, "webhook", receivers.url(HOOK), capsys)
    add(settings, engine, "telegram", CHAT, capsys)
    ingest(engine, hostile_copies())
    assert Assembler(settings, engine).run_once() == 1
    assert dispatch(settings, engine) == 2

    (webhook,) = receivers.at(HOOK)
    sent = json_of(webhook)
    assert set(sent) == MESSAGE_KEYS and sent["language"] == "uk" and sent["kind"] == "alert"
    (story,) = sent["groups"][0]["stories"]
    assert story["title"] == HOSTILE_TITLE  # as published; the receiver escapes it
    assert story["published"] == "2023-12-11T13:07:44+00:00"  # machine-readable, UTC
    assert story["when"] == WHEN_UK and story["category"] == "Мирний план"

    (telegram,) = receivers.at(f"/bot{BOT_TOKEN}/sendMessage")
    text = json_of(telegram)["text"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    # The date and the countries (CLDR's names) in Ukrainian; the snippet as published.
    assert f"The Rio Times · {WHEN_UK} · Парагвай, Еквадор, Уругвай, Аргентина" in text
    assert "Mon, 11 Dec" not in text and "Ukrainian President" in text


def test_a_digest_reaches_chats_in_portuguese_with_its_counts(world: Any, capsys: Any) -> None:  # noqa: F811
    settings, engine, receivers = world
    subscribe(engine, "mesa@example.org", tz="America/Sao_Paulo", mode="daily",
              digest_time="08:00", language="pt")
    add(settings, engine, "webhook", receivers.url(HOOK), capsys)
    add(settings, engine, "telegram", CHAT, capsys)
    ingest(engine, dev_items(), now=datetime(2026, 3, 27, 15, 0, tzinfo=UTC))
    due = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)  # 08:00 in São Paulo
    assert Assembler(settings, engine).run_once(due) == 1
    assert dispatch(settings, engine, due) == 2
    (webhook,) = receivers.at(HOOK)
    digest = json_of(webhook)
    total = digest["total"]
    assert total >= 3 and set(digest) == MESSAGE_KEYS
    assert digest["heading"] == f"Resumo diário: {total} notícias (28 de mar. de 2026)"
    assert all(" — " in group["name"] for group in digest["groups"])
    (telegram,) = receivers.at(f"/bot{BOT_TOKEN}/sendMessage")
    text = json_of(telegram)["text"]
    more = re.search(r"…e mais (\d+) notícias no resumo por e-mail", text)
    assert more is not None and text.count("• <b>") + int(more.group(1)) == total
    assert "more stories in the email digest" not in text


def test_the_test_message_is_in_the_readers_language(world: Any, capsys: Any) -> None:  # noqa: F811
    settings, engine, receivers = world
    subscribe(engine, "mesa@example.org", mode="immediate", language="pt")
    slack, _ = add(settings, engine, "slack", receivers.url(SLACK), capsys)
    assert asyncio.run(send_trial(settings, engine, slack)).kind == "sent"
    (got,) = receivers.at(SLACK)
    dumped = orjson.dumps(json_of(got)).decode()
    assert "Mensagem de teste do monitor" in dumped
    assert "Este destino está configurado; os alertas chegarão aqui." in dumped
