"""The package finds its data through importlib.resources, never through the checkout.

The full check of an installed wheel is scripts/wheel-smoke (`make wheel-smoke`, run by
.ci/run); these tests hold the pieces it relies on, fast, in the editable install.
"""

from __future__ import annotations

import fnmatch
import subprocess
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


def _folder_of(package: str) -> Path:
    """Where a listed package's files are in the checkout (mapped ones live outside monitor/)."""
    for mapped, folder in SETUPTOOLS["package-dir"].items():
        if package == mapped:
            return PROJECT_ROOT / str(folder)
        if package.startswith(mapped + "."):
            return PROJECT_ROOT / str(folder) / Path(*package[len(mapped) + 1 :].split("."))
    return PROJECT_ROOT / Path(*package.split("."))


def _tracked_files(folder: str) -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z", folder], cwd=PROJECT_ROOT, check=True,
                            capture_output=True, text=True).stdout
    return [PROJECT_ROOT / name for name in listed.split("\0") if name]


def test_every_file_under_the_package_folders_ships() -> None:
    """Each file git holds under monitor/, migrations/ and seeds/ is in a listed package and
    ships as its module or matches that package's own package-data patterns. A folder of
    data that is not listed draws setuptools' "Package would be ignored" warning, and a
    later setuptools drops it from the wheel."""
    folders = {_folder_of(name): name for name in SETUPTOOLS["packages"]}
    unlisted, unshipped = set(), []
    for top in ("monitor", *SETUPTOOLS["package-dir"].values()):
        for path in _tracked_files(top):
            package = folders.get(path.parent)
            if package is None:
                unlisted.add(str(path.parent.relative_to(PROJECT_ROOT)))
                continue
            patterns = SETUPTOOLS["package-data"].get(package, [])
            if path.suffix != ".py" and not any(fnmatch.fnmatch(path.name, p) for p in patterns):
                unshipped.append(str(path.relative_to(PROJECT_ROOT)))
    assert not unlisted, f"add the packages of {sorted(unlisted)} to [tool.setuptools] packages"
    assert not unshipped, f"add patterns for {unshipped} to [tool.setuptools.package-data]"


def test_every_listed_package_exists() -> None:
    for name in SETUPTOOLS["packages"]:
        assert _folder_of(name).is_dir(), name
    for package, folder in SETUPTOOLS["package-dir"].items():
        assert package in SETUPTOOLS["packages"]
        assert (PROJECT_ROOT / folder / "__init__.py").is_file(), folder


def test_every_language_catalog_ships_in_the_wheel() -> None:
    """The catalogs ship as .po files (compiled in memory when read: no .mo step), so a
    new language needs only its file to match the package-data globs."""
    from monitor.catalogs import LANGUAGES

    patterns = SETUPTOOLS["package-data"]["monitor.locales"]
    for language in LANGUAGES:
        name = f"{language}.po"
        assert (PROJECT_ROOT / "monitor" / "locales" / name).is_file(), name
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
