"""`monitor run` as operators run it: all roles (two workers), ready, metrics, restarts,
graceful SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import orjson

from monitor.feeds.commands import import_feeds
from monitor.runtime.heartbeat import read_heartbeats
from monitor.services import free_port
from monitor.status import render_status
from monitor.store import migrate
from tests.roles import wait_until

SHUTDOWN_BOUND = 30.0  # settings.shutdown_timeout: documented in the README


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def _metric(body: str, name: str) -> float:
    total = 0.0
    for line in body.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_run_starts_all_roles_serves_health_and_metrics_and_stops_cleanly(
    engines: Any,
    kafka_bootstrap: str, make_settings: Any, fixture_server: Any, tmp_path: Path
) -> None:
    port = free_port()
    settings = make_settings(
        web_port=port,
        shutdown_timeout=SHUTDOWN_BOUND,
        log_format="json",
        worker_processes=2,
        mailer_processes=2,
    )
    migrate.upgrade(settings.db_url)
    engine = engines(settings.db_url)
    import_feeds(
        engine,
        [{"url": fixture_server.url("example-menafn-feed.xml"), "outlet": "MENAFN"}],
        settings=settings,
    )
    log = (tmp_path / "daemon.log").open("wb")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "monitor", "run"],
        env={**os.environ, **settings.as_env()},
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            status, body = _get(base + "/readyz")
            if status != 200:
                return False
            checks = orjson.loads(body)["checks"]
            return {
                "role:worker",
                "role:worker-2",
                "role:poller",
                "role:mailer",
                "role:mailer-2",
                "role:dispatcher",
            } <= set(checks)

        wait_until(ready, 90, what="/readyz to report every role, both workers and mailers")
        beats = read_heartbeats(settings)
        assert beats["worker"]["pid"] != beats["worker-2"]["pid"], "two worker processes"
        assert beats["mailer"]["pid"] != beats["mailer-2"]["pid"], "two mailer processes"
        # `monitor status` shows each running role with its memory.
        screen = render_status(settings).splitlines()
        roles = next(line for line in screen if line.startswith("roles:"))
        assert any(line.startswith("chats:   destinations_disabled 0") for line in screen)
        for role in ("worker", "worker-2", "poller", "mailer", "mailer-2", "dispatcher"):
            shown = rf"\b{role} ok \(pid {beats[role]['pid']}, \d+s, \d+ MB, peak \d+ MB\)"
            assert re.search(shown, roles), roles
        wait_until(
            lambda: _metric(_get(base + "/metrics")[1], "monitor_items_processed_total") >= 3,
            90,
            what="items processed, as counted by the worker and served by the web role",
        )
        body = _get(base + "/metrics")[1]
        assert _metric(body, "monitor_items_published_total") >= 3
        assert _metric(body, "monitor_alerts_total") >= 1
        assert "monitor_processing_latency_seconds_bucket" in body

        # A role that dies is restarted by the supervisor.
        old = int(str(read_heartbeats(settings)["mailer"]["pid"]))
        os.kill(old, signal.SIGKILL)
        wait_until(
            lambda: int(str(read_heartbeats(settings).get("mailer", {}).get("pid", old))) != old,
            30,
            what="the mailer to be restarted",
        )
        assert daemon.poll() is None
    finally:
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=SHUTDOWN_BOUND + 15)
        took = time.monotonic() - started
        log.close()
    text = (tmp_path / "daemon.log").read_text()
    assert code == 0, text[-3000:]
    assert took < SHUTDOWN_BOUND, f"stopped in {took:.1f}s"
    stopped = [orjson.loads(line) for line in text.splitlines() if '"daemon.stopped"' in line]
    assert stopped and stopped[-1]["clean"] is True
