"""Golden files: each fixture feed → the exact JSON ``monitor feed check`` reports for it.

A parser or normalizer change shows up here as a readable diff of items. To accept a
deliberate change, regenerate and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/feeds/test_check_golden.py

(Not a MONITOR_* name: tests/conftest.py clears those so local settings cannot leak in.)
"""

from __future__ import annotations

import json
import os
from typing import Any

import orjson
import pytest

from monitor.errors import FeedParseError
from monitor.feeds.check import check_feed, check_feed_bytes
from tests.feeds.feed_samples import (
    FETCHED_AT,
    FIXTURES,
    GOLDEN,
    HOSTILE,
    fixture_bytes,
    fixture_url,
)

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
# Hostile documents that are refused whole (test_parse.py and test_xmlguard.py cover them).
REFUSED = {"empty.xml", "whitespace.xml", "unreadable-doctype.xml"}

FEEDS = sorted(
    path.name for path in FIXTURES.iterdir() if path.suffix in {".xml", ".rdf", ".json"}
) + sorted(
    path.name
    for path in HOSTILE.iterdir()
    if path.suffix == ".xml" and path.name not in REFUSED
)


def report(name: str) -> dict[str, Any]:
    check = check_feed(
        fixture_bytes(name), url=fixture_url(name), content_type=None, fetched_at=FETCHED_AT
    )
    return {"feed": check.feed, "warnings": check.warnings, "items": check.items}


def test_every_fixture_has_a_golden_file() -> None:
    assert len(FEEDS) == 34  # 10 fixture feeds + 24 survivable hostile ones
    expected = {f"{name}.json" for name in FEEDS}
    present = {path.name for path in GOLDEN.glob("*.json")}
    assert expected <= present or UPDATE
    assert present <= expected, f"stale golden files: {sorted(present - expected)}"


@pytest.mark.parametrize("name", FEEDS)
def test_golden(name: str) -> None:
    actual = report(name)
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected


@pytest.mark.parametrize("name", FEEDS)
def test_reports_are_json_lines_ready(name: str) -> None:
    items = check_feed_bytes(
        fixture_bytes(name), url=fixture_url(name), content_type=None, fetched_at=FETCHED_AT
    )
    for item in items:
        line = orjson.dumps(item)
        assert b"\n" not in line
        assert orjson.loads(line) == item
        assert len(item["simhash"]) == 16
        assert item["published"].endswith("+00:00")


def test_check_feed_bytes_matches_check_feed_items() -> None:
    body = fixture_bytes("example-menafn-feed.xml")
    items = check_feed_bytes(
        body,
        url="https://menafn.com/rss/",
        content_type="text/xml",
        fetched_at=FETCHED_AT,
        outlet="MENAFN",
    )
    assert [i["outlet"] for i in items] == ["MENAFN"] * 3
    assert [i["original_outlet"] for i in items] == ["EIN Presswire", "The Rio Times", "Ukrinform"]
    assert (
        items
        == check_feed(
            body,
            url="https://menafn.com/rss/",
            content_type="text/xml",
            fetched_at=FETCHED_AT,
            outlet="MENAFN",
        ).items
    )


@pytest.mark.parametrize(
    "name", ["html-page.html", "empty.xml", "not-xml.txt", "json-not-feed.json"]
)
def test_check_reports_hopeless_input_as_one_error(name: str) -> None:
    with pytest.raises(FeedParseError) as caught:
        check_feed_bytes(
            fixture_bytes(name), url=fixture_url(name), content_type=None, fetched_at=FETCHED_AT
        )
    assert str(caught.value).startswith(fixture_url(name) + ": ")
    assert "\n" not in str(caught.value)
