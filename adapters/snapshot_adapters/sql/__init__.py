"""SQL storage: SQLAlchemy 2 on SQLite (embedded default) and PostgreSQL (psycopg 3), with
Alembic migrations as the only way the schema changes.

Names are imported on first use, so ``sql.light_reader`` (the read commands' stdlib-only
SQLite reader) and ``sql.revision`` can be imported without loading SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_names import lazy_names

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

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "DatabaseStatus": ".status",
        "database_status": ".status",
        "upgrade_database": ".status",
        "SqlStore": ".store",
        "create_sql_store": ".store",
        "SqlUnitOfWork": ".unit_of_work",
    },
)
