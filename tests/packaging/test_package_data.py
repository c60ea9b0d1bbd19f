"""The package finds its data through importlib.resources, never through the checkout.

The full check of an installed wheel is scripts/wheel-smoke (`make wheel-smoke`, run by
.ci/run); these tests hold the pieces it relies on, fast, in the editable install.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

from monitor import resources
from monitor.config import Settings, load_settings
from monitor.demo import FIXTURE_FEEDS, demo_settings
from monitor.feeds.commands import read_feed_list
from monitor.matching.topic import load_topic
from monitor.store import migrate
from tests import PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _package_of(directory: Path) -> str:
    return ".".join(directory.relative_to(PROJECT_ROOT).parts)


def test_every_package_of_monitor_is_listed_for_the_wheel() -> None:
    found = {
        _package_of(init.parent)
        for init in (PROJECT_ROOT / "monitor").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    missing = found - set(SETUPTOOLS["packages"])
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"
    for package, folder in SETUPTOOLS["package-dir"].items():
        assert package in SETUPTOOLS["packages"]
        assert (PROJECT_ROOT / folder / "__init__.py").is_file(), folder


@pytest.mark.parametrize("package", ["monitor._migrations", "monitor._seeds"])
def test_every_data_file_of_a_mapped_folder_ships(package: str) -> None:
    folder = PROJECT_ROOT / SETUPTOOLS["package-dir"][package]
    patterns = SETUPTOOLS["package-data"][package]
    unshipped = [
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.parent != folder  # the folder's own modules ship as modules
        and not any(fnmatch.fnmatch(str(path.relative_to(folder)), p) for p in patterns)
        and path.name != "build_dev_feeds.py"  # the script that wrote the dev feeds
    ]
    assert not unshipped, f"{package}: add patterns for {unshipped} to package-data"


def test_every_language_catalog_ships_in_the_wheel() -> None:
    """The catalogs ship as .po files (compiled in memory when read: no .mo step), so a
    new language needs only its file to match the package-data globs."""
    from monitor.catalogs import LANGUAGES

    patterns = SETUPTOOLS["package-data"]["monitor"]
    for language in LANGUAGES:
        name = f"locales/{language}.po"
        assert (PROJECT_ROOT / "monitor" / name).is_file(), name
        assert any(fnmatch.fnmatch(name, p) for p in patterns), f"add {name} to package-data"
    assert "uk" in LANGUAGES


def test_packaged_data_resolves_through_importlib_resources() -> None:
    # In the editable install the mapped packages are the repository's own folders: one copy.
    assert resources.migrations_dir() == PROJECT_ROOT / "migrations"
    assert resources.seeds_dir() == PROJECT_ROOT / "seeds"
    versions = sorted(p.name for p in (resources.migrations_dir() / "versions").glob("0*.py"))
    assert versions and (resources.migrations_dir() / "env.py").is_file()
    assert migrate.head_revision() == versions[-1].split("_")[0]
    assert load_topic(resources.default_topic_file()).topic_id == "ukraine-latam"
    shipped = sorted(p.name for p in resources.default_topic_dir().glob("*.toml"))
    assert shipped == ["russia-latam.toml", "ukraine-latam.toml"]
    assert len(read_feed_list(resources.default_feeds_file()).rows) >= 1
    for name, _outlet, _lang in FIXTURE_FEEDS:
        assert (resources.fixtures_dir() / name).is_file(), name
    assert resources.sample_subscribers().read_text().startswith("email,")
    assert "<artifactId>kafka_2.13</artifactId>" in resources.kafka_pom().read_text()


def test_settings_made_in_another_directory_keep_var_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.var_dir == tmp_path / "var"
    assert settings.db_url == f"sqlite:///{tmp_path / 'var' / 'monitor.db'}"
    assert settings.outbox_path == tmp_path / "var" / "outbox"
    assert settings.topic_file == resources.default_topic_file()
    assert settings.feeds_file == resources.default_feeds_file()
    settings.token_key()
    assert (tmp_path / "var" / "token.key").is_file()
    # A relative MONITOR_VAR_DIR is the starting directory's, fixed once for child processes.
    monkeypatch.setenv("MONITOR_VAR_DIR", "data")
    relative = load_settings()
    assert relative.var_dir == tmp_path / "data"
    assert relative.as_env()["MONITOR_VAR_DIR"] == str(tmp_path / "data")


def test_the_demo_runs_on_the_users_settings_in_its_own_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MONITOR_VAR_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("MONITOR_KAFKA_BOOTSTRAP", "127.0.0.1:19092")
    monkeypatch.setenv("MONITOR_PARTITIONS", "2")
    monkeypatch.setenv("MONITOR_TOPIC_PREFIX", "team")
    monkeypatch.setenv("MONITOR_DATABASE_URL", "postgresql+psycopg://u@db.example/prod")
    monkeypatch.setenv("MONITOR_OUTBOX_DIR", str(tmp_path / "real-outbox"))
    demo = demo_settings(load_settings(), "20261206")
    # The user's settings hold ...
    assert demo.kafka_bootstrap == "127.0.0.1:19092"
    assert demo.partitions == 2
    # ... the demo's sandbox is inside the user's var dir, never their database or outbox ...
    assert demo.var_dir == tmp_path / "mine" / "demo"
    assert demo.db_url == f"sqlite:///{tmp_path / 'mine' / 'demo' / 'monitor.db'}"
    assert demo.outbox_path == tmp_path / "mine" / "demo" / "outbox"
    assert (demo.topic_prefix, demo.app_id) == ("team-demo-20261206", "monitor-demo-20261206")
    assert demo.allow_private_addresses
    # ... and the demo's own defaults fill only what the user left unset.
    assert (demo.poll_interval, demo.http_host_spacing) == (3600.0, 0.0)
    # The roles it starts get exactly these settings.
    env = demo.as_env()
    assert env["MONITOR_VAR_DIR"] == str(tmp_path / "mine" / "demo")
    assert env["MONITOR_DATABASE_URL"] == ""
    assert env["MONITOR_OUTBOX_DIR"] == str(tmp_path / "mine" / "demo" / "outbox")
