"""Synthetic item streams for benchmarks and chaos tests, built from the labeled news sets.

Each item is a distinct story (own id, title key and a random SimHash, so none cluster),
with real headline and lede text in English, Spanish and Portuguese, so classification and
matching do realistic work and about 40% of items are relevant.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from monitor.models import FeedItem

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def labelled_news() -> list[dict[str, Any]]:
    """The labelled dev and held-out news items, as stored (title, text, lang, source…)."""
    rows: list[dict[str, Any]] = []
    for name in ("dev-news.jsonl", "holdout.jsonl"):
        rows += [orjson.loads(line) for line in (DATA / name).read_text().splitlines()]
    return rows


def base_texts() -> list[tuple[str, str, str]]:
    return [(row["title"], row["text"], row["lang"]) for row in labelled_news()]


def corpus(count: int, seed: int = 7, *, start: int = 0) -> list[FeedItem]:
    """Items ``start`` … ``start + count - 1`` of the stream with this seed."""
    rng = random.Random(seed * 1_000_003 + start)
    bases = base_texts()
    now = datetime.now(UTC)
    items = []
    for n in range(start, start + count):
        title, text, lang = bases[n % len(bases)]
        items.append(
            FeedItem(
                item_id=f"synthetic:{seed}:{n}",
                feed_url="https://wire.example/feed",
                outlet="Synthetic Wire",
                title=f"{title} ({n})",
                text=text,
                published=now,
                fetched_at=now,
                url=f"https://wire.example/{seed}/{n}",
                lang=lang,
                simhash=rng.getrandbits(64),
                title_key=f"synthetic {seed} {n}",
            )
        )
    return items
