"""SQLite's bulk writes from a second thread: every row stored in order, the writer's error
raised as the same storage error, a reader's error stopping it, nothing left running."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from snapshot_adapters.fake import FixedClock, SequentialIds, synthetic_estimates
from snapshot_adapters.files import ingest_file
from snapshot_adapters.sql import create_sql_store, sqlite_bulk
from snapshot_core.domain import (
    DEFAULT_BAND_SCHEME,
    DatabaseDiskFullError,
    Source,
    tally_estimates,
)
from snapshot_core.domain.estimate_columns import EstimateColumns

from .flows import USER, orchestrator

ROWS = 3 * sqlite_bulk._BATCH + 17  # several hand-overs to the writer, and a last partial one


def _writers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "sqlite-writer"]


def _csv(count: int) -> str:
    lines = ["estimate_id,amount,sent_at,decided_at"]
    for row in synthetic_estimates(count, seed=3):
        decided = "" if row.decided_at is None else row.decided_at.isoformat()
        lines.append(f"{row.estimate_id or ''},{row.amount},{row.sent_at.isoformat()},{decided}")
    return "\n".join(lines) + "\n"


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


def test_a_full_disk_met_by_the_writer_is_the_same_error_and_nothing_is_stored(
    sqlite_url: str,
) -> None:
    store = create_sql_store(sqlite_url)
    app = orchestrator(store)
    app.list_sources(user_id=USER)
    pages = os.path.getsize(sqlite_url.removeprefix("sqlite:///")) // 4096 + 2

    @event.listens_for(store.engine, "connect")
    def _tiny(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    store.engine.dispose()
    try:
        with pytest.raises(DatabaseDiskFullError) as caught:
            ingest_file(
                io.StringIO(_csv(ROWS)),
                format="csv",
                uow_factory=store,
                ids=SequentialIds(),
                clock=FixedClock(),
                user_id=USER,
            )
        assert caught.value.code == "database_disk_full"
        event.remove(store.engine, "connect", _tiny)
        store.engine.dispose()
        assert app.list_sources(user_id=USER) == []
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
