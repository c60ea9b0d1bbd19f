"""Shape of the Russia–Latin America data sets (issue 16, second topic).

The labeling rules live in docs/topics/russia-latam.md; these tests hold the two files to
them (fields, ids, categories, countries, languages, sizes, share relevant) and check that
the dev/blind split written down there is the one in the repository. The blind set is only
shape-checked: no cue or vocabulary check reads it.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests import PROJECT_ROOT
from tests.data.topic_split import split_pool

DATA = PROJECT_ROOT / "tests" / "data" / "russia-latam"
DEV_PATH = DATA / "dev.jsonl"
BLIND_PATH = DATA / "blind.jsonl"
DOC_PATH = PROJECT_ROOT / "docs" / "topics" / "russia-latam.md"
TOPIC_PATH = PROJECT_ROOT / "seeds" / "topics" / "russia-latam.toml"

SPLIT_SEED = "russia-latam/2026-12-06"
FIELDS = (
    "id", "title", "text", "source", "url", "date", "lang", "relevant", "category",
    "countries", "note",
)  # fmt: skip
LANGS = {"en", "es", "pt", "ru"}
DATE = re.compile(r"^(2022|2023|2024|2025|2026)(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
Item = dict[str, Any]


def read(path: Path) -> list[Item]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def doc_section(title: str) -> str:
    """The text of one '## ' section of the topic's doc."""
    doc = DOC_PATH.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", doc, re.M | re.S)
    assert match, f"docs/topics/russia-latam.md has no section {title!r}"
    return match.group(1)


def doc_categories() -> list[str]:
    """Categories as defined in the doc's table: rows that start with a `name` cell."""
    return re.findall(r"^\| `([a-z-]+)` \|", doc_section("Categories"), re.M)


def doc_countries() -> set[str]:
    return set(re.findall(r"\b([A-Z]{2}) [A-Z][a-z]", doc_section("Countries (33 states)")))


DEV = read(DEV_PATH)
BLIND = read(BLIND_PATH)
SETS = {"dev": DEV, "blind": BLIND}


def test_the_doc_defines_seven_categories_and_33_countries() -> None:
    assert len(doc_categories()) == 7
    assert len(set(doc_categories())) == 7
    assert len(doc_countries()) == 33


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_item_has_exactly_the_fields_of_dev2(name: str) -> None:
    dev2 = (PROJECT_ROOT / "tests" / "data" / "dev2.jsonl").read_text(encoding="utf-8")
    dev2_fields = set(json.loads(dev2.splitlines()[0]))
    assert set(FIELDS) == dev2_fields
    for item in SETS[name]:
        assert tuple(item) == FIELDS, item["id"]
        assert isinstance(item["relevant"], bool), item["id"]
        assert isinstance(item["countries"], list), item["id"]
        for key in ("title", "text", "source", "url"):
            assert isinstance(item[key], str) and item[key].strip(), (item["id"], key)


def test_ids_are_unique_and_say_which_set() -> None:
    ids = [item["id"] for item in DEV + BLIND]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"rd\d{3}", item["id"]) for item in DEV)
    assert all(re.fullmatch(r"rb\d{3}", item["id"]) for item in BLIND)


def test_no_story_is_in_both_sets_or_twice() -> None:
    urls = [item["url"] for item in DEV + BLIND]
    titles = [item["title"] for item in DEV + BLIND]
    assert len(urls) == len(set(urls))
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize("name", sorted(SETS))
def test_labels_follow_the_doc(name: str) -> None:
    categories = set(doc_categories())
    countries = doc_countries()
    for item in SETS[name]:
        if item["relevant"]:
            assert item["category"] in categories, item["id"]
            assert set(item["countries"]) <= countries, item["id"]
            assert len(item["countries"]) == len(set(item["countries"])), item["id"]
        else:
            assert item["category"] is None, item["id"]
            assert item["countries"] == [], item["id"]


