"""Which storage error a driver's failure stands for, and its detail (never with a password),
without SQLAlchemy: ``sql/errors.py`` applies it to SQLAlchemy's wrapped errors, the direct
store to ``sqlite3``'s own."""

from __future__ import annotations

import sqlite3

from snapshot_core.domain import (
    DatabaseDiskFullError,
    DatabaseIoError,
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
    redact_text,
    redact_url,
)

__all__ = ["failure_of", "sqlite_error_is_unavailable", "storage_failure"]

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


def storage_failure(error: BaseException) -> type[DatabaseUnavailableError] | None:
    """The specific storage error ``error`` (a driver's, or SQLAlchemy's around one: its
    ``orig``) stands for, if it is one of the known causes."""
    cause = getattr(error, "orig", None) or error
    name = str(getattr(cause, "sqlite_errorname", "") or "")
    sqlstate = str(getattr(cause, "sqlstate", "") or "")
    # The message only for an SQLite error without a result code: other drivers' messages
    # may quote user data.
    text = str(cause).lower() if isinstance(cause, sqlite3.Error) and not name else ""
    for kind, names, states, phrase in _CAUSES:
        if (name and name.startswith(names)) or sqlstate in states or (text and phrase in text):
            return kind
    return None


def sqlite_error_is_unavailable(error: sqlite3.Error) -> bool:
    """What ``errors.database_errors`` turns into a storage error, for ``sqlite3``'s own
    error: SQLAlchemy wraps ``OperationalError`` and ``InterfaceError`` as such, the exact
    ``DatabaseError`` (a file that is not a database) as its own, and sees a closed
    connection as a disconnect (pysqlite's ``is_disconnect``)."""
    return (
        storage_failure(error) is not None
        or isinstance(error, sqlite3.OperationalError | sqlite3.InterfaceError)
        or type(error) is sqlite3.DatabaseError
        or (
            isinstance(error, sqlite3.ProgrammingError)
            and "Cannot operate on a closed database." in str(error)
        )
    )


def failure_of(
    cause: BaseException, rendered_url: str, password: str | None
) -> DatabaseUnavailableError:
    """The storage error for the driver's ``cause`` on the database of ``rendered_url`` (the
    URL as text, password and all): its first line after the redacted URL."""
    first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    # The driver's text may quote any piece of the URL (a host that swallowed half of a
    # password with an @ in it): every piece of the password is masked wherever it appears.
    detail = redact_text(f"{redact_url(rendered_url)}: {first_line}", rendered_url)
    if password:
        detail = detail.replace(str(password), "***")
    return (storage_failure(cause) or DatabaseUnavailableError)(detail)
