"""Facts about other processes: whether one still runs, how much memory it holds.

Used by the broker's pid file, the mailer's crash recovery, ``monitor status`` (each role's
memory), and the memory figures of the pipeline benchmark and the soak test.
"""

from __future__ import annotations

import os
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """True while a process with this pid exists (one of another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def memory_kb(pid: int, *, peak: bool = False) -> int:
    """Resident memory of a process in kB (its peak so far with ``peak``); 0 once it is gone.

    Linux only: read from ``/proc/<pid>/status`` (VmRSS, VmHWM).
    """
    key = "VmHWM:" if peak else "VmRSS:"
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
