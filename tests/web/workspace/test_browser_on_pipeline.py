"""The workspace in a real browser on data the real pipeline wrote.

``monitor demo --serve`` is started as a user starts it: its fixture feeds are served over
HTTP, polled, sent through Kafka to the Faust worker (classifier, clustering, fan-out) and
stored; then its web role serves that database. Headless Chromium signs in with the link
the demo prints (GET the landing page, POST its button), finds the seed story on Latest,
sees its three copies on the story page (The Rio Times credited), searches with a NEAR
query and exports the result. Ctrl-C (SIGINT) stops the demo with exit 0.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page

from monitor.config import child_environment
from monitor.services import free_port
from tests.web.workspace.browser import assert_accessible

SERVING = "serving until Ctrl-C"
# The feeds spell the seed's headline with either apostrophe.
HEADLINE = re.compile(r"^Ukraine[’']s New Diplomatic Horizon In Latin America$")
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/signin/\S+)")


@dataclass
class Demo:
    process: subprocess.Popen[str]
    base: str
    link: str
    output: Path


@pytest.fixture
def demo(make_settings: Any, tmp_path: Path) -> Iterator[Demo]:
    port = free_port()
    settings = make_settings(web_port=port, public_url=f"http://127.0.0.1:{port}")
    env = child_environment({**settings.as_env(), "MONITOR_LOG_FORMAT": "console"})
    output = tmp_path / "demo.out"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "demo", "--serve", "--timeout", "240"],
            env=env,
            cwd=tmp_path,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    deadline = time.monotonic() + 300
    while SERVING not in output.read_text() and time.monotonic() < deadline:
        assert process.poll() is None, output.read_text()
        time.sleep(0.5)
    printed = output.read_text()
    assert SERVING in printed, printed
    link = LINK.search(printed)
    assert link, printed
    try:
        yield Demo(process, f"http://127.0.0.1:{port}", link[1], output)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def open_signed_in(browser: Browser, demo: Demo) -> Page:
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, locale="en-GB", accept_downloads=True
    )
    page = context.new_page()
    page.goto(demo.link)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/latest")
    return page


def test_the_demo_pipeline_data_in_the_browser(
    browser: Browser,
    demo: Demo,
    tmp_path: Path,
) -> None:
    page = open_signed_in(browser, demo)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # Latest, filtered to the credited outlet (the filter lands in the URL): the seed story,
    # once, though three feeds carried it.
    page.get_by_label("Outlet").select_option("The Rio Times")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/latest?*outlet=The+Rio+Times*")
    page.get_by_role("link", name=HEADLINE).wait_for()
    assert page.get_by_role("link", name=HEADLINE).count() == 1
    assert_accessible(page)

    page.get_by_role("link", name=HEADLINE).click()
    page.wait_for_url("**/stories/*")
    copies = page.locator("table.copies tbody tr").all_inner_texts()
    assert len(copies) == 3, copies
    for outlet in ("The Rio Times", "MENAFN", "Dev wire (en)"):
        assert any(outlet in row for row in copies), (outlet, copies)
    credited = page.locator("tr.credited").all_inner_texts()
    assert len(credited) == 1 and "The Rio Times" in credited[0], credited
    assert_accessible(page)

    # Search the archive the worker indexed, with a NEAR query, and export what it found.
    page.goto(demo.base + "/search?q=" + quote('"peace plan" NEAR/8 Uruguay'))
    page.locator("#results").wait_for()
    found = page.locator("#results h3 a").all_inner_texts()
    assert any(HEADLINE.match(title) for title in found), found
    with page.expect_download() as download:
        page.get_by_role("link", name="Export JSON").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert sorted(item["title"] for item in exported["items"]) == sorted(found)
    assert errors == [], errors
    page.context.close()

    # The printed link was single use: a second browser cannot sign in with it.
    second = browser.new_context()
    again = second.new_page()
    response = again.goto(demo.link)
    assert response is not None and response.status == 410, response and response.status
    second.close()

    demo.process.send_signal(signal.SIGINT)
    assert demo.process.wait(60) == 0, demo.output.read_text()
    assert "demo: stopped" in demo.output.read_text()
    # The demo kept its data in its own var dir, nothing in the working directory.
    assert (tmp_path / "var" / "demo" / "outbox").is_dir()
    assert sorted(os.listdir(tmp_path)) == ["demo.out", "var"]
