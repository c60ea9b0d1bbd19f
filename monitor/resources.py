"""The data monitor ships inside its package, found through ``importlib.resources``.

The repository keeps this data once, at its top: ``migrations/`` (Alembic) and ``seeds/``
(the topic, the default feed list, the fixture feeds, sample subscribers). pyproject.toml
maps those folders into the package as ``monitor._migrations`` and ``monitor._seeds``, so an
editable install reads them in place and a wheel carries them. Nothing in ``monitor`` may
find its data through a path relative to the source tree: an installed package has none.

Everything monitor writes goes to the var dir (``MONITOR_VAR_DIR``), never here.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from monitor.errors import ConfigError

MIGRATIONS = "monitor._migrations"
SEEDS = "monitor._seeds"


def _on_disk(resource: Traversable) -> Path:
    # Alembic, the fixture server and the settings need real paths. pip always installs a
    # wheel unzipped; an import from a zip archive is the one case this refuses.
    if not isinstance(resource, Path):
        raise ConfigError(
            f"monitor's packaged data {resource} is not a file on disk: install monitor with "
            "pip (not as a zip archive)"
        )
    return resource


def migrations_dir() -> Path:
    """Alembic's script directory (env.py, versions/)."""
    return _on_disk(files(MIGRATIONS))


def seeds_dir() -> Path:
    return _on_disk(files(SEEDS))


def default_topic_file() -> Path:
    """The first topic's definition: MONITOR_TOPIC_FILE's default."""
    return seeds_dir() / "topics" / "ukraine-latam.toml"


def default_topic_dir() -> Path:
    """MONITOR_TOPIC_DIR's default: every topic the package ships (Ukraine–Latin America,
    Russia–Latin America). Each subscription chooses its topic, so loading another topic
    changes nothing for the subscriptions of the others."""
    return seeds_dir() / "topics"


def default_feeds_file() -> Path:
    """The feed list ``monitor feed import`` reads when given none: MONITOR_FEEDS_FILE's default."""
    return seeds_dir() / "feeds" / "feeds.toml"


def fixtures_dir() -> Path:
    """Offline fixture feeds: the demo serves them, ``monitor feed check`` reads them."""
    return seeds_dir() / "fixtures"


def sample_subscribers() -> Path:
    """The demo's subscribers (CSV, the ``monitor subscriber import`` format)."""
    return seeds_dir() / "subscribers" / "sample.csv"


def kafka_pom() -> Path:
    """The Maven POM that names the local Kafka broker's jars."""
    return _on_disk(files("monitor.services") / "kafka_broker.pom.xml")
