"""Real HTTP receivers on loopback playing Slack, Teams, Telegram and a webhook.

One aiohttp server in its own thread and event loop (so the code under test, sync or
async, talks to it over real sockets). Each path answers from a script of replies
(status, headers, delay) and then 200; every request is recorded with its headers, raw
body and arrival time. ``down()`` closes the port (connections refused) and ``up()``
opens it again, on the same port, for the chaos tests' outages.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: str = "ok"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int = 200  # what the receiver answered
    at: float = 0.0  # arrival, time.time()
    reply_headers: dict[str, str] = field(default_factory=dict)
    reply_body: str = ""
    delay: float = 0.0  # how long the receiver took to answer


class Receivers:
    def __init__(self, port: int = 0) -> None:
        self.scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self.port = port
        self.in_flight = 0
        self.most_in_flight = 0
        self.arrivals: list[float] = []
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> Receivers:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("POST", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        with self._lock:
            script = self.scripts[request.path]
            reply = script.popleft() if script else Reply()
            self.received.append(
                Received(
                    request.path,
                    dict(request.headers),
                    body,
                    reply.status,
                    time.time(),
                    reply.headers,
                    reply.body,
                    reply.delay,
                )
            )
            self.arrivals.append(time.monotonic())
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if reply.delay:
                await asyncio.sleep(reply.delay)
            return web.Response(status=reply.status, headers=reply.headers, text=reply.body)
        finally:
            with self._lock:
                self.in_flight -= 1

    def down(self) -> None:
        """Close the port: every connection is refused until ``up()``."""

        async def _down() -> None:
            if self._runner is not None:
                await self._runner.cleanup()
                self._runner = None

        asyncio.run_coroutine_threadsafe(_down(), self._loop).result(timeout=30)

    def up(self) -> None:
        """Listen again on the same port."""
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self.scripts[path].extend(replies)

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def stop(self) -> None:
        async def _stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(_stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def json_of(received: Received) -> Any:
    import orjson

    return orjson.loads(received.body)
