"""Shared fixtures: the real services the suite runs against.

The Kafka broker and PostgreSQL are started once per session (and reused when already up);
each test gets its own Kafka topic prefix and consumer group, and its own database, so
tests never see each other's data.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Settings, load_settings
from monitor.services import postgres
from tests import PROJECT_ROOT

# The developer's own MONITOR_* settings must not leak into the suite.
for _name in [n for n in os.environ if n.startswith("MONITOR_")]:
    del os.environ[_name]

# The suite (and every process it starts) runs in a zone far from UTC, with a 45-minute
# offset and daylight saving, so code that reads the machine's local time fails here rather
# than on a user's machine; CI machines are usually in UTC and would hide it.
os.environ["TZ"] = os.environ.get("TEST_TZ", "Pacific/Chatham")
time.tzset()

KAFKA_PORT = int(os.environ.get("TEST_KAFKA_PORT", "9092"))


def pytest_addoption(parser: pytest.Parser) -> None:
    # An option, not an environment variable: the MONITOR_* clean-up above once ate it.
    parser.addoption(
        "--chaos-scale",
        type=float,
        default=1.0,
        help="multiply the chaos tests' items, kills and durations (make chaos: 5)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"chaos scale: {config.getoption('chaos_scale'):g}"


@pytest.fixture(scope="session")
def chaos_scale(pytestconfig: pytest.Config) -> float:
    """How much larger the chaos tests run (``--chaos-scale``; 1 in ``make test``)."""
    return float(pytestconfig.getoption("chaos_scale"))


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    from monitor.services import kafka_broker

    kafka_broker.start(PROJECT_ROOT / "var" / "kafka", port=KAFKA_PORT)
    return f"127.0.0.1:{KAFKA_PORT}"


@pytest.fixture(scope="session")
def pg_cluster() -> Any:
    cluster = postgres.PgCluster()
    postgres.start(cluster, databases=("monitor_test",))
    return cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database: SQLite and PostgreSQL, each test runs on both."""
    from monitor.store import migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'monitor.db'}"
        migrate.upgrade(url)
        yield url
        return
    cluster = request.getfixturevalue("pg_cluster")
    url, drop = postgres.scratch_database(cluster)
    migrate.upgrade(url)
    yield url
    drop()


@pytest.fixture
def pg_url(pg_cluster: Any) -> Iterator[str]:
    """A freshly migrated PostgreSQL database (for tests that need PostgreSQL only)."""
    from monitor.store import migrate

    url, drop = postgres.scratch_database(pg_cluster)
    migrate.upgrade(url)
    yield url
    drop()


# The topic prefixes of finished tests, deleted from the broker in batches (and at the end):
# a broker that kept every run's topics took minutes to start on a machine that had run the
# suite a few dozen times.
_FINISHED_PREFIXES: list[str] = []
_DROP_EVERY = 40


def _drop_finished_topics() -> None:
    from monitor.services.kafka_broker import broker_answers
    from monitor.stream.kafka_python import KafkaError
    from monitor.stream.topics import drop_topics

    bootstrap = f"127.0.0.1:{KAFKA_PORT}"
    if not _FINISHED_PREFIXES or not broker_answers(bootstrap):
        return  # kept for the next try: a chaos test may have the broker down
    try:
        drop_topics(bootstrap, list(_FINISHED_PREFIXES))
    except (KafkaError, OSError):
        return
    _FINISHED_PREFIXES.clear()


@pytest.fixture(scope="session", autouse=True)
def _drop_topics_at_the_end() -> Iterator[None]:
    yield
    _drop_finished_topics()


@pytest.fixture
def make_settings(tmp_path: Path) -> Iterator[Callable[..., Settings]]:
    """Settings isolated to this test: own var dir, topic prefix and consumer group."""
    tag = uuid.uuid4().hex[:10]

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "var_dir": tmp_path / "var",
            "topic_prefix": f"test-{tag}",
            "app_id": f"test-{tag}",
            "kafka_bootstrap": f"127.0.0.1:{KAFKA_PORT}",
            "allow_private_addresses": True,
            "partitions": 4,
            "log_format": "console",
            "poll_min_interval": 0.1,
            "http_host_spacing": 0.0,
            "token_secret": secrets.token_hex(32),
        }
        values.update(overrides)
        return load_settings(**values)

    yield build
    _FINISHED_PREFIXES.append(f"test-{tag}")
    if len(_FINISHED_PREFIXES) >= _DROP_EVERY:
        _drop_finished_topics()


@pytest.fixture
def smtp_sink() -> Iterator[Any]:
    from monitor.services.smtp_sink import SmtpSink

    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def fixture_server() -> Iterator[Any]:
    from monitor.services.fixture_server import FixtureServer

    server = FixtureServer(PROJECT_ROOT / "seeds" / "fixtures").start()
    yield server
    server.stop()


@pytest.fixture
def engines() -> Iterator[Callable[[str], Any]]:
    """Make engines that are disposed when the test ends, passed or failed (an undisposed
    psycopg connection would warn later, inside some other test)."""
    from monitor.store.db import make_engine

    made: list[Any] = []

    def make(url: str) -> Any:
        engine = make_engine(url)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()
