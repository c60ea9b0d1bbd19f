"""Per-key request budgets (token buckets) and the last-used throttle. Pure, clock given.

A bucket holds ``burst`` requests and refills at ``rate`` per second; a request that
finds it empty is told how long to wait (the 429's Retry-After). Memory is bounded: the
least recently seen keys are forgotten first (a forgotten key starts with a full bucket).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Hashable

# A key's last-used time is written at most this often (a write per request would turn
# every read into a write, and serialize SQLite's readers behind it).
TOUCH_EVERY = 60.0


class KeyBuckets:
    def __init__(self, rate: float, burst: int, max_keys: int = 10_000) -> None:
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def peek(self, key_id: Hashable, now: float) -> float:
        """What ``take`` would answer, without taking."""
        tokens, last = self._buckets.get(key_id, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max(0.0, now - last) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def take(self, key_id: Hashable, now: float) -> float:
        """0 when the request may go ahead; else the seconds until one would."""
        tokens, last = self._buckets.pop(key_id, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max(0.0, now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key_id] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


def retry_after(wait: float) -> str:
    """The Retry-After value for a wait: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(wait)))


class TouchThrottle:
    """Says when a key's last-used time is worth writing: first use, then once a minute."""

    def __init__(self, every: float = TOUCH_EVERY, max_keys: int = 10_000) -> None:
        self.every, self.max_keys = every, max_keys
        self._last: OrderedDict[int, float] = OrderedDict()

    def due(self, key_id: int, now: float) -> bool:
        last = self._last.get(key_id)
        if last is not None and now - last < self.every:
            return False
        self._last.pop(key_id, None)
        self._last[key_id] = now
        while len(self._last) > self.max_keys:
            self._last.popitem(last=False)
        return True
