"""Shape checks shared by the blind sets' tests (blind4 and later).

Each blind set's ``test_blindN_shape.py`` names its file, its notes, its id prefix, the
earlier sets it must be compared with and the mix it promised, and calls these checks. They
guard the form of a set and its independence from every other labelled set, never how well
anything scores on it; one copy here keeps the sets' tests from drifting apart.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tests import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
DEV2 = DATA / "dev2.jsonl"

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
# The seven categories of the labeling rules (docs/evaluation.md), which the sets are labeled by.
CATEGORIES = {
    "peace-plan",
    "summit-visit",
    "trade-economy",
    "security-military",
    "un-multilateral",
    "humanitarian",
    "other",
}
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
# Files every blind set must be compared with, so a moved or renamed pool is noticed rather
# than silently skipped. Each set's test adds the blind sets it follows.
BASE_EARLIER = {"dev-news.jsonl", "dev2.jsonl", "dev3.jsonl", "holdout.jsonl", "blind3.jsonl"}

Item = dict[str, Any]


def items(path: Path) -> list[Item]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def other_sets(path: Path) -> list[Path]:
    """Every other labelled JSONL file under tests/data (dev pools, holdout, blind sets, threads)."""
    return sorted(other for other in DATA.rglob("*.jsonl") if other.resolve() != path.resolve())


def earlier_items(path: Path, paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The items of ``paths``, without copies made *from* ``path`` (a timeline gold
    batch copies a blind set's stories and says so in its ``from`` field)."""
    copied_from = f"tests/data/{path.name}"
    return [item for other in paths for item in items(other) if item.get("from") != copied_from]


def folded(text: str | None) -> str:
    """Case-, accent- and punctuation-folded text, so a re-typed title still matches."""
    decomposed = unicodedata.normalize("NFKD", text or "").casefold()
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


# Pages served by one script (noticias.asp?codigo=105582) or from the site root (/?p=4387)
# are told apart only by their query, so it is kept for them.
QUERY_NAMES_PAGE = re.compile(r"(^[^/]+/?|\.(asp|aspx|php|jsp|cfm))$")


def address(url: str | None) -> str:
    """A URL without scheme, www., fragment or trailing slash, and without its query
    unless the query is what names the page (a script or the site root)."""
    bare = re.sub(r"^https?://(www\.)?", "", (url or "").casefold().split("#")[0])
    path, _, query = bare.partition("?")
    path = path.rstrip("/")
    if query and QUERY_NAMES_PAGE.search(path):
        return f"{path}?{query}"
    return path


def tokens(text: str | None) -> frozenset[str]:
    return frozenset(folded(text).split())


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    """Token Jaccard similarity of at least 0.8 (a lightly edited copy of the same text)."""
    if not a or not b or min(len(a), len(b)) < 0.8 * max(len(a), len(b)):
        return False
    return len(a & b) >= 0.8 * len(a | b)


def check_fields(path: Path) -> None:
    """Every line has exactly the dev set's keys, in the dev set's order."""
    assert list(items(DEV2)[0]) == KEYS
    for item in items(path):
        assert list(item) == KEYS, item.get("id")


def check_ids(path: Path, prefix: str) -> None:
    """Ids are unique and numbered ``prefix-001`` upwards without gaps."""
    ids = [item["id"] for item in items(path)]
    assert sorted(ids) == [f"{prefix}-{n:03d}" for n in range(1, len(ids) + 1)]


def check_language_mix(path: Path, minimum_items: int, minimum_per_lang: Mapping[str, int]) -> None:
    """At least ``minimum_items`` items, every language present and each at its agreed minimum."""
    all_items = items(path)
    assert len(all_items) >= minimum_items
    counts = Counter(item["lang"] for item in all_items)
    assert set(counts) == LANGS
    for lang, minimum in minimum_per_lang.items():
        assert counts[lang] >= minimum, lang


