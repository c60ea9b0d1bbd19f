"""`monitor topic check FILE`: a usable file gets a summary (exit 0); each kind of problem
gets one line naming the file, the line and key where it is, and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.errors import InputFileError, TopicFileError
from monitor.matching.commands import check_topic_file
from monitor.matching.topic import line_of, load_topic
from tests import PROJECT_ROOT

UKRAINE = PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml"
RUSSIA = PROJECT_ROOT / "seeds" / "topics" / "russia-latam.toml"


def edited(tmp_path: Path, old: str, new: str, source: Path = UKRAINE) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "edited.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_number(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


@pytest.mark.parametrize("seed", [UKRAINE, RUSSIA])
def test_the_seed_topics_check_clean(seed: Path) -> None:
    summary = check_topic_file(seed)
    assert "33 countries" in summary and "7 categories" in summary


# (old text, new text, the key path named, words of the reason, the line's own text)
CASES = [
    ('id = "ukraine-latam"\n', "", "topic.id", "missing key 'id'", None),
    ('name = "Ukraine–Latin America diplomacy"\n', "", "topic.name", "missing key 'name'", None),
    (
        "threshold = 0.5",
        'threshold = "high"',
        "relevance.threshold",
        "expected a number",
        "threshold =",
    ),
    ("threshold = 0.5", "threshold = 1.5", "relevance.threshold", "between 0 and 1", "threshold ="),
    (
        "same_sentence = 2.5",
        "",
        "relevance.weights",
        "missing ['same_sentence']",
        "[relevance.weights]",
    ),
    (
        'sides = ["ukraine", "latam"]',
        'sides = ["ukraine"]',
        "topic.sides",
        "two different",
        "sides =",
    ),
    (
        'sides = ["ukraine", "latam"]',
        'sides = ["ukrania", "latam"]',
        "ukrania",
        "missing table [ukrania]",
        None,
    ),
    (
        'fallback = "other"',
        'fallback = "misc"',
        "categories.fallback",
        "'misc' is not one of",
        'fallback = "misc"',
    ),
]


@pytest.mark.parametrize(("old", "new", "where", "reason", "line_text"), CASES)
def test_each_problem_is_named_at_its_place(
    tmp_path: Path, old: str, new: str, where: str, reason: str, line_text: str | None
) -> None:
    path = edited(tmp_path, old, new)
    with pytest.raises(TopicFileError) as caught:
        load_topic(path)
    error = caught.value
    assert str(path) in str(error) and reason in str(error)
    assert error.where.startswith(where)
    if line_text is not None:
        assert error.line == line_number(path, line_text)
    with pytest.raises(InputFileError, match="topic file"):
        check_topic_file(path)


def test_a_renamed_category_table_breaks_a_rule_naming_it(tmp_path: Path) -> None:
    """Categories come from the file: renaming one orphans the initiatives and rules that
    name it, and the first such place is named."""
    path = edited(tmp_path, "[categories.humanitarian]", "[categories.sports]")
    with pytest.raises(TopicFileError, match=r"'humanitarian' not in"):
        load_topic(path)


def test_a_bad_term_names_its_list(tmp_path: Path) -> None:
    path = edited(tmp_path, '[ukraine]\ncode = "UA"', '[ukraine]\ncode = "UA"\nextra = ["U*"]')
    with pytest.raises(TopicFileError) as caught:
        load_topic(path)
    assert caught.value.where == "ukraine.extra" and "prefix needs at least" in str(caught.value)
    assert caught.value.line == line_number(path, 'extra = ["U*"]')


def test_a_table_where_a_list_belongs(tmp_path: Path) -> None:
    path = edited(tmp_path, "[[negatives]]", "[negatives]", UKRAINE)
    with pytest.raises(TopicFileError) as caught:
        load_topic(path)
    assert "not valid TOML" in str(caught.value) or "array of tables" in str(caught.value)


def test_toml_syntax_errors_carry_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.toml"
    path.write_text('[topic]\nid = "x"\nname = "unterminated\n', encoding="utf-8")
    with pytest.raises(TopicFileError) as caught:
        load_topic(path)
    assert caught.value.line == 3 and "not valid TOML" in str(caught.value)


def test_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(TopicFileError, match="cannot read the file"):
        load_topic(tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe[topic]")
    with pytest.raises(TopicFileError, match="cannot read the file"):
        load_topic(binary)


def test_a_negative_table_array_entry_is_numbered(tmp_path: Path) -> None:
    source = UKRAINE.read_text(encoding="utf-8")
    second = source.index("[[negatives]]", source.index("[[negatives]]") + 1)
    weight = source.index("weight = ", second)
    end = source.index("\n", weight)
    path = tmp_path / "neg.toml"
    path.write_text(source[:weight] + "weight = 2.0" + source[end:], encoding="utf-8")
    with pytest.raises(TopicFileError) as caught:
        load_topic(path)
    assert caught.value.where == "negatives[1]" and "weight <= 0" in str(caught.value)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert caught.value.line is not None
    assert lines[caught.value.line - 1].strip() == "[[negatives]]"
    assert line_of(source, "negatives[1]") == source[:second].count("\n") + 1


def test_the_command_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = edited(tmp_path, "threshold = 0.5", "threshold = 7")
    env = {**os.environ, "MONITOR_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "topic", "check", str(bad)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"line {line_number(bad, 'threshold = 7')}" in done.stderr
    assert "[relevance.threshold]" in done.stderr
    good = subprocess.run(
        [sys.executable, "-m", "monitor", "topic", "check", str(RUSSIA)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert good.returncode == 0 and "topic russia-latam" in good.stdout
