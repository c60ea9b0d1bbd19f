"""What the CLI's ``classify``, ``eval`` and ``query test`` subcommands call (no argparse).

``classify_lines`` streams JSON Lines: one output object per non-blank input line, in
order. A bad line (not UTF-8, not JSON, not an object, missing or mistyped
``title``/``text``, longer than ``MAX_LINE_CHARS``) yields ``{"line": n, "error": "..."}`` for that line and
the run goes on. Blank lines are skipped. The return value is the exit code: 0 when
every line was classified, 1 when at least one line produced an error object (so
scripts notice partial failures without losing the good lines).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import orjson

from monitor.errors import InputError, InputFileError
from monitor.json_lines import json_lines, read_utf8
from monitor.matching.bootstrap import (
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    MAX_RESAMPLES,
    BootstrapPlan,
)
from monitor.matching.classifier import classify
from monitor.matching.eval_report import format_report, report_json
from monitor.matching.evaluation import EvalReport, LabeledItem, evaluate_items
from monitor.matching.model.linear import LinearModel
from monitor.matching.query import LintWarning, MatchDoc, Node, lint, matches, parse
from monitor.matching.topic import Topic
from monitor.models import Classification

MAX_LINE_CHARS = 1_000_000

__all__ = [
    "MAX_LINE_CHARS",
    "bootstrap_plan",
    "check_query",
    "check_topic_file",
    "classification_to_json",
    "classify_lines",
    "evaluate",
    "format_report",
    "labeled_items",
    "matching_ids",
    "report_json",
]


def classify_lines(
    topic: Topic, in_fp: TextIO, out_fp: TextIO, *, model: LinearModel | None = None
) -> int:
    """Classify a JSON Lines stream; returns 0, or 1 if any line was rejected."""
    failed = False
    line_number = 0
    while True:
        line = in_fp.readline(MAX_LINE_CHARS + 1)
        if not line:
            break
        line_number += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            _skip_rest_of_line(in_fp)
            result: dict[str, Any] = _error(
                line_number, f"line longer than {MAX_LINE_CHARS} characters"
            )
        elif not line.strip():
            continue
        else:
            result = _classify_line(topic, line, line_number, model)
        failed = failed or "error" in result
        out_fp.write(orjson.dumps(result).decode() + "\n")
    return 1 if failed else 0


def _skip_rest_of_line(in_fp: TextIO) -> None:
    while True:
        chunk = in_fp.readline(MAX_LINE_CHARS)
        if not chunk or chunk.endswith("\n"):
            return


def _error(line_number: int, reason: str) -> dict[str, Any]:
    return {"line": line_number, "error": reason}


def _classify_line(
    topic: Topic, line: str, line_number: int, model: LinearModel | None = None
) -> dict[str, Any]:
    if not _is_utf8(line):
        return _error(line_number, "not UTF-8 text (save the input as UTF-8)")
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return _error(line_number, f"invalid JSON: {exc}")
    if not isinstance(data, dict):
        return _error(line_number, "expected a JSON object")
    for key in ("title", "text"):
        if key not in data:
            return _error(line_number, f"missing field {key!r}")
        if not isinstance(data[key], str):
            return _error(line_number, f"field {key!r} must be a string")
    item_id = data.get("id")
    if item_id is not None and (
        isinstance(item_id, bool) or not isinstance(item_id, str | int | float)
    ):
        return _error(line_number, "field 'id' must be a string or a number")
    lang = data.get("lang")
    if lang is not None and not isinstance(lang, str):
        return _error(line_number, "field 'lang' must be a string")
    result = classify(topic, data["title"], data["text"], lang or None, model=model)
    return {"id": item_id, **classification_to_json(result)}


def classification_to_json(result: Classification) -> dict[str, Any]:
    """A Classification as a JSON-ready dict (the ``classify`` output format)."""
    return {
        "relevant": result.relevant,
        "score": result.score,
        "category": result.category,
        "countries": list(result.countries),
        "lang": result.lang,
        "matched": [
            {"rule": e.rule, "term": e.term, "field": e.field, "start": e.start, "end": e.end}
            for e in result.matched
        ],
    }


def _is_utf8(line: str) -> bool:
    """False when the line holds bytes that were not UTF-8 (read with surrogateescape)."""
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def evaluate(
    topic: Topic,
    path: str | Path,
    plan: BootstrapPlan | None = None,
    *,
    model: LinearModel | None = None,
) -> EvalReport:
    """Evaluate the classifier (with ``model``'s veto when given) on a labeled JSON Lines
    file (the dev-set format)."""
    path = Path(path)
    items = labeled_items(read_utf8(path), str(path))
    return evaluate_items(topic, items, source=path.name, plan=plan, model=model)


def eval_agreement(paths: Sequence[str]) -> int:
    """``monitor eval agreement FIRST SECOND``: how far two annotators' labels agree."""
    from monitor.matching.agreement import agreement, format_agreement, read_verdicts

    if len(paths) != 2:
        raise InputError("eval agreement needs two label files: FIRST SECOND")
    first, second = (read_verdicts(read_utf8(Path(p)), Path(p).name) for p in paths)
    print(format_agreement(agreement(first, second), Path(paths[0]).name, Path(paths[1]).name))
    return 0


def bootstrap_plan(resamples: int | None = None, seed: int | None = None) -> BootstrapPlan:
    """The plan ``eval --resamples N --seed S`` asks for; InputError when N is out of range."""
    resamples = DEFAULT_RESAMPLES if resamples is None else resamples
    seed = DEFAULT_SEED if seed is None else seed
    if not 0 <= resamples <= MAX_RESAMPLES:
        raise InputError(
            f"--resamples {resamples} is out of range: give 0 (no confidence intervals) "
            f"to {MAX_RESAMPLES:,}; {DEFAULT_RESAMPLES:,} is the default"
        )
    return BootstrapPlan(resamples=resamples, seed=seed)


LABEL_FORMAT = (
    "eval needs labeled JSON Lines: id, title, text, relevant (true/false), and optionally "
    "category, countries, lang; `monitor classify` takes unlabeled stories"
)


def labeled_items(text: str, source: str) -> list[LabeledItem]:
    """The labeled items of a JSON Lines text; InputFileError naming the first bad line."""
    items = []
    for number, data in json_lines(text, source):
        problem = _label_problem(data)
        if problem:
            raise InputFileError(f"{source}, line {number}: {problem}. {LABEL_FORMAT}")
        items.append(LabeledItem.from_json(data))
    if not items:
        raise InputFileError(f"{source}: no labeled items. {LABEL_FORMAT}")
    return items


def _label_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "expected a JSON object"
    for key in ("id", "title", "text", "relevant"):
        if key not in data:
            return f"missing field {key!r}"
    for key in ("title", "text"):
        if not isinstance(data[key], str):
            return f"field {key!r} must be a string"
    if not isinstance(data["relevant"], bool):
        return "field 'relevant' must be true or false"
    if data.get("category") is not None and not isinstance(data["category"], str):
        return "field 'category' must be a string or null"
    countries = data.get("countries")
    if countries is not None and not (
        isinstance(countries, list) and all(isinstance(c, str) for c in countries)
    ):
        return "field 'countries' must be a list of country codes"
    return None


def check_topic_file(path: str | Path) -> str:
    """``monitor topic check``: load and compile a topic file; a one-line summary when it
    is usable, else InputFileError naming the file, line, key and problem (exit 2)."""
    from monitor.errors import TopicFileError
    from monitor.matching.topic import load_topic

    try:
        topic = load_topic(path)
    except TopicFileError as exc:
        raise InputFileError(str(exc)) from exc
    return (
        f"{path}: topic {topic.topic_id} ({topic.name}): sides {topic.gate.side} + "
        f"{topic.gate.actor}, {len(topic.categories.names)} categories, "
        f"{len(topic.country_names)} countries, {topic.scanner.size} terms, "
        f"{len(topic.precedence)} precedence rules"
    )


def check_query(query: str) -> tuple[Node, list[LintWarning]]:
    """Parse and lint a query for ``monitor query test``; raises QueryError if invalid."""
    return parse(query), lint(query)


def matching_ids(query: str | Node, docs: Iterable[tuple[str, MatchDoc]]) -> list[str]:
    """Ids of the stored stories (id, prepared doc) that ``query`` matches, in order."""
    node = parse(query) if isinstance(query, str) else query
    return [doc_id for doc_id, doc in docs if matches(node, doc)]
