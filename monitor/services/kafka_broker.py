"""A local single-node Apache Kafka broker (KRaft, broker+controller) without Docker.

The broker's jars come from Maven Central (``kafka_broker.pom.xml``, shipped beside this
module) into a cache outside the source tree (``~/.cache/monitor``); its data, logs and pid
file go to the run directory the caller gives (``var_dir/kafka``). The broker runs with the
machine's Java 17 on 127.0.0.1. ``start`` is idempotent: a broker already answering on the
port is reused, not restarted, and ``stop`` stops only the broker started from its run dir.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from monitor.config import process_variable
from monitor.errors import ServiceError
from monitor.logs import get_logger
from monitor.resources import kafka_pom
from monitor.runtime.processes import pid_alive
from monitor.services import stop_plan

log = get_logger(__name__)

KAFKA_VERSION = "3.9.1"
CLUSTER_ID = "bW9uaXRvci1sb2NhbC0xAA"  # any 22-char URL-safe base64 id not starting with '-'
READY_LINE = "Kafka Server started"


def cache_dir() -> Path:
    base = process_variable("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "monitor" / f"kafka-{KAFKA_VERSION}"


@dataclass(frozen=True)
class BrokerPaths:
    run_dir: Path

    @property
    def data(self) -> Path:
        return self.run_dir / "kraft-logs"

    @property
    def properties(self) -> Path:
        return self.run_dir / "server.properties"

    @property
    def log4j(self) -> Path:
        return self.run_dir / "log4j.properties"

    @property
    def output(self) -> Path:
        return self.run_dir / "broker.out"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "broker.pid"


def ensure_jars() -> Path:
    """Fetch the broker's jars with Maven once; return the directory holding them."""
    libs = cache_dir() / "libs"
    marker = libs / ".complete"
    if marker.exists():
        return libs
    if shutil.which("mvn") is None:
        raise ServiceError("mvn not found: install Maven (Debian: apt-get install maven)")
    if shutil.which("java") is None:
        raise ServiceError(
            "java not found: install a JDK 17 (Debian: apt-get install openjdk-17-jdk)"
        )
    log.info("kafka.jars.fetch", target=str(libs), version=KAFKA_VERSION)
    libs.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            "mvn",
            "-B",
            "-q",
            "-f",
            str(kafka_pom()),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={libs}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ServiceError(
            "mvn could not fetch the Kafka jars (is Maven Central reachable?):\n"
            + (result.stdout + result.stderr)[-2000:]
        )
    if not any(libs.glob("kafka_2.13-*.jar")):
        raise ServiceError(f"mvn finished but no kafka_2.13 jar is in {libs}")
    marker.touch()
    return libs


def _write_config(paths: BrokerPaths, port: int, controller_port: int, partitions: int) -> None:
    paths.run_dir.mkdir(parents=True, exist_ok=True)
    paths.properties.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
                f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                f"log.dirs={paths.data}",
                f"num.partitions={partitions}",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                # Topics are created up front with their partition counts; a typo must not
                # silently create a topic with the broker's default.
                "auto.create.topics.enable=false",
                "num.network.threads=2",
                "num.io.threads=2",
                "log.retention.hours=168",
                "",
            ]
        )
    )
    paths.log4j.write_text(
        "log4j.rootLogger=INFO, stdout\n"
        "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
        "log4j.logger.state.change.logger=WARN\n"
        "log4j.logger.kafka.request.logger=WARN\n"
        "log4j.logger.org.apache.kafka.clients=WARN\n"
    )


def broker_answers(bootstrap: str, timeout: float = 2.0) -> bool:
    """True when a broker at ``bootstrap`` answers a metadata request."""
    from monitor.stream.kafka_python import KafkaAdminClient, KafkaError

    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:  # a closed port needs no client (and no screen of connection-refused logs)
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError:
        return False
    try:
        with KafkaAdminClient(
            bootstrap_servers=bootstrap,
            bootstrap_timeout_ms=int(timeout * 1000),
            request_timeout_ms=int(timeout * 1000),
        ) as admin:
            admin.describe_cluster()
        return True
    except (KafkaError, OSError):
        return False


