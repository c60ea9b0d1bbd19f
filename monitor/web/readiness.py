"""Readiness for ``/readyz``: checked at most once per second, off the request path.

A check opens a database connection and a Kafka admin client; run per request on the
default thread pool, a flood of ``/readyz`` calls queued ahead of the unsubscribe and
confirm routes' database work and starved them. Here the checks run on a thread of their
own, one run at a time (callers arriving meanwhile wait for that run instead of starting
another), and a result is reused for ``ttl`` seconds, so the cost of readiness does not
grow with the number of callers, and a broker that goes away shows within ``ttl`` plus
one run. The checks themselves are ``monitor.health.readiness_checks``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from monitor.health import Check

READINESS_TTL_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The checks of one run and when it started (``time.time()`` and monotonic)."""

    checks: Mapping[str, Check]
    checked_at: float
    started: float = field(repr=False)

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks.values())

    def as_json(self, now: float) -> dict[str, object]:
        return {
            "ready": self.ready,
            "checked_at": self.checked_at,
            "age_seconds": round(max(now - self.started, 0.0), 3),
            "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in self.checks.items()},
        }


def is_fresh(snapshot: Snapshot | None, now: float, ttl: float) -> bool:
    """True when ``snapshot`` (monotonic ``now``) may be served without a new run."""
    return snapshot is not None and 0.0 <= now - snapshot.started <= ttl


class Readiness:
    """Serve readiness snapshots; at most one ``probe`` run at a time, on its own thread."""

    def __init__(
        self,
        probe: Callable[[], dict[str, Check]],
        ttl: float = READINESS_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.probe, self.ttl, self.clock = probe, ttl, clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readiness")
        self._snapshot: Snapshot | None = None
        self._running: asyncio.Future[Snapshot] | None = None

    async def snapshot(self) -> Snapshot:
        if self._snapshot is not None and is_fresh(self._snapshot, self.clock(), self.ttl):
            return self._snapshot
        if self._running is None:
            self._running = asyncio.ensure_future(self._run())
        # shield: a caller that hangs up does not cancel the run the others wait for.
        return await asyncio.shield(self._running)

    async def _run(self) -> Snapshot:
        started, checked_at = self.clock(), time.time()
        try:
            loop = asyncio.get_running_loop()
            checks = await loop.run_in_executor(self._executor, self.probe)
            self._snapshot = Snapshot(checks, checked_at, started)
            return self._snapshot
        finally:
            self._running = None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
