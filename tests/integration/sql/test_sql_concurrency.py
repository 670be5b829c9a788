"""Threads racing run_snapshot on one source: one model call, one snapshot, typed losses only.

Memory and SQLite: 50 threads (no "database is locked" on SQLite: WAL, busy timeout and
BEGIN IMMEDIATE). PostgreSQL: 200 callers, each with its own connection, 20 times over.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from snapshot_adapters.fake import FakeModel
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.sql import create_sql_store
from snapshot_adapters.system import UuidIds
from snapshot_core import Orchestrator
from snapshot_core.domain import RunOutcome, SourceStatus
from snapshot_core.ports import UnitOfWorkFactory

from .flows import USER, RaceOutcomes, bucketed_source, orchestrator


def race(app: Orchestrator, source_id: str, pool: ThreadPoolExecutor, racers: int) -> RaceOutcomes:
    """``racers`` threads released together by a barrier, all calling run_snapshot."""
    barrier = threading.Barrier(racers)

    def one() -> str | BaseException:
        barrier.wait(timeout=60)
        try:
            return app.run_snapshot(source_id=source_id, user_id=USER)
        except Exception as error:  # every outcome is recorded and checked
            return error

    outcomes = RaceOutcomes()
    for outcome in pool.map(lambda _: one(), range(racers)):
        outcomes.record(outcome)
    return outcomes


def assert_exactly_one_winner(
    store: UnitOfWorkFactory, app: Orchestrator, source_id: str, outcomes: RaceOutcomes, racers: int
) -> None:
    assert outcomes.unexpected == []
    assert outcomes.total == racers
    assert len(outcomes.snapshot_ids) == 1
    assert set(outcomes.codes) <= {"snapshot_in_progress", "source_not_bucketed"}
    (source,) = [s for s in app.list_sources(user_id=USER) if s.source_id == source_id]
    assert source.status is SourceStatus.SNAPSHOT_GENERATED
    with store() as uow:
        runs = [run for run in uow.runs.list(USER) if run.source_id == source_id]
        assert uow.snapshots.get(outcomes.snapshot_ids[0], USER) is not None
    assert [(run.outcome, run.snapshot_id) for run in runs] == [
        (RunOutcome.SUCCEEDED, outcomes.snapshot_ids[0])
    ]


@pytest.fixture(params=["memory", "sqlite", "sqlite-memory"])
def small_store(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        yield MemoryStore()
        return
    url = "sqlite://" if request.param == "sqlite-memory" else request.getfixturevalue("sqlite_url")
    store = create_sql_store(url, pool_size=50, max_overflow=0)
    yield store
    store.dispose()


@pytest.mark.slow
def test_fifty_threads_make_one_model_call(small_store: UnitOfWorkFactory) -> None:
    model = FakeModel(delay=0.2)
    app = orchestrator(small_store, model)
    source_id = bucketed_source(app)
    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = race(app, source_id, pool, 50)
    assert len(model.calls) == 1
    assert_exactly_one_winner(small_store, app, source_id, outcomes, 50)


def _free_connections(url: URL) -> int:
    probe = create_sql_store(url, pool_size=1, max_overflow=0)
    try:
        with probe.engine.connect() as connection:
            limit = int(connection.execute(text("SHOW max_connections")).scalar_one())
            used = int(
                connection.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar_one()
            )
    finally:
        probe.dispose()
    return limit - used - 10  # leave room for superusers and other sessions


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.serial  # 200 connections of its own: no other test may hold any meanwhile
@pytest.mark.timeout(240)
def test_two_hundred_callers_twenty_times_make_one_call_each_time(postgres_url: URL) -> None:
    # Each caller holds its own pooled connection while it claims. The server's
    # max_connections bounds how many can exist at once (100 by default; .ci/ensure-postgres
    # raises it to 300), so on a default server the pool is as large as the server allows
    # and the remaining callers queue; in CI every caller must have its own connection.
    connections = min(200, _free_connections(postgres_url))
    if os.environ.get("CI"):
        assert connections == 200, "CI needs max_connections >= 260 (see .ci/ensure-postgres)"
    assert connections >= 20, "too few free PostgreSQL connections for a meaningful race"
    store = create_sql_store(postgres_url, pool_size=connections, max_overflow=0)
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=200) as pool:
            for round_number in range(20):
                model = FakeModel(delay=0.3)
                app = orchestrator(store, model, ids=UuidIds())
                source_id = bucketed_source(app, seed=round_number)
                outcomes = race(app, source_id, pool, 200)
                assert len(model.calls) == 1, f"round {round_number}"
                assert_exactly_one_winner(store, app, source_id, outcomes, 200)
    finally:
        store.dispose()
    assert time.monotonic() - started < 200, "no deadlock: the 20 rounds finish in time"
