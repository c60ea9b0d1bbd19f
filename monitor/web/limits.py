"""Per-client rate limits for the web role: a token bucket per client address or API key."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable


class TokenBuckets:
    """A bucket of ``burst`` requests per key, refilled at ``rate`` per second; memory
    bounded by forgetting the least recently seen keys (a forgotten key starts full)."""

    def __init__(self, rate: float, burst: int, max_keys: int = 10_000) -> None:
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def peek(self, key: Hashable, now: float) -> float:
        """What ``take`` would answer, without taking."""
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max(0.0, now - last) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def take(self, key: Hashable, now: float) -> float:
        """0 when the request may go ahead; else the seconds until one would."""
        tokens, last = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max(0.0, now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


class RateLimiter(TokenBuckets):
    """Token bucket per client address, answering only yes or no."""

    def __init__(self, rate: float = 1.0, burst: int = 10, max_clients: int = 10_000) -> None:
        super().__init__(rate, burst, max_clients)

    def allow(self, client: str, now: float | None = None) -> bool:
        return self.take(client, time.monotonic() if now is None else now) == 0.0
