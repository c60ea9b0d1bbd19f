"""Files that hold addresses, emails and keys are readable by their owner only, whatever the
umask: the var dir and outbox 0700, the SQLite database (with its -wal and -shm), the token
key and each outbox .eml 0600."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from monitor.notify.mailer import Mailer
from monitor.notify.transport import OutboxDirTransport
from monitor.private_files import private_dir, private_file
from monitor.runtime.heartbeat import write_heartbeat
from monitor.store import migrate
from monitor.store.db import make_engine, transaction
from tests.notify.test_mailer import ingest, subscribe
from tests.stream.test_handler import MENAFN, RIO


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def permissive_umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """A umask that would leave new files readable (022) or writable (000) by everyone."""
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_sqlite_database_and_its_wal_and_shm_are_private(
    permissive_umask: int, tmp_path: Path, make_settings: Any
) -> None:
    settings = make_settings(var_dir=tmp_path / "srv" / "var")
    migrate.upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    try:
        with transaction(engine) as conn:  # a write, with the connection open: WAL and SHM
            conn.execute(text("CREATE TABLE probe (x INTEGER)"))
            conn.execute(text("INSERT INTO probe VALUES (1)"))
        database = settings.var_dir / "monitor.db"
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            assert path.exists(), path
            assert mode(path) == 0o600, (path.name, oct(mode(path)))
    finally:
        engine.dispose()
    assert mode(settings.var_dir) == 0o700
    assert mode(settings.var_dir.parent) == 0o700  # created on the way, so private too


def test_an_older_install_readable_by_others_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "var" / "monitor.db"
    url = f"sqlite:///{database}"
    migrate.upgrade(url)
    files = (database, Path(f"{database}-wal"), Path(f"{database}-shm"))
    for path in files:  # as an install before this change left them
        path.touch()
        os.chmod(path, 0o644)
    engine = make_engine(url)
    try:
        with transaction(engine) as conn:
            conn.execute(text("SELECT 1"))
        assert [oct(mode(path)) for path in files] == [oct(0o600)] * 3
    finally:
        engine.dispose()


def test_an_existing_shared_directory_keeps_its_mode(permissive_umask: int, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # like /tmp: changing it would break other users
    private_dir(shared / "var")
    key = private_file(shared / "var" / "token.key")
    assert mode(shared) == 0o1777
    assert mode(shared / "var") == 0o700 and mode(key) == 0o600


def test_token_key_and_heartbeats_are_private(
    permissive_umask: int, tmp_path: Path, make_settings: Any
) -> None:
    settings = make_settings(var_dir=tmp_path / "var", token_secret="")
    key = settings.token_key()
    assert len(key) == 64
    assert mode(settings.var_dir) == 0o700
    assert mode(settings.var_dir / "token.key") == 0o600
    write_heartbeat(settings, "mailer", state="running")
    (heartbeat,) = (settings.var_dir / "run").glob("*.json")
    assert mode(heartbeat.parent) == 0o700


def test_outbox_emails_are_private(
    permissive_umask: int, tmp_path: Path, make_settings: Any
) -> None:
    """The real mailer without SMTP: the outbox directory 0700, each .eml 0600."""
    settings = make_settings(var_dir=tmp_path / "var", public_url="https://alerts.example.org")
    migrate.upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    try:
        subscribe(engine, "desk@example.org", mode="immediate")
        ingest(engine, RIO + MENAFN)

        async def one_pass() -> int:
            mailer = Mailer(settings, engine, OutboxDirTransport(settings.outbox_path))
            return await mailer.pass_once()

        assert asyncio.run(one_pass()) == 1
    finally:
        engine.dispose()
    (eml,) = settings.outbox_path.glob("*.eml")
    assert b"desk@example.org" in eml.read_bytes()
    assert mode(eml) == 0o600
    assert mode(settings.outbox_path) == 0o700
    assert mode(settings.var_dir) == 0o700
