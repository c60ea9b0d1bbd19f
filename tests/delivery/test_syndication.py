"""Atom and JSON Feed of a subscription: valid for feed readers, safe with hostile stories."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import feedparser
import orjson
import pytest

from monitor.delivery.syndication import (
    FeedEntry,
    FeedHead,
    entry_id,
    http_date,
    not_modified,
    render_atom,
    render_json_feed,
)
from tests.delivery.feed_rules import atom_problems, json_feed_problems

NOW = datetime(2026, 12, 6, 20, 15, 30, 123456, tzinfo=UTC)
HEAD = FeedHead(
    subscription_id=4,
    title="monitor: LatAm desk",
    public_url="https://monitor.example.org",
    atom_url="https://monitor.example.org/f/KEY.atom",
    json_url="https://monitor.example.org/f/KEY.json",
    updated=NOW - timedelta(days=3),
)


def entry(story_id: int = 1, **overrides: object) -> FeedEntry:
    values: dict[str, object] = {
        "story_id": story_id,
        "revision": 1,
        "title": "Zelensky meets Lula in New York",
        "url": f"https://news.example.com/{story_id}",
        "text": "The presidents of Ukraine and Brazil met at the UN General Assembly.",
        "outlet": "Agência Brasil",
        "category": "summit-visit",
        "countries": ("BR",),
        "lang": "en",
        "score": 0.91,
        "published": NOW - timedelta(hours=2),
        "updated": NOW - timedelta(hours=1),
    }
    values.update(overrides)
    return FeedEntry(**values)  # type: ignore[arg-type]


HOSTILE = entry(
    7,
    title="Breaking\x00 <script>alert(1)</script> & \ufffe\r\nX-Injected: yes",
    url="javascript:alert(1)",
    text="]]><evil/> \x1b[31m red \udcff lone surrogate \U0001f1fa\U0001f1e6 flag",
    outlet='Outlet "quoted" & <b>bold</b>',
    countries=("BR", "AR"),
)


def test_atom_feed_is_valid_and_carries_category_countries_and_outlet() -> None:
    rendered = render_atom(HEAD, [entry(1), entry(2, countries=("MX", "CO"), category="peace-plan")])
    assert atom_problems(rendered.body) == []
    parsed = feedparser.parse(rendered.body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "monitor: LatAm desk"
    first, second = parsed.entries
    assert first.id == "tag:monitor.example.org,2024:story/1"
    assert first.link == "https://news.example.com/1"
    assert first.author == "Agência Brasil"
    assert [t.term for t in second.tags] == ["peace-plan", "MX", "CO"]
    assert first.published == "2026-12-06T18:15:30Z"


def test_json_feed_is_valid_with_the_atom_feeds_ids() -> None:
    rendered = render_json_feed(HEAD, [entry(1), entry(2, url=None)])
    document = orjson.loads(rendered.body)
    assert json_feed_problems(document) == []
    assert document["items"][0]["_monitor"]["credited_outlet"] == "Agência Brasil"
    assert document["items"][0]["tags"] == ["summit-visit", "BR"]
    assert "url" not in document["items"][1]
    # feedparser 6 reads no JSON Feed (its JSON support is unreleased); the rules above and
    # the ids, the same as the Atom feed's, stand in for it.
    atom_ids = [e.id for e in feedparser.parse(render_atom(HEAD, [entry(1), entry(2)]).body).entries]
    assert [item["id"] for item in document["items"]] == atom_ids
    assert atom_ids == [entry_id(HEAD.public_url, 1), entry_id(HEAD.public_url, 2)]


def test_a_hostile_story_comes_out_as_plain_text_in_both_feeds() -> None:
    atom = render_atom(HEAD, [HOSTILE])
    assert atom_problems(atom.body) == []
    parsed = feedparser.parse(atom.body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    (item,) = parsed.entries
    # One line, no controls, nothing XML cannot carry; markup is text, not elements.
    assert item.title == "Breaking <script>alert(1)</script> & X-Injected: yes"
    assert item.get("links", []) == [] and b"javascript" not in atom.body  # never a link
    assert "<evil/>" in item.content[0].value and "\x1b" not in item.content[0].value
    assert b"<script>" not in atom.body and b"<evil" not in atom.body
    json_feed = render_json_feed(HEAD, [HOSTILE])
    document = orjson.loads(json_feed.body)
    assert json_feed_problems(document) == []
    assert document["items"][0]["title"] == item.title
    assert "url" not in document["items"][0]


def test_an_empty_feed_is_valid_and_dated_by_its_head() -> None:
    for render, rules in ((render_atom, atom_problems), (render_json_feed, None)):
        rendered = render(HEAD, [])
        assert rendered.last_modified == HEAD.updated.replace(microsecond=0)
        if rules is not None:
            assert rules(rendered.body) == []
    assert json_feed_problems(orjson.loads(render_json_feed(HEAD, []).body)) == []


def test_the_etag_follows_the_content() -> None:
    base = render_atom(HEAD, [entry(1)])
    assert render_atom(HEAD, [entry(1)]).etag == base.etag
    revised = render_atom(HEAD, [entry(1, revision=2, updated=NOW)])
    assert revised.etag != base.etag
    assert revised.last_modified == NOW.replace(microsecond=0)
    assert render_json_feed(HEAD, [entry(1)]).etag != base.etag


def test_entry_ids_do_not_depend_on_the_feed_key() -> None:
    rotated = replace(HEAD, atom_url="https://monitor.example.org/f/OTHER.atom")
    ids = [e.id for e in feedparser.parse(render_atom(rotated, [entry(3)]).body).entries]
    assert ids == [e.id for e in feedparser.parse(render_atom(HEAD, [entry(3)]).body).entries]


LAST = datetime(2026, 12, 6, 20, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("if_none_match", "if_modified_since", "expected"),
    [
        (None, None, False),
        ('"abc"', None, True),
        ('W/"abc"', None, True),
        ('"other", "abc"', None, True),
        ("*", None, True),
        ('"other"', None, False),
        # If-None-Match decides alone, even when the date would say "not modified".
        ('"other"', http_date(LAST), False),
        (None, http_date(LAST), True),
        (None, http_date(LAST + timedelta(seconds=5)), True),
        (None, http_date(LAST - timedelta(seconds=1)), False),
        (None, "not a date", False),
        (None, "Sun, 06 Dec 2026 20:15:30", False),  # no zone: ignored
    ],
)
def test_not_modified(if_none_match: str | None, if_modified_since: str | None, expected: bool) -> None:
    assert not_modified(if_none_match, if_modified_since, '"abc"', LAST) is expected


def test_the_rule_checks_catch_what_a_validator_would() -> None:
    """The checks the feed tests rely on, shown failing on feeds that break the rules."""
    broken_atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><id>not an iri</id><title>t</title>'
        b"<updated>yesterday</updated><entry><title>x</title><updated>2026-01-01T00:00:00Z"
        b"</updated></entry></feed>"
    )
    problems = atom_problems(broken_atom)
    assert "feed: id 'not an iri' is not an absolute IRI" in problems
    assert "feed: updated 'yesterday' is not RFC 3339" in problems
    assert "entry 1: 0 atom:id (exactly one required)" in problems
    assert "entry 1: no atom:author and the feed has none" in problems
    assert any("neither an alternate link nor content" in p for p in problems)
    broken_json = {"version": "1", "title": "", "items": [{"id": 3, "date_published": "today", "x": 1}]}
    assert len(json_feed_problems(broken_json)) == 6
