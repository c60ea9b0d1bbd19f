"""The fifth held-out batch (test5): its shape and origin, nothing about the extractor.

Every relevant EN/ES/PT story of blind8, labeled by hand from the written rules
(docs/timelines.md) and batch 4's written interpretations, and sealed: nobody tuning the
extractor reads it before it is scored (tests/data/timeline/test5-notes.md). Each entry and stance carries the
sentence it was labeled from, so a reader can check a label without re-reading the story.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.timelines.gold import read_gold
from tests import PROJECT_ROOT

TIMELINE_DIR = PROJECT_ROOT / "tests" / "data" / "timeline"
GOLD5_PATH = TIMELINE_DIR / "gold-test5.jsonl"
SOURCES = ("tests/data/blind8.jsonl",)

# Latin America and the Caribbean (the 33 CELAC states), ISO 3166-1 alpha-2.
COUNTRIES = frozenset(
    [
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
    ]
)
VALUES: dict[str, frozenset[str | None]] = {
    "visit": frozenset({None}),
    "call": frozenset({None}),
    "meeting": frozenset({None}),
    "un-vote": frozenset({None, "for", "against", "abstain"}),
    "oas-vote": frozenset({None, "for", "against", "abstain"}),
    "peace-plan": frozenset({None, "supported", "rejected", "alternative"}),
    "arms-security": frozenset({None}),
    "trade": frozenset({None}),
    "humanitarian": frozenset({None}),
}
STANCES = frozenset({"supports", "opposes", "neutral"})


def _rows() -> list[dict[str, Any]]:
    return [json.loads(x) for x in GOLD5_PATH.read_text(encoding="utf-8").splitlines()]


def _source_rows() -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for name in SOURCES:
        for line in (PROJECT_ROOT / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[row["id"]] = {**row, "from": name}
    return rows


def test_batch_five_holds_at_least_60_labeled_stories_all_in_test5() -> None:
    stories = read_gold(GOLD5_PATH.read_text(encoding="utf-8").splitlines(), "gold-test5")
    assert len(stories) >= 60
    assert {s.split for s in stories} == {"test5"}
    assert {s.lang for s in stories} == {"en", "es", "pt"}
    assert sum(len(s.entries) for s in stories) >= 45
    assert sum(len(s.stances) for s in stories) >= 20


def test_every_entry_has_a_known_country_kind_value_and_a_quote_from_the_story() -> None:
    for row in _rows():
        story = row["title"] + "\n" + row["text"]
        keys = [(e["country"], e["kind"]) for e in row["entries"]]
        assert len(keys) == len(set(keys)), f"{row['id']}: one entry per country and kind"
        for entry in row["entries"]:
            assert entry["country"] in COUNTRIES, (row["id"], entry)
            assert entry["value"] in VALUES[entry["kind"]], (row["id"], entry)
            assert entry["quote"] and entry["quote"] in story, (row["id"], entry)


def test_every_stance_is_known_and_quoted_from_the_story() -> None:
    for row in _rows():
        story = row["title"] + "\n" + row["text"]
        assert set(row["stances"]) == set(row["stance_quotes"]), row["id"]
        for country, stance in row["stances"].items():
            assert country in COUNTRIES and stance in STANCES, (row["id"], country, stance)
            quote = row["stance_quotes"][country]
            assert quote and quote in story, (row["id"], country)


def test_ids_are_unique_and_in_no_other_gold_file() -> None:
    ids = [row["id"] for row in _rows()]
    assert len(ids) == len(set(ids))
    others = {
        json.loads(line)["id"]
        for path in TIMELINE_DIR.glob("*.jsonl")
        if path != GOLD5_PATH
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    assert others, "the earlier gold files are where they were"
    assert not set(ids) & others


def test_batch_five_is_every_relevant_en_es_pt_story_of_blind8_verbatim() -> None:
    source = _source_rows()
    rows = _rows()
    for row in rows:
        original = source[row["id"]]
        assert original["relevant"] is True and row["from"] == original["from"]
        assert row["split"] == "test5"
        for field in ("title", "text", "date", "lang"):
            assert row[field] == original[field], (row["id"], field)
    wanted = [
        story_id
        for story_id, r in source.items()
        if r["relevant"] is True and r["lang"] in {"en", "es", "pt"}
    ]
    # In blind8's own order.
    assert [row["id"] for row in rows] == wanted