def check_relevance_mix(path: Path, low: float, high: float, hard_share: float) -> None:
    """The relevant share lies in [low, high]; at least ``hard_share`` of negatives are hard."""
    all_items = items(path)
    relevant = sum(item["relevant"] is True for item in all_items)
    assert low <= relevant / len(all_items) <= high
    negatives = [item for item in all_items if item["relevant"] is False]
    hard = sum("Hard negative" in item["note"] for item in negatives)
    assert hard / len(negatives) >= hard_share


def check_recent_share(path: Path, share: float) -> None:
    """At least ``share`` of the items are dated 2025 or 2026."""
    all_items = items(path)
    recent = sum((item["date"] or "").startswith(("2025", "2026")) for item in all_items)
    assert recent / len(all_items) >= share


def check_labels(path: Path) -> None:
    """Positives carry a category and Latin American codes only; negatives carry neither."""
    for item in items(path):
        assert isinstance(item["relevant"], bool), item["id"]
        if item["relevant"]:
            assert item["category"] in CATEGORIES, item["id"]
            assert set(item["countries"]) <= LATAM, item["id"]
            assert "Hard negative" not in item["note"], item["id"]
        else:
            assert item["category"] is None, item["id"]
            assert item["countries"] == [], item["id"]


def check_every_category(path: Path) -> None:
    counts = Counter(item["category"] for item in items(path) if item["relevant"])
    assert set(counts) == CATEGORIES


def check_filled_in(path: Path, longest_text: int = 800) -> None:
    """Titles, texts, sources and URLs are present, dates well formed, nothing repeated inside."""
    all_items = items(path)
    for item in all_items:
        assert item["title"].strip() and item["text"].strip(), item["id"]
        assert item["source"].strip(), item["id"]
        assert len(item["text"]) <= longest_text, item["id"]
        assert item["date"] is None or DATE.fullmatch(item["date"]), item["id"]
        assert item["url"].startswith(("http://", "https://")), item["id"]
    addresses = [address(item["url"]) for item in all_items]
    assert len(addresses) == len(set(addresses))
    titles = [folded(item["title"]) for item in all_items]
    assert len(titles) == len(set(titles))
    texts = [folded(item["text"]) for item in all_items]
    assert len(texts) == len(set(texts))


def check_no_repeat_of_earlier(
    path: Path, required: Iterable[str], others: Iterable[Path] | None = None
) -> None:
    """No URL, folded title or folded text repeats any other labelled set (or only
    ``others``: a set that later sets were built from, like blind4 for the timeline gold)."""
    paths = list(others) if others is not None else other_sets(path)
    assert {other.name for other in paths} >= set(required), "an earlier set was not found"
    earlier = earlier_items(path, paths)
    urls = {address(item.get("url")) for item in earlier if item.get("url")}
    titles = {folded(item.get("title")) for item in earlier if item.get("title")}
    texts = {folded(item.get("text")) for item in earlier if item.get("text")}
    assert len(titles) > (1000 if others is None else 500), "too few earlier titles read"
    for item in items(path):
        assert address(item["url"]) not in urls, item["id"]
        assert folded(item["title"]) not in titles, item["id"]
        assert folded(item["text"]) not in texts, item["id"]


def check_borderline_listed(path: Path, notes: Path) -> None:
    """Every item flagged Borderline has a row in the sealed notes' table."""
    text = notes.read_text(encoding="utf-8")
    for item in items(path):
        if "Borderline" in item["note"]:
            assert f"| {item['id']} |" in text, item["id"]


def check_no_near_copies(path: Path) -> None:
    """No title or text nearly copies another set's, or another item of the same set."""
    earlier = earlier_items(path, other_sets(path))
    pool = [(tokens(item.get("title")), tokens(item.get("text"))) for item in earlier]
    mine = [(item["id"], tokens(item["title"]), tokens(item["text"])) for item in items(path)]
    for position, (item_id, title, text) in enumerate(mine):
        later = [(other_title, other_text) for _, other_title, other_text in mine[position + 1 :]]
        for other_title, other_text in pool + later:
            assert not (len(title) >= 4 and similar(title, other_title)), item_id
            assert not similar(text, other_text), item_id
