"""Calls to the real API, keys made by the real CLI module, and stories with alerts."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from monitor.store import search_index, trend_counts
from monitor.store.db import transaction
from monitor.store.tables import alerts, stories, story_sources
from monitor.web.api.key_commands import add_key

NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return orjson.loads(self.raw)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0]


def api(
    base: str,
    path: str,
    key: str | None = None,
    *,
    method: str = "GET",
    body: Any = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    sent = dict(headers or {})
    if key is not None:
        sent.setdefault("Authorization", f"Bearer {key}")
    data = raw
    if body is not None:
        data = orjson.dumps(body)
    if data is not None:
        sent.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(base + path, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers), exc.read())


def make_key(settings: Any, who: int | str, capsys: pytest.CaptureFixture[str],
             scope: str = "read") -> str:
    capsys.readouterr()
    assert add_key(settings, str(who), "tests", scope) == 0
    out = capsys.readouterr().out
    match = re.search(r"\b(mk_[a-z0-9]{8}_[A-Za-z0-9_\-]{43})\b", out)
    assert match, out
    return match.group(1)


def alerted_story(
    engine: Any,
    title: str,
    *,
    text: str = "",
    country: str = "AR",
    category: str = "summit-visit",
    lang: str = "en",
    ago: timedelta = timedelta(hours=1),
    url: str | None = "https://news.example.com/a",
) -> int:
    """A story with one copy and one alert created ``ago`` before now: its id."""
    at = NOW - ago
    with transaction(engine) as conn:
        story_id = conn.execute(
            stories.insert().values(
                title=title, text=text or f"{title}. Full text.", url=url, lang=lang,
                credited_outlet="Buenos Aires Times", published_at=at, first_seen_at=at,
            ).returning(stories.c.id)
        ).scalar_one()
        # indexed in the same transaction, as the worker does
        search_index.index_stories(
            conn, [(int(story_id), title, text or f"{title}. Full text.")], fresh=True
        )
        conn.execute(story_sources.insert().values(
            story_id=story_id, item_id=f"item-{story_id}", feed_url="https://feeds.example.com/x",
            outlet="Buenos Aires Times", url=url, title=title, published_at=at, first_seen_at=at,
        ))
        conn.execute(alerts.insert().values(
            story_id=story_id, topic="ukraine-latam", score=0.9, category=category,
            countries=[country], created_at=at, updated_at=at,
            matched=[{"rule": "leader", "term": "zelensky", "field": "title", "start": 0,
                      "end": 8}],
        ))
        trend_counts.rebuild(conn)  # written outside the worker: counted again, as 0022 does
    return int(story_id)
