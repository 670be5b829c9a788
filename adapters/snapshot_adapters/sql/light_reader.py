"""A read-only SQLite reader on the standard library alone, for read commands that must start fast.

It runs the queries the SQL repositories run (``SqlSources.list_for_user``,
``SqlSnapshots.latest_ids`` and ``SqlSnapshots.get``), with the same user scoping, and returns
plain rows: no SQLAlchemy, no Alembic, no pydantic. It never creates, migrates or writes a
file: ``mode=rw`` opens only an existing file, and ``query_only`` refuses any write. (Not
``mode=ro``: on a WAL database a read-only connection cannot remove the ``-wal`` and ``-shm``
files it creates, so a read command would leave them behind; a read-write connection, like
the SQL store's, removes them when it closes.) Anything it is not sure to read exactly as the
SQL store would (a missing file, another schema revision, an SQLite error) is ``NotReadable``:
the caller then takes the full path, which reports the right error or migrates.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .revision import HEAD_REVISION

__all__ = ["NotReadable", "SourceRow", "latest_ids", "read_only", "snapshot_body", "source_rows"]

# The columns of a domain Source, in its field order (sql/schema.SOURCE_COLUMNS).
SOURCE_FIELDS = (
    "source_id",
    "user_id",
    "name",
    "status",
    "estimate_count",
    "created_at",
    "attempt",
    "lease_expires_at",
)

SourceRow = dict[str, Any]


class NotReadable(Exception):
    """This database is not one the light reader reads exactly like the SQL store."""


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to an existing SQLite file at the schema revision of this code."""
    if not path.is_file():
        raise NotReadable("no such file")
    uri = f"file:{quote(str(path))}?mode=rw"
    try:
        connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise NotReadable(str(error)) from None
    try:
        with _sqlite_errors():
            connection.execute("PRAGMA query_only = ON")
            # One read transaction: every query sees the same state, as in a unit of work.
            connection.execute("BEGIN")
            _check_revision(connection)
            yield connection
    finally:
        connection.close()


@contextmanager
def _sqlite_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as error:
        raise NotReadable(str(error)) from None


def _check_revision(connection: sqlite3.Connection) -> None:
    """As ``revision.recorded_revision``: exactly one row, equal to ``HEAD_REVISION``."""
    has_table = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if has_table is None:
        raise NotReadable("no alembic_version table")
    rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    if [str(row[0]) for row in rows] != [HEAD_REVISION]:
        raise NotReadable("another schema revision")


def source_rows(connection: sqlite3.Connection, user_id: str) -> list[SourceRow]:
    """The user's sources, raw, ordered as ``SqlSources.list_for_user`` orders them."""
    with _sqlite_errors():
        cursor = connection.execute(
            f"SELECT {', '.join(SOURCE_FIELDS)} FROM sources WHERE user_id = ? "
            "ORDER BY created_at, source_id",
            (user_id,),
        )
        return [dict(zip(SOURCE_FIELDS, row, strict=True)) for row in cursor]


def latest_ids(connection: sqlite3.Connection, user_id: str) -> dict[str, str]:
    """Each of the user's sources with a snapshot, to its latest snapshot id (as
    ``SqlSnapshots.latest_ids``: ordered by time then id, the last one wins)."""
    with _sqlite_errors():
        rows = connection.execute(
            "SELECT source_id, snapshot_id FROM snapshots WHERE user_id = ? "
            "ORDER BY generated_at, snapshot_id",
            (user_id,),
        ).fetchall()
    found: dict[str, str] = {}
    for source_id, snapshot_id in rows:
        if not isinstance(source_id, str) or not isinstance(snapshot_id, str):
            raise NotReadable("an id that is not text")
        found[source_id] = snapshot_id
    return found


def snapshot_body(connection: sqlite3.Connection, snapshot_id: str, user_id: str) -> str | None:
    """The stored JSON text of the user's snapshot (``None``: not found, or not theirs)."""
    with _sqlite_errors():
        rows = connection.execute(
            "SELECT body FROM snapshots WHERE snapshot_id = ? AND user_id = ?",
            (snapshot_id, user_id),
        ).fetchall()
    if not rows:
        return None
    if len(rows) > 1 or not isinstance(rows[0][0], str):
        raise NotReadable("not one JSON document")
    body: str = rows[0][0]
    return body
