"""`monitor eval` as users type it: the text report, --errors, --json, --resamples/--seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import PROJECT_ROOT

HOLDOUT = str(PROJECT_ROOT / "tests" / "data" / "holdout.jsonl")


def monitor_eval(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONITOR_VAR_DIR": str(cwd / "var"), "MONITOR_LOG_FORMAT": "console"}
    return subprocess.run([sys.executable, "-m", "monitor", "eval", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_text_report_has_every_section_and_errors_only_when_asked(tmp_path: Path) -> None:
    done = monitor_eval(HOLDOUT, "--resamples", "200", "--seed", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for needle in ("co-occurrence baseline", "micro precision", "200 resamples, seed 3.",
                   "Category confusion", "Without the", "`--errors` lists them"):
        assert needle in text
    assert "h003" not in text  # a blind set's misses stay unread unless asked for
    listed = monitor_eval(HOLDOUT, "--errors", "--resamples", "0", cwd=tmp_path)
    assert listed.returncode == 0 and "h003 pt relevance" in listed.stdout
    assert "Confidence intervals: none" in listed.stdout


def test_json_report_is_the_same_report(tmp_path: Path) -> None:
    done = monitor_eval(HOLDOUT, "--json", "--resamples", "100", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["source"] == "holdout.jsonl" and data["items"] == 90
    assert data["bootstrap"]["resamples"] == 100 and data["errors"] is None
    overall = data["all_items"]["overall"]["classifier"]
    text = monitor_eval(HOLDOUT, "--resamples", "0", cwd=tmp_path).stdout
    (row,) = [line.split() for line in text.splitlines() if line.startswith("all ")][:1]
    assert f"{overall['f1']:.3f}" == row[5]  # the JSON's F1 is what the text report prints
    assert list(data["all_items"]["languages"]) == ["en", "es", "pt"]
    with_errors = json.loads(monitor_eval(HOLDOUT, "--json", "--errors", "--resamples", "0",
                                          cwd=tmp_path).stdout)
    assert len(with_errors["errors"]) == with_errors["misclassified"]["items"] > 0
