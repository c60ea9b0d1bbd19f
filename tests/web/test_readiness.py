"""Readiness is cached and checked off the request path: a flood of /readyz against the real
web role and the real broker leaves the token routes answering, and a broker that goes
away shows within the cache window."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from monitor.health import Check, heartbeat_checks
from monitor.notify.tokens import make_token
from monitor.services import free_port
from monitor.store.db import make_engine
from monitor.web.readiness import READINESS_TTL_SECONDS, Readiness, Snapshot, is_fresh
from tests.roles import RoleProcess, wait_until

from .helpers import call, person


@pytest.mark.parametrize(
    ("beats", "checks"),
    [
        ({}, {}),
        ({"web": {"heartbeat": 0}}, {}),  # the web role does not judge itself
        ({"worker": {"heartbeat": 990.0}}, {"role:worker": Check(True, "heartbeat 10s ago")}),
        ({"mailer": {"heartbeat": 900}}, {"role:mailer": Check(False, "heartbeat 100s ago")}),
        ({"poller": {}}, {"role:poller": Check(False, "heartbeat 1000s ago")}),
        ({"poller": {"heartbeat": [1]}}, {"role:poller": Check(False, "heartbeat 1000s ago")}),
    ],
)
def test_heartbeat_checks(beats: dict[str, dict[str, object]], checks: dict[str, Check]) -> None:
    assert heartbeat_checks(beats, now=1000.0, stale_after=30.0) == checks


def test_a_snapshot_is_fresh_for_ttl_seconds() -> None:
    snapshot = Snapshot({"kafka": Check(True, "")}, checked_at=0.0, started=100.0)
    assert is_fresh(snapshot, 100.0, 1.0) and is_fresh(snapshot, 101.0, 1.0)
    assert not is_fresh(snapshot, 101.01, 1.0)
    assert not is_fresh(snapshot, 99.0, 1.0)  # a clock that went back: check again
    assert not is_fresh(None, 100.0, 1.0)


def test_concurrent_callers_share_one_run_and_the_result_is_reused() -> None:
    """The ttl is read from a clock the test moves, so a slow machine (the gather of 500
    callers took longer than the ttl on a loaded CI host) cannot expire the snapshot."""
    runs: list[float] = []
    now = [1000.0]

    def probe() -> dict[str, Check]:
        runs.append(now[0])
        time.sleep(0.2)
        return {"kafka": Check(len(runs) == 1, f"run {len(runs)}")}

    async def scenario() -> None:
        readiness = Readiness(probe, ttl=0.5, clock=lambda: now[0])
        try:
            first = await asyncio.gather(*(readiness.snapshot() for _ in range(500)))
            assert len(runs) == 1 and {s.checks["kafka"].detail for s in first} == {"run 1"}
            now[0] += 0.4
            assert (await readiness.snapshot()).ready  # within ttl: no new run
            assert len(runs) == 1
            now[0] += 0.2
            later = await readiness.snapshot()
            assert len(runs) == 2 and not later.ready
        finally:
            readiness.close()

    asyncio.run(scenario())


class Forwarder:
    """A TCP port that forwards to the broker until closed: a broker that can go away
    without stopping the broker the other tests share."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()

    def close(self) -> None:
        # shutdown first: close() alone leaves a thread blocked in accept() listening.
        for sock in (self.listener, *self.sockets):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@pytest.fixture
def web_role(
    db_url: str, kafka_bootstrap: str, make_settings: Any, tmp_path: Path
) -> Any:
    started: list[RoleProcess] = []

    def start(**overrides: Any) -> tuple[Any, str]:
        settings = make_settings(database_url=db_url, web_port=free_port(), **overrides)
        role = RoleProcess("web", settings, tmp_path / "logs").start()
        started.append(role)
        base = f"http://127.0.0.1:{settings.web_port}"
        wait_until(lambda: _answers(base), 30, 0.1, what="the web role to listen")
        return settings, base

    yield start
    for role in started:
        role.stop()


def _answers(base: str) -> bool:
    try:
        return call(f"{base}/healthz")[0] == 200
    except OSError:
        return False


async def _flood(base: str, token_urls: list[tuple[str, str]], size: int) -> dict[str, Any]:
    """``size`` concurrent /readyz calls; meanwhile the token routes, on a connection opened
    beforehand (so no new connection waits in the accept queue behind the flood)."""
    unlimited = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    async with (
        aiohttp.ClientSession(connector=unlimited, timeout=timeout) as flood,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as person,
    ):
        async with person.get(f"{base}/healthz") as warm:
            assert warm.status == 200

        async def ready() -> tuple[int, Any]:
            async with flood.get(f"{base}/readyz") as response:
                return response.status, await response.json()

        async def token_routes() -> list[tuple[int, float]]:
            await asyncio.sleep(0.3)  # the flood is queued by now
            results = []
            for method, url in token_urls:
                started = time.monotonic()
                try:
                    async with person.request(method, url) as response:
                        await response.read()
                        results.append((response.status, time.monotonic() - started))
                except TimeoutError:
                    results.append((0, time.monotonic() - started))
            return results

        flood_started = time.monotonic()
        readys, answered = await asyncio.gather(
            asyncio.gather(*(ready() for _ in range(size))), token_routes()
        )
        return {"ready": readys, "token": answered, "seconds": time.monotonic() - flood_started}


def test_a_flood_of_readyz_does_not_hold_up_the_token_routes(web_role: Any) -> None:
    settings, base = web_role()
    engine = make_engine(settings.db_url)
    try:
        pid, sid = person(engine, confirmed=False)
    finally:
        engine.dispose()
    key, now = settings.token_key(), datetime.now(UTC)
    confirm = make_token(key, "confirm", pid, None, now)
    unsubscribe = make_token(key, "unsubscribe", pid, sid, now)
    urls = [
        ("GET", f"{base}/c/{confirm}"),
        ("POST", f"{base}/c/{confirm}"),
        ("GET", f"{base}/u/{unsubscribe}"),
        ("POST", f"{base}/u/{unsubscribe}"),
    ]
    result = asyncio.run(_flood(base, urls, size=400))
    statuses = {status for status, _ in result["ready"]}
    assert statuses == {200}, statuses
    # Every token route answered promptly while the flood was on (main: 3-5 s, or not at all).
    assert [status for status, _ in result["token"]] == [200] * 4, result["token"]
    assert max(seconds for _, seconds in result["token"]) < 1.5, result["token"]
    # The checks ran about once per TTL, not once per call.
    runs = {body["checked_at"] for _, body in result["ready"]}
    assert len(runs) <= result["seconds"] / READINESS_TTL_SECONDS + 2, (len(runs), result)


def test_readiness_shows_a_broker_gone_within_the_cache_window(
    web_role: Any, kafka_bootstrap: str
) -> None:
    host, _, port = kafka_bootstrap.rpartition(":")
    forwarder = Forwarder((host, int(port)))
    try:
        _, base = web_role(kafka_bootstrap=f"127.0.0.1:{forwarder.port}")
        status, body = call(f"{base}/readyz")
        assert status == 200 and '"kafka": {"ok": true' in body.replace(":true", ": true")
        forwarder.close()
        gone = time.monotonic()
        seen = wait_until(
            lambda: call(f"{base}/readyz")[0] == 503, 10, 0.05, what="/readyz to say 503"
        )
        waited = time.monotonic() - gone
    finally:
        forwarder.close()
    assert seen and waited <= READINESS_TTL_SECONDS + 1.0, waited
    status, body = call(f"{base}/readyz")
    assert status == 503 and '"kafka"' in body and "no answer" in body
