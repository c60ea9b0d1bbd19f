"""A private local PostgreSQL server for tests, benchmarks and `make` targets.

It installs Debian's ``postgresql`` package when the server binaries are missing, then runs
its own cluster (its own data directory and port, trust auth on loopback) so it never
touches a system cluster, and can be stopped and started by the chaos tests.

The cluster (``/var/tmp/monitor-postgres``, port 55432) serves every checkout on the machine:
``monitor postgres start`` reuses one that answers. The var dir that really started it keeps
a marker (``postgres.started``), and ``stop_started_here`` stops only that one.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from monitor.config import child_environment
from monitor.errors import ServiceError
from monitor.logs import get_logger
from monitor.services import stop_plan

log = get_logger(__name__)

DEFAULT_PORT = 55432
DEFAULT_DIR = Path("/var/tmp/monitor-postgres")
STARTED_MARKER = "postgres.started"


@dataclass(frozen=True)
class PgCluster:
    data_dir: Path = DEFAULT_DIR / "data"
    port: int = DEFAULT_PORT
    user: str = "monitor"

    def url(self, database: str = "monitor") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / "postgres.log"


def bin_dir() -> Path:
    """The newest installed server's bin directory; installs postgresql when there is none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version_key)
    if not found:
        _install()
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version_key)
    if not found:
        raise ServiceError("PostgreSQL server binaries not found after installing 'postgresql'")
    return Path(found[-1]).parent


def _version_key(path: str) -> int:
    part = path.split("/")[4]
    return int(part) if part.isdigit() else 0


def _install() -> None:
    if shutil.which("apt-get") is None:
        raise ServiceError("PostgreSQL is not installed and apt-get is missing: install it by hand")
    log.info("postgres.install", package="postgresql")
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = child_environment({"DEBIAN_FRONTEND": "noninteractive"})
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "postgresql"]):
        result = subprocess.run(prefix + cmd, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise ServiceError(f"{' '.join(cmd)} failed:\n{result.stderr[-2000:]}")


def _run_as_owner(cmd: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """PostgreSQL refuses to run as root: use the 'postgres' account when we are root."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise ServiceError(f"{' '.join(cmd)} failed:\n{result.stdout}{result.stderr}")
    return result


def answers(port: int = DEFAULT_PORT) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def start(cluster: PgCluster = PgCluster(), *, databases: tuple[str, ...] = ("monitor",)) -> str:
    """Initialise (once) and start the cluster; create the databases. Idempotent."""
    bins = bin_dir()
    if answers(cluster.port):
        _create_databases(bins, cluster, databases)
        return "reused"
    base = cluster.data_dir.parent
    base.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
    if not (cluster.data_dir / "PG_VERSION").exists():
        _run_as_owner(
            [
                str(bins / "initdb"),
                "-D",
                str(cluster.data_dir),
                "-U",
                cluster.user,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
    options = (
        f"-p {cluster.port} -c listen_addresses=127.0.0.1 -k {base} "
        "-c fsync=on -c max_connections=200 -c shared_buffers=512MB"
    )
    if (bins.parent / "lib" / "pg_stat_statements.so").exists():
        # Statement statistics: the pipeline benchmark reports each run's costliest
        # statements from them (Debian ships the module with the server).
        options += " -c shared_preload_libraries=pg_stat_statements"
    _run_as_owner(
        [
            str(bins / "pg_ctl"),
            "-D",
            str(cluster.data_dir),
            "-l",
            str(cluster.log_file),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        ]
    )
    _create_databases(bins, cluster, databases)
    log.info("postgres.started", port=cluster.port, data_dir=str(cluster.data_dir))
    return "started"


def _create_databases(bins: Path, cluster: PgCluster, databases: tuple[str, ...]) -> None:
    for name in databases:
        exists = _run_as_owner(
            [
                str(bins / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                cluster.user,
                "-d",
                "postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
            ]
        )
        if exists.stdout.strip() != "1":
            _run_as_owner(
                [
                    str(bins / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(cluster.port),
                    "-U",
                    cluster.user,
                    name,
                ]
            )


def stop(cluster: PgCluster = PgCluster(), *, mode: str = "fast") -> bool:
    """Stop the cluster (mode: smart, fast or immediate). False when it was not running."""
    if not (cluster.data_dir / "postmaster.pid").exists():
        return False
    _run_as_owner(
        [str(bin_dir() / "pg_ctl"), "-D", str(cluster.data_dir), "-m", mode, "-w", "stop"],
        check=False,
    )
    deadline = time.monotonic() + 30
    while answers(cluster.port) and time.monotonic() < deadline:
        time.sleep(0.2)
    return True


def mark_started_here(var_dir: Path, cluster: PgCluster = PgCluster()) -> None:
    """Record in ``var_dir`` that this var dir started ``cluster`` (so it may stop it)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    marker = {"data_dir": str(cluster.data_dir), "port": cluster.port}
    (var_dir / STARTED_MARKER).write_text(json.dumps(marker) + "\n")


def started_here(var_dir: Path) -> PgCluster | None:
    """The cluster ``var_dir`` started, from its marker; None when it started none."""
    try:
        marker = json.loads((var_dir / STARTED_MARKER).read_text())
        return PgCluster(data_dir=Path(marker["data_dir"]), port=int(marker["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stop_started_here(var_dir: Path, *, shared: bool = False) -> str:
    """Stop the cluster only if ``var_dir`` started it (or ``shared``); say what was done."""
    ours = started_here(var_dir)
    cluster = ours or PgCluster()
    where = f"PostgreSQL on 127.0.0.1:{cluster.port} ({cluster.data_dir})"
    plan = stop_plan(ours is not None, answers(cluster.port), shared=shared)
    if plan == "leave":
        return (
            f"left running: {where} was not started from {var_dir}; other checkouts may be "
            "using it (`monitor postgres stop --shared` stops it anyway)"
        )
    if plan == "stop":
        stop(cluster)
    (var_dir / STARTED_MARKER).unlink(missing_ok=True)
    return f"stopped {where}" if plan == "stop" else f"no {where} running"


def scratch_database(
    cluster: PgCluster = PgCluster(), *, prefix: str = "t"
) -> tuple[str, Callable[[], None]]:
    """Create an empty database with a unique name; return its URL and a function that drops
    it (tests and benchmarks each get their own)."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    # pre_ping: chaos tests restart PostgreSQL under this pool.
    admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return cluster.url(name), drop
