"""The web role's server on a loopback port, in a thread of the test process."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from monitor.services import free_port
from monitor.store.db import make_engine
from monitor.web.server import serve


@pytest.fixture
def start_web(
    db_url: str, kafka_bootstrap: str, make_settings: Any
) -> Iterator[Callable[..., tuple[Any, Any, str]]]:
    """Start the server with settings overrides; return (settings, engine, base URL)."""
    from monitor.stream.topics import ensure_topics

    stops: list[Callable[[], None]] = []

    def start(**overrides: Any) -> tuple[Any, Any, str]:
        port = free_port()
        settings = make_settings(database_url=db_url, web_port=port, **overrides)
        ensure_topics(settings)
        stop = asyncio.Event()
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_until_complete, args=(serve(settings, stop),))
        thread.start()
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        engine = make_engine(settings.db_url)

        def shutdown() -> None:
            engine.dispose()
            loop.call_soon_threadsafe(stop.set)
            thread.join(60)
            # Else the server's own engine would leak, and warn inside some later test.
            assert not thread.is_alive(), "the web server did not stop"
            loop.close()

        stops.append(shutdown)
        return settings, engine, base

    yield start
    for shutdown in stops:
        shutdown()


@pytest.fixture
def web(start_web: Callable[..., tuple[Any, Any, str]]) -> tuple[Any, Any, str]:
    return start_web()
