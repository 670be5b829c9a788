"""The schema revision this code needs, and the one a database records, read with one query.

Every store checks the revision before its first unit of work. Asking Alembic (its script
directory, a migration context) costs more than the rest of a read command, so the check is
plain SQL against ``HEAD_REVISION``; Alembic is loaded only when there is something to migrate.
A test keeps ``HEAD_REVISION`` equal to the head of ``migrations/versions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy import Connection

__all__ = ["HEAD_REVISION", "recorded_revision", "recorded_sqlite_revision"]

HEAD_REVISION = "0006"

# Alembic's version table, looked up as Alembic does: on the search path (PostgreSQL).
_HAS_TABLE = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'",
    "postgresql": "SELECT 1 WHERE to_regclass('alembic_version') IS NOT NULL",
}


def recorded_revision(connection: Connection) -> str | None:
    """The revision in ``alembic_version`` (``None`` for an empty database). Reads only.

    Several rows (branches Alembic would refuse to pick from) read as their sorted list, which
    is never the head, so the caller migrates or refuses as for any other old revision.
    """
    if connection.exec_driver_sql(_HAS_TABLE[connection.dialect.name]).first() is None:
        return None
    return _revision(connection.exec_driver_sql(_VERSIONS).all())


def recorded_sqlite_revision(connection: sqlite3.Connection) -> str | None:
    """``recorded_revision`` by the same two queries, on a plain ``sqlite3`` connection."""
    if connection.execute(_HAS_TABLE["sqlite"]).fetchone() is None:
        return None
    return _revision(connection.execute(_VERSIONS).fetchall())


_VERSIONS = "SELECT version_num FROM alembic_version"


def _revision(rows: Sequence[Sequence[Any]]) -> str | None:
    versions = sorted(str(row[0]) for row in rows)
    return ",".join(versions) if versions else None
