"""Per-key request budgets and the last-used throttle. Pure, clock given.

The budgets are ``monitor.web.limits.TokenBuckets`` keyed by API key; a request that finds
its bucket empty is told how long to wait (the 429's Retry-After).
"""

from __future__ import annotations

import math
from collections import OrderedDict

# A key's last-used time is written at most this often (a write per request would turn
# every read into a write, and serialize SQLite's readers behind it).
TOUCH_EVERY = 60.0


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
