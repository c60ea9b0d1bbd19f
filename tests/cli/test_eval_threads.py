"""`monitor eval threads STORIES PAIRS` beside `monitor eval FILE`, as users type them."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.exits import ExitCode
from tests import PROJECT_ROOT
from tests.cli.test_eval import monitor_eval

FIXTURES = PROJECT_ROOT / "tests" / "threads" / "fixtures"
STORIES, PAIRS = str(FIXTURES / "stories.jsonl"), str(FIXTURES / "pairs.jsonl")


def test_eval_threads_prints_pairwise_figures(tmp_path: Path) -> None:
    done = monitor_eval("threads", STORIES, PAIRS, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "precision 1.000   recall 1.000   f1 1.000" in done.stdout
    assert "true positives 3, false positives 0, false negatives 0, true negatives 3" in done.stdout
    # Seven stories of four events (the same-event pairs link 2 and 3 of them): an alert
    # for each event, none left without one.
    assert "4 alerts for 7 stories of 4 events; events with no alert 0" in done.stdout
    data = json.loads(monitor_eval("threads", STORIES, PAIRS, "--json", "--errors",
                                   cwd=tmp_path).stdout)
    assert (data["pairs"], data["precision"], data["errors"]) == (6, 1.0, [])
    assert data["alert_replay"]["events"] == 4
    assert data["alert_replay"]["events_without_alert"] == []


def test_eval_file_still_scores_the_classifier(tmp_path: Path) -> None:
    done = monitor_eval(str(PROJECT_ROOT / "tests" / "data" / "holdout.jsonl"),
                        "--resamples", "0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Evaluation of holdout.jsonl" in done.stdout


def test_wrong_shapes_are_refused_with_the_usage(tmp_path: Path) -> None:
    one = monitor_eval("threads", STORIES, cwd=tmp_path)
    assert one.returncode == ExitCode.INPUT
    assert "eval threads takes two files, got 1" in one.stderr
    two = monitor_eval(STORIES, PAIRS, cwd=tmp_path)
    assert two.returncode == ExitCode.INPUT
    assert "eval takes one labeled file, got 2" in two.stderr
    missing = monitor_eval("threads", "nothere.jsonl", PAIRS, cwd=tmp_path)
    assert missing.returncode == ExitCode.NO_FILE and "nothere.jsonl" in missing.stderr
    for stream in (one.stderr, two.stderr, missing.stderr):
        assert "Traceback" not in stream
