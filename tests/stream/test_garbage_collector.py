"""The worker's collector settings, checked in a fresh interpreter (freezing is per process)."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import gc, json
from monitor.stream.worker import YOUNG_GC_THRESHOLD, tune_garbage_collector
before = gc.get_threshold()
tune_garbage_collector()
print(json.dumps({"before": before, "after": gc.get_threshold(),
                  "frozen": gc.get_freeze_count(), "expected": YOUNG_GC_THRESHOLD,
                  "tracked_after": len(gc.get_objects())}))
"""


def test_start_up_objects_are_frozen_and_young_collections_are_rarer() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    report = json.loads(probe.stdout)
    assert report["after"][0] == report["expected"] > report["before"][0]
    # The older generations keep Python's defaults.
    assert report["after"][1:] == report["before"][1:]
    # Everything alive at start-up (monitor's and Faust's modules) is out of the walk.
    assert report["frozen"] > 10_000
    assert report["tracked_after"] < report["frozen"] // 10
