"""SQL storage: SQLAlchemy 2 on SQLite (embedded default) and PostgreSQL (psycopg 3), with
Alembic migrations as the only way the schema changes."""

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
