"""database_status and upgrade_database: what `snapshot validate` and `snapshot db upgrade` use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exc
from sqlalchemy.engine import URL

from snapshot_core.domain import DatabaseUnavailableError

from .engine import is_memory_sqlite, make_engine, normalize_url
from .errors import database_errors, unavailable
from .revision import HEAD_REVISION, recorded_revision

__all__ = ["DatabaseStatus", "database_status", "upgrade_database"]


@dataclass(frozen=True)
class DatabaseStatus:
    reachable: bool
    current: str | None
    head: str
    detail: str

    @property
    def up_to_date(self) -> bool:
        return self.reachable and self.current == self.head


def _sqlite_file(url: URL) -> Path | None:
    return None if is_memory_sqlite(url) else Path(url.database or "")


def database_status(url: str | URL) -> DatabaseStatus:
    """Connect, read the schema revision, and say what to do. Never changes anything (a
    SQLite file that does not exist yet is not created)."""
    parsed, head = normalize_url(url), HEAD_REVISION
    path = _sqlite_file(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is not None and not path.exists():
        if not path.parent.is_dir():
            return DatabaseStatus(False, None, head, f"directory {path.parent} does not exist")
        return DatabaseStatus(True, None, head, f"{path} will be created on first use")
    engine = make_engine(parsed, pool_size=1, max_overflow=0)
    try:
        with database_errors(parsed), engine.connect() as connection:
            current = recorded_revision(connection)
    except DatabaseUnavailableError as error:
        return DatabaseStatus(False, None, head, error.detail)
    except exc.SQLAlchemyError as error:  # e.g. a file that is not a SQLite database
        return DatabaseStatus(False, None, head, unavailable(error, parsed).detail)
    finally:
        engine.dispose()
    if current == head:
        detail = f"schema at head ({head})"
    elif parsed.get_backend_name() == "sqlite":
        detail = f"schema at {current or 'nothing'}; migrated to {head} on first use"
    else:
        detail = f"schema at {current or 'nothing'}, code needs {head}: run `snapshot db upgrade`"
    return DatabaseStatus(True, current, head, detail)


def upgrade_database(url: str | URL) -> tuple[str | None, str]:
    """Apply pending migrations in one transaction; returns (revision before, head)."""
    from .migrate import upgrade  # Alembic: loaded only here

    parsed = normalize_url(url)
    engine = make_engine(parsed, pool_size=1, max_overflow=0)
    try:
        with database_errors(parsed), engine.connect() as connection:
            before = upgrade(connection)
            connection.commit()
    finally:
        engine.dispose()
    return before, HEAD_REVISION
