"""Engines: SQLite tuned for many writers (WAL, busy timeout, BEGIN IMMEDIATE); PostgreSQL pooled.

pysqlite, left alone, starts transactions lazily and only before writes, so a read followed by
a write can fail at once with "database is locked" whatever the busy timeout. The documented
SQLAlchemy recipe takes BEGIN away from the driver; every transaction here begins IMMEDIATE,
taking SQLite's single write lock up front (waiting for it up to the busy timeout).
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.pool import StaticPool

from snapshot_core.domain import InvalidSettingsError, redact_url

from .direct import sqlite_setup

__all__ = ["SQLITE_BUSY_TIMEOUT_S", "is_memory_sqlite", "make_engine", "normalize_url"]

# The same value, read from here at each use by this module: tests shorten this one for the
# SQLAlchemy engine, and sqlite_setup's for the direct store.
SQLITE_BUSY_TIMEOUT_S = sqlite_setup.SQLITE_BUSY_TIMEOUT_S
# A pooled PostgreSQL connection idle for longer than this is pinged before use. One used
# more recently is trusted: a busy worker would otherwise pay one round trip per unit of
# work (two per snapshot). A server restart inside that window fails one statement, as a
# disconnect (DatabaseUnavailableError, retried by jobs and by the save), and SQLAlchemy then
# replaces every connection of the pool.
PING_AFTER_IDLE_SECONDS = 5.0
_PG_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg"}


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL; plain ``postgresql://`` means psycopg 3 here.

    A URL that cannot be parsed or names another database is ``InvalidSettingsError``,
    quoting the URL only redacted (the parser's own text could hold a piece of a password).
    """
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except (ArgumentError, ValueError):  # e.g. a bad port
        raise _invalid(f"not a database URL: {redact_url(str(url))}") from None
    if parsed.drivername in _PG_DRIVERS:
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.get_driver_name() == "pysqlite":
        return parsed
    raise _invalid(
        f"unsupported database URL scheme {parsed.drivername!r}: "
        "use sqlite:///FILE or postgresql+psycopg://..."
    )


def _invalid(problem: str) -> InvalidSettingsError:
    return InvalidSettingsError([f"SNAPSHOT_DATABASE_URL: {problem}"])


def is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(
    url: str | URL, *, pool_size: int | None = None, max_overflow: int | None = None
) -> Engine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, pool_size, max_overflow)
    return _postgres_engine(parsed, pool_size, max_overflow)


def _postgres_engine(url: URL, pool_size: int | None, max_overflow: int | None) -> Engine:
    defaults = {"connect_timeout": 10, "application_name": "snapshot-orchestrator"}
    engine = create_engine(
        url,
        pool_size=10 if pool_size is None else pool_size,
        max_overflow=20 if max_overflow is None else max_overflow,
        pool_timeout=30,
        # Defaults only: the same options given in the URL's query string win.
        connect_args={key: value for key, value in defaults.items() if key not in url.query},
    )
    _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: Engine) -> None:
    """SQLAlchemy's pre-ping, only for connections idle past ``PING_AFTER_IDLE_SECONDS``: a
    connection the server dropped while idle is replaced, not used (SQLAlchemy's documented
    pessimistic recipe: raising DisconnectionError on checkout makes the pool reconnect)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("checked_in_at", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # just connected, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(str(error)) from error


def _sqlite_engine(url: URL, pool_size: int | None, max_overflow: int | None) -> Engine:
    memory = is_memory_sqlite(url)
    read_only = None if memory else sqlite_setup.read_only_uri(url.database)
    options: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
    }
    if read_only is not None:
        options["creator"] = lambda: sqlite3.connect(
            read_only, uri=True, check_same_thread=False, timeout=SQLITE_BUSY_TIMEOUT_S
        )
    if memory:
        options["poolclass"] = StaticPool  # one connection, or each would be its own database
    else:
        options["pool_size"] = 5 if pool_size is None else pool_size
        options["max_overflow"] = 10 if max_overflow is None else max_overflow
        options["pool_timeout"] = SQLITE_BUSY_TIMEOUT_S
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        writable_file = not memory and read_only is None
        sqlite_setup.configure(dbapi_connection, SQLITE_BUSY_TIMEOUT_S, writable_file=writable_file)

    # Read-only: a plain BEGIN, since IMMEDIATE asks for the write lock it cannot have.
    begin = "BEGIN" if read_only is not None else "BEGIN IMMEDIATE"

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine
