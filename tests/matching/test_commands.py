"""CLI-facing functions: classify JSON Lines, evaluate, test a query."""

from __future__ import annotations

import io
import json

import pytest

from monitor.errors import QueryError
from monitor.matching.commands import (
    MAX_LINE_CHARS,
    check_query,
    classify_lines,
    matching_ids,
)
from monitor.matching.query import MatchDoc
from monitor.matching.topic import Topic

GOOD = {
    "id": "s1",
    "title": "Lula recebe Zelensky em Brasília",
    "text": "O presidente Lula recebeu o presidente da Ucrânia, Volodymyr Zelensky.",
    "lang": "pt",
    "url": "https://example.com/a",
}


def run(topic: Topic, lines: list[str]) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    code = classify_lines(topic, io.StringIO("".join(lines)), out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_good_line_gives_full_result(topic: Topic) -> None:
    code, results = run(topic, [json.dumps(GOOD) + "\n"])
    assert code == 0
    (result,) = results
    assert result["id"] == "s1" and result["relevant"] is True
    assert result["category"] == "summit-visit" and result["countries"] == ["BR"]
    assert result["lang"] == "pt"
    assert 0.5 <= result["score"] <= 1.0  # type: ignore[operator]
    evidence = result["matched"][0]  # type: ignore[index]
    assert set(evidence) == {"rule", "term", "field", "start", "end"}
    title = GOOD["title"]
    assert title[evidence["start"] : evidence["end"]]  # offsets into the original title


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("{not json\n", "invalid JSON"),
        ("[1, 2]\n", "expected a JSON object"),
        ('{"title": "x"}\n', "missing field 'text'"),
        ('{"text": "x"}\n', "missing field 'title'"),
        ('{"title": 5, "text": "x"}\n', "field 'title' must be a string"),
        ('{"title": "x", "text": null}\n', "field 'text' must be a string"),
        ('{"title": "x", "text": "y", "id": [1]}\n', "field 'id' must be a string or a number"),
        ('{"title": "x", "text": "y", "id": true}\n', "field 'id' must be a string or a number"),
        ('{"title": "\\ud800", "text": "y"}\n', "invalid JSON"),
        ("\x00\n", "invalid JSON"),
        ('{"title": "x", "text": "y", "lang": 3}\n', "field 'lang' must be a string"),
    ],
)
def test_bad_lines_give_error_objects_in_place(topic: Topic, line: str, error: str) -> None:
    code, results = run(topic, [json.dumps(GOOD) + "\n", line, json.dumps(GOOD) + "\n"])
    assert code == 1
    assert [r.get("id") for r in results] == ["s1", None, "s1"]
    assert results[1]["line"] == 2
    assert error in str(results[1]["error"])


def test_huge_line_is_rejected_and_the_next_line_still_classified(topic: Topic) -> None:
    huge = '{"title": "x", "text": "' + "a" * (MAX_LINE_CHARS + 10) + '"}\n'
    code, results = run(topic, [huge, json.dumps(GOOD) + "\n"])
    assert code == 1
    assert results[0] == {"line": 1, "error": f"line longer than {MAX_LINE_CHARS} characters"}
    assert results[1]["id"] == "s1"


def test_blank_lines_are_skipped_and_ids_optional(topic: Topic) -> None:
    item = {"title": "Putin y Maduro", "text": "Sin relación con la guerra."}
    code, results = run(topic, ["\n", json.dumps(item) + "\n", "   \n"])
    assert code == 0
    assert len(results) == 1 and results[0]["id"] is None and results[0]["relevant"] is False


def test_last_line_without_newline(topic: Topic) -> None:
    code, results = run(topic, [json.dumps(GOOD)])
    assert code == 0 and len(results) == 1


def test_check_query_returns_tree_and_warnings() -> None:
    node, warnings = check_query("Ukraine or Brazil")
    assert node is not None
    assert [w.code for w in warnings] == ["lowercase-operator"]
    with pytest.raises(QueryError):
        check_query("(Ukraine")


def test_matching_ids_keeps_story_order() -> None:
    stories = [
        ("a", MatchDoc("Lula e Zelensky", "", countries=("BR",))),
        ("b", MatchDoc("Milei e Zelensky", "", countries=("AR",))),
        ("c", MatchDoc("Lula e Biden", "", countries=("BR",))),
    ]
    assert matching_ids("zelensk* AND country:BR", stories) == ["a"]
    assert matching_ids("zelensky OR lula", stories) == ["a", "b", "c"]
