"""Bulk ingest on SQLite: rows encoded in one pass, written by multi-row INSERTs in batches."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextvars import copy_context
from decimal import Decimal
from itertools import chain, repeat
from operator import floordiv
from queue import Queue
from threading import Thread

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

__all__ = [
    "MISSING",
    "ExecuteMany",
    "amount_column_pairs",
    "executemany_batches",
    "sqlite_column_rows",
    "sqlite_column_values",
]

_PER_STATEMENT = 45  # rows per INSERT: 450 parameters, under even old SQLite's limit of 999
_BATCH = 100 * _PER_STATEMENT  # rows per executemany: memory stays flat whatever the input
_INSERT = f"INSERT INTO estimates ({', '.join(COLUMNS)}) VALUES "


# A missing decision's decided_at and latency_days are bound as this and stored as NULL:
# sqlite3 binds None only after two failed look-ups for an adapter (an exception each).
# No instant a datetime holds (|micros| < 2**58) nor a latency (>= 0) is this value.
MISSING = -(2**62)
_PLACES = {"decided_at": f"NULLIF(?, {MISSING})", "latency_days": f"NULLIF(?, {MISSING})"}


class _Statements:
    """The INSERTs for rows of ``width`` values: the outcome (the last column) bound, or,
    when no row of a batch has one, written as NULL; a missing decision as ``MISSING``."""

    def __init__(self, width: int) -> None:
        places = [_PLACES.get(name, "?") for name in COLUMNS[:width]]
        row = f"({', '.join(places + ['NULL'] * (len(COLUMNS) - width))})"
        self.width = width
        self.parameters = width * _PER_STATEMENT
        self.one = _INSERT + row
        # Many rows per statement: SQLite's per-statement work (reset, bind, step) is a good
        # part of a one-row insert, so this writes a million rows about a third faster.
        self.many = _INSERT + ", ".join([row] * _PER_STATEMENT)


_WITH_OUTCOMES = _Statements(len(COLUMNS))
_NO_OUTCOMES = _Statements(len(COLUMNS) - 1)
SqliteChunk = tuple[_Statements, list[object]]  # whole rows' values, row after row

SqliteRow = tuple[int, int, str | None, str, int, int, int | None, int, int | None, int | None]


def sqlite_column_rows(
    source_key: int, first_seq: int, batches: Iterable[EstimateColumns]
) -> Iterator[list[SqliteRow]]:
    """Each row as the estimates table stores it on SQLite, a list of rows a batch: the
    amount's order-preserving key and scaled integer, timestamps as microseconds since the
    epoch (``UtcMicroseconds``), the ISO week key and whole latency days (computed from those
    integers by the rules of ``iso_week_label`` and ``latency_days``; property tests compare
    the pushed-down tally with the core's), and the outcome code (``OUTCOME_CODES``). The
    store writes ``sqlite_column_values``; these rows are what the tests hold it to."""
    for _, columns in _sqlite_columns(source_key, first_seq, batches):
        yield list(zip(*columns, strict=True))


def sqlite_column_values(
    source_key: int, first_seq: int, batches: Iterable[EstimateColumns]
) -> Iterator[SqliteChunk]:
    """``sqlite_column_rows`` flattened, as ``executemany_batches`` binds them: a batch's
    values row after row in one list (no tuple made a row), without the outcome when no row
    of the batch has one; with the statements for them."""
    for batch, columns in _sqlite_columns(source_key, first_seq, batches, MISSING):
        statements = _WITH_OUTCOMES if batch.outcomes is not None else _NO_OUTCOMES
        width = statements.width
        # Each column put in its place in one C-level pass (an extended slice assignment):
        # no tuple a row, nor a call a value.
        values: list[object] = [None] * (len(batch) * width)
        for place, column in enumerate(columns[:width]):
            values[place::width] = column if isinstance(column, list) else list(column)
        yield statements, values


def _sqlite_columns(
    source_key: int, first_seq: int, batches: Iterable[EstimateColumns], missing: int | None = None
) -> Iterator[tuple[EstimateColumns, tuple[Iterable[object], ...]]]:
    """Each batch with the columns of its ``sqlite_column_rows`` (a missing decision's
    decided_at and latency_days as ``missing``). This runs for every row of a huge file, so
    each column is computed in one pass, the week key cached per day."""
    weeks = WeekKeys()
    day, outcomes, seq = MICROS_PER_DAY, OUTCOME_CODES, first_seq
    for batch in batches:
        count = len(batch)
        sent = batch.sent_at
        keys, scaled = amount_column_pairs(batch.amounts)
        decided_at: list[int | None] = batch.decided_at
        latency = [
            missing if decided is None else (decided - sent_at) // day  # a floor, as latency_days
            for decided, sent_at in zip(decided_at, sent, strict=True)
        ]
        if missing is not None and None in decided_at:
            decided_at = [missing if decided is None else decided for decided in decided_at]
        yield (
            batch,
            (
                repeat(source_key, count),
                range(seq, seq + count),
                batch.estimate_ids,
                keys,
                scaled,
                sent,
                decided_at,
                map(weeks.__getitem__, map(floordiv, sent, repeat(day, count))),
                latency,
                repeat(None, count)
                if batch.outcomes is None
                else map(outcomes.get, batch.outcomes),
            ),
        )
        seq += count


# Amounts to the cent, a line each: 1 to 14 integer digits (no leading zero but a lone 0).
_CENTS = re.compile(r"(?:(?:[1-9][0-9]{0,13}|0)\.[0-9]{2}\n)*")
_CENT_SCALE = 10 ** (AMOUNT_SCALE - 2)


def amount_column_pairs(texts: list[str]) -> tuple[list[str], list[int]]:
    """``amount_columns(Decimal(text))`` of each text, split into keys and scaled values:
    column-wise from the texts themselves when all are plain digits (leading zeros allowed)
    with fewer than 15 integer digits, as ``Decimal(text)`` would give them; else one by
    one."""
    lines = "\n".join(texts) + "\n"
    # The common case (money to the cent) in three passes: no partition, no f-string.
    if _CENTS.fullmatch(lines) and lines.count("\n") == len(texts):  # a text a line
        prefixes = KEY_PREFIXES
        # The point stops rstrip: `6300.00` -> `6300.`, as the fraction without its zeros.
        keys = [prefixes[len(text) - 3] + text.rstrip("0") for text in texts]
        return keys, [int(text.replace(".", "")) * _CENT_SCALE for text in texts]
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


# Runs one statement for each of many parameter tuples on the unit of work's connection:
# SQLAlchemy's ``Connection.exec_driver_sql`` (so statement events still see it), or the
# direct store's ``sqlite3.Connection.executemany``.
ExecuteMany = Callable[[str, list[tuple[object, ...]]], object]


def executemany_batches(connection: ExecuteMany, batches: Iterator[SqliteChunk]) -> int:
    """The rows written by batched executemany (``connection``), ``batches`` as
    ``sqlite_column_values`` gives them: ``_PER_STATEMENT``-row statements, the rest one
    by one.

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
        return _execute(connection, first)
    queue: Queue[SqliteChunk | None] = Queue(maxsize=_QUEUED)
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
            count += len(chunk[1]) // chunk[0].width
    finally:
        _finish(queue, writer)
    if failure:
        raise failure[0]
    return count


_QUEUED = 1  # a chunk waiting for the writer while it writes another: memory stays flat


def _chunks(batches: Iterator[SqliteChunk]) -> Iterator[SqliteChunk]:
    """The values of about ``_BATCH`` rows a list, written by the same statements: fewer
    hand-overs, and whole statements (in file order: a change of statements ends one)."""
    gathered: list[object] = []
    statements = _NO_OUTCOMES
    for batch_statements, values in batches:
        if batch_statements is not statements:
            if gathered:
                yield statements, gathered
                gathered = []
            statements = batch_statements
        gathered += values
        if len(gathered) >= _BATCH * statements.width:
            yield statements, gathered
            gathered = []
    if gathered:
        yield statements, gathered


def _write(
    connection: ExecuteMany, queue: Queue[SqliteChunk | None], failure: list[BaseException]
) -> None:
    while (chunk := queue.get()) is not None:
        if failure:
            continue  # drained, so the reader never waits on a full queue
        try:
            _execute(connection, chunk)
        except BaseException as error:  # raised by the reader, in its thread
            failure.append(error)


def _finish(queue: Queue[SqliteChunk | None], writer: Thread) -> None:
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


def _execute(connection: ExecuteMany, chunk: SqliteChunk) -> int:
    """Writes a chunk's rows; returns how many."""
    statements, values = chunk
    size, width = statements.parameters, statements.width
    whole = len(values) // size * size
    if whole:
        groups = [tuple(values[at : at + size]) for at in range(0, whole, size)]
        connection(statements.many, groups)
    if len(values) > whole:
        rows = [tuple(values[at : at + width]) for at in range(whole, len(values), width)]
        connection(statements.one, rows)
    return len(values) // width