@pytest.mark.parametrize("name", sorted(SETS))
def test_languages_dates_and_passages(name: str) -> None:
    items = SETS[name]
    langs = Counter(item["lang"] for item in items)
    assert set(langs) == LANGS, langs  # every language, including some Russian, in each set
    assert langs["ru"] >= 5
    for item in items:
        assert item["date"] is None or DATE.match(item["date"]), item["id"]
        assert len(item["text"]) <= 800, item["id"]  # a short quoted passage, not the article


@pytest.mark.parametrize(("name", "minimum"), [("dev", 120), ("blind", 100)])
def test_sizes_and_share_relevant(name: str, minimum: int) -> None:
    items = SETS[name]
    relevant = sum(item["relevant"] for item in items)
    assert len(items) >= minimum
    assert 0.35 <= relevant / len(items) <= 0.50, relevant / len(items)


@pytest.mark.parametrize("name", sorted(SETS))
def test_most_negatives_are_hard_negatives(name: str) -> None:
    negatives = [item for item in SETS[name] if not item["relevant"]]
    hard = [item for item in negatives if item["note"].startswith("Hard negative")]
    assert len(hard) / len(negatives) >= 0.6


def test_split_is_reproducible_from_seed() -> None:
    def strip(items: list[Item]) -> list[Item]:
        return [{k: v for k, v in item.items() if k != "id"} for item in items]

    pool = strip(DEV) + strip(BLIND)
    dev, blind = split_pool(pool, SPLIT_SEED, len(DEV))
    assert list(dev) == strip(DEV)
    assert list(blind) == strip(BLIND)


def test_split_pool_depends_on_the_seed_and_rejects_empty_sides() -> None:
    pool = [{"title": f"t{i}", "url": f"u{i}"} for i in range(20)]
    first, _ = split_pool(pool, "a", 10)
    again, _ = split_pool(list(reversed(pool)), "a", 10)
    other, _ = split_pool(pool, "b", 10)
    assert first == again  # the input order does not matter, only the seed
    assert first != other
    with pytest.raises(ValueError, match="dev_size"):
        split_pool(pool, "a", 20)


# --- the draft topic file, checked against dev only ------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return plain.replace("-", " ").replace("–", " ")


def _cue_fires(term: str, text: str) -> bool:
    """The topic files' term syntax: whole words, ``*`` prefix, ``=`` case-sensitive."""
    if term.startswith("="):
        return re.search(rf"(?<!\w){re.escape(term[1:])}(?!\w)", text) is not None
    stem = _fold(term.rstrip("*"))
    tail = r"\w*" if term.endswith("*") else r"(?!\w)"
    return re.search(rf"(?<!\w){re.escape(stem)}{tail}", _fold(text)) is not None


TOPIC = tomllib.loads(TOPIC_PATH.read_text(encoding="utf-8"))


def test_the_draft_topic_has_the_docs_categories_and_countries() -> None:
    categories = TOPIC["categories"]
    assert sorted(categories["names"]) == sorted(doc_categories())
    assert sorted(categories["precedence"]) == sorted(doc_categories())
    assert set(categories) - {"names", "precedence"} >= set(doc_categories())
    assert set(TOPIC["latam"]["countries"]) == doc_countries()
    assert TOPIC["topic"]["sides"] == ["russia", "latam"]


def test_every_dev_positive_has_a_cue_of_its_category() -> None:
    cues = {
        name: [term for group in TOPIC["categories"][name]["cues"] for term in group["terms"]]
        for name in TOPIC["categories"]["names"]
    }
    missing = [
        item["id"]
        for item in DEV
        if item["relevant"]
        and not any(
            _cue_fires(term, f"{item['title']} {item['text']}") for term in cues[item["category"]]
        )
    ]
    assert missing == []


def test_cue_matching_follows_the_term_syntax() -> None:
    assert _cue_fires("visit*", "Lavrov visited Brasília")
    assert _cue_fires("reunió", "se REUNIO con Lula")
    assert not _cue_fires("oil", "turmoil in Caracas")
    assert _cue_fires("=RT", "RT en Español")
    assert not _cue_fires("=RT", "art and sport")
