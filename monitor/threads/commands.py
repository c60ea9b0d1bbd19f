"""What the CLI's ``monitor eval threads STORIES PAIRS`` calls (no argparse).

``monitor eval FILE`` scores the classifier; when its first argument is literally
``threads`` the two files after it are a stories file and a pairs file, scored here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from monitor.errors import InputError
from monitor.matching.topic import load_topic
from monitor.threads.evaluate import PairReport, evaluate_threads, format_report

__all__ = ["eval_threads", "report_json", "threads_arguments"]

USAGE = "monitor eval threads STORIES.jsonl PAIRS.jsonl (or monitor eval FILE for the classifier)"


def threads_arguments(first: str, rest: Sequence[str]) -> tuple[str, str]:
    """The two files of ``eval threads A B``; InputError for any other shape."""
    if first != "threads":
        raise InputError(f"eval takes one labeled file, got {len(rest) + 1}; usage: {USAGE}")
    if len(rest) != 2:
        raise InputError(f"eval threads takes two files, got {len(rest)}; usage: {USAGE}")
    return rest[0], rest[1]


def eval_threads(
    topic_file: Path, first: str, rest: Sequence[str], *, errors: bool, as_json: bool
) -> int:
    """Score the pairs, print the report; 0 when it ran (the figures are the result)."""
    stories, pairs = threads_arguments(first, rest)
    report = evaluate_threads(load_topic(topic_file), stories, pairs)
    if as_json:
        print(json.dumps(report_json(report, errors=errors), indent=2, ensure_ascii=False))
    else:
        print(format_report(report, errors=errors))
    return 0


def report_json(report: PairReport, *, errors: bool) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    data: dict[str, Any] = {
        "stories": report.stories,
        "pairs": report.pairs,
        "precision": round(report.precision, 4),
        "recall": round(report.recall, 4),
        "f1": round(report.f1, 4),
        "true_positives": report.true_positives,
        "false_positives": report.false_positives,
        "false_negatives": report.false_negatives,
        "true_negatives": report.true_negatives,
        "threads": len(report.threads),
        "linked_threads": sum(1 for t in report.threads if t.follows is not None),
    }
    if report.replay is not None:
        replay = report.replay
        data["alert_replay"] = {
            "stories": replay.stories,
            "events": replay.events,
            "alerts": replay.shipped.alerts,
            "events_without_alert": list(replay.shipped.lost),
            "every_join_alerts": replay.every_join.alerts,
            "every_join_events_without_alert": list(replay.every_join.lost),
        }
    if errors:
        data["errors"] = [
            {"a": pair.a, "b": pair.b, "same_event": pair.same_event, "why": decision.explain()}
            for pair, decision in report.errors
        ]
    return data
