"""The workspace in a real browser: Debian's Chromium, headless, driven by Playwright.

The real web role (``monitor.web.server.serve``) on a loopback port, a database the
worker's core filled (fixture feeds through ItemHandler: classifier, clustering, fan-out),
the real mailer sending to the SMTP sink. A person signs in with the link from the email,
reads Latest, opens a Story, sees a live update arrive, searches with a NEAR query and
exports the result, and moves by keyboard; axe-core checks each page. The screenshots in docs/screenshots/ are taken here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from playwright.sync_api import Browser

from tests.notify.test_mailer import ingest, subscribe
from tests.stream.test_handler import MENAFN, RIO
from tests.web.workspace.browser import (
    SCREENSHOTS,
    Served,
    assert_accessible,
    sign_in,
)
from tests.web.workspace.test_countries import BRAZIL
from tests.web.workspace.test_coverage_pages import distinct_items
from tests.web.workspace.test_trends import ingest_over_days

HEADLINE = "Ukraine’s New Diplomatic Horizon In Latin America"


def test_sign_in_latest_story_live_update_and_accessibility(
    browser: Browser, served: Served, tmp_path: Path
) -> None:
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    subscribe(served.engine, "reader@example.org", tz="America/Sao_Paulo", name="Ukraine desk")
    ingest(served.engine, RIO + MENAFN)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, served, "reader@example.org")

    page.get_by_role("link", name=HEADLINE).wait_for()
    assert page.get_by_text("Times are shown in America/Sao_Paulo.").is_visible()
    assert_accessible(page)
    shots.mkdir(parents=True, exist_ok=True)
    assert len(page.screenshot(path=str(shots / "latest.png"), full_page=True)) > 10_000

    # A live update: a story alerted while the page is open appears without a reload.
    ingest(served.engine, distinct_items(1))
    fresh = page.locator("#stories li.fresh")
    fresh.first.wait_for(timeout=20_000)
    assert "Ukraine and Asunción" in fresh.first.inner_text()
    assert page.locator("#live-status").inner_text() != ""

    page.get_by_role("link", name=HEADLINE).click()
    page.wait_for_url("**/stories/*")
    assert page.locator("table.copies tbody tr").count() == 2
    assert page.locator("tr.credited").count() == 1
    assert page.locator("mark").count() >= 1
    assert page.get_by_text("Ukraine desk").is_visible()
    assert_accessible(page)
    assert len(page.screenshot(path=str(shots / "story.png"), full_page=True)) > 10_000
    assert errors == [], errors  # no CSP violation or script error on the way
    context.close()


def test_keyboard_alone_reaches_a_story(browser: Browser, served: Served) -> None:
    subscribe(served.engine, "reader@example.org")
    ingest(served.engine, RIO + MENAFN)
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "reader@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(40):  # through the filter form, in order, to the first headline
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == HEADLINE:
            break
    else:
        raise AssertionError("the headline is not reachable by Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/stories/*")
    assert page.get_by_role("heading", level=1).inner_text() == HEADLINE
    context.close()


def test_every_page_works_without_javascript(browser: Browser, served: Served) -> None:
    subscribe(served.engine, "reader@example.org")
    ingest(served.engine, RIO + MENAFN)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, served, "reader@example.org", check=False)
    page.get_by_label("Country").select_option("MX")
    page.get_by_role("button", name="Apply").click()
    assert "country=MX" in page.url
    assert page.get_by_role("link", name=HEADLINE).count() == 0
    page.get_by_label("Country").select_option("AR")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name=HEADLINE).click()
    assert page.locator("table.copies tbody tr").count() == 2
    page.goto(served.base + "/search")
    page.get_by_label("Query").fill("Diplomatic NEAR/3 Horizon")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name=HEADLINE).wait_for()
    page.get_by_role("link", name="Argentina (AR)").click()  # a facet: a plain link
    assert "country=AR" in page.url
    assert page.locator("#results h3 a").all_inner_texts() == [HEADLINE]
    page.get_by_role("combobox", name="Language").select_option("es")
    page.get_by_role("button", name="Cambiar").or_(page.locator("footer button")).first.click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="1 noticia encontrada").is_visible()
    context.close()


def test_search_with_near_export_and_accessibility(
    browser: Browser, served: Served, tmp_path: Path
) -> None:
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    subscribe(served.engine, "reader@example.org", tz="America/Sao_Paulo")
    ingest(served.engine, RIO + MENAFN + distinct_items(12))
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, locale="en-GB", accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, served, "reader@example.org")
    page.get_by_role("link", name="Search", exact=True).click()
    page.wait_for_url("**/search")
    assert_accessible(page)
    for _ in range(15):  # by keyboard alone: Tab reaches the query box, Enter searches
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    else:
        raise AssertionError("the query box is not reachable by Tab")
    page.keyboard.type("Zelensky NEAR/2 envoy AND (Lima OR Quito OR Bogotá)")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    page.get_by_role("heading", name="3 stories found").wait_for()
    headlines = page.locator("#results h3 a").all_inner_texts()
    assert len(headlines) == 3
    assert all(any(c in h for c in ("Lima", "Quito", "Bogotá")) for h in headlines)
    assert page.get_by_role("link", name="Save as subscription").get_attribute("href", timeout=1000)
    assert_accessible(page)
    shots.mkdir(parents=True, exist_ok=True)
    assert len(page.screenshot(path=str(shots / "search.png"), full_page=True)) > 10_000

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    saved = tmp_path / "search.csv"
    download.value.save_as(saved)
    rows = saved.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("story_id,published_at,title")
    assert len(rows) == 4
    with page.expect_download() as download:
        page.get_by_role("link", name="Export JSON").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert sorted(item["title"] for item in exported["items"]) == sorted(headlines)

    assert errors == [], errors  # no CSP violation or script error on the way
    # a syntax error is shown where it is (a 400, which the console notes), accessibly
    page.get_by_label("Query").fill("Zelensky NEAR/2")
    page.get_by_role("button", name="Search", exact=True).click()
    assert "error at position" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    assert page.locator("#results").count() == 0
    assert [e for e in errors if "status of 400" not in e] == [], errors
    context.close()


def test_a_country_timeline_from_the_navigation(
    browser: Browser, served: Served, tmp_path: Path
) -> None:
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    subscribe(served.engine, "reader@example.org", tz="America/Sao_Paulo")
    ingest(served.engine, RIO + MENAFN + BRAZIL)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    sign_in(page, served, "reader@example.org")
    page.get_by_role("navigation").get_by_role("link", name="Countries").click()
    page.get_by_role("link", name="Brazil", exact=True).click()
    page.wait_for_url("**/countries/BR")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Brazil: dealings with Ukraine and Russia"
    )
    assert page.get_by_text("UN vote · abstained").is_visible()
    assert page.locator("blockquote").first.is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert "un-vote,abstain" in Path(download.value.path()).read_text(encoding="utf-8")
    assert_accessible(page)
    shots.mkdir(parents=True, exist_ok=True)
    assert len(page.screenshot(path=str(shots / "country.png"), full_page=True)) > 10_000


def test_trends_show_charts_and_the_map(browser: Browser, served: Served, tmp_path: Path) -> None:
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    subscribe(served.engine, "reader@example.org", tz="America/Sao_Paulo")
    ingest(served.engine, RIO + MENAFN)
    ingest_over_days(served.engine, distinct_items(60), 24)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, served, "reader@example.org")
    page.get_by_role("link", name="Trends").click()
    page.wait_for_url("**/trends")
    chart = page.get_by_role("img", name="Alerted stories per day by country", exact=False)
    assert chart.count() == 1 and chart.bounding_box()["height"] > 100  # type: ignore[index]
    assert page.locator("#chart-countries rect").count() >= 10
    assert page.locator("#chart-outlets rect").count() >= 1
    the_map = page.locator("svg#chart-map")
    assert the_map.bounding_box()["height"] > 300  # type: ignore[index]
    assert page.locator("svg#chart-map a.country").count() >= 33
    assert page.locator("svg#chart-map circle").count() >= 7  # the small island states
    assert_accessible(page)
    shots.mkdir(parents=True, exist_ok=True)
    assert len(page.screenshot(path=str(shots / "trends.png"), full_page=True)) > 20_000

    # the table view opens without script, and the weekly view comes from the URL
    page.locator("summary", has_text="Table").first.click()
    assert page.locator("#table-countries tbody tr").count() == 30
    page.get_by_label("Bars per").select_option("week")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**every=week**")
    assert page.locator("#chart-countries text").count() >= 5
    assert_accessible(page)

    # a country on the map opens Latest filtered by it
    page.locator('svg#chart-map a.country[href*="country=PY"]').click()
    page.wait_for_url("**/latest?country=PY**")
    assert page.get_by_label("Country").input_value() == "PY"
    assert errors == [], errors
    context.close()

    # without JavaScript: the same charts, the map, the tables and a query filter
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, served, "reader@example.org", check=False)
    page.goto(served.base + "/trends")
    assert page.locator("svg#chart-map a.country").count() >= 33
    page.locator("summary", has_text="Table").nth(1).click()
    assert page.locator("#table-categories tbody tr").count() == 30
    page.get_by_label("Query (optional)").fill("title:(Lima OR Quito")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_text("The query has an error at position").is_visible()
    page.get_by_label("Query (optional)").fill("title:(Lima OR Quito)")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_text("alerted stories from").inner_text().startswith("4 alerted stories")
    context.close()
