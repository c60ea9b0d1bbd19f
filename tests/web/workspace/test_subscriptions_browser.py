"""Subscriptions in Debian's Chromium: a reader creates a subscription while the preview
follows what they type, by mouse and by keyboard alone, with axe-core on every page; they
cannot open another reader's subscription; and the form works without JavaScript. The
screenshots in docs/screenshots/ are taken here (``UPDATE_SCREENSHOTS=1``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Browser, Page

from monitor.store import subscribers as store
from monitor.store.db import transaction
from tests.notify.test_mailer import ingest, subscribe
from tests.stream.test_handler import MENAFN, RIO
from tests.web.workspace.browser import SCREENSHOTS, Served, assert_accessible, sign_in
from tests.web.workspace.test_coverage_pages import distinct_items
from tests.web.workspace.test_subscriptions import oracle_matches

READER = "reader@example.org"
SUMMARY = re.compile(r"^(\d+) of (\d+) alerted stories")


def prepare(site: Served) -> int:
    """The reader, another reader's subscription (its id), and stories the worker alerted."""
    subscribe(site.engine, READER, tz="America/Sao_Paulo", name="Ukraine desk")
    subscribe(site.engine, "other@example.org", name="Other desk", query="Lula")
    ingest(site.engine, RIO + MENAFN)
    ingest(site.engine, distinct_items(24))
    with transaction(site.engine) as conn:
        other = store.get_subscriber(conn, "other@example.org")
        assert other is not None
        (theirs,) = store.list_subscriptions(conn, other.id)
    return theirs.id


def matched_shown(page: Page) -> int:
    found = SUMMARY.match(page.locator("#preview-summary").inner_text())
    assert found, page.locator("#preview-body").inner_text()
    return int(found[1])


def wait_for_matches(page: Page, count: int) -> None:
    page.wait_for_function(
        "n => { const s = document.getElementById('preview-summary');"
        " return s && s.textContent.startsWith(n + ' of '); }",
        arg=count,
        timeout=15_000,
    )


def test_a_reader_creates_a_subscription_with_a_live_preview(
    browser: Browser, served: Served, tmp_path: Path
) -> None:
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    theirs = prepare(served)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, served, READER)

    page.get_by_role("link", name="Subscriptions").click()
    page.wait_for_url("**/subscriptions")
    assert page.get_by_role("link", name="Ukraine desk", exact=True).is_visible()
    assert page.get_by_text("Other desk").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="New subscription").click()
    page.wait_for_url("**/subscriptions/new")
    everything = matched_shown(page)
    assert everything == len(oracle_matches(served, None, {}))

    # The preview follows the typing: a syntax error at its position, then the matches.
    page.get_by_label("Name", exact=True).fill("Grain watch")
    query = page.get_by_label("Query", exact=True)
    query.press_sequentially("grain OR (wheat", delay=20)
    page.locator("#query-error-marker").wait_for(timeout=15_000)
    assert "Syntax error at position" in page.locator("#query-error-marker").inner_text()
    query.press_sequentially(")", delay=20)
    expected = len(oracle_matches(served, "grain OR (wheat)", {}))
    assert 0 < expected < everything
    wait_for_matches(page, expected)
    assert page.locator("#query-error-marker").count() == 0
    assert page.locator("#preview-status").inner_text().startswith(f"{expected} of ")
    assert page.locator(".sample li").count() == min(10, expected)
    # A filter narrows it too.
    page.get_by_label("Brazil").check()
    wait_for_matches(page, len(oracle_matches(served, "grain OR (wheat)", {"countries": ["BR"]})))
    page.get_by_label("Brazil").uncheck()
    wait_for_matches(page, expected)
    page.get_by_label("How often").select_option("daily")
    page.get_by_label("Digest time").fill("07:30")
    assert_accessible(page)
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    assert len(page.screenshot(path=str(shots / "subscription-form.png"), full_page=True)) > 10_000

    page.get_by_role("button", name="Save subscription").click()
    page.wait_for_url("**/subscriptions?done=created")
    assert page.get_by_role("status").inner_text().startswith("Subscription created")
    assert page.get_by_role("link", name="Grain watch", exact=True).is_visible()
    assert_accessible(page)
    assert len(page.screenshot(path=str(shots / "subscriptions.png"), full_page=True)) > 10_000
    with transaction(served.engine) as conn:
        rows = store.list_subscriptions(conn, store.get_subscriber(conn, READER).id)  # type: ignore[union-attr]
    (made,) = [r for r in rows if r.name == "Grain watch"]
    assert (made.query, made.mode, made.digest_time) == ("grain OR (wheat)", "daily", "07:30")

    assert errors == [], errors  # no CSP violation or script error on the way

    # Another reader's subscription is not there, by id.
    response = page.goto(f"{served.base}/subscriptions/{theirs}")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="Subscription not found").is_visible()
    assert page.get_by_text("Other desk").count() == 0
    assert_accessible(page)
    context.close()


