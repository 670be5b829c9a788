"""Bulk ingest on SQLite: rows encoded in one pass, written by multi-row INSERTs in batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextvars import copy_context
from decimal import Decimal
from itertools import chain, islice, repeat
from operator import floordiv
from queue import Queue
from threading import Thread

from sqlalchemy import Connection

from snapshot_core.domain.estimate_columns import EstimateColumns

from .bulk import COLUMNS
from .encodings import (
    AMOUNT_SCALE,
    KEY_PREFIXES,
    MICROS_PER_DAY,
    OUTCOME_CODES,
    WeekKeys,
    amount_columns,
)

__all__ = ["amount_column_pairs", "executemany_batches", "sqlite_column_rows"]

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


def sqlite_column_rows(
    source_key: int, first_seq: int, batches: Iterable[EstimateColumns]
) -> Iterator[list[SqliteRow]]:
    """Each row as the estimates table stores it on SQLite, a list of rows a batch: the
    amount's order-preserving key and scaled integer, timestamps as microseconds since the
    epoch (``UtcMicroseconds``), the ISO week key and whole latency days (computed from those
    integers by the rules of ``iso_week_label`` and ``latency_days``; property tests compare
    the pushed-down tally with the core's), and the outcome code (``OUTCOME_CODES``).

    This runs for every row of a huge file, so each column is computed in one pass, the week
    key cached per day."""
    weeks = WeekKeys()
    day, outcomes, seq = MICROS_PER_DAY, OUTCOME_CODES, first_seq
    for batch in batches:
        count = len(batch)
        sent = batch.sent_at
        keys, scaled = amount_column_pairs(batch.amounts)
        latency = [
            None if decided is None else (decided - sent_at) // day  # a floor, as latency_days
            for decided, sent_at in zip(batch.decided_at, sent, strict=True)
        ]
        yield list(
            zip(
                repeat(source_key, count),
                range(seq, seq + count),
                batch.estimate_ids,
                keys,
                scaled,
                sent,
                batch.decided_at,
                map(weeks.__getitem__, map(floordiv, sent, repeat(day, count))),
                latency,
                repeat(None, count)
                if batch.outcomes is None
                else map(outcomes.get, batch.outcomes),
                strict=True,
            )
        )
        seq += count


def amount_column_pairs(texts: list[str]) -> tuple[list[str], list[int]]:
    """``amount_columns(Decimal(text))`` of each text, split into keys and scaled values:
    column-wise from the texts themselves when all are plain digits (leading zeros allowed)
    with fewer than 15 integer digits, as ``Decimal(text)`` would give them; else one by
    one."""
    parts = [text.partition(".") for text in texts]
    wholes = [whole for whole, _, _ in parts]
    fractions = [fraction for _, _, fraction in parts]
    digits = "".join(wholes) + "".join(fractions)
    if digits.isdigit() and digits.isascii():
        wholes = [whole.lstrip("0") or "0" for whole in wholes]
        if max(map(len, wholes), default=0) < 15:  # scaled < 1e18: under the cap
            prefixes, pad = KEY_PREFIXES, "0" * AMOUNT_SCALE
            # Truncating the fraction to AMOUNT_SCALE digits is the floor of an amount >= 0.
            keys = [
                f"{prefixes[len(whole)]}{whole}.{fraction.rstrip('0')}"
                for whole, fraction in zip(wholes, fractions, strict=True)
            ]
            scaled = [
                int(whole + (fraction + pad)[:AMOUNT_SCALE])
                for whole, fraction in zip(wholes, fractions, strict=True)
            ]
            return keys, scaled
    pairs = [amount_columns(Decimal(text)) for text in texts]
    return [key for key, _ in pairs], [scaled for _, scaled in pairs]


def executemany_batches(connection: Connection, batches: Iterator[list[SqliteRow]]) -> int:
    """The rows written by batched executemany through SQLAlchemy (so statement events still
    see it): flattened into ``_PER_STATEMENT``-row statements, the rest one by one.

    Past the first ``_BATCH`` rows a second thread writes while this one reads on:
    sqlite3 lets go of the GIL while SQLite works, so the B-tree work overlaps reading
    the file. The queue between them is short (memory stays flat); the writer's error is
    raised here, as it would have been without it, and nothing is left running."""
    chunks = _chunks(batches)
    first = next(chunks, None)
    if first is None:
        return 0
    following = next(chunks, None)
    if following is None:  # a small ingest: no thread for it
        _execute(connection, first)
        return len(first)
    queue: Queue[list[SqliteRow] | None] = Queue(maxsize=_QUEUED)
    failure: list[BaseException] = []
    writer = Thread(
        target=copy_context().run,  # the statement events' context (tracing) goes along
        args=(_write, connection, queue, failure),
        name="sqlite-writer",
        daemon=True,
    )
    writer.start()
    count = 0
    try:
        for chunk in chain((first, following), chunks):
            if failure:
                break
            queue.put(chunk)
            count += len(chunk)
    finally:
        _finish(queue, writer)
    if failure:
        raise failure[0]
    return count


_QUEUED = 1  # a chunk waiting for the writer while it writes another: memory stays flat


def _chunks(batches: Iterator[list[SqliteRow]]) -> Iterator[list[SqliteRow]]:
    """The rows in lists of about ``_BATCH``: fewer hand-overs, and whole statements."""
    gathered: list[SqliteRow] = []
    for batch in batches:
        gathered += batch
        if len(gathered) >= _BATCH:
            yield gathered
            gathered = []
    if gathered:
        yield gathered


def _write(
    connection: Connection, queue: Queue[list[SqliteRow] | None], failure: list[BaseException]
) -> None:
    while (chunk := queue.get()) is not None:
        if failure:
            continue  # drained, so the reader never waits on a full queue
        try:
            _execute(connection, chunk)
        except BaseException as error:  # raised by the reader, in its thread
            failure.append(error)


def _finish(queue: Queue[list[SqliteRow] | None], writer: Thread) -> None:
    """Tells the writer to end and waits for it, even through Ctrl-C (a second one too, while
    the queue is full): the transaction is rolled back only once nothing else uses the
    connection; the interrupt is raised afterwards."""
    interrupted: KeyboardInterrupt | None = None
    while True:
        try:
            queue.put(None)
            break
        except KeyboardInterrupt as error:
            interrupted = error
    while writer.is_alive():
        try:
            writer.join()
        except KeyboardInterrupt as error:
            interrupted = error
    if interrupted is not None:
        raise interrupted


def _execute(connection: Connection, batch: list[SqliteRow]) -> None:
    whole = len(batch) // _PER_STATEMENT
    if whole:
        values = chain.from_iterable(batch)
        groups = [tuple(islice(values, _PARAMETERS)) for _ in range(whole)]
        connection.exec_driver_sql(_INSERT_MANY, groups)
    if len(batch) > whole * _PER_STATEMENT:
        connection.exec_driver_sql(_INSERT_ONE, batch[whole * _PER_STATEMENT :])
