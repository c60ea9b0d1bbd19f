"""Every setting, once: its environment name, default, validation and meaning.

This module is the only reader of the environment. Settings come, in order of precedence,
from ``MONITOR_*`` environment variables, then a TOML config file (``MONITOR_CONFIG`` or
``--config``), then the defaults below, which run everything embedded: a local Kafka broker,
SQLite under ``var/``, and emails written to an outbox directory. The few variables that
describe one process rather than the deployment (``PROCESS_VARIABLES``) are read here too,
through ``process_variable``; child processes get the environment from ``child_environment``.

``load_settings`` refuses a bad setting, or a combination that cannot work, with one
ConfigError naming every bad setting, its variable and, for the config file, its line; the
rules themselves are pure functions in ``monitor.config_rules``. ``combination_warnings``
and ``unknown_variables`` name doubtful ones and misspelt ``MONITOR_*`` variables (the CLI
logs them). ``monitor config`` prints the effective settings with secrets redacted.
"""

from __future__ import annotations

import base64
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from monitor import resources
from monitor.config_rules import (
    Origins,
    address_list_problem,
    combination_errors,
    database_url_problem,
    format_problems,
    mail_from_problem,
    public_url_problem,
    validation_problems,
)
from monitor.config_rules import unknown_variables as _unknown_variables
from monitor.errors import ConfigError
from monitor.private_files import private_dir
from monitor.redaction import redact_url

_config_file: Path | None = None

# Variables monitor reads that are not settings: they belong to one process (or to the
# tests), not to the deployment, so they have no field below and no entry in `monitor
# config`. `unknown_variables` does not call these unknown.
PROCESS_VARIABLES: dict[str, str] = {
    "MONITOR_CONFIG": "the TOML config file (same as --config)",
    "MONITOR_SECRETS_DIR": "a directory of secret files named like the variables",
    "MONITOR_ROLE_INSTANCE": "set by `monitor run` for each child: the role's instance name",
    "MONITOR_FAILPOINTS": "tests only: named crash points (monitor/runtime/failpoints.py)",
    "PROMETHEUS_MULTIPROC_DIR": "set by `monitor run`: where each role writes its metrics",
    "XDG_CACHE_HOME": "where the local Kafka broker's jars are cached (~/.cache by default)",
}


def process_variable(name: str) -> str | None:
    """The value of one of PROCESS_VARIABLES (KeyError for any other name: settings are
    fields of Settings, never read from the environment elsewhere)."""
    if name not in PROCESS_VARIABLES:
        raise KeyError(f"{name} is not a process variable; add a setting instead")
    return os.environ.get(name) or None


