"""Alembic, driven from code: head and current revisions, and upgrading a connection to head.

No alembic.ini is needed at run time: the script location is this package's ``migrations``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

__all__ = ["MIGRATIONS_DIR", "alembic_config", "current_revision", "head_revision", "upgrade"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any constant will do: it serialises concurrent `snapshot db upgrade` runs on PostgreSQL.
_PG_MIGRATION_LOCK = 0x736E6170


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "the migrations directory has no revisions"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision recorded in the database (``None`` for an empty one). Reads only."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection) -> str | None:
    """Migrate to head inside the caller's transaction; returns the revision before.

    On SQLite the caller's transaction began IMMEDIATE, so two processes opening a new file
    at once migrate it once; on PostgreSQL an advisory lock does the same for two upgrades.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    before = current_revision(connection)
    if before != head_revision():
        command.upgrade(alembic_config(connection), "head")
    return before
