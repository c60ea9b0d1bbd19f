"""`make stop` stops only the local services this var dir started.

The broker on 9092 and PostgreSQL on 55432 serve every checkout on the machine. These tests
run while they are up (the session's fixtures make sure) and check that a stop from a var
dir that did not start them leaves them running and says so. Stopping for real is
tests/services/test_kafka_broker.py's and the chaos tests' job.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from monitor.services import free_port, kafka_broker, postgres, stop_plan


@pytest.mark.parametrize(
    ("started_here", "running", "shared", "plan"),
    [
        (True, True, False, "stop"),
        (False, True, False, "leave"),  # another checkout's: it may be using it
        (False, True, True, "stop"),  # --shared: stop it anyway
        (True, False, False, "absent"),
        (False, False, True, "absent"),
    ],
)
def test_stop_plan(started_here: bool, running: bool, shared: bool, plan: str) -> None:
    assert stop_plan(started_here, running, shared=shared) == plan


def test_a_var_dir_that_started_nothing_leaves_the_shared_services_running(
    tmp_path: Path, kafka_bootstrap: str, pg_cluster: Any
) -> None:
    port = int(kafka_bootstrap.rpartition(":")[2])
    said = kafka_broker.stop_started_here(tmp_path / "kafka", port)
    assert said.startswith("left running: the Kafka broker on 127.0.0.1:")
    assert kafka_broker.broker_answers(kafka_bootstrap)
    said = postgres.stop_started_here(tmp_path)
    assert said.startswith(f"left running: PostgreSQL on 127.0.0.1:{pg_cluster.port}")
    assert "--shared" in said
    assert postgres.answers(pg_cluster.port)


def test_make_stop_says_what_it_leaves_running(
    tmp_path: Path, kafka_bootstrap: str, pg_cluster: Any
) -> None:
    env = {
        **os.environ,
        "MONITOR_VAR_DIR": str(tmp_path),
        "MONITOR_KAFKA_BOOTSTRAP": kafka_bootstrap,
    }
    for service in ("broker", "postgres"):
        done = subprocess.run(
            [sys.executable, "-m", "monitor", service, "stop"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("left running: "), done.stdout
    assert kafka_broker.broker_answers(kafka_bootstrap)
    assert postgres.answers(pg_cluster.port)


def test_the_var_dir_that_started_postgresql_is_the_one_that_stops_it(tmp_path: Path) -> None:
    # A marker naming a cluster on a port where nothing listens: nothing to stop, and the
    # stale marker goes.
    cluster = postgres.PgCluster(data_dir=tmp_path / "pg" / "data", port=free_port())
    postgres.mark_started_here(tmp_path, cluster)
    assert postgres.started_here(tmp_path) == cluster
    assert postgres.started_here(tmp_path / "elsewhere") is None
    said = postgres.stop_started_here(tmp_path)
    assert said == f"no PostgreSQL on 127.0.0.1:{cluster.port} ({cluster.data_dir}) running"
    assert postgres.started_here(tmp_path) is None
