"""Today's ``SqlUnitOfWork`` on the direct store's connection and transaction, for the
repository methods the direct store does not run itself (SQLAlchemy is loaded then).

SQLAlchemy's engine gets the very ``sqlite3`` connection (through ``_Borrowed``, which
leaves the transaction to the direct unit of work: SQLAlchemy's commit, rollback and close
do nothing to it), so a transaction never spans two connections; its BEGIN is the direct
unit of work's own (IMMEDIATE, and only if none has begun).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from ..store import SqlStore
from ..unit_of_work import SqlUnitOfWork

if TYPE_CHECKING:
    from .unit_of_work import DirectUnitOfWork

__all__ = ["SharedEngine", "shared_unit_of_work"]


class _Borrowed:
    """The direct store's connection as SQLAlchemy's pool sees it: the same connection,
    whose transaction only the direct unit of work ends."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def commit(self) -> None:
        """The direct unit of work commits."""

    def rollback(self) -> None:
        """The direct unit of work rolls back (SQLAlchemy also rolls back on first connect)."""

    def close(self) -> None:
        """The direct store closes its connection."""


class SharedEngine:
    """An engine over the direct store's connection; each unit of work tells it which one
    begins its transactions."""

    def __init__(self, url: str, connection: sqlite3.Connection) -> None:
        borrowed = _Borrowed(connection)
        self.engine: Engine = create_engine(
            url, creator=lambda: borrowed, poolclass=StaticPool, pool_reset_on_return=None
        )
        self.current: DirectUnitOfWork | None = None

        @event.listens_for(self.engine, "begin")
        def _on_begin(_connection: Any) -> None:
            if self.current is not None:
                self.current.begin()

    def dispose(self) -> None:
        self.engine.dispose()


def shared_unit_of_work(direct: DirectUnitOfWork) -> SqlUnitOfWork:
    """A ``SqlUnitOfWork`` on ``direct``'s connection, begun (in ``direct``'s transaction)."""
    store = direct.store
    if store.shared_engine is None:
        store.shared_engine = SharedEngine(store.url, direct.connection)
    shared = store.shared_engine
    shared.current = direct
    sql_store = SqlStore(shared.engine, auto_migrate=False)
    sql_store._ready = True  # the direct store checked the revision
    return SqlUnitOfWork(sql_store).__enter__()
