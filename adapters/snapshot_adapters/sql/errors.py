"""Turn driver failures into the domain's storage errors, with a detail that never carries a
password: a lock held too long, a read-only file, a full disk and an I/O error each get their
own code; a server down, a dropped connection or an exhausted pool are DatabaseUnavailable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc
from sqlalchemy.engine import URL

from snapshot_core.domain import DatabaseUnavailableError, redact_url

from .direct.failures import failure_of, storage_failure

__all__ = ["database_errors", "safe_url", "storage_failure", "unavailable"]


def safe_url(url: URL) -> str:
    return redact_url(url.render_as_string(hide_password=False))


def _cause(error: BaseException) -> BaseException:
    return getattr(error, "orig", None) or error


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
    raw = url.render_as_string(hide_password=False)
    return failure_of(_cause(error), raw, url.password)


@contextmanager
def database_errors(url: URL) -> Iterator[None]:
    """Re-raise connection-level failures as ``DatabaseUnavailableError``; others unchanged."""
    try:
        yield
    except exc.SQLAlchemyError as error:
        if _is_unavailable(error):
            raise unavailable(error, url) from error
        raise
