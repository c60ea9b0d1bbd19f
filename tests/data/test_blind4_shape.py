"""The fourth blind set's shape: fields, ids, labels and mix, never the classifier's scores.

tests/data/blind4.jsonl is sealed for evaluation (docs/evaluation.md says how it was built
and why nobody tunes on it). These tests only guard its form and its independence from every
earlier set, so an edit that breaks the schema, the agreed mix or the no-overlap promise fails
here; how well anything does on it is measured by `monitor eval` and written down in
docs/evaluation.md, not asserted.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from tests import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
BLIND4 = DATA / "blind4.jsonl"
NOTES = DATA / "blind4-notes.md"
DEV2 = DATA / "dev2.jsonl"
EARLIER_SETS = [
    DATA / "dev-news.jsonl",
    DATA / "dev2.jsonl",
    DATA / "dev3.jsonl",
    DATA / "dev-ukru.jsonl",
    DATA / "holdout.jsonl",
    DATA / "blind3.jsonl",
    DATA / "russia-latam" / "dev.jsonl",
    DATA / "russia-latam" / "blind.jsonl",
]

KEYS = ["id", "title", "text", "source", "url", "date", "lang", "relevant", "category",
        "countries", "note"]
LANGS = {"en", "es", "pt", "uk", "ru"}
# The seven categories of the labeling rules (docs/evaluation.md), which the set was labeled by.
CATEGORIES = {"peace-plan", "summit-visit", "trade-economy", "security-military",
              "un-multilateral", "humanitarian", "other"}
# ISO 3166-1 alpha-2 codes of the 33 Latin American and Caribbean states.
LATAM = {
    "AG", "AR", "BS", "BB", "BZ", "BO", "BR", "CL", "CO", "CR", "CU", "DM", "DO", "EC", "SV",
    "GD", "GT", "GY", "HT", "HN", "JM", "MX", "NI", "PA", "PY", "PE", "KN", "LC", "VC", "SR",
    "TT", "UY", "VE",
}
DATE = re.compile(r"20(2[2-6])(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")


def _items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _folded(text: str | None) -> str:
    """Case-, accent- and punctuation-folded text, so a re-typed title still matches."""
    decomposed = unicodedata.normalize("NFKD", text or "").casefold()
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


def _address(url: str | None) -> str:
    """A URL without scheme, www., query, fragment or trailing slash."""
    bare = (url or "").casefold().split("?")[0].split("#")[0].rstrip("/")
    return re.sub(r"^https?://(www\.)?", "", bare)


def test_every_line_has_exactly_the_dev_set_fields_in_order() -> None:
    assert list(_items(DEV2)[0]) == KEYS
    for item in _items(BLIND4):
        assert list(item) == KEYS, item.get("id")


def test_ids_are_unique_and_numbered_from_b4_001() -> None:
    ids = [item["id"] for item in _items(BLIND4)]
    assert sorted(ids) == [f"b4-{n:03d}" for n in range(1, len(ids) + 1)]


def test_there_are_at_least_200_items_and_twenty_in_ukrainian_or_russian() -> None:
    items = _items(BLIND4)
    assert len(items) >= 200
    assert sum(item["lang"] in {"uk", "ru"} for item in items) >= 20
    assert {item["lang"] for item in items} == LANGS


def test_between_thirty_and_fifty_percent_are_relevant_and_negatives_are_mostly_hard() -> None:
    items = _items(BLIND4)
    relevant = sum(item["relevant"] is True for item in items)
    assert 0.3 <= relevant / len(items) <= 0.5
    negatives = [item for item in items if item["relevant"] is False]
    hard = sum("Hard negative" in item["note"] for item in negatives)
    assert hard / len(negatives) >= 0.5


def test_labels_are_consistent() -> None:
    for item in _items(BLIND4):
        assert isinstance(item["relevant"], bool), item["id"]
        if item["relevant"]:
            assert item["category"] in CATEGORIES, item["id"]
            assert set(item["countries"]) <= LATAM, item["id"]
            assert "Hard negative" not in item["note"], item["id"]
        else:
            assert item["category"] is None, item["id"]
            assert item["countries"] == [], item["id"]


def test_every_category_has_positives() -> None:
    counts = Counter(item["category"] for item in _items(BLIND4) if item["relevant"])
    assert set(counts) == CATEGORIES


def test_texts_titles_dates_sources_and_urls_are_filled_in() -> None:
    items = _items(BLIND4)
    for item in items:
        assert item["title"].strip() and item["text"].strip(), item["id"]
        assert item["source"].strip(), item["id"]
        assert len(item["text"]) <= 800, item["id"]
        assert item["date"] is None or DATE.fullmatch(item["date"]), item["id"]
        assert item["url"].startswith(("http://", "https://")), item["id"]
    addresses = [_address(item["url"]) for item in items]
    assert len(addresses) == len(set(addresses))


def test_no_item_repeats_a_story_from_any_earlier_set() -> None:
    earlier = [item for path in EARLIER_SETS for item in _items(path)]
    assert earlier, "the earlier sets were not found"
    urls = {_address(item.get("url")) for item in earlier if item.get("url")}
    titles = {_folded(item.get("title")) for item in earlier}
    texts = {_folded(item.get("text")) for item in earlier}
    for item in _items(BLIND4):
        assert _address(item["url"]) not in urls, item["id"]
        assert _folded(item["title"]) not in titles, item["id"]
        assert _folded(item["text"]) not in texts, item["id"]


def test_every_borderline_item_is_listed_in_the_notes() -> None:
    notes = NOTES.read_text(encoding="utf-8")
    for item in _items(BLIND4):
        if "Borderline" in item["note"]:
            assert f"| {item['id']} |" in notes, item["id"]
