"""What configuration is refused or doubted, and how a problem names what to fix. Pure.

``monitor.config`` holds the settings; these rules judge them: single values (From address,
public URL, database URL), combinations that cannot work (refused at start) or probably do
not do what was meant (logged), misspelt ``MONITOR_*`` variables, and the message that names
each bad setting with its variable and, for the config file, its line.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.headerregistry import HeaderRegistry
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from monitor.config import Settings


# --- problems, and where the bad values came from ------------------------------------------
@dataclass(frozen=True)
class SettingProblem:
    """One bad or doubtful setting, or combination of settings, and why."""

    names: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Origins:
    """Where values can come from, to tell the user which one to fix."""

    settings: frozenset[str]  # the names of the settings
    variables: Mapping[str, str]  # the process's environment
    config_file: Path | None = None
    config_text: str = ""
    secrets_dir: str | None = None

    def describe(self, name: str) -> str:
        """``name (env MONITOR_NAME)``, with the config file and line when it set the value."""
        line = toml_key_line(self.config_text, name)
        in_file = f"config file {self.config_file}, line {line}" if line else ""
        if name not in self.settings:
            return f"{name} ({in_file})" if in_file else name
        env = env_name(name)
        if env in self.variables:
            return f"{name} (env {env})"
        if self.secrets_dir and (Path(self.secrets_dir) / env.lower()).is_file():
            return f"{name} (secret file {Path(self.secrets_dir) / env.lower()}; env {env})"
        if in_file:
            return f"{name} ({in_file}; env {env})"
        return f"{name} (env {env})"


def env_name(name: str) -> str:
    return f"MONITOR_{name.upper()}"


def toml_key_line(text: str, key: str) -> int | None:
    """The 1-based line where a top-level ``key = …`` stands in TOML ``text``, if any."""
    quoted = re.escape(key)
    pattern = re.compile(rf"""^\s*(?:{quoted}|"{quoted}"|'{quoted}')\s*=""", re.IGNORECASE)
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def nearest_name(name: str, known: list[str]) -> str | None:
    """The known name closest to a misspelt one (difflib), or None when none is close."""
    matches = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return matches[0] if matches else None


def validation_problems(errors: list[Any], settings: Iterable[str]) -> list[SettingProblem]:
    """pydantic's validation errors as problems, an unknown key with its nearest name among
    ``settings``."""
    problems = []
    for error in errors:
        name = ".".join(str(part) for part in error["loc"]) or "settings"
        if error["type"] == "extra_forbidden":
            nearest = nearest_name(name.lower(), list(settings))
            reason = "unknown setting" + (f"; did you mean {nearest}?" if nearest else "")
        else:
            reason = str(error["msg"]).removeprefix("Value error, ")
        problems.append(SettingProblem((name,), reason))
    return problems


def format_problems(problems: list[SettingProblem], origins: Origins) -> str:
    lines = [
        f"  {', '.join(origins.describe(name) for name in problem.names)}: {problem.reason}"
        for problem in problems
    ]
    return "invalid configuration (fix these settings and start again):\n" + "\n".join(lines)


# --- single values --------------------------------------------------------------------------
def mail_from_problem(value: str) -> str | None:
    """Why ``value`` is not one From address (a display name is allowed), or None."""
    if "\r" in value or "\n" in value:
        return "must be one line"
    try:
        header = HeaderRegistry()("From", value)
    except Exception:  # the parser raises on some malformed input (e.g. "a@")
        return f"expected an address like monitor <alerts@example.org>, got {value!r}"
    addresses = header.addresses  # type: ignore[attr-defined]
    if header.defects or len(addresses) != 1 or not addresses[0].username:
        return f"expected one address like monitor <alerts@example.org>, got {value!r}"
    if not addresses[0].domain:
        return f"the address needs a domain (it is used in Message-IDs), got {value!r}"
    return None


def address_list_problem(value: str) -> str | None:
    """Why ``value`` is not comma-separated plain addresses (``a@example.org, b@example.org``)."""
    for entry in filter(None, (part.strip() for part in value.split(","))):
        local, at, domain = entry.rpartition("@")
        if not at or not local or "." not in domain or any(c.isspace() or c in "<>\"" for c in entry):
            return f"expected addresses like ops@example.org separated by commas, got {entry!r}"
    return None


def public_url_problem(value: str) -> str | None:
    """Why ``value`` cannot be the base of the links in emails, or None."""
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return f"the port is not a number from 1 to 65535, got {value!r}"
    if not parts.hostname or any(c.isspace() for c in value):
        return f"expected a URL like https://monitor.example.org, got {value!r}"
    if parts.query or parts.fragment or parts.username:
        return "must have no query, fragment or user (links are appended to it)"
    return None


DATABASE_SCHEMES = ("sqlite", "postgresql+psycopg")


def database_url_problem(url: str) -> str | None:
    """Why ``url`` is not a database monitor can use (empty means SQLite), or None."""
    if not url:
        return None
    scheme, sep, _rest = url.partition("://")
    if not sep:
        return "expected an SQLAlchemy URL like postgresql+psycopg://user:pass@host/db"
    if scheme not in DATABASE_SCHEMES:
        return (
            f"unsupported scheme {scheme}://; use postgresql+psycopg:// (the installed "
            "PostgreSQL driver) or sqlite:///path"
        )
    try:
        urlsplit(url).port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "the port is not a number from 1 to 65535"
    return None


# --- combinations ---------------------------------------------------------------------------
def combination_errors(s: Settings) -> list[SettingProblem]:
    """Combinations that cannot work: the process refuses to start."""
    problems = []
    if not s.poll_min_interval <= s.poll_interval <= s.poll_max_interval:
        problems.append(
            SettingProblem(
                ("poll_min_interval", "poll_interval", "poll_max_interval"),
                "must be in order min <= default <= max, got "
                f"{s.poll_min_interval:g} <= {s.poll_interval:g} <= {s.poll_max_interval:g}",
            )
        )
    if s.poll_max_backoff < s.poll_min_interval:
        problems.append(
            SettingProblem(
                ("poll_max_backoff", "poll_min_interval"),
                f"the backoff cap ({s.poll_max_backoff:g} s) is below the shortest poll "
                f"interval ({s.poll_min_interval:g} s)",
            )
        )
    if s.worker_processes > s.partitions:
        problems.append(
            SettingProblem(
                ("worker_processes", "partitions"),
                f"{s.worker_processes} workers cannot share {s.partitions} partitions "
                "(the extra ones would sit idle): raise partitions or lower worker_processes",
            )
        )
    return problems


SMTPS_PORT = 465
PLAIN_SMTP_PORTS = (25, 587)


def combination_warnings(s: Settings) -> list[SettingProblem]:
    """Combinations that may work but probably do not do what was meant: logged at start."""
    problems = []
    if s.smtp_host and s.smtp_security == "ssl" and s.smtp_port in PLAIN_SMTP_PORTS:
        problems.append(
            SettingProblem(
                ("smtp_security", "smtp_port"),
                f"ssl (TLS from the first byte) on port {s.smtp_port}, which usually speaks "
                "plain SMTP then STARTTLS: use port 465, or smtp_security=starttls",
            )
        )
    if s.smtp_host and s.smtp_security == "starttls" and s.smtp_port == SMTPS_PORT:
        problems.append(
            SettingProblem(
                ("smtp_security", "smtp_port"),
                "starttls on port 465, which usually expects TLS from the first byte: "
                "use smtp_security=ssl, or port 587",
            )
        )
    if (
        s.smtp_host
        and s.smtp_username
        and s.smtp_security == "none"
        and not _is_loopback(s.smtp_host)
    ):
        problems.append(
            SettingProblem(
                ("smtp_security", "smtp_username"),
                f"the SMTP password would cross the network to {s.smtp_host} unencrypted",
            )
        )
    if s.smtp_password.get_secret_value() and not s.smtp_username:
        problems.append(
            SettingProblem(
                ("smtp_password", "smtp_username"), "a password without a user name is not used"
            )
        )
    public = urlsplit(s.public_url)
    public_port = public.port or (443 if public.scheme == "https" else 80)
    if _is_loopback(public.hostname or "") and s.web_port and public_port != s.web_port:
        problems.append(
            SettingProblem(
                ("public_url", "web_port"),
                f"links point to port {public_port} of this machine, but the web endpoint "
                f"listens on {s.web_port}",
            )
        )
    if public.scheme == "http" and not _is_loopback(public.hostname or ""):
        problems.append(
            SettingProblem(
                ("public_url",),
                "http: emails will not offer one-click unsubscribe (only announced for https)",
            )
        )
    return problems


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def unknown_variables(
    environ: Mapping[str, str], settings: Iterable[str], process_variables: Iterable[str]
) -> list[tuple[str, str | None]]:
    """``MONITOR_*`` variables of ``environ`` that are neither settings nor process
    variables, each with the nearest known name: a misspelt variable would otherwise be
    ignored without a word."""
    known = [env_name(name) for name in settings] + list(process_variables)
    # Compared without the common prefix, which would make every name look alike.
    tails = [name.removeprefix("MONITOR_") for name in known if name.startswith("MONITOR_")]
    unknown = []
    for variable in sorted(environ):
        upper = variable.upper()
        if upper.startswith("MONITOR_") and upper not in known:
            nearest = nearest_name(upper.removeprefix("MONITOR_"), tails)
            unknown.append((variable, f"MONITOR_{nearest}" if nearest else None))
    return unknown