def test_keyboard_alone_creates_a_subscription(browser: Browser, served: Served) -> None:
    prepare(served)
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, READER, check=False)
    page.goto(served.base + "/subscriptions")

    def tab_to(text: str, limit: int = 150) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == text:
                return
        raise AssertionError(f"{text!r} is not reachable by Tab")

    tab_to("New subscription")
    page.keyboard.press("Enter")
    page.wait_for_url("**/subscriptions/new")
    page.keyboard.press("Tab")  # skip link, then the page in order
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "sf-name":
            break
    else:
        raise AssertionError("the name field is not reachable by Tab")
    page.keyboard.type("Keyboard desk")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "sf-query"
    page.keyboard.type("Zelensky")
    wait_for_matches(page, len(oracle_matches(served, "Zelensky", {})))
    tab_to("Save subscription")
    page.keyboard.press("Enter")
    page.wait_for_url("**/subscriptions?done=created")
    assert page.get_by_role("link", name="Keyboard desk", exact=True).is_visible()
    context.close()


def test_the_form_and_its_preview_work_without_javascript(browser: Browser, served: Served) -> None:
    prepare(served)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, served, READER, check=False)
    page.goto(served.base + "/subscriptions/new?query=Zelensky")
    assert page.get_by_label("Query", exact=True).input_value() == "Zelensky"
    page.get_by_label("Query", exact=True).fill("grain OR wheat")
    page.get_by_role("button", name="Preview").click()
    assert matched_shown(page) == len(oracle_matches(served, "grain OR wheat", {}))
    assert page.get_by_label("Query", exact=True).input_value() == "grain OR wheat"
    page.get_by_label("Daily limit").fill("lots")
    page.get_by_role("button", name="Save subscription").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Daily limit").get_attribute("aria-invalid") == "true"
    page.get_by_label("Daily limit").fill("3")
    page.get_by_role("button", name="Save subscription").click()
    page.wait_for_url("**/subscriptions?done=created")
    page.get_by_role("button", name=re.compile("^Pause")).last.click()
    assert page.get_by_role("status").inner_text().startswith("Subscription paused")
    context.close()


def test_the_topic_and_the_destinations_section_are_accessible(
    browser: Browser, served: Served
) -> None:
    prepare(served)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    sign_in(page, served, READER, check=False)
    page.goto(served.base + "/subscriptions")
    page.get_by_role("link", name="Ukraine desk", exact=True).click()
    page.wait_for_url(re.compile(r".*/subscriptions/\d+$"))
    topic = page.get_by_label("Topic", exact=True)
    assert topic.input_value() == "ukraine-latam"
    assert page.get_by_role("heading", name="Where it is delivered").is_visible()
    assert page.locator("#no-destinations").is_visible()
    assert_accessible(page)
    # A refused target comes back beside its field, announced, and still accessible.
    page.get_by_label("Kind", exact=True).select_option("slack")
    page.get_by_label("URL or chat id", exact=True).fill("ftp://hooks.example.org/x")
    page.get_by_role("button", name="Add", exact=True).click()
    assert page.get_by_role("alert").filter(has_text="https://").is_visible()
    target = page.get_by_label("URL or chat id", exact=True)
    assert target.get_attribute("aria-invalid") == "true"
    assert target.input_value() == "ftp://hooks.example.org/x"
    assert_accessible(page)
    # The topic is saved from the select, and the list names it.
    page.get_by_label("Topic", exact=True).select_option("russia-latam")
    page.get_by_role("button", name="Save subscription").click()
    page.wait_for_url("**/subscriptions?done=saved")
    assert page.get_by_text("Russia–Latin America relations").is_visible()
    assert_accessible(page)
    context.close()
