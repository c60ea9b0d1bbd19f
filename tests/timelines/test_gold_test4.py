"""The fourth held-out batch (test4): its shape and origin, nothing about the extractor.

Every relevant EN/ES/PT story of blind7, blind6 and blind5, labeled by hand from the
written rules (docs/timelines.md) and sealed: nobody tuning the extractor reads it before
it is scored (tests/data/timeline/test4-notes.md). Each entry and stance carries the
sentence it was labeled from, so a reader can check a label without re-reading the story.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.timelines.gold import read_gold
from tests import PROJECT_ROOT

TIMELINE_DIR = PROJECT_ROOT / "tests" / "data" / "timeline"
GOLD4_PATH = TIMELINE_DIR / "gold-test4.jsonl"
SOURCES = ("tests/data/blind7.jsonl", "tests/data/blind6.jsonl", "tests/data/blind5.jsonl")

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
    return [json.loads(x) for x in GOLD4_PATH.read_text(encoding="utf-8").splitlines()]


def _source_rows() -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for name in SOURCES:
        for line in (PROJECT_ROOT / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[row["id"]] = {**row, "from": name}
    return rows


def test_batch_four_holds_at_least_200_labeled_stories_all_in_test4() -> None:
    stories = read_gold(GOLD4_PATH.read_text(encoding="utf-8").splitlines(), "gold-test4")
    assert len(stories) >= 200
    assert {s.split for s in stories} == {"test4"}
    assert {s.lang for s in stories} == {"en", "es", "pt"}
    assert sum(len(s.entries) for s in stories) >= 150
    assert sum(len(s.stances) for s in stories) >= 40


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
        if path != GOLD4_PATH
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    assert others, "the earlier gold files are where they were"
    assert not set(ids) & others


def test_batch_four_is_every_relevant_en_es_pt_story_of_blind7_6_5_verbatim() -> None:
    source = _source_rows()
    rows = _rows()
    for row in rows:
        original = source[row["id"]]
        assert original["relevant"] is True and row["from"] == original["from"]
        assert row["split"] == "test4"
        for field in ("title", "text", "date", "lang"):
            assert row[field] == original[field], (row["id"], field)
    wanted = [
        story_id
        for story_id, r in source.items()
        if r["relevant"] is True and r["lang"] in {"en", "es", "pt"}
    ]
    # blind7 first, then blind6, then blind5, each in its own order.
    assert [row["id"] for row in rows] == wanted
