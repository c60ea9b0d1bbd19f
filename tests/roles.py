"""Start, stop and kill the daemon's roles as real processes, for integration and chaos tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from monitor.config import Settings


class RoleProcess:
    def __init__(self, role: str, settings: Settings, log_dir: Path, **env: str) -> None:
        self.role = role
        self.settings = settings
        self.log_path = log_dir / f"{role}.log"
        self.extra_env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> RoleProcess:
        env = {
            **os.environ,
            **self.settings.as_env(),
            "MONITOR_LOG_FORMAT": "json",
            **self.extra_env,
        }
        env.pop("PYTEST_CURRENT_TEST", None)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "monitor", "run", "--role", self.role],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30.0) -> tuple[int | None, float]:
        """SIGTERM and wait; return (exit code, seconds it took)."""
        if self.process is None:
            return None, 0.0
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Roles:
    """A set of role processes torn down together."""

    def __init__(self, settings: Settings, log_dir: Path, **env: Any) -> None:
        self.settings = settings
        self.log_dir = log_dir
        self.env = env
        self.procs: dict[str, RoleProcess] = {}

    def start(self, *roles: str) -> Roles:
        for role in roles:
            self.procs[role] = RoleProcess(role, self.settings, self.log_dir, **self.env).start()
        return self

    def __getitem__(self, role: str) -> RoleProcess:
        return self.procs[role]

    def stop_all(self) -> dict[str, tuple[int | None, float]]:
        return {role: proc.stop() for role, proc in self.procs.items()}

    def logs(self) -> str:
        return "\n".join(f"--- {r} ---\n{p.log()[-4000:]}" for r, p in self.procs.items())


def wait_until(
    predicate: Any, timeout: float, interval: float = 0.25, what: str = "condition"
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def read_topic(settings: Settings, topic: str | None = None, timeout_ms: int = 3000) -> list[Any]:
    """Every record currently in a topic (no consumer group, from the beginning)."""
    from monitor.stream.kafka_python import KafkaConsumer  # quiets kafka-python's logger

    consumer = KafkaConsumer(
        topic or settings.items_topic,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=timeout_ms,
    )
    try:
        return list(consumer)
    finally:
        consumer.close()
