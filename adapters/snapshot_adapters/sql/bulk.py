"""Bulk ingest on PostgreSQL: rows prepared for bucketing, streamed by binary COPY."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from snapshot_core.domain import EstimateRow

from .encodings import EPOCH, OUTCOME_CODES, WeekKeys, scaled_amount

if TYPE_CHECKING:  # SQLAlchemy is not loaded for COLUMNS (the SQLite direct store's ingest)
    from sqlalchemy import Connection

__all__ = ["COLUMNS", "copy_rows", "prepare"]

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
    "outcome",
)
_EPOCH_ORDINAL = EPOCH.toordinal()
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
    "int2",
]

Prepared = tuple[
    int, int, str | None, Decimal, int, datetime, datetime | None, int, int | None, int | None
]


def prepare(source_key: int, first_seq: int, rows: Iterable[EstimateRow]) -> Iterator[Prepared]:
    """Each row with its sequence number, scaled amount (``encodings.scaled_amount``), ISO week
    key (year * 100 + week of ``sent_at`` in UTC), whole latency days (the same rules as
    ``iso_week_label`` and ``latency_days``) and outcome code (``OUTCOME_CODES``)."""
    weeks = WeekKeys()
    outcomes = OUTCOME_CODES
    for seq, row in enumerate(rows, first_seq):
        sent = row.sent_at
        if sent.tzinfo is not UTC:
            sent = sent.astimezone(UTC)
        decided = row.decided_at
        amount = row.amount
        yield (
            source_key,
            seq,
            row.estimate_id,
            amount,
            scaled_amount(amount),
            sent,
            decided,
            weeks[sent.toordinal() - _EPOCH_ORDINAL],
            # A timedelta keeps seconds and microseconds non-negative, so .days is the floor.
            None if decided is None else (decided - sent).days,
            outcomes[row.outcome],
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
        from sqlalchemy import exc

        # Wrapped as SQLAlchemy wraps every other statement's errors (IntegrityError, ...).
        raise exc.DBAPIError.instance(_COPY_SQL, None, error, dbapi.Error) from error
    return count
