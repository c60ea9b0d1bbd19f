"""The mailer's marks on PostgreSQL, through the psycopg cursor of its marks connection.

A mark is one statement on an autocommit connection (``outbox.SINGLE_MARKS``). Through
SQLAlchemy's ``Connection.execute`` it cost ~0.22 ms of the mailer's CPU (parameter
processing of the cached statement, result and transaction bookkeeping); on the driver's
cursor ~0.09 ms. The statements are outbox's own, compiled once for the dialect; their
parameters go through the columns' own bind processors (``UTCDateTime`` refuses naive
times), and a failure is sorted as ``store.db`` sorts SQLAlchemy's: a lost connection, or
any OperationalError, is a :class:`StoreError` (the connection is invalidated, so the pool
opens a fresh one); any other database error is raised as SQLAlchemy would raise it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from monitor.store import outbox
from monitor.store.db import store_error


@dataclass(frozen=True, slots=True)
class CompiledMark:
    """One mark statement as the driver takes it: SQL text, the values compiled into it,
    and the bind processors of its parameters."""

    sql: str
    constants: Mapping[str, Any]
    processors: Mapping[str, Callable[[Any], Any]]

    def parameters(self, values: Mapping[str, Any]) -> dict[str, Any]:
        params = {**self.constants, **values}
        for name, process in self.processors.items():
            params[name] = process(params[name])
        return params


def compile_mark(statement: ClauseElement, dialect: Dialect) -> CompiledMark:
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    processors = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.bind_processor(dialect)
        if process is not None:
            processors[name] = process
    return CompiledMark(str(compiled), dict(compiled.params), processors)


class RawMarks:
    """Marks on ``conn`` (an autocommit PostgreSQL connection held for a pass) through one
    driver cursor; :meth:`close` before the connection goes back to the pool."""

    def __init__(self, conn: Connection) -> None:
        dialect = conn.dialect
        if dialect.name != "postgresql":
            raise ValueError(f"raw marks are for PostgreSQL, not {dialect.name}")
        dbapi = conn.connection.dbapi_connection
        if dbapi is None or not getattr(dbapi, "autocommit", False):
            # Each mark must commit by itself: a mark left in an open transaction would
            # be lost with the connection, and the email sent again.
            raise ValueError("raw marks need the marks connection in autocommit")
        self.conn = conn
        self.dialect = dialect
        self._dbapi = dbapi
        self._cursor = dbapi.cursor()
        self._marks = {
            kind: compile_mark(statement, dialect)
            for kind, statement in outbox.SINGLE_MARKS.items()
        }

    def finish_attempt(
        self,
        email: outbox.ClaimedEmail,
        *,
        outcome: str,
        detail: str,
        now: datetime,
        retry_at: datetime | None = None,
    ) -> None:
        """``outbox.finish_attempt``, committed by itself."""
        kind, values = outbox.single_mark(
            email, outcome=outcome, detail=detail, now=now, retry_at=retry_at
        )
        mark = self._marks[kind]
        params = mark.parameters(values)
        try:
            self._cursor.execute(mark.sql, params)
        except self.dialect.loaded_dbapi.Error as exc:
            lost = self.dialect.is_disconnect(exc, self._dbapi, self._cursor)
            if lost:
                self.conn.invalidate(exc)
            wrapped = DBAPIError.instance(
                mark.sql,
                params,
                exc,
                self.dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=self.dialect,
            )
            if isinstance(wrapped, DBAPIError):
                raise store_error(wrapped) from exc
            raise wrapped from exc

    def close(self) -> None:
        self._cursor.close()
