"""The third blind set's shape: fields, ids, labels and mix, never the classifier's scores.

tests/data/blind3.jsonl is sealed for evaluation (docs/evaluation.md says how it was built
and why nobody tunes on it). These tests only guard its form, so an edit that breaks the
schema or the agreed mix fails here; how well the classifier does on it is measured by
`monitor eval` and written down in docs/evaluation.md, not asserted.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from tests import PROJECT_ROOT

BLIND3 = PROJECT_ROOT / "tests" / "data" / "blind3.jsonl"
DEV2 = PROJECT_ROOT / "tests" / "data" / "dev2.jsonl"
TOPIC = PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml"

KEYS = [
    "id",
    "title",
    "text",
    "source",
    "url",
    "date",
    "lang",
    "relevant",
    "category",
    "countries",
    "note",
]
LANGS = {"en", "es", "pt", "uk", "ru"}
# ISO 3166-1 alpha-2 codes of the 33 Latin American and Caribbean states.
LATAM = {
    "AG",
    "AR",
    "BS",
    "BB",
    "BZ",
    "BO",
    "BR",
    "CL",
    "CO",
    "CR",
    "CU",
    "DM",
    "DO",
    "EC",
    "SV",
    "GD",
    "GT",
    "GY",
    "HT",
    "HN",
    "JM",
    "MX",
    "NI",
    "PA",
    "PY",
    "PE",
    "KN",
    "LC",
    "VC",
    "SR",
    "TT",
    "UY",
    "VE",
}
DATE = re.compile(r"20(2[2-6])(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")


def _items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _topic_categories() -> set[str]:
    """The categories the topic file defines: the tables under [categories]."""
    data = tomllib.loads(TOPIC.read_text(encoding="utf-8"))
    return {name for name, value in data["categories"].items() if isinstance(value, dict)}


def test_every_line_has_exactly_the_dev_set_fields_in_order() -> None:
    reference = list(_items(DEV2)[0])
    assert reference == KEYS
    for item in _items(BLIND3):
        assert list(item) == KEYS, item.get("id")


def test_ids_are_unique_and_numbered_from_b3_001() -> None:
    ids = [item["id"] for item in _items(BLIND3)]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == [f"b3-{n:03d}" for n in range(1, len(ids) + 1)]


def test_there_are_at_least_200_items_and_twenty_in_ukrainian_or_russian() -> None:
    items = _items(BLIND3)
    assert len(items) >= 200
    assert sum(item["lang"] in {"uk", "ru"} for item in items) >= 20
    assert {item["lang"] for item in items} <= LANGS
    assert {"en", "es", "pt", "uk", "ru"} <= {item["lang"] for item in items}


def test_between_thirty_and_fifty_percent_are_relevant() -> None:
    items = _items(BLIND3)
    share = sum(item["relevant"] is True for item in items) / len(items)
    assert 0.3 <= share <= 0.5


def test_labels_are_consistent_with_the_topic_categories() -> None:
    categories = _topic_categories()
    assert len(categories) == 7
    for item in _items(BLIND3):
        assert isinstance(item["relevant"], bool), item["id"]
        if item["relevant"]:
            assert item["category"] in categories, item["id"]
            assert set(item["countries"]) <= LATAM, item["id"]
        else:
            assert item["category"] is None, item["id"]
            assert item["countries"] == [], item["id"]


def test_every_category_has_positives() -> None:
    counts = Counter(item["category"] for item in _items(BLIND3) if item["relevant"])
    assert set(counts) == _topic_categories()


def test_texts_titles_dates_and_sources_are_filled_in() -> None:
    for item in _items(BLIND3):
        assert item["title"].strip() and item["text"].strip(), item["id"]
        assert item["source"].strip(), item["id"]
        assert len(item["text"]) <= 800, item["id"]
        assert item["date"] is None or DATE.fullmatch(item["date"]), item["id"]
        assert item["url"] is None or item["url"].startswith(("http://", "https://")), item["id"]


def test_no_item_repeats_a_development_or_holdout_story() -> None:
    blind = _items(BLIND3)
    earlier = [
        item
        for name in ("dev-news", "dev2", "holdout")
        for item in _items(PROJECT_ROOT / "tests" / "data" / f"{name}.jsonl")
    ]
    earlier_urls = {item["url"] for item in earlier if item["url"]}
    earlier_texts = {item["text"] for item in earlier}
    for item in blind:
        assert item["url"] not in earlier_urls, item["id"]
        assert item["text"] not in earlier_texts, item["id"]
    urls = [item["url"] for item in blind if item["url"]]
    assert len(urls) == len(set(urls))
