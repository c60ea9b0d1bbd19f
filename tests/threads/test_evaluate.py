"""`eval threads` scoring: figures on a small fixture of real stories, bad files refused at
the door with the file and line, and floors on the dev portion of the labeled set."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import InputFileError
from monitor.matching.topic import Topic
from monitor.threads.evaluate import (
    LabeledPair,
    evaluate_threads,
    format_report,
    load_pairs,
    load_stories,
    score_pairs,
)
from tests.threads.conftest import DATA, facts

FIXTURES = Path(__file__).parent / "fixtures"
STORY = '{"id": "a", "title": "T", "text": "x", "source": "s", "date": "2023-09-20", "lang": "en"}'
STORY_B = STORY.replace('"a"', '"b"')


def test_the_fixture_scores_every_pair_right(topic: Topic) -> None:
    report = evaluate_threads(topic, FIXTURES / "stories.jsonl", FIXTURES / "pairs.jsonl")
    assert (report.true_positives, report.false_positives) == (3, 0)
    assert (report.false_negatives, report.true_negatives) == (0, 3)
    assert (report.precision, report.recall, report.f1) == (1.0, 1.0, 1.0)
    text = format_report(report)
    assert "precision 1.000   recall 1.000   f1 1.000" in text
    assert "7 stories, 6 labeled pairs (3 same event)" in text


def test_score_counts_each_kind_of_verdict_and_lists_the_errors() -> None:
    same = {"countries": "BR", "category": "summit-visit", "terms": "york"}
    known = {
        "a": facts("a", **same), "b": facts("b", **same),
        "c": facts("c", countries="AR", category="trade-economy"),
    }
    pairs = [LabeledPair("a", "b", True), LabeledPair("a", "c", True),
             LabeledPair("b", "c", False), LabeledPair("a", "b", False)]
    report = score_pairs(known, pairs)
    assert (report.true_positives, report.false_negatives) == (1, 1)
    assert (report.true_negatives, report.false_positives) == (1, 1)
    assert report.precision == 0.5 and report.recall == 0.5
    assert [(p.a, p.b) for p, _ in report.errors] == [("a", "c"), ("a", "b")]
    assert "false negative a ~ c: different events by" in format_report(report, errors=True)


STORY_FILE_CASES = {
    "not JSON": (b"{broken\n", "line 1: not JSON"),
    "not an object": (b"[1, 2]\n", "line 1: expected a JSON object"),
    "missing date": (STORY.replace(', "date": "2023-09-20"', "").encode(), "missing field 'date'"),
    "date not ISO": (STORY.replace("2023-09-20", "20/09/2023").encode(), "not an ISO date"),
    "title not a string": (STORY.replace('"T"', "3").encode(), "field 'title' must be a string"),
    "duplicate id": (f"{STORY}\n{STORY}\n".encode(), "line 2: id 'a' appears twice"),
    "not UTF-8": (STORY.replace("x", "Bogot\xe1").encode("latin-1"), "line 1: not UTF-8"),
    "empty": (b"\n", "no stories"),
}


@pytest.mark.parametrize("case", STORY_FILE_CASES.values(), ids=STORY_FILE_CASES.keys())
def test_a_bad_stories_file_is_refused_naming_the_line(
    tmp_path: Path, case: tuple[bytes, str]
) -> None:
    content, message = case
    path = tmp_path / "stories.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as caught:
        load_stories(path)
    assert str(path) in str(caught.value)


PAIR_FILE_CASES = {
    "unknown story": ('{"a": "a", "b": "zz", "same_event": true}', "'zz' is not in the stories"),
    "label not a boolean": ('{"a": "a", "b": "b", "same_event": "yes"}', "true or false"),
    "missing label": ('{"a": "a", "b": "b"}', "missing field 'same_event'"),
    "a story paired with itself": ('{"a": "a", "b": "a", "same_event": true}', "two different"),
    "empty": ("", "no pairs"),
}


@pytest.mark.parametrize("case", PAIR_FILE_CASES.values(), ids=PAIR_FILE_CASES.keys())
def test_a_bad_pairs_file_is_refused_naming_the_line(
    tmp_path: Path, case: tuple[str, str]
) -> None:
    content, message = case
    path = tmp_path / "pairs.jsonl"
    path.write_text(content + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=message):
        load_pairs(path, {"a", "b"})


def test_floors_on_the_dev_portion(topic: Topic) -> None:
    # Measured 0.987 / 0.923 when the rules were set (docs/threads.md); the floors leave
    # a little room for topic-file changes, not for a different decision.
    report = evaluate_threads(topic, DATA / "stories.jsonl", DATA / "pairs-dev.jsonl")
    assert report.pairs >= 3000 and report.true_positives + report.false_negatives >= 150
    assert report.precision >= 0.95
    assert report.recall >= 0.88
