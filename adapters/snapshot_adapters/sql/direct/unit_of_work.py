"""DirectUnitOfWork: one SQLite transaction (BEGIN IMMEDIATE) on the direct store's
connection; the statements ``snapshot ingest`` and ``snapshot bucket`` run are its own, any
other repository method runs today's ``Sql*`` repository on the same transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from snapshot_core.ports import UnitOfWork

from .failures import failure_of, sqlite_error_is_unavailable
from .repositories import DirectBuckets, DirectEstimates, DirectSources

if TYPE_CHECKING:
    from snapshot_core.ports.repositories import RunRepository, SnapshotRepository

    from ..api_keys import SqlApiKeys
    from ..unit_of_work import SqlUnitOfWork
    from .statement import Statement
    from .store import DirectStore

__all__ = ["DirectUnitOfWork"]


class DirectUnitOfWork(UnitOfWork):
    """``with store() as uow: ...; uow.commit()``; leaving without commit rolls back.

    Entering begins IMMEDIATE (taking the write lock, waiting up to the busy timeout); a new
    transaction begins with the first statement after a commit, as SQLAlchemy's does.
    """

    def __init__(self, store: DirectStore) -> None:
        if store.connection is None:
            raise RuntimeError("the direct store has no connection")
        self.store = store
        self.connection: sqlite3.Connection = store.connection
        self.sources = DirectSources(self)
        self.estimates = DirectEstimates(self)
        self.buckets = DirectBuckets(self)
        self._sql: SqlUnitOfWork | None = None

    def sql(self) -> SqlUnitOfWork:
        """Today's unit of work on this transaction (SQLAlchemy is loaded on first use)."""
        if self._sql is None:
            with self.store.loading():
                from .fallback import shared_unit_of_work

                self._sql = shared_unit_of_work(self)
        return self._sql

    # Neither command uses these: SQLAlchemy's repositories, on this transaction.
    @property
    def snapshots(self) -> SnapshotRepository:  # type: ignore[override]  # read-only
        return self.sql().snapshots

    @property
    def runs(self) -> RunRepository:  # type: ignore[override]  # read-only
        return self.sql().runs

    @property
    def api_keys(self) -> SqlApiKeys:  # type: ignore[override]  # read-only
        return self.sql().api_keys

    def __enter__(self) -> DirectUnitOfWork:
        self.begin()
        return self

    def begin(self) -> None:
        """BEGIN IMMEDIATE, unless this transaction has begun."""
        if not self.connection.in_transaction:
            with self.errors("BEGIN IMMEDIATE", ()):
                self.connection.execute("BEGIN IMMEDIATE")

    def execute(self, statement: Statement, arguments: dict[str, Any]) -> sqlite3.Cursor:
        parameters = statement.bind(arguments)
        with self.errors(statement.sql, parameters):
            self.begin()
            return self.connection.execute(statement.sql, parameters)

    def fetchall(self, statement: Statement, arguments: dict[str, Any]) -> list[Any]:
        """Every row of a statement (read within ``errors``: SQLite may fail on a later row)."""
        parameters = statement.bind(arguments)
        with self.errors(statement.sql, parameters):
            self.begin()
            return self.connection.execute(statement.sql, parameters).fetchall()

    def fetchone(self, statement: Statement, arguments: dict[str, Any]) -> Any:
        """The first row of a statement, or None (read within ``errors``, as ``fetchall``)."""
        parameters = statement.bind(arguments)
        with self.errors(statement.sql, parameters):
            self.begin()
            return self.connection.execute(statement.sql, parameters).fetchone()

    def executemany(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        """One statement for each of the rows (``sqlite_bulk``'s writer calls it)."""
        with self.errors(sql, rows, many=True):
            self.begin()
            self.connection.executemany(sql, rows)

    @contextmanager
    def errors(self, sql: str, parameters: Sequence[Any], *, many: bool = False) -> Iterator[None]:
        """``errors.database_errors`` for ``sqlite3``'s own errors: a storage failure as the
        domain's error; any other as SQLAlchemy would have wrapped it (loaded then only)."""
        try:
            yield
        except sqlite3.Error as error:
            if sqlite_error_is_unavailable(error):
                raise failure_of(error, self.store.url, None) from error
            from sqlalchemy import exc

            raise exc.DBAPIError.instance(
                sql, parameters, error, sqlite3.Error, ismulti=many
            ) from error

    def commit(self) -> None:
        if self._sql is not None:
            self._sql.connection.commit()  # SQLAlchemy's state only: see fallback.py
        with self.errors("COMMIT", ()):
            if self.connection.in_transaction:
                self.connection.commit()

    def rollback(self) -> None:
        if self._sql is not None and self._sql._connection is not None:
            self._sql.connection.rollback()
        if not self.connection.in_transaction:
            return
        try:
            self.connection.rollback()
        except sqlite3.Error:
            # The connection is unusable (that is usually why we roll back): drop it, and
            # SQLite discards the transaction with it; the next unit of work reconnects.
            self.store.dispose()

    def close(self) -> None:
        if self._sql is not None:
            sql, self._sql = self._sql, None
            sql.close()
