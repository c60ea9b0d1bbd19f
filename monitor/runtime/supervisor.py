"""`monitor run`: starts each role as its own process and keeps it running.

Roles are ``poller`` (feeds → Kafka), ``worker`` (Kafka → Faust → database), ``mailer``
(outbox → SMTP, digests), ``dispatcher`` (channel ledger → webhooks and chats) and ``web`` (health, metrics, unsubscribe). One process per role
keeps a crash in one from taking down the others, lets each be killed and restarted alone,
and lets operators scale a role out with ``--role worker`` on more machines.

The supervisor restarts a role that exits unexpectedly (with backoff), and on SIGTERM or
SIGINT forwards the signal, waits up to ``shutdown_timeout`` for every role, then kills
what is left.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from monitor.config import Settings, child_environment
from monitor.logs import get_logger
from monitor.private_files import private_dir
from monitor.runtime.heartbeat import INSTANCE_ENV, status_dir

log = get_logger(__name__)

ROLES = ("web", "worker", "mailer", "dispatcher", "poller")


@dataclass
class Child:
    role: str
    name: str  # the role's instance name: "worker", "worker-2", …
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0
    next_start_at: float = 0.0
    backoff: float = 1.0
    history: list[int] = field(default_factory=list)


def instances(settings: Settings, role: str) -> int:
    """Processes of ``role`` the supervisor starts (workers share the topic's partitions,
    mailers the subscribers: see monitor/store/partition.py)."""
    if role == "worker":
        return settings.worker_processes
    if role == "mailer":
        return settings.mailer_processes
    return 1


class Supervisor:
    def __init__(
        self,
        settings: Settings,
        roles: tuple[str, ...],
        config_file: str | None,
        *,
        whole_daemon: bool = True,
    ) -> None:
        self.settings = settings
        self.children = [
            Child(role, role if n == 1 else f"{role}-{n}")
            for role in roles
            for n in range(1, instances(settings, role) + 1)
        ]
        self.config_file = config_file
        self.stopping = False
        # The whole daemon starts from empty status and metrics dirs; one role's processes
        # (`monitor run --role mailer` with MONITOR_MAILER_PROCESSES > 1) leave the other
        # roles' files alone.
        self.whole_daemon = whole_daemon

    def _env(self) -> dict[str, str]:
        env = child_environment({"PROMETHEUS_MULTIPROC_DIR": str(self.settings.var_dir / "metrics")})
        if self.config_file:
            env["MONITOR_CONFIG"] = self.config_file
        return env

    def _spawn(self, child: Child) -> None:
        cmd = [sys.executable, "-m", "monitor", "run", "--role", child.role, "--supervised"]
        child.process = subprocess.Popen(cmd, env={**self._env(), INSTANCE_ENV: child.name})
        child.started_at = time.monotonic()
        log.info(
            "role.started",
            role=child.role,
            instance=child.name,
            pid=child.process.pid,
            restarts=child.restarts,
        )

    def run(self) -> int:
        metrics_dir = self.settings.var_dir / "metrics"
        if self.whole_daemon:
            shutil.rmtree(metrics_dir, ignore_errors=True)
            shutil.rmtree(status_dir(self.settings), ignore_errors=True)
        else:  # only this role's heartbeats (a run with more processes left mailer-3 …)
            for role in {child.role for child in self.children}:
                for path in status_dir(self.settings).glob(f"{role}*.json"):
                    path.unlink(missing_ok=True)
        private_dir(metrics_dir)

        def _stop(signum: int, _frame: object) -> None:
            if not self.stopping:
                log.info("daemon.stopping", signal=signal.Signals(signum).name)
            self.stopping = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        for child in self.children:
            self._spawn(child)
        while not self.stopping:
            now = time.monotonic()
            for child in self.children:
                proc = child.process
                if proc is not None and proc.poll() is not None:
                    code = proc.returncode
                    child.process = None
                    # A role that ran a while before dying gets its backoff reset.
                    if now - child.started_at > 60:
                        child.backoff = 1.0
                    child.next_start_at = now + child.backoff
                    log.error(
                        "role.exited",
                        role=child.name,
                        code=code,
                        restart_in=round(child.backoff, 1),
                    )
                    child.backoff = min(child.backoff * 2, 30.0)
                    child.restarts += 1
                if child.process is None and now >= child.next_start_at:
                    self._spawn(child)
            time.sleep(0.2)
        return self._shutdown()

    def _shutdown(self) -> int:
        deadline = time.monotonic() + self.settings.shutdown_timeout
        for child in self.children:
            if child.process and child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        clean = True
        for child in self.children:
            if not child.process:
                continue
            remaining = max(0.1, deadline - time.monotonic())
            try:
                code = child.process.wait(timeout=remaining)
                log.info("role.stopped", role=child.name, code=code)
            except subprocess.TimeoutExpired:
                clean = False
                log.error("role.killed", role=child.name, reason="did not stop in time")
                child.process.kill()
                child.process.wait()
        log.info("daemon.stopped", clean=clean)
        return 0 if clean else 1
