"""SQL storage: SQLAlchemy 2 on SQLite (embedded default) and PostgreSQL (psycopg 3), with
Alembic migrations as the only way the schema changes.

Names are imported on first use, so ``sql.light_reader`` (the read commands' stdlib-only
SQLite reader) and ``sql.revision`` can be imported without loading SQLAlchemy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .status import DatabaseStatus, database_status, upgrade_database
    from .store import SqlStore, create_sql_store
    from .unit_of_work import SqlUnitOfWork

__all__ = [
    "DatabaseStatus",
    "SqlStore",
    "SqlUnitOfWork",
    "create_sql_store",
    "database_status",
    "upgrade_database",
]

_HOME = {
    "DatabaseStatus": ".status",
    "database_status": ".status",
    "upgrade_database": ".status",
    "SqlStore": ".store",
    "create_sql_store": ".store",
    "SqlUnitOfWork": ".unit_of_work",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'snapshot_adapters.sql' has no attribute {name!r}")
    value = getattr(import_module(_HOME[name], __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
