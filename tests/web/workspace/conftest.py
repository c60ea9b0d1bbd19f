"""Fixtures of the workspace's tests: settings on both databases with the SMTP sink."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from monitor.services.smtp_sink import SmtpSink
from monitor.store.db import make_engine
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
