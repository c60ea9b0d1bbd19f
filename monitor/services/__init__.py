"""services stage: the local broker, PostgreSQL, SMTP sink and fixture server."""

from __future__ import annotations

import socket
from typing import Literal

StopPlan = Literal["stop", "leave", "absent"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (free when this returns)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_plan(started_here: bool, running: bool, *, shared: bool = False) -> StopPlan:
    """What ``monitor broker|postgres stop`` (``make stop``) does with a local service.

    The broker on 9092 and PostgreSQL on 55432 serve every checkout on the machine: the first
    to find none answering starts it, the others reuse it. So stop only the one started from
    this var dir ("stop"); one that runs but was started elsewhere is left running ("leave"),
    since another checkout may be using it, unless ``shared`` says to stop it anyway.
    """
    if not running:
        return "absent"
    return "stop" if started_here or shared else "leave"
