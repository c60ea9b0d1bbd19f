"""Operations in a real browser (Debian's Chromium, headless): an operator signs in with
the emailed link, opens Operations from the navigation, reads system health, pauses a
feed with the keyboard, and sees subscribers, failed deliveries and dead letters; axe-core
checks each page. Without JavaScript, the forms (feeds, a subscriber's delivery, a retry)
work by their labels.
The README's screenshots of Operations are taken here (``UPDATE_SCREENSHOTS=1``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from sqlalchemy import select, update

from monitor.runtime.heartbeat import write_heartbeat
from monitor.services.smtp_sink import SmtpSink
from monitor.store import feeds as feed_store
from monitor.store import outbox
from monitor.store import subscribers as subscriber_store
from monitor.store.db import transaction
from monitor.store.tables import emails
from monitor.stream.topics import ensure_topics
from tests.notify.test_mailer import ingest, subscribe
from tests.stream.test_handler import MENAFN, RIO
from tests.web.workspace.browser import SCREENSHOTS, Served, assert_accessible, serve_site, sign_in

OPERATOR = "ops@example.org"


@pytest.fixture
def served(db_url: str, make_settings: Any, smtp_sink: SmtpSink) -> Iterator[Served]:
    site = serve_site(db_url, make_settings, smtp_sink, operators=OPERATOR)
    yield site
    site.close()


def registry(served: Served) -> dict[str, int]:
    now = datetime.now(UTC)
    ids = {}
    with transaction(served.engine) as conn:
        for url, name, outlet in (
            ("https://www.infobae.com/feeds/rss/", "Infobae", "Infobae"),
            ("https://menafn.com/rss/latin-america.xml", "MENAFN Latin America", "MENAFN"),
            (
                "https://agenciabrasil.ebc.com.br/rss/ultimasnoticias/feed.xml",
                "Agência Brasil",
                "EBC",
            ),
        ):
            ids[name], _ = feed_store.add_feed(conn, url, name=name, outlet=outlet, now=now)
        feed_store.record_poll(
            conn,
            ids["MENAFN Latin America"],
            error_count=3,
            last_error="HTTP 503 Service Unavailable",
        )
    return ids


def test_an_operator_runs_operations_in_the_browser(
    browser: Browser,
    served: Served,
    tmp_path: Path,
) -> None:
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    ensure_topics(served.settings)
    subscribe(served.engine, "reader@example.org", name="Ukraine desk")
    ingest(served.engine, RIO + MENAFN)
    ids = registry(served)
    write_heartbeat(served.settings, "worker")
    write_heartbeat(served.settings, "poller")
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, served, OPERATOR)

    page.get_by_role("link", name="Operations").click()
    page.wait_for_url("**/operations")
    page.get_by_role("heading", name="System health", level=1).wait_for()
    assert page.locator("#feeds-total").inner_text() == "3"
    assert page.locator("#feeds-failing").inner_text() == "1"
    assert page.locator("#lag").inner_text() == "0"
    assert page.locator('[data-role-state="worker"]').inner_text() == "running"
    assert_accessible(page)
    assert len(page.screenshot(path=str(shots / "operations.png"), full_page=True)) > 10_000

    page.get_by_role("navigation", name="Operations sections").get_by_role(
        "link", name="Feeds"
    ).click()
    page.wait_for_url("**/operations/feeds")
    assert page.locator("tr.bad").count() == 1
    assert_accessible(page)
    assert len(page.screenshot(path=str(shots / "operations-feeds.png"), full_page=True)) > 10_000

    # Pause a feed with the keyboard alone: focus its button, press Enter.
    infobae = ids["Infobae"]
    page.get_by_role("button", name=f"Pause feed {infobae}").focus()
    page.keyboard.press("Enter")
    page.get_by_text(f"Feed {infobae} paused.").wait_for()
    with transaction(served.engine) as conn:
        assert getattr(feed_store.get_feed(conn, infobae), "state", None) == "paused"
    assert_accessible(page)

    failed_email(served, "reader@example.org")
    for name, heading in (
        ("Subscribers", "Subscribers"),
        ("Failed deliveries", "Failed deliveries"),
        ("Dead letters", "Dead letters"),
    ):
        page.get_by_role("navigation", name="Operations sections").get_by_role(
            "link", name=name
        ).click()
        page.get_by_role("heading", name=heading, level=1).wait_for()
        assert_accessible(page)
    assert page.locator("#letters-total").inner_text() == "0"
    assert errors == [], errors
    context.close()


def test_operations_forms_work_without_javascript(
    browser: Browser,
    served: Served,
) -> None:
    ids = registry(served)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, served, OPERATOR, check=False)
    page.goto(served.base + "/operations/feeds")
    page.get_by_label("Feed URL").fill("https://www.pagina12.com.ar/rss/portada")
    page.get_by_label("Name (optional)").fill("Página/12")
    page.get_by_role("button", name="Add the feed").click()
    page.get_by_text("added; the poller reads it at once").wait_for()
    assert page.get_by_text("#4 Página/12").is_visible()
    menafn = ids["MENAFN Latin America"]
    page.get_by_role("button", name=f"Pause feed {menafn}").click()
    page.get_by_role("button", name=f"Resume feed {menafn}").click()
    page.get_by_text(f"Feed {menafn} resumed").wait_for()
    with transaction(served.engine) as conn:
        resumed = feed_store.get_feed(conn, menafn)
    assert resumed is not None and (resumed.state, resumed.error_count) == ("active", 0)

    # Subscribers: filter, then pause and resume one person's delivery, by the buttons' labels.
    subscribe(served.engine, "reader@example.org", name="Ukraine desk")
    page.goto(served.base + "/operations/subscribers")
    page.get_by_label("Address contains").fill("reader")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("button", name="Pause delivery to reader@example.org").click()
    page.get_by_text("is paused.").wait_for()
    assert "q=reader" in page.url
    with transaction(served.engine) as conn:
        assert (
            getattr(subscriber_store.get_subscriber(conn, "reader@example.org"), "status", "")
            == "paused"
        )
    page.get_by_role("button", name="Resume delivery to reader@example.org").click()
    page.get_by_text("is resumed.").wait_for()

    # Failed deliveries: tick one by its label and retry the selection; retry another alone.
    first, second = (
        failed_email(served, "reader@example.org"),
        failed_email(served, "reader@example.org"),
    )
    page.goto(served.base + "/operations/failed")
    page.get_by_label(f"Select email:{first}").check()
    page.get_by_role("button", name="Retry the selected items").click()
    page.get_by_text("1 item queued again").wait_for()
    page.get_by_role("button", name=f"Retry email:{second}").click()
    page.get_by_text("1 item queued again").wait_for()
    with transaction(served.engine) as conn:
        states = (
            conn.execute(select(emails.c.status).where(emails.c.id.in_([first, second])))
            .scalars()
            .all()
        )
    assert states == ["pending", "pending"]
    context.close()


def failed_email(served: Served, address: str) -> int:
    """An alert email to ``address`` that failed for good, as the mailer leaves one."""
    now = datetime.now(UTC)
    with transaction(served.engine) as conn:
        person = subscriber_store.get_subscriber(conn, address)
        assert person is not None
        email_id, _ = outbox.queue_email(
            conn,
            subscriber_id=person.id,
            kind="alert",
            dedup_key=f"failed:{now.isoformat()}",
            message_id=f"<failed-{now.timestamp()}@example.org>",
            recipient=address,
            subject="Alert",
            raw=b"Subject: Alert\r\n\r\nBody\r\n",
            now=now,
        )
        conn.execute(
            update(emails)
            .where(emails.c.id == email_id)
            .values(status="failed", last_error="550 5.1.1 mailbox unavailable")
        )
    return email_id
