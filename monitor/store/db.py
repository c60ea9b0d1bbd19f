"""Engine and transactions. The schema itself comes only from Alembic migrations."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import psycopg
import psycopg.adapt
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.types import UserDefinedType

from monitor.errors import StoreError
from monitor.private_files import private_file, tighten


def make_engine(url: str, *, timeout: float = 15.0, pool_size: int = 5) -> Engine:
    """Create an engine with timeouts, so a stuck database fails a call instead of hanging it.

    SQLite gets WAL mode (readers don't block the writer) and a busy timeout; PostgreSQL gets a
    statement timeout and connect timeout, and pre-ping so a restarted server is reconnected.
    """
    if url.startswith("sqlite"):
        private_sqlite(url)
        engine = create_engine(
            url,
            connect_args={"timeout": timeout, "check_same_thread": False},
            pool_pre_ping=True,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy manage transactions: the driver's implicit BEGIN would defeat
            # BEGIN IMMEDIATE below.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            # Take the write lock up front: avoids deadlock-style SQLITE_BUSY on upgrade.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(
        url,
        json_serializer=_json_dumps,
        # orjson reads what it wrote, in C: Trends and Countries read a JSON list per alert,
        # thousands a page (the standard library's decoder was a third of the page's time).
        json_deserializer=orjson.loads,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=timeout,
        connect_args={
            "connect_timeout": max(1, int(timeout)),
            # JIT compiling pays off for long analytical queries; for the worker's short
            # batch statements it only adds milliseconds when the planner's estimate is high.
            "options": f"-c statement_timeout={int(timeout * 1000)} -c jit=off",
            # No server-side prepared statements: each statement is planned with its actual
            # arrays. A generic plan chosen while a table was small (a new database, or
            # after a truncate) sticks until the next ANALYZE — a sequential scan with a
            # linear ``= ANY`` over 500 ids cost 65 ms a batch. Planning costs ~0.1 ms.
            "prepare_threshold": None,
        },
    )


def private_sqlite(url: str) -> None:
    """Before SQLite opens the database of ``url``: the file 0600 (created so when missing)
    in a directory created 0700, and any -wal and -shm left by others made 0600.

    SQLite gives the -wal and -shm files it creates the database file's mode, so they
    follow. Nothing for other databases or an in-memory one.
    """
    if not url.startswith("sqlite"):
        return
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    private_file(path)
    for suffix in ("-wal", "-shm"):
        tighten(path.with_name(path.name + suffix))


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction; database failures surface as StoreError so callers can retry."""
    with store_errors(), engine.begin() as conn:
        yield conn


@contextmanager
def connection(engine: Engine) -> Iterator[Connection]:
    """One pooled connection for several transactions (``conn.begin()`` each): one pool
    checkout and liveness ping instead of one per transaction. Failures as StoreError."""
    with store_errors(), engine.connect() as conn:
        yield conn


@contextmanager
def transaction_on(conn: Connection) -> Iterator[Connection]:
    """One transaction on a connection held across several (see :func:`connection`)."""
    with store_errors(), conn.begin():
        yield conn


def open_connection(engine: Engine) -> Connection:
    """A pooled connection the caller keeps and closes; failures as StoreError."""
    with store_errors():
        return engine.connect()


@contextmanager
def store_errors() -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        failure = store_error(exc)
        if failure is exc:
            raise
        raise failure from exc


def store_error(exc: DBAPIError) -> Exception:
    """What a database failure is raised as: a StoreError (callers retry) when the
    connection was lost or the database could not do it (OperationalError), else the
    error itself (a bug or a constraint: retrying would not help)."""
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        return StoreError(f"database unavailable: {exc.orig or exc}")
    return exc


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def upsert_insert(conn: Connection, table: Any) -> Any:
    """The dialect's INSERT that supports ON CONFLICT (PostgreSQL and SQLite both do)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def one_of(conn: Connection, column: Any, values: Any) -> Any:
    """``column IN values`` that keeps one query text whatever the number of values.

    On PostgreSQL this is ``column = ANY(:array)``: one statement text whatever the number
    of values (no new ``IN (…)`` list to parse per batch), and the array travels as one
    typed literal built in C (see ``pg_array``).
    """
    values = list(values)
    if conn.dialect.name == "postgresql":
        from sqlalchemy import any_, bindparam, false

        if not values:  # an empty literal is typed text[], which an integer column refuses
            return false()
        return column == any_(bindparam(None, pg_array(values), type_=_ArrayLiteral))
    return column.in_(values)


class TextArray(str):
    """A PostgreSQL ``text[]`` literal, sent to the server typed as such."""


class BigintArray(str):
    """A PostgreSQL ``bigint[]`` literal, sent to the server typed as such."""


class _TextArrayDumper(psycopg.adapt.Dumper):
    oid = psycopg.postgres.types["text"].array_oid

    def dump(self, obj: str) -> bytes:
        return obj.encode()


class _BigintArrayDumper(_TextArrayDumper):
    oid = psycopg.postgres.types["int8"].array_oid


class JsonDocument(bytes):
    """UTF-8 JSON from orjson, sent to the server as ``json`` as it is (no decode/encode)."""


class _JsonDocumentDumper(psycopg.adapt.Dumper):
    oid = psycopg.postgres.types["json"].oid

    def dump(self, obj: bytes) -> bytes:
        return obj


psycopg.adapters.register_dumper(JsonDocument, _JsonDocumentDumper)
psycopg.adapters.register_dumper(TextArray, _TextArrayDumper)
psycopg.adapters.register_dumper(BigintArray, _BigintArrayDumper)


class _ArrayLiteral(UserDefinedType[str]):
    """Passes a ``pg_array`` literal to the driver untouched (no cast, no processing)."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "TEXT[]"


# Inside a double-quoted element of a PostgreSQL array literal only these need a backslash.
_ARRAY_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"'})


def pg_array(values: list[int] | list[str]) -> TextArray | BigintArray:
    """A PostgreSQL array parameter (``{1,2}``, ``{"a","b"}``) built with C-level joins.

    psycopg builds list parameters element by element in Python (1.5 µs a value, and a
    batch sends thousands of keys); this literal costs one ``join`` and one ``translate``,
    and still reaches the server as a typed array parameter, so plans are the same as for
    a list (a cast from text would hide the values from the planner). Integers or strings.
    """
    if values and isinstance(values[0], int):
        return BigintArray("{" + orjson.dumps(values)[1:-1].decode() + "}")
    if not values:
        return TextArray("{}")
    joined = "\x00".join(values)  # type: ignore[arg-type]
    if joined.count("\x00") != len(values) - 1:  # PostgreSQL text cannot hold NUL anyway
        raise ValueError("array values cannot contain NUL characters")
    return TextArray('{"' + joined.translate(_ARRAY_ESCAPES).replace("\x00", '","') + '"}')


def bulk_insert(
    conn: Connection,
    table: Any,
    rows: list[dict[str, Any]],
    *,
    conflict: list[str] | None = None,
    returning: list[str] | None = None,
) -> list[Any]:
    """Insert many rows in one statement, skipping conflicts on ``conflict`` columns.

    On PostgreSQL the rows travel as one JSON document (serialised by orjson, in C) that the
    server unpacks with ``json_to_recordset``: one parameter and one statement text whatever
    the row count, and neither side does per-row or per-value work in Python. (Sending one
    array per column through ``unnest`` was the previous way; psycopg builds text arrays in
    Python, which cost 18% of the worker's time.) Elsewhere it is a cached executemany.
    """
    if not rows:
        return []
    if conn.dialect.name != "postgresql":
        stmt = upsert_insert(conn, table)
        if conflict is not None:
            stmt = stmt.on_conflict_do_nothing(index_elements=conflict or None)
        if returning:
            return list(conn.execute(stmt.returning(*[table.c[c] for c in returning]), rows))
        conn.execute(stmt, rows)
        return []
    rows = _with_defaults(table, rows)
    statement = _recordset_insert(
        table,
        tuple(rows[0]),
        None if conflict is None else tuple(conflict),
        tuple(returning or ()),
    )
    try:
        payload = JsonDocument(orjson.dumps(rows))
    except orjson.JSONEncodeError as exc:
        raise TypeError(f"bulk insert into {table.name}: {exc}") from exc
    result = conn.execute(statement, {"rows": payload})
    return list(result) if returning else []


@functools.lru_cache(maxsize=64)
def _recordset_insert(
    table: Any,
    columns: tuple[str, ...],
    conflict: tuple[str, ...] | None,
    returning: tuple[str, ...],
) -> Any:
    """The PostgreSQL bulk INSERT … SELECT FROM json_to_recordset, built once per shape."""
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    names = ", ".join(f'"{name}"' for name in columns)
    shape = ", ".join(f'"{name}" {table.c[name].type.compile(dialect=dialect)}' for name in columns)
    sql = (
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} '
        f"FROM json_to_recordset(CAST(:rows AS json)) AS r({shape})"
    )
    if conflict is not None:
        target = f" ({', '.join(conflict)})" if conflict else ""
        sql += f" ON CONFLICT{target} DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(f'"{name}"' for name in returning)
    return text(sql)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _with_defaults(table: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill the table's Python-side column defaults a raw statement would not apply."""
    missing = [c for c in table.columns if c.name not in rows[0] and c.default is not None]
    if not missing:
        return rows
    filled = []
    for row in rows:
        row = dict(row)
        for column in missing:
            default = column.default
            row[str(column.name)] = default.arg(None) if default.is_callable else default.arg
        filled.append(row)
    return filled


def reserve_ids(conn: Connection, table: Any, count: int) -> list[int] | None:
    """Allocate ``count`` primary keys up front (PostgreSQL), so rows can be bulk-inserted
    with known ids instead of mapping RETURNING rows back. None elsewhere."""
    if conn.dialect.name != "postgresql" or count == 0:
        return None
    from sqlalchemy import text

    ids = conn.execute(
        text(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
            "FROM generate_series(1, :n)"
        ),
        {"n": count},
    ).scalars()
    return [int(i) for i in ids]
