"""The labeled set's shape and split, the scoring arithmetic, and analyst corrections."""

from __future__ import annotations

import hashlib
import json

import pytest

from monitor.errors import InputFileError
from monitor.timelines.corrections import apply_corrections, read_corrections
from monitor.timelines.gold import GoldStory, read_gold
from monitor.timelines.model import KINDS, Quote, Stance, StoryTimeline, TimelineEntry
from monitor.timelines.scoring import score_timelines
from tests.timelines.conftest import GOLD_PATH


def gold_lines() -> list[str]:
    return GOLD_PATH.read_text(encoding="utf-8").splitlines()


def test_gold_holds_at_least_100_stories_split_by_the_written_seed() -> None:
    stories = read_gold(gold_lines(), "gold")
    assert len(stories) >= 100
    for story in stories:
        digest = int(hashlib.sha256(f"19:{story.story_id}".encode()).hexdigest(), 16)
        assert story.split == ("test" if digest % 3 == 0 else "dev")
        assert all(kind in KINDS for _, kind, _ in story.entries)
    test = [s for s in stories if s.split == "test"]
    assert len(stories) / 4 < len(test) < len(stories) / 2
    assert sum(len(s.stances) for s in stories) >= 20


def test_gold_stories_come_from_the_dev_pool_and_are_relevant_there() -> None:
    from tests import PROJECT_ROOT

    for line in gold_lines():
        row = json.loads(line)
        assert row["from"] in {
            "tests/data/dev-news.jsonl",
            "tests/data/dev2.jsonl",
            "tests/data/dev3.jsonl",
            "tests/data/holdout.jsonl",
            "tests/data/dev-ukru.jsonl",
        }
        source = (PROJECT_ROOT / row["from"]).read_text(encoding="utf-8")
        original = next(
            json.loads(x) for x in source.splitlines() if json.loads(x)["id"] == row["id"]
        )
        assert original["relevant"] is True and original["title"] == row["title"]


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("not json", "line 2"),
        ('{"id": "x", "title": "t", "entries": [{"country": "BR", "kind": "parade"}]}', "parade"),
        (
            '{"id": "x", "title": "t", "entries": [{"country": "BR", "kind": "trade", "value": "for"}]}',
            "takes no value",
        ),
        ('{"id": "x", "title": "t", "stances": {"BR": "likes"}}', "likes"),
    ],
)
def test_a_bad_gold_line_is_named(line: str, needle: str) -> None:
    good = '{"id": "a", "title": "t"}'
    with pytest.raises(InputFileError, match=needle) as caught:
        read_gold([good, line], "g.jsonl")
    assert "g.jsonl line 2" in str(caught.value)


def entry(country: str, kind: str, value: str | None = None) -> TimelineEntry:
    quote = Quote("text", 0, 1, "x")
    return TimelineEntry("a", country, kind, value, None, (), "", quote, "cue")


def gold_story(entries: set[tuple[str, str, str | None]], stances: dict[str, str]) -> GoldStory:
    return GoldStory("a", "t", "", None, None, "dev", frozenset(entries), stances)


def test_scoring_counts_value_mismatches_as_wrong_and_stances_both_ways() -> None:
    gold = [
        gold_story({("NI", "un-vote", "against"), ("BO", "un-vote", "abstain")}, {"NI": "opposes"})
    ]
    made = StoryTimeline(
        (entry("NI", "un-vote", "against"), entry("BO", "un-vote", "for"), entry("CU", "trade")),
        (
            Stance("a", "NI", "opposes", Quote("text", 0, 1, "x"), "c"),
            Stance("a", "BO", "neutral", Quote("text", 0, 1, "x"), "c"),
        ),
    )
    score = score_timelines(gold, {"a": made})
    assert (score.correct_entries, score.predicted_entries, score.gold_entries) == (1, 3, 2)
    assert score.precision == pytest.approx(1 / 3) and score.recall == pytest.approx(0.5)
    assert score.stance_accuracy == 1.0 and score.stance_precision == 0.5
    assert {m.what for m in score.misses} == {"extra", "missed", "stance"}


def test_corrections_add_remove_replace_and_set_stances() -> None:
    gold = [gold_story({("BR", "meeting", None), ("BR", "trade", None)}, {"BR": "neutral"})]
    lines = [
        '{"story": "a", "country": "BR", "kind": "peace-plan", "value": "alternative", "replaces": "meeting"}',
        '{"story": "a", "country": "BR", "kind": "trade", "remove": true}',
        '{"story": "a", "country": "AR", "kind": "un-vote", "value": "for"}',
        '{"story": "a", "country": "BR", "stance": null}',
        '{"story": "a", "country": "AR", "stance": "supports"}',
    ]
    (fixed,) = apply_corrections(gold, read_corrections(lines, "c.jsonl"))
    assert fixed.entries == {("BR", "peace-plan", "alternative"), ("AR", "un-vote", "for")}
    assert fixed.stances == {"AR": "supports"}
    assert gold[0].entries == {("BR", "meeting", None), ("BR", "trade", None)}  # untouched


def test_a_correction_of_an_unknown_story_or_stance_is_refused() -> None:
    gold = [gold_story(set(), {})]
    unknown = read_corrections(['{"story": "zz", "country": "BR", "stance": "neutral"}'], "c")
    with pytest.raises(InputFileError, match="zz"):
        apply_corrections(gold, unknown)
    with pytest.raises(InputFileError, match=r"c\.jsonl line 1"):
        read_corrections(['{"story": "a", "country": "BR", "stance": "maybe"}'], "c.jsonl")
