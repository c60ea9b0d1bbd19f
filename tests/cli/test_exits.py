"""Which exit code and message each kind of error gets (monitor/exits.py), with real
exceptions from the libraries that raise them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.util import CommandError
from kafka.errors import KafkaTimeoutError
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from monitor.errors import ConfigError, FeedError, QueryError, ServiceError, StoreError
from monitor.exits import ExitCode, describe_failure, report_bug


def _unreachable_postgres_error() -> OperationalError:
    engine = create_engine("postgresql+psycopg://monitor@127.0.0.1:1/monitor")
    try:
        engine.connect()
    except OperationalError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("something listens on port 1")


# A path inside the repository that does not exist: tests read nothing outside it.
MISSING_FILE = Path(__file__).with_name("no-such-dir") / "stories.jsonl"


def _missing_file_error() -> OSError:
    try:
        open(MISSING_FILE)  # noqa: SIM115
    except OSError as exc:
        return exc
    raise AssertionError("the file exists")


def _decode_error() -> UnicodeDecodeError:
    try:
        b"S\xe3o Paulo".decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc
    raise AssertionError("decoded")


CASES: list[tuple[str, BaseException, int, tuple[str, ...]]] = [
    ("config", ConfigError("invalid configuration: x"), ExitCode.CONFIG, ("invalid configuration",)),
    ("store", StoreError("database unavailable: timeout"), ExitCode.UNAVAILABLE,
     ("database unavailable: timeout", "MONITOR_DATABASE_URL")),
    ("no schema (sqlite)", StoreError("database unavailable: no such table: feeds"),
     ExitCode.CONFIG, ("monitor db upgrade",)),
    ("raw sqlalchemy", _unreachable_postgres_error(), ExitCode.UNAVAILABLE,
     ("Connection refused", "MONITOR_DATABASE_URL")),
    ("kafka", KafkaTimeoutError("Unable to bootstrap from 127.0.0.1:1"), ExitCode.UNAVAILABLE,
     ("Unable to bootstrap", "MONITOR_KAFKA_BOOTSTRAP")),
    ("service", ServiceError("the Kafka broker exited"), ExitCode.UNAVAILABLE, ("exited",)),
    ("alembic", CommandError("Can't locate revision identified by 'x'"), ExitCode.INPUT,
     ("Can't locate revision", "monitor db current")),
    ("query", QueryError("a AND", 2, "dangling AND"), ExitCode.INPUT, ("position 2",)),
    ("other monitor error", FeedError("https://x.example/feed", "gone"), ExitCode.INPUT,
     ("gone",)),
    ("missing file", _missing_file_error(), ExitCode.NO_FILE,
     (f"cannot open {MISSING_FILE}: no such file",)),
    ("not utf-8", _decode_error(), ExitCode.INPUT, ("people.csv is not UTF-8", "0xe3")),
    ("refused connection", ConnectionRefusedError(111, "Connection refused"),
     ExitCode.UNAVAILABLE, ("Connection refused",)),
    ("disk full", OSError(28, "No space left on device"), ExitCode.IO, ("No space left",)),
]


@pytest.mark.parametrize(("exc", "code", "fragments"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_expected_errors_get_their_code_and_one_line(
    exc: BaseException, code: int, fragments: tuple[str, ...]
) -> None:
    failure = describe_failure(exc, input_name="people.csv")
    assert failure is not None
    assert failure.code == code
    assert "\n" not in failure.message or isinstance(exc, ConfigError | QueryError)
    for fragment in fragments:
        assert fragment in failure.message


@pytest.mark.parametrize("exc", [ZeroDivisionError("division by zero"), KeyError("id"),
                                 TypeError("unsupported operand")])
def test_anything_else_is_a_bug(exc: BaseException) -> None:
    assert describe_failure(exc) is None


def test_debug_log_level_prints_the_traceback_too(tmp_path: Path, capsys: Any) -> None:
    try:
        {"other": 1}["id"]
    except KeyError as exc:
        failure = report_bug(exc, debug=False, crash_context=lambda: (tmp_path, True))
    assert failure.code == ExitCode.BUG
    assert "Traceback" in capsys.readouterr().err
    (report,) = tmp_path.iterdir()
    assert str(report) in failure.message and "KeyError" in report.read_text()


def test_a_crash_report_falls_back_to_the_temp_directory(tmp_path: Path, capsys: Any) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        failure = report_bug(exc, debug=False, crash_context=lambda: (blocked / "crash", False))
    where = Path(failure.message.split("the full traceback is in ")[1].split(" ")[0])
    try:
        assert where.is_file() and "RuntimeError: boom" in where.read_text()
        assert "Traceback" not in capsys.readouterr().err
    finally:
        where.unlink()
