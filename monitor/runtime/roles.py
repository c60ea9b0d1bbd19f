"""Entry points of the daemon's roles, one process each (see monitor/runtime/supervisor.py)."""

from __future__ import annotations

from monitor.config import Settings
from monitor.errors import ConfigError


def run_role(
    role: str, settings: Settings, *, once: bool = False, instance: str | None = None
) -> int:
    """Run one role in this process; ``instance`` is the name `monitor run` gave it
    ("mailer-2"), None when started by hand."""
    if role == "worker":
        from monitor.stream.worker import run_worker

        return run_worker(settings)
    if role == "poller":
        from monitor.feeds.poller import run_poller

        return run_poller(settings, once=once)
    if role == "mailer":
        from monitor.notify.mailer import mailer_partition, run_mailer

        partition = mailer_partition(instance, settings.mailer_processes)
        return run_mailer(settings, once=once, partition=partition)
    if role == "dispatcher":
        from monitor.delivery.dispatcher import run_dispatcher

        return run_dispatcher(settings, once=once)
    if role == "web":
        from monitor.web.server import run_web

        return run_web(settings)
    raise ConfigError(f"unknown role {role!r}: expected worker, poller, mailer, dispatcher or web")
