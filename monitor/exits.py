"""How a command ends: its exit code, and the one line a user reads when it fails.

``describe_failure`` (pure) turns an exception into a ``Failure``: an exit code and a
message that says what to do. ``run_command`` is the CLI's edge: it runs a command,
flushes its output, and turns every exception into that line on stderr, never a
traceback. A broken pipe on stdout (``monitor feed list | head -1``) ends the command
quietly, as Unix tools do. An exception nobody expected is a bug: the user gets its type
and message and the file its full traceback was written to (``--debug`` or
``MONITOR_LOG_LEVEL=DEBUG`` print it as well).

The codes (README, "Errors and exit codes") follow sysexits.h where one fits.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path

from monitor.errors import ConfigError, MonitorError, PublishError, ServiceError, StoreError


class ExitCode(IntEnum):
    OK = 0
    PARTIAL = 1  # done, but some input was rejected (classify lines, feed check)
    INPUT = 2  # the command line or its input was refused (argparse uses 2 as well)
    NO_FILE = 66  # EX_NOINPUT: a file named on the command line cannot be opened
    UNAVAILABLE = 69  # EX_UNAVAILABLE: the database, Kafka or another service is unreachable
    BUG = 70  # EX_SOFTWARE: an unexpected error; the traceback is written to a file
    IO = 74  # EX_IOERR: reading or writing failed (disk full, device error)
    CONFIG = 78  # EX_CONFIG: a setting is invalid, or the database has no schema yet
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    BROKEN_PIPE = 141  # stdout's reader went away (128 + SIGPIPE, as for other Unix tools)


@dataclass(frozen=True)
class Failure:
    code: ExitCode
    message: str


DATABASE_HINT = "check MONITOR_DATABASE_URL and that the database server is running"
SCHEMA_HINT = "the database has no tables (or an old schema): run `monitor db upgrade`"
KAFKA_HINT = (
    "check MONITOR_KAFKA_BOOTSTRAP and that the broker is running "
    "(`monitor broker start` runs a local one)"
)


def describe_failure(exc: BaseException, *, input_name: str | None = None) -> Failure | None:
    """The exit code and message for an expected kind of error; None for a bug.

    ``input_name`` names the file the command reads, for errors that do not say.
    """
    if isinstance(exc, ConfigError):
        return Failure(ExitCode.CONFIG, str(exc))
    if isinstance(exc, StoreError) or _is(
        exc, "sqlalchemy.exc.OperationalError", "sqlalchemy.exc.InterfaceError"
    ):
        return _database_failure(exc)
    if _is(exc, "sqlalchemy.exc.ProgrammingError") and _missing_table(str(exc)):
        return Failure(ExitCode.CONFIG, SCHEMA_HINT)
    if _is(exc, "alembic.util.exc.CommandError"):
        return Failure(
            ExitCode.INPUT, f"{_one_line(str(exc))} (`monitor db current` shows the revision)"
        )
    if _is(exc, "sqlalchemy.exc.ArgumentError"):
        return Failure(
            ExitCode.CONFIG, f"MONITOR_DATABASE_URL is not usable: {_one_line(str(exc))}"
        )
    if _is(exc, "kafka.errors.KafkaError", "aiokafka.errors.KafkaError"):
        return Failure(ExitCode.UNAVAILABLE, f"Kafka: {_one_line(str(exc))}; {KAFKA_HINT}")
    if isinstance(exc, ServiceError | PublishError):
        return Failure(ExitCode.UNAVAILABLE, str(exc))
    if isinstance(exc, MonitorError):
        return Failure(ExitCode.INPUT, str(exc))
    if isinstance(exc, UnicodeDecodeError):
        what = input_name or "the input"
        byte = exc.object[exc.start : exc.start + 1].hex()
        return Failure(
            ExitCode.INPUT, f"{what} is not UTF-8 text (byte 0x{byte}): save it as UTF-8"
        )
    if isinstance(exc, OSError):
        return _os_failure(exc)
    return None


def _is(exc: BaseException, *qualified_names: str) -> bool:
    """Whether ``exc`` is an instance of one of these classes, named so the libraries they
    come from (SQLAlchemy, kafka-python, aiokafka) need not be imported to ask."""
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in type(exc).__mro__}
    return not names.isdisjoint(qualified_names)


def _database_failure(exc: BaseException) -> Failure:
    reason = _one_line(str(getattr(exc, "orig", None) or exc))
    if _missing_table(reason):
        return Failure(ExitCode.CONFIG, SCHEMA_HINT)
    reason = reason.removeprefix("database unavailable: ")
    return Failure(ExitCode.UNAVAILABLE, f"database unavailable: {reason}; {DATABASE_HINT}")


def _missing_table(message: str) -> bool:
    return "no such table" in message or ("relation" in message and "does not exist" in message)


def _os_failure(exc: OSError) -> Failure:
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is not None:
        return Failure(ExitCode.NO_FILE, f"cannot open {exc.filename}: {reason.lower()}")
    if isinstance(exc, ConnectionError | TimeoutError):
        return Failure(ExitCode.UNAVAILABLE, f"connection failed: {reason}")
    return Failure(ExitCode.IO, f"input/output error: {reason}")


def _one_line(text: str, limit: int = 400) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- the shell --------------------------------------------------------------------------
CrashContext = Callable[[], tuple[Path | None, bool]]


def run_command(
    command: Callable[[], int],
    *,
    debug: bool = False,
    crash_context: CrashContext = lambda: (None, False),
    input_name: str | None = None,
) -> int:
    """Run ``command`` and return its exit code; errors become one line on stderr.

    ``crash_context`` is asked only after an unexpected error: the directory for the crash
    report and whether the configured log level is DEBUG.
    """
    try:
        code = command()
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except Exception as exc:
        if isinstance(exc, BrokenPipeError) and stdout_is_broken():
            silence_stdout()
            return ExitCode.BROKEN_PIPE
        failure = describe_failure(exc, input_name=input_name)
        if failure is None:
            failure = report_bug(exc, debug=debug, crash_context=crash_context)
        _say(f"monitor: error: {failure.message}")
        return failure.code


def stdout_is_broken() -> bool:
    """Whether the reader of stdout has gone (not some socket's broken pipe)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return True
    except (OSError, ValueError):
        return False
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _fd, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush at exit has nowhere to
    fail (it would print "Exception ignored ... BrokenPipeError"); Python docs' recipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def report_bug(exc: BaseException, *, debug: bool, crash_context: CrashContext) -> Failure:
    """Write the traceback to a crash report and say where; print it too when debugging."""
    text = "".join(traceback.format_exception(exc))
    try:
        crash_dir, debug_level = crash_context()
    except Exception:  # the context is the settings; a bug there must not hide this one
        crash_dir, debug_level = None, False
    where = write_crash_report(text, crash_dir)
    if debug or debug_level or where is None:
        _say(text.rstrip())
    message = f"internal error: {type(exc).__name__}: {_one_line(str(exc), 200)}"
    message += ". This is a bug in monitor"
    if where is not None:
        message += f"; the full traceback is in {where}"
        if not (debug or debug_level):
            message += " (`monitor --debug …` prints it)"
    return Failure(ExitCode.BUG, message)


def write_crash_report(text: str, crash_dir: Path | None) -> Path | None:
    """Write ``text`` to a new private file in ``crash_dir`` (else the temp directory)."""
    name = f"crash-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.txt"
    for directory in (crash_dir, Path(tempfile.gettempdir())):
        if directory is None:
            continue
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fp:
                fp.write(text)
            return directory / name
        except OSError:
            continue
    return None


def _say(line: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr is gone too: nothing to tell
        print(line, file=sys.stderr, flush=True)
