"""SqlUnitOfWork: one database transaction over all six repositories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, CursorResult, Executable
from sqlalchemy import exc as sa_exc

from snapshot_core.ports import UnitOfWork

from .errors import database_errors
from .estimates import SqlEstimates
from .records import SqlBuckets, SqlRuns, SqlSnapshots
from .sources import SqlSources

if TYPE_CHECKING:
    from .api_keys import SqlApiKeys
    from .store import SqlStore

__all__ = ["SqlUnitOfWork"]


class SqlUnitOfWork(UnitOfWork):
    """``with store() as uow: ...; uow.commit()``; leaving without commit rolls back.

    Entering checks out a pooled connection and begins (on SQLite: BEGIN IMMEDIATE, taking the
    write lock). Connection failures surface as ``DatabaseUnavailableError``.
    """

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self._connection: Connection | None = None
        self._holds_lock = False
        self.sources = SqlSources(self)
        self.estimates = SqlEstimates(self)
        self.buckets = SqlBuckets(self)
        self.snapshots = SqlSnapshots(self)
        self.runs = SqlRuns(self)
        self._api_keys: SqlApiKeys | None = None

    @property
    def api_keys(self) -> SqlApiKeys:  # type: ignore[override]  # read-only, made on first use
        """Made on first use: most commands never touch API keys, and loading them (with
        ``secrets`` and ``hmac``) is a part of `snapshot ingest`'s start-up."""
        if self._api_keys is None:
            from .api_keys import SqlApiKeys

            self._api_keys = SqlApiKeys(self)
        return self._api_keys

    def __enter__(self) -> SqlUnitOfWork:
        self.store.ensure_schema()
        if self.store.serial_lock is not None:  # in-memory SQLite: one shared connection
            self.store.serial_lock.acquire()
            self._holds_lock = True
        try:
            with database_errors(self.store.url):
                connection = self.store.engine.connect()
                try:
                    connection.begin()
                except BaseException:
                    connection.close()
                    raise
        except BaseException:
            self._release_lock()
            raise
        self._connection = connection
        return self

    @property
    def connection(self) -> Connection:
        """The transaction's connection (a new transaction begins after a commit)."""
        if self._connection is None:
            raise RuntimeError("use the unit of work in a `with` block")
        return self._connection

    @property
    def dialect(self) -> str:
        return self.store.engine.dialect.name

    def execute(
        self,
        statement: Executable,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> CursorResult[Any]:
        with database_errors(self.store.url):
            return self.connection.execute(statement, params)

    def commit(self) -> None:
        with database_errors(self.store.url):
            self.connection.commit()

    def rollback(self) -> None:
        connection = self._connection
        if connection is None or not connection.in_transaction():
            return
        try:
            connection.rollback()
        except sa_exc.SQLAlchemyError:
            # The connection is gone (that is usually why we roll back): drop it from the
            # pool; the server discards the transaction with the session.
            connection.invalidate()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        try:
            if connection is not None:
                connection.close()
        finally:
            self._release_lock()

    def _release_lock(self) -> None:
        if self._holds_lock and self.store.serial_lock is not None:
            self._holds_lock = False
            self.store.serial_lock.release()
