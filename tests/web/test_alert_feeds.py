"""A subscription's private feeds, served by the real web role on both databases."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import feedparser
import orjson
import pytest

from monitor.store.db import transaction
from monitor.store.outbox import NewDelivery, add_deliveries
from monitor.store.subscribers import set_subscriber
from monitor.store.tables import alerts, deliveries, stories
from monitor.subscriptions.commands import private_feed
from tests.delivery.feed_rules import atom_problems, json_feed_problems
from tests.web.helpers import person

NOW = datetime.now(UTC).replace(microsecond=0)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def alerted(engine: Any, who: tuple[int, int], title: str, *, status: str = "pending") -> int:
    """A story with an alert delivered to subscription ``who``: its story id."""
    subscriber_id, subscription_id = who
    with transaction(engine) as conn:
        story_id = conn.execute(
            stories.insert().values(
                title=title, text=f"{title}. Full text.", url="https://news.example.com/a",
                lang="en", credited_outlet="Buenos Aires Times", published_at=NOW,
            ).returning(stories.c.id)
        ).scalar_one()
        alert_id = conn.execute(
            alerts.insert().values(
                story_id=story_id, topic="ukraine-latam", score=0.9, category="summit-visit",
                countries=["AR"], matched=[], created_at=NOW, updated_at=NOW,
            ).returning(alerts.c.id)
        ).scalar_one()
        add_deliveries(
            conn,
            [NewDelivery(subscriber_id, subscription_id, story_id, alert_id, "daily", NOW)],
            now=NOW,
        )
        if status != "pending":
            conn.execute(deliveries.update().where(deliveries.c.story_id == story_id).values(status=status))
    return int(story_id)


def issue_key(settings: Any, subscription_id: int, capsys: pytest.CaptureFixture[str], *, revoke: bool = False) -> str:
    assert private_feed(settings, subscription_id, revoke=revoke) == 0
    out = capsys.readouterr().out
    if revoke:
        assert "revoked" in out
        return ""
    match = re.search(r"/f/([A-Za-z0-9_\-]{43})\.atom", out)
    assert match, out
    assert f"/f/{match.group(1)}.json" in out
    return match.group(1)


def test_the_feed_shows_the_subscriptions_alerts_and_answers_304_when_unchanged(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    reader = person(engine, "reader@example.org")
    other = person(engine, "other@example.org")
    alerted(engine, reader, "Milei receives Zelensky in Buenos Aires")
    alerted(engine, reader, "Paused away", status="skipped")
    alerted(engine, other, "Someone else's alert")
    key = issue_key(settings, reader[1], capsys)

    status, headers, body = fetch(f"{base}/f/{key}.atom")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    assert atom_problems(body) == []
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == ["Milei receives Zelensky in Buenos Aires"]
    assert parsed.entries[0].author == "Buenos Aires Times"
    assert headers["Referrer-Policy"] == "no-referrer"

    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert fetch(f"{base}/f/{key}.atom", {"If-None-Match": etag})[0] == 304
    assert fetch(f"{base}/f/{key}.atom", {"If-Modified-Since": modified})[0] == 304

    status, headers, body = fetch(f"{base}/f/{key}.json")
    assert status == 200 and headers["Content-Type"].startswith("application/feed+json")
    document = orjson.loads(body)
    assert json_feed_problems(document) == []
    assert [item["title"] for item in document["items"]] == ["Milei receives Zelensky in Buenos Aires"]

    # A new alert changes the feed: the old validators no longer match.
    alerted(engine, reader, "Argentina joins the peace summit communiqué")
    status, headers, body = fetch(f"{base}/f/{key}.atom", {"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag
    assert len(feedparser.parse(body).entries) == 2


def test_rotating_or_revoking_the_key_closes_the_old_urls(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    reader = person(engine)
    alerted(engine, reader, "Lula calls Zelensky")
    first = issue_key(settings, reader[1], capsys)
    second = issue_key(settings, reader[1], capsys)
    assert first != second
    assert fetch(f"{base}/f/{first}.atom")[0] == 404
    assert fetch(f"{base}/f/{second}.atom")[0] == 200
    issue_key(settings, reader[1], capsys, revoke=True)
    assert fetch(f"{base}/f/{second}.atom")[0] == 404
    assert fetch(f"{base}/f/{second}.json")[0] == 404


def test_wrong_keys_and_ended_subscriptions(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    reader = person(engine)
    key = issue_key(settings, reader[1], capsys)
    for wrong in ("short", "A" * 43, key[:-1] + ("A" if key[-1] != "A" else "B"), "%00" * 15):
        status, _, body = fetch(f"{base}/f/{wrong}.atom")
        assert status == 404, wrong
        assert b"No such feed" in body
    with transaction(engine) as conn:
        set_subscriber(conn, reader[0], status="unsubscribed")
    assert fetch(f"{base}/f/{key}.atom")[0] == 410


def test_feed_for_a_missing_subscription_is_a_clear_error(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from monitor.errors import InputError

    settings, _, _ = web
    with pytest.raises(InputError, match="no subscription 999"):
        private_feed(settings, 999, revoke=False)


def test_an_empty_feed_is_valid(web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]) -> None:
    settings, engine, base = web
    key = issue_key(settings, person(engine)[1], capsys)
    status, _, body = fetch(f"{base}/f/{key}.atom")
    assert status == 200 and atom_problems(body) == []
    assert feedparser.parse(body).entries == []
