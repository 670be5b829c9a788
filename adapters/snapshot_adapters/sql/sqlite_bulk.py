"""Bulk ingest on SQLite: rows encoded in one pass, written by multi-row INSERTs in batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, islice

from sqlalchemy import Connection

from snapshot_core.domain import EstimateRow

from .bulk import COLUMNS
from .encodings import (
    AMOUNT_SCALE,
    EPOCH,
    KEY_PREFIXES,
    MICROS_PER_DAY,
    ONE_MICROSECOND,
    OUTCOME_CODES,
    WeekKeys,
    amount_columns,
)

__all__ = ["executemany_rows", "sqlite_rows"]

_PER_STATEMENT = 45  # rows per INSERT: 450 parameters, under even old SQLite's limit of 999
_BATCH = 100 * _PER_STATEMENT  # rows per executemany: memory stays flat whatever the input
_ROW = f"({', '.join('?' * len(COLUMNS))})"
_INSERT = f"INSERT INTO estimates ({', '.join(COLUMNS)}) VALUES "
_INSERT_ONE = _INSERT + _ROW
# Many rows per statement: SQLite's per-statement work (reset, bind, step) is a good part
# of a one-row insert, so this writes a million rows about a third faster.
_INSERT_MANY = _INSERT + ", ".join([_ROW] * _PER_STATEMENT)
_PARAMETERS = len(COLUMNS) * _PER_STATEMENT

SqliteRow = tuple[int, int, str | None, str, int, int, int | None, int, int | None, int | None]


def sqlite_rows(
    source_key: int, first_seq: int, rows: Iterable[EstimateRow]
) -> Iterator[SqliteRow]:
    """Each row as the estimates table stores it on SQLite: the amount's order-preserving key
    and scaled integer, timestamps as microseconds since the epoch (``UtcMicroseconds``),
    the ISO week key and whole latency days (computed from those integers by
    the rules of ``iso_week_label`` and ``latency_days``; property tests compare the
    pushed-down tally with the core's), and the outcome code (``OUTCOME_CODES``).

    This runs once per row of a huge file, so it is spelled out: one pass, no conversion
    made twice, the week key cached per day.
    """
    weeks = WeekKeys()
    epoch, micro, day, outcomes = EPOCH, ONE_MICROSECOND, MICROS_PER_DAY, OUTCOME_CODES
    prefixes, pad = KEY_PREFIXES, "0" * AMOUNT_SCALE
    for seq, row in enumerate(rows, first_seq):
        sent = (row.sent_at - epoch) // micro  # epoch_micros, inlined
        decided_at = row.decided_at
        if decided_at is None:
            decided = latency = None
        else:
            decided = (decided_at - epoch) // micro
            latency = (decided - sent) // day  # a floor, as latency_days is
        # amount_columns, inlined for a plain amount below 1e14 (its scaled value, under
        # 1e18, needs no cap): both columns from one str().
        amount = row.amount
        whole, _, fraction = str(amount).partition(".")
        if len(whole) < 15 and whole.isdigit() and (fraction.isdigit() or not fraction):
            # Truncating the fraction to AMOUNT_SCALE digits is the floor of an amount >= 0.
            key = prefixes[len(whole)] + whole + "." + fraction.rstrip("0")
            scaled = int(whole + (fraction + pad)[:AMOUNT_SCALE])
        else:
            key, scaled = amount_columns(amount)
        yield (
            source_key,
            seq,
            row.estimate_id,
            key,
            scaled,
            sent,
            decided,
            weeks[sent // day],
            latency,
            outcomes[row.outcome],
        )


def executemany_rows(connection: Connection, rows: Iterator[SqliteRow]) -> int:
    """Batched executemany through SQLAlchemy (so statement events still see it): the rows
    of a batch flattened into ``_PER_STATEMENT``-row statements, the rest one by one."""
    count = 0
    while batch := list(islice(rows, _BATCH)):
        whole = len(batch) // _PER_STATEMENT
        if whole:
            values = chain.from_iterable(batch)
            groups = [tuple(islice(values, _PARAMETERS)) for _ in range(whole)]
            connection.exec_driver_sql(_INSERT_MANY, groups)
        if len(batch) > whole * _PER_STATEMENT:
            connection.exec_driver_sql(_INSERT_ONE, batch[whole * _PER_STATEMENT :])
        count += len(batch)
    return count
