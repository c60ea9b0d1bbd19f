"""`monitor subscriber delete ADDRESS` forgets a person: nothing with their address or id remains."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, func, select

from monitor.matching.topic_set import TopicSet, classify_all
from monitor.notify.mailer import Mailer
from monitor.notify.transport import OutboxDirTransport
from monitor.store.db import transaction
from monitor.store.tables import deliveries, emails, metadata, subscribers
from monitor.stream.handler import ItemHandler
from monitor.subscriptions.fanout import SubscriptionIndex
from tests.cli.conftest import Cli
from tests.stream.test_handler import MENAFN, RIO, TOPIC

GONE = "Forget.Me@Example.org"
KEPT = "stays@example.org"


def _mail_everything(settings: Any, engine: Any) -> None:
    handler = ItemHandler(
        engine=engine,
        classify=functools.partial(classify_all, TopicSet((TOPIC,))),
        subscriptions=SubscriptionIndex(recheck_seconds=0),
    )
    handler.handle(RIO + MENAFN)

    async def send() -> None:
        mailer = Mailer(settings, engine, OutboxDirTransport(settings.outbox_path), worker="t")
        await mailer.pass_once()

    asyncio.run(send())


def _everything_mentioning(conn: Any, text: str) -> list[str]:
    """Every (table, column) whose value contains ``text``, case-insensitively."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            value = cast(column, String) if not isinstance(column.type, String) else column
            if column.name == "raw":  # the stored message (bytes)
                hits = [r for r in conn.execute(select(column)).scalars()
                        if text.lower().encode() in bytes(r).lower()]
            else:
                hits = conn.execute(
                    select(func.count()).where(func.lower(value).contains(text.lower()))
                ).scalar()
            if hits:
                found.append(f"{table.name}.{column.name}")
    return found


def _rows_of_subscriber(conn: Any, subscriber_id: int) -> list[str]:
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            about_them = column.name == "subscriber_id" or (
                table is subscribers and column.name == "id"
            )
            if about_them and conn.execute(
                select(func.count()).where(column == subscriber_id)
            ).scalar():
                found.append(f"{table.name}.{column.name}")
    return found


def test_delete_by_address_erases_the_person_and_their_emails(
    monitor_cli: Cli, cli_settings: Any, engines: Any
) -> None:
    for address in (GONE, KEPT):
        added = monitor_cli("subscriber", "add", address, "--name", "Someone", "--confirmed")
        assert added.returncode == 0, added.stderr
    # An unconfirmed second subscription of the same person has a confirmation email too.
    assert monitor_cli("subscriber", "add", "other@example.org").returncode == 0
    engine = engines(cli_settings.db_url)
    _mail_everything(cli_settings, engine)
    outbox = Path(cli_settings.outbox_path)
    with transaction(engine) as conn:
        gone_id = conn.execute(
            select(subscribers.c.id).where(subscribers.c.email == GONE.lower())
        ).scalar_one()
        assert conn.execute(select(func.count()).select_from(deliveries)
                            .where(deliveries.c.subscriber_id == gone_id)).scalar()
        assert conn.execute(select(func.count()).select_from(emails)
                            .where(emails.c.subscriber_id == gone_id)).scalar()
        kept_before = _everything_mentioning(conn, KEPT)
        assert {"subscribers.email", "emails.recipient", "emails.raw"} <= set(kept_before)
        assert _everything_mentioning(conn, GONE) == kept_before  # the search finds them
    assert any(GONE.lower().encode() in p.read_bytes().lower() for p in outbox.glob("*.eml"))

    bare = monitor_cli("subscriber", "delete", "3")  # a bare number is ambiguous
    assert bare.returncode == 2 and "--id" in bare.stderr
    result = monitor_cli("subscriber", "delete", GONE.upper())
    assert result.returncode == 0, result.stderr
    assert f"subscriber {gone_id} erased" in result.stdout and "1 outbox files" in result.stdout

    with transaction(engine) as conn:
        assert _everything_mentioning(conn, GONE) == []
        assert _rows_of_subscriber(conn, gone_id) == []
        assert _everything_mentioning(conn, KEPT) == kept_before  # only they were erased
    leftovers = [p.name for p in outbox.iterdir() if GONE.lower().encode() in p.read_bytes().lower()]
    assert leftovers == []
    assert any(KEPT.encode() in p.read_bytes() for p in outbox.glob("*.eml"))
    again = monitor_cli("subscriber", "delete", GONE)
    assert again.returncode == 2 and "no subscriber" in again.stderr
    by_id = monitor_cli("subscriber", "delete", "--id", "3")
    assert by_id.returncode == 0 and "subscriber 3 erased" in by_id.stdout
