"""No Python traceback reaches a user: the real `monitor` command, in a subprocess, fails
with one clear line on stderr and a documented exit code (monitor/exits.py, README)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from monitor.exits import ExitCode
from monitor.store import migrate
from tests import PROJECT_ROOT

UNREACHABLE_PG = "postgresql+psycopg://monitor@127.0.0.1:1/monitor"  # nothing listens on port 1
LABELED = json.dumps({"id": "a", "title": "Zelensky in Brasilia", "text": "Ukraine and Brazil.",
                      "relevant": True, "category": "bilateral", "countries": ["BR"]})
STORY = json.dumps({"title": "Zelensky in Brasilia", "text": "Ukraine and Brazil."})


@dataclass(frozen=True)
class Case:
    """One command as a user types it, the files it finds, and how it must end."""

    args: tuple[str, ...]
    code: int
    stderr: tuple[str, ...] = ()  # fragments of the message on stderr
    stdout: tuple[str, ...] = ()
    files: dict[str, bytes] = field(default_factory=dict)  # written to the working directory
    stdin: bytes = b""
    env: dict[str, str] = field(default_factory=dict)


CASES: dict[str, Case] = {
    # a file named on the command line that is not there
    "classify --input missing": Case(
        ("classify", "--input", "missing.jsonl"), ExitCode.NO_FILE, ("cannot open missing.jsonl",)
    ),
    "eval missing": Case(("eval", "missing.jsonl"), ExitCode.NO_FILE, ("missing.jsonl",)),
    "feed import missing": Case(("feed", "import", "gone.toml"), ExitCode.NO_FILE, ("gone.toml",)),
    "subscriber import missing": Case(
        ("subscriber", "import", "gone.csv"), ExitCode.NO_FILE, ("gone.csv",)
    ),
    "classify --output in a missing directory": Case(
        ("classify", "--output", "no/such/dir/out.jsonl"), ExitCode.NO_FILE,
        ("no/such/dir/out.jsonl",), stdin=STORY.encode() + b"\n",
    ),
    # files whose content cannot be used
    "eval of an unlabeled file": Case(
        ("eval", "stories.jsonl"), ExitCode.INPUT,
        ("stories.jsonl, line 1", "'id'", "monitor classify"),
        files={"stories.jsonl": STORY.encode() + b"\n"},
    ),
    "eval of a file without labels": Case(
        ("eval", "nolabel.jsonl"), ExitCode.INPUT, ("nolabel.jsonl, line 2", "'relevant'"),
        files={"nolabel.jsonl": (LABELED + "\n" + json.dumps(
            {"id": "b", "title": "t", "text": "x"}) + "\n").encode()},
    ),
    "eval with a malformed JSON line": Case(
        ("eval", "broken.jsonl"), ExitCode.INPUT, ("broken.jsonl, line 3", "not JSON"),
        files={"broken.jsonl": f"{LABELED}\n\n{{broken\n".encode()},
    ),
    "eval of a non-UTF-8 file": Case(
        ("eval", "latin1.jsonl"), ExitCode.INPUT, ("latin1.jsonl, line 2", "UTF-8"),
        files={"latin1.jsonl": LABELED.encode() + b'\n{"id": "c", "title": "Bogot\xe1"}\n'},
    ),
    "eval with a negative --resamples": Case(
        ("eval", "one.jsonl", "--resamples", "-1"), ExitCode.INPUT,
        ("--resamples -1 is out of range",), files={"one.jsonl": LABELED.encode() + b"\n"},
    ),
    "eval of an empty file": Case(
        ("eval", "empty.jsonl"), ExitCode.INPUT, ("no labeled items",), files={"empty.jsonl": b""}
    ),
    "classify reports the malformed line and goes on": Case(
        ("classify",), ExitCode.PARTIAL, stdout=('"line":2', '"relevant"'),
        stdin=f"{STORY}\n{{broken\n{STORY}\n".encode(),
    ),
    "classify reports a non-UTF-8 line on stdin": Case(
        ("classify",), ExitCode.PARTIAL, stdout=('{"line":1,"error":"not UTF-8',),
        stdin=b'{"title": "Bogot\xe1", "text": "x"}\n' + STORY.encode() + b"\n",
        env={"PYTHONIOENCODING": "utf-8:strict"},
    ),
    "classify reports a non-UTF-8 line in a file": Case(
        ("classify", "--input", "latin1.jsonl"), ExitCode.PARTIAL,
        stdout=('{"line":2,"error":"not UTF-8',),
        files={"latin1.jsonl": STORY.encode() + b'\n{"title": "Bogot\xe1", "text": "x"}\n'},
    ),
    "subscriber import of a non-UTF-8 file": Case(
        ("subscriber", "import", "people.csv"), ExitCode.INPUT, ("people.csv is not UTF-8",),
        files={"people.csv": b"email,name\nsao@example.org,S\xe3o Paulo desk\n"},
    ),
    # configuration
    "a bad setting": Case(
        ("config",), ExitCode.CONFIG, ("MONITOR_PARTITIONS", "MONITOR_MAIL_FROM"),
        env={"MONITOR_PARTITIONS": "zero", "MONITOR_MAIL_FROM": "alerts desk"},
    ),
    "a config file that is not TOML": Case(
        ("--config", "monitor.toml", "config"), ExitCode.CONFIG, ("monitor.toml", "line 2"),
        files={"monitor.toml": b'smtp_host = "mail.example.org"\nsmtp_port = \n'},
    ),
    "a config file with an unknown key": Case(
        ("--config", "monitor.toml", "config"), ExitCode.CONFIG,
        ("monitor.toml, line 2", "smtp_hots", "did you mean smtp_host"),
        files={"monitor.toml": b'# mail\nsmtp_hots = "mail.example.org"\n'},
    ),
    "a missing config file": Case(
        ("config",), ExitCode.CONFIG, ("nowhere.toml does not exist",),
        env={"MONITOR_CONFIG": "nowhere.toml"},
    ),
    "a database URL of another kind": Case(
        ("feed", "list"), ExitCode.CONFIG, ("MONITOR_DATABASE_URL", "postgresql+psycopg://"),
        env={"MONITOR_DATABASE_URL": "mysql://monitor@db.example.org/monitor"},
    ),
    # services that cannot be reached
    "an unreachable database (feed list)": Case(
        ("feed", "list"), ExitCode.UNAVAILABLE, ("database unavailable", "MONITOR_DATABASE_URL"),
        env={"MONITOR_DATABASE_URL": UNREACHABLE_PG},
    ),
    "an unreachable database (db upgrade)": Case(
        ("db", "upgrade"), ExitCode.UNAVAILABLE, ("MONITOR_DATABASE_URL",),
        env={"MONITOR_DATABASE_URL": UNREACHABLE_PG},
    ),
    "an unreachable database (worker start)": Case(
        ("run", "--role", "worker"), ExitCode.UNAVAILABLE, ("MONITOR_DATABASE_URL",),
        env={"MONITOR_DATABASE_URL": UNREACHABLE_PG},
    ),
    "an unknown migration": Case(
        ("db", "upgrade", "nonsense"), ExitCode.INPUT, ("nonsense", "monitor db current"),
    ),
}


def run_monitor(
    args: tuple[str, ...], cwd: Path, *, stdin: bytes = b"", env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, "MONITOR_VAR_DIR": str(cwd / "var"), "MONITOR_LOG_FORMAT": "console",
                **(env or {})}
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=full_env,
                          input=stdin, capture_output=True, timeout=timeout)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_failing_command_says_what_to_do_in_one_line(case: Case, tmp_path: Path) -> None:
    for name, content in case.files.items():
        (tmp_path / name).write_bytes(content)
    done = run_monitor(case.args, tmp_path, stdin=case.stdin, env=case.env)
    stderr, stdout = done.stderr.decode(), done.stdout.decode()
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert done.returncode == case.code, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("monitor: error: ")]
    if case.code in (ExitCode.OK, ExitCode.PARTIAL):
        assert errors == [], stderr
    else:
        assert len(errors) == 1, stderr
    for fragment in case.stderr:
        assert fragment in stderr
    for fragment in case.stdout:
        assert fragment in stdout


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    """A working directory whose var/ holds a migrated SQLite database with six feeds."""
    migrate.upgrade(f"sqlite:///{tmp_path / 'var' / 'monitor.db'}")
    feeds = str(PROJECT_ROOT / "seeds" / "feeds" / "feeds.toml")
    assert run_monitor(("feed", "import", feeds), tmp_path).returncode == 0
    return tmp_path


def test_feed_export_to_a_missing_directory_names_it(migrated: Path) -> None:
    done = run_monitor(("feed", "export", "--output", "no/dir/feeds.opml"), migrated)
    assert done.returncode == ExitCode.NO_FILE
    assert done.stderr.decode().strip() == (
        "monitor: error: cannot open no/dir/feeds.opml: no such file or directory"
    )


@pytest.mark.parametrize("args", [("config",), ("feed", "list"), ("--debug", "feed", "list")])
def test_a_reader_that_goes_away_ends_the_command_quietly(
    args: tuple[str, ...], migrated: Path
) -> None:
    env = {**os.environ, "MONITOR_VAR_DIR": str(migrated / "var")}
    process = subprocess.Popen([sys.executable, "-m", "monitor", *args], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the command writes a byte
    with process.stderr:
        stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == ExitCode.BROKEN_PIPE
    assert stderr == ""


def test_classify_into_head_stops_quietly(tmp_path: Path) -> None:
    stories = tmp_path / "stories.jsonl"
    stories.write_text((STORY + "\n") * 20_000)
    with stories.open("rb") as stdin:
        classify = subprocess.Popen([sys.executable, "-m", "monitor", "classify"], stdin=stdin,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        head = subprocess.Popen(["head", "-1"], stdin=classify.stdout, stdout=subprocess.PIPE)
        assert classify.stdout is not None and classify.stderr is not None
        classify.stdout.close()
        first, _ = head.communicate(timeout=120)
        with classify.stderr:
            stderr = classify.stderr.read().decode()
        assert classify.wait(timeout=120) == ExitCode.BROKEN_PIPE
    assert json.loads(first)["relevant"] in (True, False)
    assert stderr == ""


def test_an_unknown_variable_is_a_warning_with_the_nearest_name(tmp_path: Path) -> None:
    done = run_monitor(("config",), tmp_path, env={"MONITOR_SMTP_HOTS": "mail.example.org",
                                                  "MONITOR_LOG_LEVEL": "info"})
    assert done.returncode == ExitCode.OK, done.stderr
    stderr = done.stderr.decode()
    assert "config.unknown_variable" in stderr
    assert "variable=MONITOR_SMTP_HOTS did_you_mean=MONITOR_SMTP_HOST" in stderr
    assert json.loads(done.stdout)["log_level"] == "INFO"


BUGGY = """
import sys
from pathlib import Path
from monitor.exits import run_command
debug = sys.argv[2] == "debug"
sys.exit(run_command(lambda: 1 // 0, debug=debug, crash_context=lambda: (Path(sys.argv[1]), False)))
"""


@pytest.mark.parametrize("debug", [False, True])
def test_a_bug_shows_a_short_message_and_where_the_traceback_is(
    debug: bool, tmp_path: Path
) -> None:
    crash_dir = tmp_path / "crash"
    done = subprocess.run(
        [sys.executable, "-c", BUGGY, str(crash_dir), "debug" if debug else "quiet"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == ExitCode.BUG
    (report,) = crash_dir.iterdir()
    assert "Traceback" in report.read_text() and "ZeroDivisionError" in report.read_text()
    assert report.stat().st_mode & 0o777 == 0o600
    last = done.stderr.splitlines()[-1]
    assert last.startswith("monitor: error: internal error: ZeroDivisionError: ")
    assert str(report) in last
    assert ("Traceback" in done.stderr) is debug


def _wait_for(process: subprocess.Popen[bytes], log: Path, text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return True
        if process.poll() is not None:
            return text in log.read_text(errors="replace")
        time.sleep(0.5)
    return False


def test_roles_started_without_a_broker_say_so_without_a_traceback(migrated: Path) -> None:
    """The worker gives up after its 60 s bootstrap with one line; the poller retries."""
    env = {**os.environ, "MONITOR_VAR_DIR": str(migrated / "var"),
           "MONITOR_KAFKA_BOOTSTRAP": "127.0.0.1:1", "MONITOR_LOG_FORMAT": "console"}
    logs = {role: migrated / f"{role}.log" for role in ("worker", "poller")}
    processes = {}
    for role, log in logs.items():
        with log.open("wb") as out:
            processes[role] = subprocess.Popen(
                [sys.executable, "-m", "monitor", "run", "--role", role], env=env,
                stdout=out, stderr=subprocess.STDOUT)
    try:
        assert processes["worker"].wait(timeout=150) == ExitCode.UNAVAILABLE
        assert _wait_for(processes["poller"], logs["poller"], "poller.broker_unavailable", 60)
    finally:
        for process in processes.values():
            if process.poll() is None:
                # SIGKILL: a poller stopped mid-attempt waits for the attempt's 60 s to end,
                # which is not what this test is about.
                process.kill()
                process.wait(timeout=60)
    worker_log, poller_log = logs["worker"].read_text(), logs["poller"].read_text()
    assert "Traceback" not in worker_log + poller_log
    assert worker_log.strip().splitlines()[-1].startswith("monitor: error: cannot create topics")
    assert "MONITOR_KAFKA_BOOTSTRAP" in worker_log and "monitor broker start" in worker_log
