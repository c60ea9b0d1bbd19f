"""Fixtures of the workspace's tests: settings on both databases with the SMTP sink, and
the browser tests' Chromium (``browser``) and served web role (``served``)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from monitor.services.smtp_sink import SmtpSink
from monitor.store.db import make_engine
from tests import PROJECT_ROOT
from tests.web.workspace.browser import AXE, CHROMIUM, CHROMIUM_ARGS, Served, serve_site
from tests.web.workspace.site import Site, run_site, site_settings

Run = Callable[..., None]


@pytest.fixture
def run(db_url: str, make_settings: Any, smtp_sink: SmtpSink) -> Iterator[Run]:
    """``run(body, **settings)``: run ``async body(site)`` against a fresh workspace."""
    engines: list[Any] = []

    def go(body: Callable[[Site], Any], **overrides: Any) -> None:
        settings = site_settings(make_settings, db_url, smtp_sink, **overrides)
        engine = make_engine(settings.db_url)
        engines.append(engine)
        run_site(settings, engine, smtp_sink, body)

    yield go
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, once per module (axe-core vendored first if missing)."""
    if not AXE.exists():
        subprocess.run([str(PROJECT_ROOT / "scripts" / "vendor-axe")], check=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def served(db_url: str, make_settings: Any, smtp_sink: SmtpSink) -> Iterator[Served]:
    """The web role on a free port, live updates every second (a module may override it)."""
    site = serve_site(db_url, make_settings, smtp_sink, web_live_seconds=1)
    yield site
    site.close()
