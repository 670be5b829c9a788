"""How every SQLite connection of the store is set up, with or without SQLAlchemy: WAL,
busy timeout, foreign keys, synchronous NORMAL; and when a file must be opened read-only.

``sql/engine.py`` runs ``configure`` on each connection its engine makes; the direct store
runs it on its own. One definition, so the two ways never differ in a PRAGMA.
"""

from __future__ import annotations

import os
import sqlite3
import time
from urllib.parse import quote

__all__ = ["SQLITE_BUSY_TIMEOUT_S", "configure", "read_only_uri", "switch_to_wal"]

SQLITE_BUSY_TIMEOUT_S = 30.0


def switch_to_wal(cursor: sqlite3.Cursor, timeout_s: float) -> None:
    """``PRAGMA journal_mode = WAL``, retried while another connection holds the new file.

    The switch needs an exclusive lock; when connections open a brand-new file at once,
    SQLite answers "database is locked" at once (deadlock avoidance skips the busy
    handler), so the wait the busy timeout would give is done here.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def configure(connection: sqlite3.Connection, timeout_s: float, *, writable_file: bool) -> None:
    """The PRAGMAs of a store's connection (``writable_file``: neither in memory nor opened
    read-only). The driver must not emit BEGIN itself: each transaction begins IMMEDIATE."""
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
    if writable_file:
        # WAL: readers never block the writer; NORMAL sync is crash-safe in WAL mode
        # (an OS crash or power cut may lose the last commits, never corrupt the file).
        switch_to_wal(cursor, timeout_s)
        cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def read_only_uri(path: str | None) -> str | None:
    """``file:…?mode=ro`` for an existing SQLite file this process may not write, else None.

    Opened read-only, the file still serves reads (sources, show, stats); a write fails
    with SQLITE_READONLY, reported as ``database_read_only``. When the directory cannot
    take the -wal/-shm files either (a read-only volume) and no writer left a -wal behind,
    the file is opened immutable: nothing can change it, so SQLite need not lock it.
    """
    if not path or not os.path.isfile(path):
        return None
    directory = os.path.dirname(os.path.abspath(path))
    if os.access(path, os.W_OK) and os.access(directory, os.W_OK):
        return None
    uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
    if not os.access(directory, os.W_OK) and not os.path.exists(f"{path}-wal"):
        uri += "&immutable=1"
    return uri
