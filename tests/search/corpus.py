"""Stories for the search tests, stored the way the worker stores them (story rows, then the
index in the same transaction), with the words the query strategies use in several
spellings: case, accents, hyphens, Cyrillic variants and apostrophes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from monitor.models import Classification
from monitor.store import search_index
from monitor.store.stories import band_columns, insert_alerts, insert_stories

# word → the spellings a story may use for it
SPELLINGS = {
    "lula": ["Lula", "LULA", "lula"],
    "zelensky": ["Zelensky", "ZELENSKY", "zelensky"],
    "zelenski": ["Zelenski", "Zelénski"],
    "brasil": ["Brasil", "BRASIL", "brasíl"],
    "ucrania": ["Ucrânia", "Ucrania", "UCRANIA"],
    "paz": ["paz", "Paz"],
    "plan": ["plan", "Plan"],
    "mexico": ["México", "Mexico", "MÉXICO"],
    "diaz": ["Díaz", "diaz"],
    "canel": ["Canel"],
    "guerra": ["guerra"],
    "de": ["de"],
    "x": ["x"],
    "2024": ["2024"],
    "covid19": ["COVID19"],
    "гуайдо": ["Ґуайдо", "Гуайдо"],
    "м'ясо": ["м'ясо", "м’ясо"],
    "зеленскии": ["Зеленский", "Зеленскии"],
}
WORDS = list(SPELLINGS)
STEMS = ["ucr", "zel", "bra", "pla", "mex", "gue", "cov", "202", "гуа", "зел"]
SEPARATORS = [" ", " ", " ", ", ", "-", " — ", ". "]


def story_text(rng: random.Random, size: int) -> str:
    words = [rng.choice(SPELLINGS[rng.choice(WORDS)]) for _ in range(size)]
    out = words[0] if words else ""
    for word in words[1:]:
        out += rng.choice(SEPARATORS) + word
    return out


def store_stories(
    conn: Connection, stories: Sequence[tuple[str, str]], *, start: datetime | None = None
) -> list[int]:
    """Insert (title, text) stories as the worker does and index them; ids in order."""
    start = start or datetime(2026, 11, 1, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {
            "title": title,
            "text": text,
            "html": "",
            "url": f"https://news.example/{n}",
            "lang": "pt",
            "credited_outlet": "The Rio Times",
            "title_key": "",
            "simhash": 0,
            "published_at": start + timedelta(minutes=n),
            "first_seen_at": start + timedelta(minutes=n),
            "updated_at": start + timedelta(minutes=n),
            "source_count": 1,
            **band_columns(0),
        }
        for n, (title, text) in enumerate(stories)
    ]
    ids = insert_stories(conn, rows)
    search_index.index_stories(
        conn, [(i, r["title"], r["text"]) for i, r in zip(ids, rows, strict=True)], fresh=True
    )
    return ids


def alert(conn: Connection, story_id: int, countries: list[str], category: str) -> None:
    verdict = Classification(
        relevant=True, score=0.9, category=category, countries=tuple(countries), lang="pt"
    )
    insert_alerts(conn, {story_id: verdict}, "ukraine-latam", now=datetime.now(UTC))


def random_corpus(seed: int, count: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [
        (story_text(rng, rng.randint(1, 6)), story_text(rng, rng.randint(0, 30)))
        for _ in range(count)
    ]
