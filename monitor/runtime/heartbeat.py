"""Heartbeats: each role writes a small status file under ``var/run``; `monitor status`,
/readyz and the Operations page read them (``monitor.health``)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import orjson

from monitor.config import Settings, process_variable
from monitor.private_files import private_dir

# Set by the supervisor for each child, so several workers keep separate heartbeats.
INSTANCE_ENV = "MONITOR_ROLE_INSTANCE"


def status_dir(settings: Settings) -> Path:
    return settings.var_dir / "run"


def write_heartbeat(settings: Settings, role: str, **fields: object) -> None:
    """Each role writes a small status file; `monitor status` and /readyz read them."""
    instance = process_variable(INSTANCE_ENV) or role
    if not instance.startswith(role):
        # The name was inherited by a process of another role (a command started from a
        # supervised child's environment); it must not overwrite that child's heartbeat.
        instance = role
    path = status_dir(settings) / f"{instance}.json"
    private_dir(path.parent)
    payload = {"role": role, "pid": os.getpid(), "heartbeat": time.time(), **fields}
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(orjson.dumps(payload, default=str))
    tmp.replace(path)


def read_heartbeats(settings: Settings) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for path in sorted(status_dir(settings).glob("*.json")):
        try:
            out[path.stem] = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
    return out
