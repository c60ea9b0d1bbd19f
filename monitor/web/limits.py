"""Per-client rate limits for the web role: a token bucket per client address."""

from __future__ import annotations

import time
from collections import OrderedDict


class RateLimiter:
    """Token bucket per client address; memory bounded by evicting the oldest clients."""

    def __init__(self, rate: float = 1.0, burst: int = 10, max_clients: int = 10_000) -> None:
        self.rate, self.burst, self.max_clients = rate, burst, max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return allowed
