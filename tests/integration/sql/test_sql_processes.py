"""Across OS processes: 8 spawned processes race for one source; a worker killed after its
claim leaves a lease that expires, and the next attempt succeeds."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta

import pytest

from snapshot_adapters.fake import FakeModel, FixedClock
from snapshot_adapters.sql import SqlStore
from snapshot_adapters.system import SystemClock, UuidIds
from snapshot_core.domain import RunOutcome, RunPolicy, SourceStatus, summarize_runs

from .flows import USER, bucketed_source, orchestrator
from .workers import claim_and_hang, race_once

SPAWN = multiprocessing.get_context("spawn")
PROCESSES = 8


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_eight_processes_race_and_one_calls_the_model(sql_url: str, sql_store: SqlStore) -> None:
    source_id = bucketed_source(orchestrator(sql_store, clock=SystemClock(), ids=UuidIds()))
    start, results = SPAWN.Event(), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=race_once, args=(sql_url, source_id, USER, start, results))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [results.get(timeout=90) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    kinds = sorted(kind for kind, _, _ in outcomes)
    assert kinds == ["error"] * (PROCESSES - 1) + ["ok"], outcomes
    assert {detail for kind, detail, _ in outcomes if kind == "error"} <= {
        "snapshot_in_progress",
        "source_not_bucketed",
    }
    assert sum(calls for _, _, calls in outcomes) == 1
    with sql_store() as uow:
        source = uow.sources.get(source_id, USER)
        runs = uow.runs.list(USER)
    assert source is not None
    assert (source.status, source.attempt) == (SourceStatus.SNAPSHOT_GENERATED, 1)
    assert [run.outcome for run in runs if run.source_id == source_id] == [RunOutcome.SUCCEEDED]


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_worker_killed_during_its_call_is_on_record_and_taken_over_when_the_lease_ends(
    sql_url: str, sql_store: SqlStore
) -> None:
    lease = 30.0
    source_id = bucketed_source(orchestrator(sql_store, clock=SystemClock(), ids=UuidIds()))
    called = SPAWN.Event()
    worker = SPAWN.Process(target=claim_and_hang, args=(sql_url, source_id, USER, lease, called))
    worker.start()
    try:
        assert called.wait(60), "the worker never reached the model"
    finally:
        worker.kill()  # dies holding the claim, mid-call: no release, no finished record
        worker.join(30)

    with sql_store() as uow:
        held = uow.sources.get(source_id, USER)
        [in_flight] = [run for run in uow.runs.list(USER) if run.source_id == source_id]
    assert held is not None
    assert (held.status, held.attempt) == (SourceStatus.GENERATING, 1)
    # The call may have been billed: it was on record before the request left.
    assert (in_flight.attempt, in_flight.outcome) == (1, RunOutcome.CALLING)
    assert summarize_runs([in_flight]).possibly_billed_runs == 1

    model = FakeModel()
    # Another worker, whose clock says the dead worker's lease has run out.
    policy = RunPolicy(lease_seconds=lease)
    clock = FixedClock(SystemClock().now() + timedelta(seconds=policy.lease_for(0) + 1))
    app = orchestrator(sql_store, model, clock, UuidIds(), policy)
    snapshot_id = app.run_snapshot(source_id=source_id, user_id=USER)

    assert len(model.calls) == 1
    with sql_store() as uow:
        source = uow.sources.get(source_id, USER)
        runs = [run for run in uow.runs.list(USER) if run.source_id == source_id]
        assert uow.snapshots.get(snapshot_id, USER) is not None
    assert source is not None
    assert (source.status, source.attempt, source.lease_expires_at) == (
        SourceStatus.SNAPSHOT_GENERATED,
        2,
        None,
    )
    assert [(run.attempt, run.outcome) for run in runs] == [
        (1, RunOutcome.ABANDONED),
        (2, RunOutcome.SUCCEEDED),
    ]
    stats = summarize_runs(runs)  # what `snapshot stats` shows of this source
    assert (stats.runs, stats.succeeded, stats.possibly_billed_runs) == (2, 1, 1)
