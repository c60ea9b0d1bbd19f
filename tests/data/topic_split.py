"""How a labeled pool of stories is split into a dev set and a sealed blind set.

One pure function, so the split written down in a topic's doc can be checked by a test:
anyone holding the two files can rebuild the pool and get the same split back.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

Item = Mapping[str, Any]


def pool_key(item: Item) -> str:
    """Canonical order of the pool: by URL, then title (ids are assigned after the split)."""
    return f"{item.get('url') or ''}\x00{item['title']}"


def split_pool(pool: Sequence[Item], seed: str, dev_size: int) -> tuple[list[Item], list[Item]]:
    """Shuffle the canonically ordered pool with ``seed``; the first ``dev_size`` are dev."""
    if not 0 < dev_size < len(pool):
        raise ValueError(f"dev_size must be between 1 and {len(pool) - 1}, got {dev_size}")
    ordered = sorted(pool, key=pool_key)
    random.Random(seed).shuffle(ordered)
    return ordered[:dev_size], ordered[dev_size:]
