"""DirectStore: the SQL store of a ``sqlite:///FILE`` at the head revision, on one plain
``sqlite3`` connection; any other database is handed to today's ``SqlStore``.

``direct_store`` says whether a URL may take this way at all; the store itself opens the
file on its first unit of work and checks it as ``SqlStore`` would (an existing file this
process may write, recorded at ``HEAD_REVISION``). Anything else (a new or outdated file to
migrate, a read-only file, one that is not a database, any SQLite error while checking)
makes every unit of work a ``SqlStore``'s, which then migrates or names the error as always.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from ..revision import HEAD_REVISION, recorded_sqlite_revision
from . import sqlite_setup
from .unit_of_work import DirectUnitOfWork

if TYPE_CHECKING:
    from snapshot_core.ports import UnitOfWork

    from ..store import SqlStore
    from .fallback import SharedEngine

__all__ = ["DirectStore", "direct_store", "open_head_file"]

_enabled = True  # tests set it False to run today's path (never an environment variable)

# A plain file URL whose text SQLAlchemy renders back unchanged (its error details quote
# it): no query, no characters it would percent-encode.
_PLAIN_FILE_URL = re.compile(r"sqlite:///([A-Za-z0-9_./ -]+)")


Loading = Callable[[], AbstractContextManager[object]]


def direct_store(database_url: str, *, loading: Loading = nullcontext) -> DirectStore | None:
    """A ``DirectStore`` for this URL, or ``None`` when it must take ``SqlStore``.

    ``loading``: the block SQLAlchemy and the SQL store are loaded in, when first needed
    (the CLI's ``loading``, which pauses garbage collection, as it does for ``SqlStore``)."""
    if not _enabled:
        return None
    plain = _PLAIN_FILE_URL.fullmatch(database_url)
    if plain is None or plain.group(1).strip() != plain.group(1):
        return None
    return DirectStore(database_url, plain.group(1), loading=loading)


class DirectStore:
    """Calling the store returns a fresh unit of work (one process, one thread at a time)."""

    def __init__(self, url: str, path: str, *, loading: Loading = nullcontext) -> None:
        self.url = url
        self.path = path
        self.loading = loading
        self.connection: sqlite3.Connection | None = None
        self.shared_engine: SharedEngine | None = None
        self._sql_store: SqlStore | None = None

    def __call__(self) -> UnitOfWork:
        if self.connection is None and self._sql_store is None:
            self.connection = open_head_file(self.path)
            if self.connection is None:
                with self.loading():
                    from ..store import create_sql_store

                    self._sql_store = create_sql_store(self.url)
        if self._sql_store is not None:
            return self._sql_store()
        return DirectUnitOfWork(self)

    unit_of_work = __call__

    def __repr__(self) -> str:
        return f"DirectStore({self.url!r})"

    @property
    def direct(self) -> bool:
        """Whether the units of work are direct ones (known after the first)."""
        return self.connection is not None

    def dispose(self) -> None:
        """Close the connection (the store can still be used afterwards)."""
        if self.shared_engine is not None:
            self.shared_engine.dispose()
            self.shared_engine = None
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self._sql_store is not None:
            self._sql_store.dispose()


def open_head_file(path: str) -> sqlite3.Connection | None:
    """A connection to the file at ``path``, set up as the engine sets up its own, if it is
    one the direct store serves exactly as ``SqlStore`` would; else ``None``."""
    if not os.path.isfile(path) or sqlite_setup.read_only_uri(path) is not None:
        return None
    timeout = sqlite_setup.SQLITE_BUSY_TIMEOUT_S
    try:
        connection = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        sqlite_setup.configure(connection, timeout, writable_file=True)
        if recorded_sqlite_revision(connection) == HEAD_REVISION:
            return connection
    except sqlite3.Error:
        pass
    connection.close()
    return None
