"""Shape of the blind sets for the thread decision (docs/threads.md, "Blind set 2" and
"Blind set 3"): the form of the stories, labels and pairs, and each set's independence from
every other labeled file. Nothing here looks at how the decision scores on a set."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.data.blind_shape import address, folded
from tests.data.threads import build_blind2, build_blind3
from tests.data.threads.build_blind2 import labeled_pairs
from tests.threads.conftest import DATA

STORY_KEYS = {"id", "title", "text", "source", "date", "lang", "url", "origin"}
LANGS = {"en", "es", "pt", "uk", "ru"}


@dataclass(frozen=True)
class BlindSet:
    prefix: str
    stories: Path
    labels: Path
    pairs: Path

    @property
    def files(self) -> set[str]:
        return {self.stories.name, self.labels.name, self.pairs.name}


SETS = [
    BlindSet("t2-", build_blind2.STORIES, build_blind2.LABELS, build_blind2.PAIRS),
    BlindSet("t3-", build_blind3.STORIES, build_blind3.LABELS, build_blind3.PAIRS),
]


def rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module", params=SETS, ids=["blind2", "blind3"])
def blind(request: pytest.FixtureRequest) -> BlindSet:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def stories(blind: BlindSet) -> list[dict[str, Any]]:
    return rows(blind.stories)


@pytest.fixture(scope="module")
def labels(blind: BlindSet) -> list[dict[str, Any]]:
    return rows(blind.labels)


@pytest.fixture(scope="module")
def pairs(blind: BlindSet) -> list[dict[str, Any]]:
    return rows(blind.pairs)


def test_story_ids_are_unique_and_prefixed(blind: BlindSet, stories: list[dict[str, Any]]) -> None:
    ids = [s["id"] for s in stories]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(blind.prefix) for i in ids)


def test_every_story_is_a_dated_searched_page(stories: list[dict[str, Any]]) -> None:
    for story in stories:
        assert set(story) >= STORY_KEYS, story["id"]
        assert set(story) <= STORY_KEYS | {"note"}, story["id"]
        assert story["origin"] == "search"
        assert story["url"].startswith("http")
        assert story["lang"] in LANGS
        assert story["title"].strip() and story["text"].strip()
        assert date(2022, 1, 1) <= date.fromisoformat(story["date"]) <= date(2026, 12, 31)


def test_each_story_has_one_label_with_countries(
    stories: list[dict[str, Any]], labels: list[dict[str, Any]]
) -> None:
    assert sorted(label["id"] for label in labels) == sorted(s["id"] for s in stories)
    for label in labels:
        assert set(label) == {"id", "event", "countries"}
        assert label["event"] and label["countries"]


def test_pairs_reference_stories_once_and_hold_both_labels(
    stories: list[dict[str, Any]], pairs: list[dict[str, Any]]
) -> None:
    ids = {s["id"] for s in stories}
    seen = set()
    for pair in pairs:
        assert {pair["a"], pair["b"]} <= ids
        assert pair["a"] != pair["b"]
        key = frozenset((pair["a"], pair["b"]))
        assert key not in seen
        seen.add(key)
    assert {pair["same_event"] for pair in pairs} == {True, False}


def test_pairs_are_the_ones_the_labels_give(
    stories: list[dict[str, Any]], labels: list[dict[str, Any]], pairs: list[dict[str, Any]]
) -> None:
    days = {s["id"]: date.fromisoformat(s["date"]) for s in stories}
    assert pairs == labeled_pairs(days, labels)
    event = {label["id"]: label["event"] for label in labels}
    same = sum(1 for a in event for b in event if a < b and event[a] == event[b])
    assert sum(1 for p in pairs if p["same_event"]) == same


def test_no_story_comes_from_another_labeled_file(
    blind: BlindSet, stories: list[dict[str, Any]]
) -> None:
    """No address, folded title or folded text of another labeled file comes back (the
    same comparison the blind sets' shape checks make)."""
    urls: set[str] = set()
    titles: set[str] = set()
    texts: set[str] = set()
    for path in DATA.parent.rglob("*.jsonl"):
        if path.name in blind.files:
            continue
        for row in rows(path):
            # a timeline gold batch copies the set's stories and says so in ``from``
            if (
                isinstance(row, dict)
                and row.get("from") != f"tests/data/threads/{blind.stories.name}"
            ):
                urls.add(address(row.get("url")))
                titles.add(folded(row.get("title")))
                texts.add(folded(row.get("text")))
    assert len(titles) > 1000, "too few other titles read"
    for story in stories:
        assert address(story["url"]) not in urls, story["id"]
        assert folded(story["title"]) not in titles, story["id"]
        assert folded(story["text"]) not in texts, story["id"]
