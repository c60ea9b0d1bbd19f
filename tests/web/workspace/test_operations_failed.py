"""Operations › Failed deliveries: emails and channel messages that failed for good, in
keyset pages newest first, and their retry — on both databases, through the real web
role; a retried email goes through the real mailer to the SMTP sink, once, as it was."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import update

from monitor.store import channel_ledger, outbox
from monitor.store.db import transaction
from monitor.store.failed_deliveries import EMAIL, MESSAGE, FailedKey
from monitor.store.tables import channel_messages, emails
from monitor.web.workspace.keyset import decode_failed_key, encode_failed_key
from monitor.web.workspace.operations_failed import PAGE_SIZE
from tests.web.helpers import person
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site, csrf_of
from tests.web.workspace.test_coverage_pages import assert_only_our_markup
from tests.web.workspace.test_operators import monitor

OPERATOR = "ops@example.org"
ITEM = re.compile(r'<tr id="(email|message)-(\d+)">')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev">')


def shown(page: str) -> list[str]:
    return [f"{source}:{number}" for source, number in ITEM.findall(page)]


def link(pattern: re.Pattern[str], page: str) -> str | None:
    found = pattern.search(page)
    return html.unescape(found[1]) if found else None


def queue(site: Site, subscriber_id: int, address: str, key: str, kind: str = "alert") -> int:
    """An email in the outbox as the assembler queues one."""
    message = EmailMessage()
    message["From"] = "monitor@example.org"
    message["To"] = address
    message["Subject"] = f"Alert {key}"
    message["Message-ID"] = f"<{key}@alerts.example.org>"
    message.set_content(f"The story {key}.")
    with transaction(site.engine) as conn:
        email_id, _ = outbox.queue_email(
            conn,
            subscriber_id=subscriber_id,
            kind=kind,
            dedup_key=key,
            message_id=message["Message-ID"],
            recipient=address,
            subject=message["Subject"],
            raw=message.as_bytes(),
            now=datetime.now(UTC),
        )
    return email_id


def fail(site: Site, table: object, row_id: int, at: datetime, why: str) -> None:
    with transaction(site.engine) as conn:
        conn.execute(
            update(table)  # type: ignore[arg-type]
            .where(table.c.id == row_id)  # type: ignore[attr-defined]
            .values(status="failed", created_at=at, last_error=why, attempts=5)
        )


async def retry(site: Site, fields: list[tuple[str, str]]) -> tuple[int, str]:
    """Post the retry form with these fields (a field may repeat, as ticked boxes do)."""
    response = await site.client.post(
        "/operations/failed/retry", data=fields, allow_redirects=False
    )
    return response.status, await response.text()


def status_of(site: Site, email_id: int) -> str:
    with transaction(site.engine) as conn:
        row: Any = outbox_row(conn, email_id)
        return str(row.status)


def outbox_row(conn: object, email_id: int) -> object:
    from sqlalchemy import select

    return conn.execute(select(emails).where(emails.c.id == email_id)).one()  # type: ignore[attr-defined]


def test_failed_items_are_paged_newest_first_and_retried_once_as_they_were(run: Run) -> None:
    async def body(site: Site) -> None:
        await site.sign_in(OPERATOR)
        desk, subscription = person(site.engine, "desk@example.org")
        new, _ = person(site.engine, "new@example.org", confirmed=False)

        # A real permanent failure: the mail server refuses the address.
        site.sink.handler.reject_rcpt.add("desk@example.org")
        real = queue(site, desk, "desk@example.org", "story-real")
        site.seen = len(site.sink.received)
        assert await site.deliver() == []
        assert status_of(site, real) == "failed"

        # Older failures, emails and chat messages, some at the very same moment.
        start = datetime.now(UTC) - timedelta(days=1)
        older = []
        for i in range(2 * PAGE_SIZE):
            email_id = queue(site, desk, "desk@example.org", f"story-{i}")
            fail(site, emails, email_id, start - timedelta(minutes=i), f"550 refused {i}")
            older.append(f"{EMAIL}:{email_id}")
        with transaction(site.engine) as conn:
            destination = channel_ledger.add_destination(
                conn,
                subscription_id=subscription,
                kind="slack",
                target="sealed",
                target_hint="https://hooks.slack.com/…",
                signing_secret=None,
                now=start,
            )
            channel_ledger.queue_messages(
                conn,
                [
                    channel_ledger.NewChannelMessage(destination, f"m{i}", "alert", {"n": i})
                    for i in range(3)
                ],
                now=start,
            )
            message_ids = [row.id for row in channel_ledger.messages_of(conn, destination)]
        for i, message_id in enumerate(message_ids):  # at the times of emails 4, 5 and 6
            fail(site, channel_messages, message_id, start - timedelta(minutes=4 + i), "HTTP 410")
        confirm = queue(site, new, "new@example.org", "confirm-new", kind="confirm")
        fail(site, emails, confirm, start - timedelta(days=1), "550 refused")

        # Newest first; at equal times messages before emails, then by id.
        expected = [f"{EMAIL}:{real}"]
        for i, ref in enumerate(older):
            if 4 <= i <= 6:
                expected.append(f"{MESSAGE}:{message_ids[i - 4]}")
            expected.append(ref)
        expected.append(f"{EMAIL}:{confirm}")
        assert len(expected) == 2 * PAGE_SIZE + 5

        response, first = await site.get("/operations/failed")
        assert response.status == 200
        assert shown(first) == expected[:PAGE_SIZE]
        assert f"{len(expected)} failed deliveries" in first and link(PREVIOUS, first) is None
        assert "550 5.1.1 mailbox unavailable" in first and "https://hooks.slack.com/…" in first
        assert (
            'aria-label="Retry email:' in first and 'class="visually-hidden">Select email:' in first
        )
        assert_only_our_markup(first)
        second_url = link(NEXT, first)
        assert second_url is not None
        _, second = await site.get(second_url)
        assert shown(second) == expected[PAGE_SIZE : 2 * PAGE_SIZE]
        third_url = link(NEXT, second)
        assert third_url is not None
        _, third = await site.get(third_url)
        assert shown(third) == expected[2 * PAGE_SIZE :] and link(NEXT, third) is None
        back_url = link(PREVIOUS, third)
        assert back_url is not None
        _, back = await site.get(back_url)
        assert shown(back) == expected[PAGE_SIZE : 2 * PAGE_SIZE]
        back_again = link(PREVIOUS, back)
        assert back_again is not None
        _, again = await site.get(back_again)
        assert shown(again) == expected[:PAGE_SIZE] and link(PREVIOUS, again) is None
        response, bad = await site.get("/operations/failed", params={"after": "1.parcel.2"})
        assert "That page link is not valid" in bad and shown(bad) == expected[:PAGE_SIZE]

        # Retry the real one once the address works: the sink gets it once, as it was.
        token = csrf_of(first)
        response, refused = await site.post("/operations/failed/retry", {"one": f"email:{real}"})
        assert response.status == 403 and "Nothing was changed" in refused
        assert status_of(site, real) == "failed"
        site.sink.handler.reject_rcpt.clear()
        response, done = await site.post(
            "/operations/failed/retry",
            {"csrf": token, "one": f"email:{real}", "selected": older[0], "view": ""},
        )
        assert response.status == 200
        assert "1 item queued again" in done and f"email:{real}" not in shown(done)
        assert status_of(site, real) == "pending"
        sent = await site.deliver()
        assert [m["Message-ID"] for m in sent] == ["<story-real@alerts.example.org>"]
        assert sent[0]["To"].addresses[0].addr_spec == "desk@example.org"
        assert await site.deliver() == []  # nothing doubled
        assert status_of(site, real) == "sent"

        # A selection: what may be retried is, what may not is said, with why.
        status, done = await retry(
            site,
            [
                ("csrf", token),
                ("selected", older[0]),
                ("selected", f"email:{confirm}"),
                ("selected", f"email:{real}"),
                ("selected", f"message:{message_ids[0]}"),
                ("view", f"after={encode_failed_key(FailedKey(start, EMAIL, 0))}"),
            ],
        )
        assert status == 200
        assert "2 items queued again" in done
        assert f"email:{confirm}</code>: not retried: its link may have expired" in done
        assert f"email:{real}</code>: not retried: it is not failed now" in done
        assert "Waiting for their destination" not in done  # the destination is enabled
        sent = await site.deliver()
        assert [m["Message-ID"] for m in sent] == ["<story-0@alerts.example.org>"]
        with transaction(site.engine) as conn:
            (retried,) = [
                r for r in channel_ledger.messages_of(conn, destination) if r.id == message_ids[0]
            ]
        assert retried.status == "pending" and retried.attempts == 0

        # Nothing chosen, or items that are not on the list: said, and nothing changes.
        response, said = await site.post("/operations/failed/retry", {"csrf": token})
        assert response.status == 400 and "Select at least one item" in said
        response, said = await site.post(
            "/operations/failed/retry", {"csrf": token, "selected": "emails:1; DROP"}
        )
        assert response.status == 400 and "not on the list" in said

        # The command line retries through the same function.
        listed = monitor(site.settings, "subscriber", "failures")
        assert f"email {older[1].split(':')[1]} to desk@example.org" in listed.stdout
        assert f"message {message_ids[1]} to slack" in listed.stdout
        done_cli = monitor(site.settings, "subscriber", "retry", older[1], f"email:{real}")
        assert done_cli.returncode == 1, done_cli.stderr
        assert f"{older[1]}: queued again" in done_cli.stdout
        assert f"email:{real}: not failed now" in done_cli.stdout
        assert "audit.deliveries_retried" in done_cli.stderr
        sent = await site.deliver()
        assert [m["Message-ID"] for m in sent] == ["<story-1@alerts.example.org>"]
        wrong = monitor(site.settings, "subscriber", "retry", "parcel:3")
        assert wrong.returncode != 0 and "email:ID or message:ID" in wrong.stderr

    run(body, operators=OPERATOR)


def test_failed_cursors_round_trip() -> None:
    key = FailedKey(datetime(2026, 12, 7, 6, 5, 4, 321, tzinfo=UTC), MESSAGE, 42)
    assert decode_failed_key(encode_failed_key(key)) == key
    assert encode_failed_key(key).endswith(".message.42")
    for bad in ("", "1.email", "1.parcel.2", "x.email.1", "-1.email.1", "9" * 19 + ".email.1"):
        assert decode_failed_key(bad) is None, bad
