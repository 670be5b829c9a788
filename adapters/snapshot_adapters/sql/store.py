"""SqlStore (a UnitOfWorkFactory over one database) and create_sql_store."""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from snapshot_core.domain import DatabaseOutdatedError

from .engine import is_memory_sqlite, make_engine, normalize_url
from .errors import database_errors, safe_url
from .revision import HEAD_REVISION, recorded_revision
from .unit_of_work import SqlUnitOfWork

__all__ = ["SqlStore", "create_sql_store"]


class SqlStore:
    """Calling the store returns a fresh ``SqlUnitOfWork``; share one store per process.

    Before the first unit of work the schema is checked once: SQLite is migrated to head
    (new or outdated file); PostgreSQL never is, and a schema behind the code raises
    ``DatabaseOutdatedError`` (run ``snapshot db upgrade``). A failed check is retried on
    the next use, so a database that comes up later is picked up.
    """

    def __init__(self, engine: Engine, *, auto_migrate: bool) -> None:
        self.engine = engine
        self.url: URL = engine.url
        self.auto_migrate = auto_migrate
        # In-memory SQLite has one connection; its units of work must take turns.
        self.serial_lock = threading.RLock() if is_memory_sqlite(engine.url) else None
        self._ready = False
        self._ready_lock = threading.Lock()

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self)

    unit_of_work = __call__

    def __repr__(self) -> str:
        return f"SqlStore({safe_url(self.url)!r})"

    def ensure_schema(self) -> None:
        """Check (and on SQLite, apply) migrations; cheap after the first success."""
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return
            if self.serial_lock is not None:
                with self.serial_lock:
                    self._check_schema()
            else:
                self._check_schema()
            self._ready = True

    def _check_schema(self) -> None:
        with database_errors(self.url), self.engine.connect() as connection:
            current = recorded_revision(connection)
            if current != HEAD_REVISION:
                if not self.auto_migrate:
                    raise DatabaseOutdatedError(current, HEAD_REVISION)
                from .migrate import upgrade  # Alembic: loaded only to migrate

                upgrade(connection)
            connection.commit()

    def dispose(self) -> None:
        """Close every pooled connection (the store can still be used afterwards)."""
        self.engine.dispose()


def create_sql_store(
    url: str | URL, *, pool_size: int | None = None, max_overflow: int | None = None
) -> SqlStore:
    """A store for ``sqlite:///FILE`` (``sqlite://`` in memory) or ``postgresql+psycopg://``.

    Connects lazily: an unreachable database raises ``DatabaseUnavailableError`` when a unit
    of work starts, not here. ``pool_size``/``max_overflow`` size the connection pool.
    """
    engine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
    return SqlStore(engine, auto_migrate=normalize_url(url).get_backend_name() == "sqlite")
