"""`make chaos SCALE=N` really runs the chaos tests N times larger.

The scale once travelled in a MONITOR_* variable that tests/conftest.py deletes before the
harness read it, so every "larger" run ran at scale 1. It is now a pytest option.
"""

from __future__ import annotations

import subprocess
import sys

from tests import PROJECT_ROOT


def test_make_chaos_hands_its_scale_to_the_chaos_tests() -> None:
    dry = subprocess.run(
        ["make", "-n", "chaos", "SCALE=7"], cwd=PROJECT_ROOT, capture_output=True, text=True,
        check=True,
    )
    (command,) = [line for line in dry.stdout.splitlines() if "pytest -m chaos" in line]
    assert "--chaos-scale=7" in command.split()
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only",
         "--chaos-scale=7", "tests/chaos/test_scale_option.py"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "MONITOR_CHAOS_SCALE": "1"},
    )
    assert "chaos scale: 7" in collected.stdout.splitlines()
