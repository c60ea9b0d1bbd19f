"""Configuration is checked at start: single values, combinations, the config file's errors
with file and line, unknown MONITOR_* variables, and the environment read only in config.py."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import monitor
from monitor.config import Settings, load_settings, process_variable, unknown_variables
from monitor.config_rules import (
    combination_warnings,
    database_url_problem,
    mail_from_problem,
    public_url_problem,
    toml_key_line,
)
from monitor.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "good"),
    [
        ("monitor <alerts@monitor.localhost>", True),
        ("alerts@example.org", True),
        ("Agência Monitor <alerts@example.org>", True),
        ('"Desk, LatAm" <desk@example.org>', True),
        ("Monitor", False),  # a name without an address
        ("alerts desk", False),
        ("a@", False),  # the parser raises on this one
        ("@example.org", False),
        ("alerts", False),
        ("a@example.org, b@example.org", False),  # two senders
        ("Monitor <alerts@example.org", False),
        ("", False),
        ("Monitor <alerts@example.org>\r\nBcc: x@example.org", False),
    ],
)
def test_mail_from_is_one_address_with_an_optional_name(value: str, good: bool) -> None:
    assert (mail_from_problem(value) is None) is good


@pytest.mark.parametrize(
    ("value", "good"),
    [
        ("https://monitor.example.org", True),
        ("http://127.0.0.1:8080", True),
        ("https://example.org/monitor/", True),  # behind a proxy, under a path
        ("https://", False),
        ("https://example.org:99999", False),
        ("https://example.org:http", False),
        ("https://example.org/?lang=en", False),
        ("https://example.org/#top", False),
        ("https://user@example.org", False),
        ("https://exa mple.org", False),
    ],
)
def test_public_url_is_a_base_for_links(value: str, good: bool) -> None:
    assert (public_url_problem(value) is None) is good


@pytest.mark.parametrize(
    ("value", "good"),
    [
        ("", True),
        ("sqlite:////srv/monitor/var/monitor.db", True),
        ("postgresql+psycopg://monitor:secret@db.example.org:5432/monitor", True),
        ("postgresql://monitor@db.example.org/monitor", False),  # psycopg2, not installed
        ("mysql://monitor@db.example.org/monitor", False),
        ("monitor.db", False),
        ("postgresql+psycopg://monitor@db.example.org:99999/monitor", False),
    ],
)
def test_database_url_is_one_monitor_can_use(value: str, good: bool) -> None:
    problem = database_url_problem(value)
    assert (problem is None) is good
    assert "secret" not in (problem or "")


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"poll_min_interval": 1000}, ["MONITOR_POLL_MIN_INTERVAL", "MONITOR_POLL_INTERVAL"]),
        ({"poll_interval": 100_000}, ["MONITOR_POLL_INTERVAL", "MONITOR_POLL_MAX_INTERVAL"]),
        ({"poll_max_interval": 600}, ["MONITOR_POLL_MAX_INTERVAL"]),
        ({"poll_max_backoff": 30}, ["MONITOR_POLL_MAX_BACKOFF", "MONITOR_POLL_MIN_INTERVAL"]),
        ({"worker_processes": 9}, ["MONITOR_WORKER_PROCESSES", "MONITOR_PARTITIONS"]),
        ({"worker_processes": 3, "partitions": 2}, ["MONITOR_WORKER_PROCESSES"]),
        ({"mailer_processes": 0}, ["MONITOR_MAILER_PROCESSES"]),
        ({"mailer_processes": 17}, ["MONITOR_MAILER_PROCESSES"]),
        ({"mail_from": "Monitor"}, ["MONITOR_MAIL_FROM"]),
        ({"public_url": "https://example.org/?a=1"}, ["MONITOR_PUBLIC_URL"]),
        ({"database_url": "mysql://x@y/z"}, ["MONITOR_DATABASE_URL"]),
        ({"smtp_host": "smtp://mail.example.org"}, ["MONITOR_SMTP_HOST"]),
        ({"kafka_bootstrap": "127.0.0.1:90920"}, ["MONITOR_KAFKA_BOOTSTRAP"]),
        ({"log_level": "loud"}, ["MONITOR_LOG_LEVEL"]),
        ({"classifier_model": "rescued"}, ["MONITOR_CLASSIFIER_MODEL"]),
    ],
)
def test_a_refused_setting_is_named_with_its_variable(
    overrides: dict[str, Any], names: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(**overrides)
    for name in names:
        assert name in str(caught.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"poll_min_interval": 900, "poll_interval": 900, "poll_max_interval": 900},
        {"worker_processes": 8, "partitions": 8},
        {"mailer_processes": 2},
        {"poll_max_backoff": 60},
        {"poll_max_interval": 3600},  # below the default backoff cap: allowed
        {"mail_from": "Agência <alerts@example.org>", "public_url": "https://example.org/m/"},
        {"classifier_model": "rescue"},  # the model may add a story (issue 16)
        {"classifier_model": "all"},
    ],
)
def test_sound_settings_are_accepted(overrides: dict[str, Any]) -> None:
    load_settings(**overrides)


def test_every_bad_setting_is_listed_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(partitions=0, smtp_security="tls", mail_from="nobody")
    lines = str(caught.value).splitlines()
    assert len(lines) == 4  # the heading and one line per setting
    for name in ("MONITOR_PARTITIONS", "MONITOR_SMTP_SECURITY", "MONITOR_MAIL_FROM"):
        assert sum(name in line for line in lines) == 1


@pytest.mark.parametrize(
    ("given", "level"), [("debug", "DEBUG"), ("Info", "INFO"), ("WARNING", "WARNING")]
)
def test_log_levels_in_any_case(given: str, level: str, monkeypatch: Any) -> None:
    assert load_settings(log_level=given).log_level == level
    monkeypatch.setenv("MONITOR_LOG_LEVEL", given)
    assert load_settings().log_level == level


def test_choices_in_any_case() -> None:
    settings = load_settings(smtp_security="SSL", log_format="Console")
    assert (settings.smtp_security, settings.log_format) == ("ssl", "console")


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"smtp_security": "ssl", "smtp_port": 587}, {"smtp_security", "smtp_port"}),
        ({"smtp_security": "ssl", "smtp_port": 25}, {"smtp_security", "smtp_port"}),
        ({"smtp_security": "starttls", "smtp_port": 465}, {"smtp_security", "smtp_port"}),
        ({"smtp_security": "ssl", "smtp_port": 465}, set()),
        ({"smtp_security": "starttls", "smtp_port": 587}, set()),
        ({"smtp_security": "none", "smtp_username": "u", "smtp_password": "p"},
         {"smtp_security", "smtp_username"}),
        ({"smtp_password": "p"}, {"smtp_password", "smtp_username"}),
        ({"public_url": "http://127.0.0.1:9000"}, {"public_url", "web_port"}),
        ({"public_url": "http://localhost:9000", "web_port": 9000}, set()),
        ({"public_url": "http://monitor.example.org"}, {"public_url"}),
        ({"public_url": "https://monitor.example.org"}, set()),
    ],
)
def test_doubtful_combinations_are_warnings(overrides: dict[str, Any], names: set[str]) -> None:
    settings = load_settings(smtp_host="mail.example.org", **overrides)
    warned = {name for problem in combination_warnings(settings) for name in problem.names}
    assert warned == names


def test_loopback_smtp_without_tls_is_not_a_warning() -> None:
    settings = load_settings(
        smtp_host="127.0.0.1", smtp_port=2525, smtp_security="none", smtp_username="u",
        smtp_password="p",
    )
    assert combination_warnings(settings) == []


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"MONITOR_SMTP_HOTS": "x"}, [("MONITOR_SMTP_HOTS", "MONITOR_SMTP_HOST")]),
        ({"MONITOR_LOGLEVEL": "debug"}, [("MONITOR_LOGLEVEL", "MONITOR_LOG_LEVEL")]),
        ({"MONITOR_WORKERS": "2"}, [("MONITOR_WORKERS", "MONITOR_WORKER_PROCESSES")]),
        ({"MONITOR_XYZZY": "2", "MONITOR_ID": "x"}, [("MONITOR_ID", None), ("MONITOR_XYZZY", None)]),
        ({"MONITOR_SMTP_HOST": "x", "MONITOR_CONFIG": "m.toml", "MONITOR_SECRETS_DIR": "/s",
          "MONITOR_FAILPOINTS": "", "MONITOR_ROLE_INSTANCE": "worker-2", "PATH": "/bin"}, []),
    ],
)
def test_unknown_variables_with_the_nearest_name(
    environ: dict[str, str], expected: list[tuple[str, str | None]]
) -> None:
    assert unknown_variables(environ) == expected


def test_every_setting_is_a_known_variable() -> None:
    environ = {f"MONITOR_{name.upper()}": "" for name in Settings.model_fields}
    assert unknown_variables(environ) == []


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ('a = 1\nsmtp_host = "x"\n', "smtp_host", 2),
        ('  "smtp_host" = "x"', "smtp_host", 1),
        ("smtp_host_name = 1\nsmtp_host=2", "smtp_host", 2),
        ("# smtp_host = 1\n", "smtp_host", None),
        ("", "smtp_host", None),
    ],
)
def test_toml_key_line(text: str, key: str, line: int | None) -> None:
    assert toml_key_line(text, key) == line


def test_config_file_errors_name_the_file_line_and_key(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text('# monitor\npartitions = "eight"\n\nsmtp_hots = "mail.example.org"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert f"partitions ({path}, line 2; env MONITOR_PARTITIONS)" in message.replace(
        "config file ", ""
    )
    assert f"smtp_hots (config file {path}, line 4): unknown setting; did you mean smtp_host?" in (
        message
    )
    monkeypatch.setenv("MONITOR_PARTITIONS", "nine")  # the environment wins over the file
    with pytest.raises(ConfigError, match=r"partitions \(env MONITOR_PARTITIONS\)"):
        load_settings(path)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"partitions = \n", "line 1"),
        (b'smtp_host = "mail.example.org"\n[smtp\n', "line 2"),
        (b'mail_from = "Agence \xe9 <a@example.org>"\n', "not UTF-8"),
    ],
)
def test_an_unreadable_config_file_is_named(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "monitor.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(path) in str(caught.value) and fragment in str(caught.value)


def test_a_secrets_dir_that_is_not_a_directory_is_refused(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("MONITOR_SECRETS_DIR", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="MONITOR_SECRETS_DIR"):
        load_settings()


def test_a_bad_secret_file_is_named(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "monitor_smtp_port").write_text("smtp")
    monkeypatch.setenv("MONITOR_SECRETS_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match=r"secret file .*monitor_smtp_port"):
        load_settings()


def test_process_variables_are_the_only_other_names_read() -> None:
    with pytest.raises(KeyError):
        process_variable("MONITOR_SMTP_HOST")


def test_only_config_reads_the_environment() -> None:
    """config.py's docstring says it is the only reader of the environment: hold it to that."""
    package = Path(monitor.__file__).parent
    readers = []
    for path in sorted(package.rglob("*.py")):
        if path == package / "config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                readers.append(f"{path.relative_to(package)}:{node.lineno}")
    assert readers == []
