"""Named crash points for the tests that prove nothing is lost or doubled.

``failpoint("poller.after_publish")`` does nothing unless the environment variable
``MONITOR_FAILPOINTS`` names that point (comma-separated), in which case the process dies
on the spot with ``os._exit`` — no cleanup, no flush, as a SIGKILL or power cut would.
A point can carry a countdown, ``name:3``, to die on its third hit. Read once at import,
so the check costs one set lookup in production.
"""

from __future__ import annotations

import os
import sys

from monitor.config import process_variable

_ARMED: dict[str, int] = {}
for _spec in filter(None, (process_variable("MONITOR_FAILPOINTS") or "").split(",")):
    _name, _, _count = _spec.strip().partition(":")
    _ARMED[_name] = int(_count) if _count.isdigit() else 1

EXIT_CODE = 99


def failpoint(name: str) -> None:
    if not _ARMED or name not in _ARMED:
        return
    _ARMED[name] -= 1
    if _ARMED[name] <= 0:
        print(f"failpoint {name}: exiting", file=sys.stderr, flush=True)
        os._exit(EXIT_CODE)
