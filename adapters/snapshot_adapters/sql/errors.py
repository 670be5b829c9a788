"""Turn driver failures (server down, connection dropped, pool exhausted) into the domain's
DatabaseUnavailableError, with a detail that never carries a password."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc
from sqlalchemy.engine import URL

from snapshot_core.domain import DatabaseUnavailableError, redact_text, redact_url

__all__ = ["database_errors", "safe_url", "unavailable"]


def safe_url(url: URL) -> str:
    return redact_url(url.render_as_string(hide_password=False))


def _is_unavailable(error: BaseException) -> bool:
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
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    # The driver's text may quote any piece of the URL (a host that swallowed half of a
    # password with an @ in it): every piece of the password is masked wherever it appears.
    raw = url.render_as_string(hide_password=False)
    detail = redact_text(f"{safe_url(url)}: {first_line}", raw)
    if url.password:
        detail = detail.replace(str(url.password), "***")
    return DatabaseUnavailableError(detail)


@contextmanager
def database_errors(url: URL) -> Iterator[None]:
    """Re-raise connection-level failures as ``DatabaseUnavailableError``; others unchanged."""
    try:
        yield
    except exc.SQLAlchemyError as error:
        if _is_unavailable(error):
            raise unavailable(error, url) from error
        raise