def child_environment(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment plus ``overrides``, for a child process to inherit."""
    return {**os.environ, **(overrides or {})}


class Settings(BaseSettings):
    """monitor's configuration. Field docs are the README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix="MONITOR_", extra="forbid", frozen=True, validate_default=True
    )

    # --- places -----------------------------------------------------------------------
    var_dir: Path = Field(
        default=Path("var"),
        description="Working directory for the SQLite database, outbox, logs and local "
        "services; relative to the directory monitor is started in.",
    )
    topic_file: Path = Field(
        default_factory=resources.default_topic_file,
        description="One topic definition (gazetteer, rules, weights). When set, the worker "
        "classifies with just this topic instead of MONITOR_TOPIC_DIR's (default: the first "
        "topic shipped in the package).",
    )
    topic_dir: Path = Field(
        default_factory=resources.default_topic_dir,
        description="Directory of topic files: the worker classifies every story with every "
        "*.toml in it (default: the package's topics, Ukraine–Latin America and "
        "Russia–Latin America; each subscription chooses one, or all). Ignored when "
        "MONITOR_TOPIC_FILE is set.",
    )
    topic_reload_seconds: float = Field(
        default=10.0,
        ge=0,
        description="How often the worker checks the topic files for changes and reloads "
        "them (an invalid change is logged and the old topics kept); 0: never.",
    )

    classifier_model: Literal["off", "on", "veto", "category", "rescue", "all"] = Field(
        default="category",
        description="A topic with a learned model (<topic>.model.json beside its file, "
        "written by `monitor model train`) gets its second opinions. veto: the model may "
        "veto a story the rules find relevant; category: the model's category replaces "
        "the rules' when it is confident (the rules still decide relevance); on: both; "
        "rescue: the category opinion, and the model may add a story the rules reject "
        "when both sides are named and its probability reaches the file's rescue_above; "
        "all: veto, rescue and category; off: the rules alone decide. Also read by "
        "`monitor eval` and `monitor classify`.",
    )

    # --- store --------------------------------------------------------------------------
    database_url: SecretStr = Field(
        default=SecretStr(""),
        description="SQLAlchemy URL. Empty means SQLite at var_dir/monitor.db. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    db_timeout: float = Field(default=15.0, gt=0, description="Seconds a database call may take.")

    # --- stream -------------------------------------------------------------------------
    kafka_bootstrap: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated."
    )
    topic_prefix: str = Field(
        default="monitor", pattern=r"^[A-Za-z0-9._-]+$", description="Prefix of Kafka topic names."
    )
    partitions: int = Field(
        default=8, ge=1, le=256, description="Partitions of the items topic (max useful workers)."
    )
    app_id: str = Field(
        default="monitor",
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Faust app / consumer group id.",
    )
    worker_processes: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Worker processes `monitor run` starts; they share the items topic's "
        "partitions (two use both cores of a 2-core machine: 1.7x one in the benchmark).",
    )
    worker_batch_size: int = Field(
        default=500, ge=1, le=10_000, description="Items taken from the stream per database batch."
    )
    worker_batch_seconds: float = Field(
        default=0.05, gt=0, le=10, description="Longest wait to fill a batch, in seconds."
    )
    kafka_session_timeout: float = Field(
        default=10.0,
        ge=6,
        le=300,
        description="Seconds before a dead worker's partitions go to another (Kafka session).",
    )
    threads: Literal["off", "on"] = Field(
        default="on",
        description="on (the default): the worker places each alerted story in an event "
        "thread (the reports of one real-world event, docs/threads.md) in the transaction "
        "that stores it, and alerts follow threads; off: no threads, one alert per story.",
    )
    thread_alert_hours: float = Field(
        default=12.0,
        ge=0,
        le=24 * 14,
        description="An immediate subscriber gets at most one alert per event thread in this "
        "many hours: later reports of the thread are folded into it (kept in the feed, "
        'counted in the next alert\'s "also reported by N outlets"), and the first report '
        "after the window is sent as the thread's update; 0: every report is sent.",
    )
    item_max_attempts: int = Field(
        default=5,
        ge=1,
        description="Processing attempts before an item goes to the dead-letter topic.",
    )

    # --- feeds --------------------------------------------------------------------------
    feeds_file: Path = Field(
        default_factory=resources.default_feeds_file,
        description="Feed list loaded into the registry by `monitor feed import` / `make run` "
        "(default: the one shipped in the package).",
    )
    poll_interval: float = Field(
        default=900.0, ge=1, description="Default seconds between polls of one feed."
    )
    poll_min_interval: float = Field(
        default=60.0, ge=0.1, description="Never poll one feed more often than this, in seconds."
    )
    poll_max_interval: float = Field(
        default=86_400.0, ge=1, description="Never wait longer than this between polls, in seconds."
    )
    poll_max_backoff: float = Field(
        default=21_600.0,
        ge=1,
        description="Cap of the error backoff, in seconds (feeds never die).",
    )
    poll_concurrency: int = Field(default=20, ge=1, description="Feeds fetched at once.")
    http_per_host: int = Field(default=2, ge=1, description="Concurrent requests to one host.")
    http_host_spacing: float = Field(
        default=1.0, ge=0, description="Minimum seconds between request starts to one host."
    )
    http_timeout: float = Field(default=30.0, gt=0, description="Total seconds for one fetch.")
    http_max_bytes: int = Field(
        default=10_000_000, ge=1024, description="Largest feed body accepted, after decompression."
    )
    http_user_agent: str = Field(
        default="monitor/0.1 (media monitoring; feed poller)",
        description="User-Agent sent to publishers.",
    )
    allow_private_addresses: bool = Field(
        default=False,
        description="Allow feeds on loopback/private/link-local addresses (tests, demo, intranets).",
    )

    # --- email --------------------------------------------------------------------------
    smtp_host: str = Field(
        default="", description="SMTP server. Empty: emails are written to outbox_dir as .eml."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    smtp_security: Literal["none", "starttls", "ssl"] = Field(
        default="starttls", description="Transport security: none, starttls or ssl."
    )
    smtp_username: str = Field(default="", description="SMTP user (empty: no authentication).")
    smtp_password: SecretStr = Field(default=SecretStr(""), description="SMTP password.")
    smtp_timeout: float = Field(default=30.0, gt=0, description="Seconds for one SMTP exchange.")
    smtp_connections: int = Field(
        default=1,
        ge=1,
        le=32,
        description="SMTP connections the mailer sends over at once (each carries one "
        "message at a time; a crash can repeat up to this many accepted messages).",
    )
    mailer_processes: int = Field(
        default=1,
        ge=1,
        le=16,
        description="Mailer processes `monitor run` starts; each owns the subscribers "
        "with id % N == its index, for assembly and sending (two use both cores of a "
        "2-core machine).",
    )
    mail_from: str = Field(
        default="monitor <alerts@monitor.localhost>", description="From address of alert emails."
    )
    outbox_dir: Path | None = Field(
        default=None, description="Where .eml files go without SMTP. Default var_dir/outbox."
    )
    mail_max_attempts: int = Field(
        default=12, ge=1, description="Send attempts before a delivery is marked failed."
    )
    # --- destinations beyond email (monitor/delivery/) -----------------------------------
    destination_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Keys that encrypt destination URLs, chat ids and signing secrets at "
        "rest: Fernet keys (32 url-safe base64 bytes), comma-separated; the first "
        "encrypts, every one decrypts (rotation: `monitor subscriber destination "
        "rotate-key`). Empty: generated once into var_dir/destination.key; losing the "
        "key makes stored destinations unreadable.",
    )
    telegram_bot_token: SecretStr = Field(
        default=SecretStr(""),
        description="Telegram bot token (from @BotFather), needed by Telegram destinations.",
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        description="Base URL of the Telegram Bot API (a local Bot API server, or tests).",
    )
    dispatch_timeout: float = Field(
        default=10.0, gt=0, le=300, description="Seconds for one webhook/chat request."
    )
    dispatch_per_host: int = Field(
        default=2, ge=1, le=100, description="Concurrent requests to one destination host."
    )
    dispatch_host_spacing: float = Field(
        default=0.2,
        ge=0,
        le=60,
        description="Minimum seconds between request starts to one destination host.",
    )
    dispatch_max_attempts: int = Field(
        default=12, ge=1, description="Send attempts before a channel message is marked failed."
    )
    dispatch_retry_base: float = Field(
        default=5.0,
        ge=0.1,
        le=300,
        description="Seconds of the first retry's backoff; it doubles per attempt (with "
        "full jitter) up to MONITOR_DISPATCH_RETRY_CAP, unless the receiver's Retry-After "
        "says otherwise.",
    )
    dispatch_retry_cap: float = Field(
        default=1800.0,
        ge=1,
        le=86400,
        description="The longest backoff between two attempts of a channel message, in "
        "seconds: after a long outage, messages are retried at least this often.",
    )
    destinations_allow_http: bool = Field(
        default=False,
        description="Accept destination URLs over plain http (tests, intranets); "
        "https only otherwise.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8080",
        description="Base URL of the web endpoint, used in unsubscribe and confirm links.",
    )
    token_secret: SecretStr = Field(
        default=SecretStr(""),
        description="HMAC key of link tokens (at least 32 random characters). Empty: "
        "generated once into var_dir/token.key.",
    )
    token_old_secrets: SecretStr = Field(
        default=SecretStr(""),
        description="Former token secrets, comma-separated: links signed with them still "
        "verify; new links are signed with token_secret only (key rotation).",
    )

    # --- web and operations -------------------------------------------------------------
    web_host: str = Field(default="127.0.0.1", description="Address the web endpoint binds.")
    web_port: int = Field(default=8080, ge=0, le=65535, description="Port of the web endpoint.")
    web_read_timeout: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds a web client gets to send a request's headers (and a form's "
        "body); idle kept-alive connections close after it too.",
    )
    api_rate_limit: float = Field(
        default=2.0,
        gt=0,
        le=1000,
        description="Requests per second each API key may make on average (token bucket).",
    )
    api_burst: int = Field(
        default=60, ge=1, le=10_000, description="Requests an API key may make at once."
    )
    trusted_proxies: str = Field(
        default="",
        description="Reverse proxies (addresses or CIDRs, comma-separated) whose "
        "X-Forwarded-For names the client, for per-client rate limits.",
    )
    operators: str = Field(
        default="",
        description="Addresses of the workspace's operators, comma-separated (more with "
        "`monitor operator add`); they sign in like readers, by a link sent by email.",
    )
    volume_check_interval: float = Field(
        default=600.0,
        ge=0,
        le=86400,
        description="Seconds between the mailer's checks for spikes and silences (0: never).",
    )
    web_session_hours: float = Field(
        default=12.0,
        gt=0,
        le=720,
        description="Hours a workspace sign-in lasts; signing out ends it sooner.",
    )
    web_live_seconds: float = Field(
        default=20.0,
        ge=1,
        le=3600,
        description="Seconds between the Latest page's checks for new alerts (with JavaScript).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level."
    )
    log_format: Literal["json", "console"] = Field(
        default="json", description="json (one object per line) or console."
    )
    shutdown_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a role gets to stop gracefully on SIGTERM."
    )

    def topic_files(self) -> list[Path]:
        """The topic files the worker loads: MONITOR_TOPIC_FILE alone when it was set,
        else every *.toml of MONITOR_TOPIC_DIR."""
        from monitor.matching.topic_set import topic_files

        chosen = self.topic_file if "topic_file" in self.model_fields_set else None
        return topic_files(self.topic_dir, chosen)

    @field_validator("var_dir", "outbox_dir", "topic_file", "topic_dir", "feeds_file")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        # Relative paths are the starting directory's, fixed once: the roles `monitor run`
        # starts and `monitor config` then see the same places.
        return None if value is None else value.absolute()

    @field_validator("destination_secret")
    @classmethod
    def _check_destination_secret(cls, value: SecretStr) -> SecretStr:
        keys = _split_secrets(value)
        for position, key in enumerate(keys, start=1):
            try:
                raw = base64.urlsafe_b64decode(key.encode())
            except (ValueError, TypeError):
                raw = b""
            if len(raw) != 32:
                which = f"key {position} of {len(keys)}" if len(keys) > 1 else "the key"
                raise ValueError(
                    f"{which} is not a Fernet key: each comma-separated key must be 32 random "
                    "bytes in url-safe base64 (the first encrypts, all decrypt); generate one "
                    "with: python -c 'import base64,os; "
                    "print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
                )
        return value

    @field_validator("kafka_bootstrap")
    @classmethod
    def _check_bootstrap(cls, value: str) -> str:
        for server in value.split(","):
            host, _, port = server.strip().rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"expected host:port[,host:port...], got {value!r}")
        return value

    @field_validator("token_secret")
    @classmethod
    def _check_token_secret(cls, value: SecretStr) -> SecretStr:
        # Empty is fine: a random key is generated once into var_dir/token.key.
        if value.get_secret_value():
            _refuse_weak_secret(value.get_secret_value(), current=True)
        return value

    @field_validator("token_old_secrets")
    @classmethod
    def _check_token_old_secrets(cls, value: SecretStr) -> SecretStr:
        for secret in _split_secrets(value):
            _refuse_weak_secret(secret, current=False)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: str) -> str:
        from monitor.web.clients import parse_networks

        parse_networks(value)  # raises ValueError naming the bad entry
        return value

    @field_validator("operators")
    @classmethod
    def _check_operators(cls, value: str) -> str:
        problem = address_list_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    def operator_addresses(self) -> frozenset[str]:
        """MONITOR_OPERATORS' addresses, lower case."""
        return frozenset(part.strip().lower() for part in self.operators.split(",") if part.strip())

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        problem = public_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value.rstrip("/")

    @field_validator("log_level", mode="before")
    @classmethod
    def _any_case_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", "smtp_security", mode="before")
    @classmethod
    def _any_case_choice(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("mail_from")
    @classmethod
    def _check_mail_from(cls, value: str) -> str:
        problem = mail_from_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: SecretStr) -> SecretStr:
        problem = database_url_problem(value.get_secret_value())
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("smtp_host")
    @classmethod
    def _check_smtp_host(cls, value: str) -> str:
        if "://" in value or "/" in value or any(c.isspace() for c in value):
            raise ValueError(f"expected a host name like mail.example.org, got {value!r}")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        secrets_dir = process_variable("MONITOR_SECRETS_DIR")
        if secrets_dir:
            # Docker/Kubernetes-style secret files named like the variables, e.g.
            # /run/secrets/monitor_smtp_password.
            from pydantic_settings import SecretsSettingsSource

            sources.append(SecretsSettingsSource(settings_cls, secrets_dir=secrets_dir))
        if _config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=_config_file))
        return tuple(sources)

    # --- derived values -------------------------------------------------------------------
    @property
    def db_url(self) -> str:
        """The effective SQLAlchemy URL (SQLite under var_dir when none is configured)."""
        url = self.database_url.get_secret_value()
        return url or f"sqlite:///{self.var_dir / 'monitor.db'}"

    @property
    def outbox_path(self) -> Path:
        return self.outbox_dir or self.var_dir / "outbox"

    @property
    def items_topic(self) -> str:
        return f"{self.topic_prefix}.items"

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.topic_prefix}.items.dlq"

    def token_key(self) -> bytes:
        """The HMAC key: configured, or generated once and kept in var_dir/token.key."""
        configured = self.token_secret.get_secret_value()
        if configured:
            return configured.encode()
        path = self.var_dir / "token.key"
        if not path.exists():
            private_dir(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fp:
                fp.write(secrets.token_hex(32))
        return path.read_text().strip().encode()

    def destination_keys(self) -> list[bytes]:
        """The keys of destination secrets, the one that encrypts first: the configured
        ones, or one generated once into var_dir/destination.key (like token.key)."""
        configured = _split_secrets(self.destination_secret)
        if configured:
            return [key.encode() for key in configured]
        path = self.var_dir / "destination.key"
        if not path.exists():
            private_dir(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fp:
                fp.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        return [path.read_text().strip().encode()]

    def token_keys(self) -> list[bytes]:
        """Keys a link may be signed with: the current one first, then former ones."""
        return [self.token_key(), *(s.encode() for s in _split_secrets(self.token_old_secrets))]

    def as_env(self) -> dict[str, str]:
        """These settings as MONITOR_* variables, to hand to a child process."""
        env: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            if name == "topic_file" and name not in self.model_fields_set:
                # Its default is a path, but "set" means "just this topic" (topic_files):
                # handing the default on would narrow a child to the founding topic.
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            elif isinstance(value, bool):
                value = "true" if value else "false"
            env[f"MONITOR_{name.upper()}"] = str(value)
        return env

    def redacted(self) -> dict[str, Any]:
        """Every setting with secrets (and passwords inside URLs) masked, for printing."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "********" if value.get_secret_value() else ""
            out[name] = str(value) if isinstance(value, Path) else value
        out["database_url"] = redact_url(self.db_url)
        return out


def _refuse_weak_secret(secret: str, *, current: bool) -> None:
    """Refuse a placeholder or short token secret, saying how to make a good one."""
    from monitor.notify import tokens

    minimum = tokens.MIN_CONFIGURED_SECRET_CHARS if current else tokens.MIN_SECRET_BYTES
    reason = tokens.weak_secret_reason(secret, minimum)
    if reason:
        keep = " (list a sound former secret in MONITOR_TOKEN_OLD_SECRETS to keep its links)"
        raise ValueError(
            f"the token secret {reason}: whoever knows or guesses it can sign unsubscribe "
            "and confirm links. "
            f"Generate one with: {tokens.GENERATE_SECRET_HINT}{keep if current else ''}"
        )


def _split_secrets(value: SecretStr) -> list[str]:
    return [part.strip() for part in value.get_secret_value().split(",") if part.strip()]


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Load and validate settings; raise one ConfigError naming every bad setting.

    Fields are checked first (type, range, format); when they pass, the combinations in
    ``combination_errors``. Each problem names the setting, its variable and, when the
    value came from the config file, the file and line.
    """
    global _config_file
    path = config_file or process_variable("MONITOR_CONFIG")
    config_path = Path(path) if path else None
    config_text = _read_config_file(config_path) if config_path else ""
    secrets_dir = process_variable("MONITOR_SECRETS_DIR")
    if secrets_dir and not Path(secrets_dir).is_dir():
        raise ConfigError(f"MONITOR_SECRETS_DIR={secrets_dir} is not a directory")
    origins = Origins(
        frozenset(Settings.model_fields), os.environ, config_path, config_text, secrets_dir
    )
    _config_file = config_path
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(
            format_problems(validation_problems(exc.errors(), Settings.model_fields), origins)
        ) from exc
    except Exception as exc:  # a settings source that cannot be read
        raise ConfigError(f"cannot read configuration: {exc}") from exc
    finally:
        _config_file = None
    problems = combination_errors(settings)
    if problems:
        raise ConfigError(format_problems(problems, origins))
    return settings


def _read_config_file(path: Path) -> str:
    """The config file's text, checked to be TOML; ConfigError naming the file otherwise."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config file {path} does not exist (MONITOR_CONFIG / --config)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path} is not UTF-8 text: {exc.reason}") from exc
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    return text


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[tuple[str, str | None]]:
    """Misspelt ``MONITOR_*`` variables of this process (or ``environ``), each with the
    nearest known name (``config_rules.unknown_variables``)."""
    return _unknown_variables(
        os.environ if environ is None else environ, Settings.model_fields, PROCESS_VARIABLES
    )