def _read_pid(paths: BrokerPaths) -> int | None:
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def start(
    run_dir: Path,
    *,
    port: int = 9092,
    controller_port: int = 9093,
    partitions: int = 8,
    timeout: float = 120.0,
    heap: str = "512m",
) -> str:
    """Start the broker unless one already answers; return "reused" or "started"."""
    bootstrap = f"127.0.0.1:{port}"
    if broker_answers(bootstrap):
        log.info("kafka.broker.reused", bootstrap=bootstrap)
        return "reused"
    paths = BrokerPaths(run_dir)
    if (pid := _read_pid(paths)) is not None:
        # Ours, still starting (or hung): wait for it rather than starting a second one.
        log.info("kafka.broker.waiting", pid=pid)
        _wait_ready(paths, bootstrap, timeout, pid)
        return "reused"
    libs = ensure_jars()
    classpath = f"{libs}/*"
    _write_config(paths, port, controller_port, partitions)
    if not (paths.data / "meta.properties").exists():
        result = subprocess.run(
            [
                "java",
                "-Xmx256m",
                f"-Dlog4j.configuration=file:{paths.log4j}",
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                CLUSTER_ID,
                "-c",
                str(paths.properties),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ServiceError(f"formatting KRaft storage failed:\n{result.stdout}{result.stderr}")
    with paths.output.open("ab") as out:
        out.write(f"\n--- start {time.strftime('%Y-%m-%d %H:%M:%S')} ---\n".encode())
    command = [
        "java",
        "-Xms256m",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        f"-Dkafka.logs.dir={paths.run_dir / 'logs'}",
        f"-Dlog4j.configuration=file:{paths.log4j}",
        "-cp",
        classpath,
        "kafka.Kafka",
        str(paths.properties),
    ]
    # Detach through a shell so the broker outlives the caller (make demo, a test session)
    # and is never left as an un-reaped child of it.
    launched = subprocess.run(
        ["sh", "-c", 'exec "$@" >>"$0" 2>&1 </dev/null & echo $!', str(paths.output), *command],
        capture_output=True,
        text=True,
        check=True,
        start_new_session=True,
    )
    pid = int(launched.stdout.strip())
    paths.pid_file.write_text(str(pid))
    _wait_ready(paths, bootstrap, timeout, pid)
    log.info("kafka.broker.started", bootstrap=bootstrap, pid=pid, run_dir=str(run_dir))
    return "started"


def _wait_ready(paths: BrokerPaths, bootstrap: str, timeout: float, pid: int) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            tail = paths.output.read_text(errors="replace")[-3000:] if paths.output.exists() else ""
            raise ServiceError(
                f"the Kafka broker exited during start; its log ends:\n{tail}"
            )
        if broker_answers(bootstrap, timeout=1.0):
            return
        time.sleep(0.5)
    raise ServiceError(
        f"the Kafka broker did not answer on {bootstrap} within {timeout:.0f}s; see {paths.output}"
    )


def stop(run_dir: Path, *, timeout: float = 60.0) -> bool:
    """Stop the broker started from ``run_dir`` cleanly (SIGTERM, then SIGKILL). False if none."""
    paths = BrokerPaths(run_dir)
    pid = _read_pid(paths)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            break
        _reap(pid)
        time.sleep(0.2)
    else:
        log.warning("kafka.broker.kill", pid=pid, reason="did not stop after SIGTERM")
        os.kill(pid, signal.SIGKILL)
        _reap(pid)
    paths.pid_file.unlink(missing_ok=True)
    log.info("kafka.broker.stopped", pid=pid)
    return True


def stop_started_here(run_dir: Path, port: int = 9092) -> str:
    """Stop the broker only if it was started from ``run_dir``; say what was done."""
    bootstrap = f"127.0.0.1:{port}"
    started_here = _read_pid(BrokerPaths(run_dir)) is not None
    plan = stop_plan(started_here, started_here or broker_answers(bootstrap))
    if plan == "stop" and stop(run_dir):
        return f"stopped the Kafka broker on {bootstrap}, started from {run_dir}"
    if plan == "leave":
        return (
            f"left running: the Kafka broker on {bootstrap} was not started from {run_dir} "
            "(another checkout or var dir may be using it); stop it from there"
        )
    return f"no Kafka broker running on {bootstrap}"


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def kill(run_dir: Path) -> bool:
    """SIGKILL the broker (crash simulation for tests)."""
    paths = BrokerPaths(run_dir)
    pid = _read_pid(paths)
    if pid is None:
        return False
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _reap(pid)
        if not pid_alive(pid):
            break
        time.sleep(0.1)
    paths.pid_file.unlink(missing_ok=True)
    return True


def status(run_dir: Path, port: int = 9092) -> dict[str, object]:
    paths = BrokerPaths(run_dir)
    return {
        "bootstrap": f"127.0.0.1:{port}",
        "answers": broker_answers(f"127.0.0.1:{port}"),
        "pid": _read_pid(paths),
        "run_dir": str(run_dir),
        "jars": str(cache_dir() / "libs"),
    }
