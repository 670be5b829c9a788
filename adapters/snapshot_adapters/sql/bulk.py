"""Bulk ingest: rows prepared for bucketing, streamed by COPY (PostgreSQL) or executemany
(SQLite), inside the unit of work's transaction so a failed ingest leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import Connection, exc

from snapshot_core.domain import EstimateRow

from .types import decimal_key, scaled_amount, sqlite_datetime

__all__ = ["COLUMNS", "copy_rows", "executemany_rows", "prepare"]

COLUMNS = (
    "source_key",
    "seq",
    "estimate_id",
    "amount",
    "amount_scaled",
    "sent_at",
    "decided_at",
    "week_key",
    "latency_days",
)
_ONE_DAY = timedelta(days=1)
_SQLITE_BATCH = 5_000  # rows per executemany: memory stays flat whatever the input size
# Binary COPY skips text formatting and parsing on both sides.
_COPY_SQL = f"COPY estimates ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
_COPY_TYPES = [
    "int8",
    "int4",
    "text",
    "numeric",
    "int8",
    "timestamptz",
    "timestamptz",
    "int4",
    "int4",
]

Prepared = tuple[int, int, str | None, Decimal, int, datetime, datetime | None, int, int | None]


def prepare(source_key: int, first_seq: int, rows: Iterable[EstimateRow]) -> Iterator[Prepared]:
    """Each row with its sequence number, scaled amount (``types.scaled_amount``), ISO week key
    (year * 100 + week of ``sent_at`` in UTC) and whole latency days: the same rules as
    ``iso_week_label`` and ``latency_days``."""
    for seq, row in enumerate(rows, first_seq):
        sent = row.sent_at
        if sent.tzinfo is not UTC:
            sent = sent.astimezone(UTC)
        year, week, _ = sent.isocalendar()
        decided = row.decided_at
        latency = None if decided is None else (decided - sent) // _ONE_DAY
        amount = row.amount
        yield (
            source_key,
            seq,
            row.estimate_id,
            amount,
            scaled_amount(amount),
            sent,
            decided,
            year * 100 + week,
            latency,
        )


def copy_rows(connection: Connection, prepared: Iterator[Prepared]) -> int:
    """Stream rows with psycopg 3's COPY on the unit of work's own connection."""
    driver: Any = connection.connection.driver_connection
    dbapi = connection.dialect.loaded_dbapi
    count = 0
    try:
        with driver.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:
            copy.set_types(_COPY_TYPES)
            write = copy.write_row
            for values in prepared:
                write(values)
                count += 1
    except dbapi.Error as error:
        # Wrapped as SQLAlchemy wraps every other statement's errors (IntegrityError, ...).
        raise exc.DBAPIError.instance(_COPY_SQL, None, error, dbapi.Error) from error
    return count


def _sqlite_values(values: Prepared) -> tuple[Any, ...]:
    source_key, seq, estimate_id, amount, scaled, sent, decided, week_key, latency = values
    return (
        source_key,
        seq,
        estimate_id,
        decimal_key(amount),
        scaled,
        sqlite_datetime(sent),
        None if decided is None else sqlite_datetime(decided),
        week_key,
        latency,
    )


def executemany_rows(connection: Connection, prepared: Iterator[Prepared]) -> int:
    """Batched executemany through SQLAlchemy (so statement events still see it)."""
    sql = f"INSERT INTO estimates ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    count = 0
    while batch := [_sqlite_values(values) for values in islice(prepared, _SQLITE_BATCH)]:
        connection.exec_driver_sql(sql, batch)
        count += len(batch)
    return count
