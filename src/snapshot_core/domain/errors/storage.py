"""Errors of the database and job queue: unavailable, locked, full, outdated, absent."""

from __future__ import annotations

from typing import ClassVar

from .base import SnapshotError

__all__ = [
    "DatabaseDiskFullError",
    "DatabaseIoError",
    "DatabaseLockedError",
    "DatabaseOutdatedError",
    "DatabaseReadOnlyError",
    "DatabaseUnavailableError",
    "NoDatabaseError",
    "QueueUnavailableError",
]


class QueueUnavailableError(SnapshotError):
    code = "queue_unavailable"
    meaning = "The job broker or Redis (SNAPSHOT_BROKER_URL, SNAPSHOT_REDIS_URL) did not answer."
    solution = "Check that the server runs and the URL is right; nothing was enqueued."

    def __init__(self, detail: str = "") -> None:
        super().__init__("Job queue unavailable")
        self.detail = detail


class DatabaseUnavailableError(SnapshotError):
    code = "database_unavailable"
    meaning = "The database could not be reached."
    solution = "Check SNAPSHOT_DATABASE_URL and that the server is running."

    def __init__(self, detail: str = "") -> None:
        super().__init__("Database unavailable")
        self.detail = detail


class _DatabaseFailure(DatabaseUnavailableError):
    """A database that answered, but cannot do what was asked: each cause its own code.

    Subclasses of ``DatabaseUnavailableError``, so code that catches that still catches them.
    """

    message_text: ClassVar[str] = ""

    def __init__(self, detail: str = "") -> None:
        SnapshotError.__init__(self, self.message_text)
        self.detail = detail


class DatabaseLockedError(_DatabaseFailure):
    code = "database_locked"
    message_text = "Database is locked"
    meaning = (
        "Another process kept the database's write lock longer than the wait allowed "
        "(SQLite: 30 s), e.g. a large ingest; nothing was changed."
    )
    solution = (
        "Run the command again once the other one has finished; for many concurrent "
        "writers use PostgreSQL."
    )


class DatabaseReadOnlyError(_DatabaseFailure):
    code = "database_read_only"
    message_text = "Database is read-only"
    meaning = (
        "The database (its file, its directory or the volume) cannot be written by this "
        "user; read commands (sources, show, stats) still work."
    )
    solution = (
        "Make the file and its directory writable (SQLite writes -wal and -shm files beside "
        "it), or point SNAPSHOT_DATABASE_URL at a writable copy."
    )


class DatabaseDiskFullError(_DatabaseFailure):
    code = "database_disk_full"
    message_text = "Database disk is full"
    meaning = "The disk or quota holding the database is full; the change was rolled back."
    solution = "Free disk space (or raise the quota), then run the command again."


class DatabaseIoError(_DatabaseFailure):
    code = "database_io_error"
    message_text = "Database disk I/O error"
    meaning = (
        "The operating system failed to read or write the database file: a failing disk, "
        "a removed volume, or a network file system SQLite cannot lock."
    )
    solution = (
        "Check the disk and the system log; keep SQLite files on a local disk; if "
        "`PRAGMA integrity_check` fails, restore the file from a backup."
    )


class DatabaseOutdatedError(SnapshotError):
    code = "database_outdated"
    meaning = "The database schema is older than this version of the code."
    solution = "Run `snapshot db upgrade`."

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(f"Database schema is at {current or 'nothing'}, code needs {head}")
        self.current = current
        self.head = head


class NoDatabaseError(SnapshotError):
    code = "no_database"
    meaning = "A command that only reads found no database file there, and never creates one."
    solution = (
        "Run it from the directory that holds the database, or pass `--db sqlite:///PATH` "
        "(or set SNAPSHOT_DATABASE_URL); `snapshot ingest` creates a new one."
    )

    def __init__(self, path: str) -> None:
        super().__init__(f"No database at {path}")
        self.path = path
