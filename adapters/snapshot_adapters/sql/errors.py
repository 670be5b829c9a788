"""Turn driver failures into the domain's storage errors, with a detail that never carries a
password: a lock held too long, a read-only file, a full disk and an I/O error each get their
own code; a server down, a dropped connection or an exhausted pool are DatabaseUnavailable."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc
from sqlalchemy.engine import URL

from snapshot_core.domain import (
    DatabaseDiskFullError,
    DatabaseIoError,
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
    redact_text,
    redact_url,
)

__all__ = ["database_errors", "safe_url", "storage_failure", "unavailable"]


def safe_url(url: URL) -> str:
    return redact_url(url.render_as_string(hide_password=False))


# SQLite's primary result code (``sqlite3.Error.sqlite_errorname``: SQLITE_IOERR_WRITE is an
# SQLITE_IOERR) and PostgreSQL's SQLSTATE (psycopg's ``sqlstate``), then SQLite's message for
# drivers that carry neither.
_CAUSES: tuple[
    tuple[type[DatabaseUnavailableError], tuple[str, ...], tuple[str, ...], str], ...
] = (
    (DatabaseLockedError, ("SQLITE_BUSY", "SQLITE_LOCKED"), ("55P03",), "database is locked"),
    (DatabaseReadOnlyError, ("SQLITE_READONLY",), ("25006",), "readonly database"),
    (DatabaseDiskFullError, ("SQLITE_FULL",), ("53100",), "database or disk is full"),
    (DatabaseIoError, ("SQLITE_IOERR",), ("58030",), "disk i/o error"),
)


def _cause(error: BaseException) -> BaseException:
    return getattr(error, "orig", None) or error


def storage_failure(error: BaseException) -> type[DatabaseUnavailableError] | None:
    """The specific storage error ``error`` stands for, if it is one of the known causes."""
    cause = _cause(error)
    name = str(getattr(cause, "sqlite_errorname", "") or "")
    sqlstate = str(getattr(cause, "sqlstate", "") or "")
    # The message only for an SQLite error without a result code: other drivers' messages
    # may quote user data.
    text = str(cause).lower() if isinstance(cause, sqlite3.Error) and not name else ""
    for kind, names, states, phrase in _CAUSES:
        if (name and name.startswith(names)) or sqlstate in states or (text and phrase in text):
            return kind
    return None


def _is_unavailable(error: BaseException) -> bool:
    if isinstance(error, exc.DBAPIError) and storage_failure(error) is not None:
        return True  # e.g. PostgreSQL's read-only transaction is an InternalError
    if isinstance(error, exc.DBAPIError):
        # The exact class DatabaseError (not its IntegrityError & co. subclasses) is what
        # SQLite raises for a file that is not a database at all.
        return (
            error.connection_invalidated
            or isinstance(error, exc.OperationalError | exc.InterfaceError)
            or type(error) is exc.DatabaseError
        )
    # A pool that cannot hand out a connection in time, or a connection that was invalidated
    # earlier in this transaction, is as unusable as a server that is down.
    return isinstance(error, exc.TimeoutError | exc.PendingRollbackError)


def unavailable(error: BaseException, url: URL) -> DatabaseUnavailableError:
    cause = _cause(error)
    first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    # The driver's text may quote any piece of the URL (a host that swallowed half of a
    # password with an @ in it): every piece of the password is masked wherever it appears.
    raw = url.render_as_string(hide_password=False)
    detail = redact_text(f"{safe_url(url)}: {first_line}", raw)
    if url.password:
        detail = detail.replace(str(url.password), "***")
    return (storage_failure(error) or DatabaseUnavailableError)(detail)


@contextmanager
def database_errors(url: URL) -> Iterator[None]:
    """Re-raise connection-level failures as ``DatabaseUnavailableError``; others unchanged."""
    try:
        yield
    except exc.SQLAlchemyError as error:
        if _is_unavailable(error):
            raise unavailable(error, url) from error
        raise
