"""SQLite's bulk writes from a second thread: every row stored in order, a reader's error
stopping it, nothing left running (a full disk met by it: test_sql_storage_errors.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from snapshot_adapters.fake import FixedClock, synthetic_estimates
from snapshot_adapters.sql import create_sql_store, sqlite_bulk
from snapshot_core.domain import (
    DEFAULT_BAND_SCHEME,
    Source,
    tally_estimates,
)
from snapshot_core.domain.estimate_columns import EstimateColumns

from .flows import USER, orchestrator

ROWS = 3 * sqlite_bulk._BATCH + 17  # several hand-overs to the writer, and a last partial one


def _writers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "sqlite-writer"]


def test_column_batches_written_by_the_writer_are_all_stored_in_order(sqlite_url: str) -> None:
    store = create_sql_store(sqlite_url)
    app = orchestrator(store)
    sample = list(synthetic_estimates(ROWS, seed=2))
    batches = [EstimateColumns.of_rows(sample[at : at + 500]) for at in range(0, ROWS, 500)]
    try:
        app.list_sources(user_id=USER)
        with store() as uow:
            uow.sources.add(Source(source_id="s", user_id=USER, created_at=FixedClock().now()))
            assert uow.estimates.add_columns("s", iter(batches)) == ROWS
            uow.commit()
        with store() as uow:
            assert uow.estimates.tally("s", DEFAULT_BAND_SCHEME) == tally_estimates(sample)
            seqs = [row[0] for row in uow.connection.exec_driver_sql("SELECT seq FROM estimates")]
        assert sorted(seqs) == list(range(1, ROWS + 1))
    finally:
        store.dispose()
    assert not _writers()


def test_an_error_while_reading_stops_the_writer_and_nothing_is_stored(sqlite_url: str) -> None:
    store = create_sql_store(sqlite_url)
    app = orchestrator(store)
    sample = list(synthetic_estimates(ROWS, seed=4))

    class Broken(RuntimeError):
        pass

    def batches() -> Iterator[EstimateColumns]:
        for at in range(0, ROWS, 500):
            if at >= 2 * sqlite_bulk._BATCH:  # the writer is at work by now
                raise Broken("the file went away")
            yield EstimateColumns.of_rows(sample[at : at + 500])

    try:
        app.list_sources(user_id=USER)
        with pytest.raises(Broken), store() as uow:
            uow.sources.add(Source(source_id="s", user_id=USER, created_at=FixedClock().now()))
            uow.estimates.add_columns("s", batches())
            uow.commit()
        assert not _writers()
        assert app.list_sources(user_id=USER) == []
    finally:
        store.dispose()


def test_a_second_interrupt_while_ending_the_writer_still_waits_for_it() -> None:
    """Ctrl-C pressed again while the end is handed over (the queue full): the writer is
    still told to end and waited for before the interrupt goes on."""
    from queue import Queue

    class InterruptedOnce(Queue[list[sqlite_bulk.SqliteRow] | None]):
        interrupted = False

        def put(self, item: object, block: bool = True, timeout: float | None = None) -> None:
            if not self.interrupted:
                self.interrupted = True
                raise KeyboardInterrupt
            super().put(item, block, timeout)  # type: ignore[arg-type]

    queue = InterruptedOnce(maxsize=1)
    Queue.put(queue, [])  # a chunk still waiting: the queue is full
    taken: list[object] = []

    def writer_loop() -> None:
        while (chunk := queue.get()) is not None:
            taken.append(chunk)

    writer = threading.Thread(target=writer_loop, name="sqlite-writer", daemon=True)
    writer.start()
    with pytest.raises(KeyboardInterrupt):
        sqlite_bulk._finish(queue, writer)
    assert not writer.is_alive() and taken == [[]]
