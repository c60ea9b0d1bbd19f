"""The browser tests' shared parts: Debian's Chromium and its arguments, the web role
served in a thread (``Served``), signing in through the emailed link and axe-core's check.
Their fixtures (``browser``, ``served``) are in this folder's conftest.py."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import Page

from monitor.notify.mailer import Mailer
from monitor.notify.transport import SmtpTransport
from monitor.services import free_port
from monitor.services.smtp_sink import SmtpSink
from monitor.store.db import make_engine
from monitor.web.server import serve
from tests import PROJECT_ROOT
from tests.web.workspace.site import SIGN_IN_LINK, text_of

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = PROJECT_ROOT / "tests" / "web" / "workspace" / "vendor" / "axe-core" / "axe.min.js"
# The README's screenshots: written there only when asked (``UPDATE_SCREENSHOTS=1``), so a
# test run does not change the checkout; otherwise they go to the test's own folder.
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"


class Served:
    """The web role in a thread, its database and the SMTP sink."""

    def __init__(self, settings: Any, sink: SmtpSink) -> None:
        self.settings, self.sink = settings, sink
        self.base = settings.public_url
        self.engine = make_engine(settings.db_url)
        self.stop = asyncio.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_until_complete, args=(serve(settings, self.stop),)
        )
        self.thread.start()
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)

    def deliver(self) -> list[Any]:
        async def once() -> None:
            mailer = Mailer(self.settings, self.engine, SmtpTransport(self.settings), worker="b")
            try:
                await mailer.pass_once(datetime.now(UTC))
            finally:
                await mailer.transport.close()

        # On the server's loop: Playwright's own loop runs in this thread.
        asyncio.run_coroutine_threadsafe(once(), self.loop).result(60)
        return [got.message for got in self.sink.received]

    def close(self) -> None:
        self.engine.dispose()
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(60)
        assert not self.thread.is_alive()
        self.loop.close()


def serve_site(db_url: str, make_settings: Any, smtp_sink: SmtpSink, **extra: Any) -> Served:
    """The web role on a free port, on ``db_url``, mailing through the sink (``extra``:
    more settings)."""
    port = free_port()
    settings = make_settings(
        database_url=db_url,
        web_port=port,
        public_url=f"http://127.0.0.1:{port}",
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_security="none",
        **extra,
    )
    return Served(settings, smtp_sink)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2 A/AA violations on the page. Evaluated through the DevTools
    protocol, which the page's CSP does not govern, so nothing is weakened to test."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', "
        "'best-practice']})).violations.map(v => ({id: v.id, impact: v.impact, "
        "nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    assert isinstance(result, list)
    return result


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


def sign_in(page: Page, served: Served, email: str, *, check: bool = True) -> None:
    """Sign in through the emailed link; ``check``: run axe on the pages (it needs
    JavaScript, which a context may have turned off)."""
    page.goto(served.base + "/latest")
    assert "/signin" in page.url
    if check:
        assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    messages = [m for m in served.deliver() if "sign-in" in str(m["Subject"])]
    link = SIGN_IN_LINK.search(text_of(messages[-1]))
    assert link, "no link in the email"
    page.goto(link[0])
    if check:
        assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/latest")
