"""The thread page in a real browser (Debian's Chromium, headless): reached from Latest by
its link, checked by axe-core, and the same way with JavaScript off; a report's story page
leads on to the thread page of the event it develops."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.notify.test_mailer import subscribe
from tests.stream.test_event_threads import item_of, make_handler
from tests.web.workspace.browser import Served, assert_accessible, sign_in
from tests.web.workspace.test_thread_page import CHOSEN


def test_a_thread_from_latest_is_accessible_and_needs_no_javascript(
    browser: Browser, served: Served
) -> None:
    subscribe(served.engine, "reader@example.org")
    make_handler(served.engine).handle([item_of(s) for s in CHOSEN])
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        sign_in(page, served, "reader@example.org", check=javascript)
        page.locator("a.thread-link").first.click()
        page.wait_for_url("**/threads/*")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Event: ")
        reports = page.locator("table.thread-reports tbody tr")
        assert reports.count() >= 3
        assert page.get_by_role("heading", name="Why these reports were joined").is_visible()
        # The earlier event it develops is a thread page of its own, one click away.
        page.get_by_role("region", name="Developments").get_by_role("link").first.click()
        page.wait_for_url("**/threads/*")
        assert page.get_by_role("heading", name="Later developments").is_visible()
        page.go_back()
        if javascript:
            assert_accessible(page)
        # Each report leads to its story page, and the story page to the thread pages of
        # its event and of the event it develops.
        page.locator("table.thread-reports tbody tr a").first.click()
        page.wait_for_url("**/stories/*")
        event = page.get_by_role("region", name="The event")
        event.get_by_text("Develops an earlier event").get_by_role("link").click()
        page.wait_for_url("**/threads/*")
        assert page.get_by_role("heading", name="Later developments").is_visible()
        context.close()
