"""`monitor eval agreement FIRST SECOND` on the committed second annotation of blind8."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from monitor.exits import ExitCode
from tests import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", "eval", "agreement", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_report_names_both_files_and_counts_the_shared_items() -> None:
    done = _run(str(DATA / "blind8.jsonl"), str(DATA / "agreement" / "blind8-second.jsonl"))
    assert done.returncode == 0, done.stderr
    assert "on 90 items both label" in done.stdout
    assert "Cohen's kappa" in done.stdout and "F1 " in done.stdout
    assert "142 ids only in blind8.jsonl" in done.stdout


def test_a_missing_second_file_is_a_clear_error(tmp_path: Path) -> None:
    done = _run(str(DATA / "blind8.jsonl"), str(tmp_path / "none.jsonl"))
    assert done.returncode == ExitCode.NO_FILE
    assert "none.jsonl" in done.stderr and "Traceback" not in done.stderr


def test_one_file_is_not_enough() -> None:
    done = _run(str(DATA / "blind8.jsonl"))
    assert done.returncode == 2
    assert "needs two label files" in done.stderr
