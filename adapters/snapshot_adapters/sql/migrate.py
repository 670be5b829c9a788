"""Alembic, driven from code: head and current revisions, and upgrading a connection to head.

No alembic.ini is needed at run time: the script location is this package's ``migrations``.
Alembic itself (a sixth of a second to import) is imported only to migrate, or when the cheap
readings below cannot answer: a command that finds its SQLite file at head never loads it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["MIGRATIONS_DIR", "alembic_config", "current_revision", "head_revision", "upgrade"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any constant will do: it serialises concurrent `snapshot db upgrade` runs on PostgreSQL.
_PG_MIGRATION_LOCK = 0x736E6170
# The two lines of a revision file that chain it: `revision = "0004"`, `down_revision = "0002"`.
_LINK = re.compile(r'^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:"([^"]*)"|(None))\s*$', re.M)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _alembic_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations directory has no revisions"
    return head


def _scanned_head() -> str | None:
    """The head read from the revision files' own ``revision``/``down_revision`` lines, or
    ``None`` when any file is not that simple (then Alembic decides)."""
    revisions: dict[str, str | None] = {}
    for script in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        if script.name == "__init__.py":
            continue
        links = {name: value for name, value, _ in _LINK.findall(script.read_text("utf-8"))}
        if set(links) != {"revision", "down_revision"} or not links["revision"]:
            return None
        revisions[links["revision"]] = links["down_revision"] or None
    heads = set(revisions) - set(revisions.values())
    return heads.pop() if len(heads) == 1 else None


@cache
def head_revision() -> str:
    return _scanned_head() or _alembic_head()


def current_revision(connection: Connection) -> str | None:
    """The revision recorded in the database (``None`` for an empty one). Reads only.
    On SQLite a plain query; anything unusual (and other databases) is Alembic's to read."""
    if connection.dialect.name == "sqlite":
        table = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        if connection.execute(text(table)).first() is None:
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        if len(rows) == 1:
            return str(rows[0][0])
    from alembic.runtime.migration import MigrationContext

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
        from alembic import command

        command.upgrade(alembic_config(connection), "head")
    return before
