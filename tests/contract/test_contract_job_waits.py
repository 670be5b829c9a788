"""Contract: a job's waits (queue delay, budget wait) are kept on its run and summed by stats."""

from __future__ import annotations

from snapshot_adapters.fake import FakeModel, FixedClock, SequentialIds
from snapshot_core import Orchestrator
from snapshot_core.domain import JobTiming, RunOutcome
from snapshot_core.ports import UnitOfWorkFactory

from .samples import make_run, make_source, rows


def test_a_job_run_keeps_its_waits_from_calling_to_finished(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        uow.sources.add(make_source("src-1", "alice"))
        uow.commit()
    waits = {"queue_delay_ms": 41.5, "limiter_wait_ms": 2250.0}
    calling = make_run(
        "run-1", snapshot_id=None, outcome=RunOutcome.CALLING, error_code=None, finished_at=None
    ).model_copy(update=waits)
    by_hand = make_run("run-2", attempt=2, snapshot_id=None)  # `snapshot run`: no job
    with store() as uow:
        uow.runs.add(calling)
        uow.runs.add(by_hand)
        uow.commit()
    failed = make_run("run-1", snapshot_id=None).model_copy(update=waits)
    with store() as uow:
        uow.runs.finish(failed)
        uow.commit()
    with store() as uow:
        kept = {run.run_id: run for run in uow.runs.list("alice")}
    assert (kept["run-1"].queue_delay_ms, kept["run-1"].limiter_wait_ms) == (41.5, 2250.0)
    assert (kept["run-2"].queue_delay_ms, kept["run-2"].limiter_wait_ms) == (None, None)


def test_stats_show_the_waits_of_runs_made_by_jobs_only(store: UnitOfWorkFactory) -> None:
    orchestrator = Orchestrator(
        uow_factory=store, model=FakeModel(), clock=FixedClock(), ids=SequentialIds()
    )
    waits = [JobTiming(queue_delay_ms=10.0 * n, limiter_wait_ms=100.0 * n) for n in (1, 2, 3)]
    sources = []
    for _ in range(4):
        source_id = orchestrator.ingest_estimates(user_id="alice", rows=rows(30))
        orchestrator.bucket_source(source_id=source_id, user_id="alice")
        sources.append(source_id)
    for source_id, job in zip(sources, [*waits, None], strict=True):
        orchestrator.run_snapshot(source_id=source_id, user_id="alice", job=job)
    runs = {run.source_id: run for run in orchestrator.list_runs(user_id="alice")}
    assert [runs[s].queue_delay_ms for s in sources] == [10.0, 20.0, 30.0, None]
    assert [runs[s].limiter_wait_ms for s in sources] == [100.0, 200.0, 300.0, None]
    stats = orchestrator.run_stats(user_id="alice")
    assert (stats.runs, stats.job_runs) == (4, 3)
    assert (stats.queue_delay_p50_ms, stats.queue_delay_p95_ms) == (20.0, 30.0)
    assert (stats.limiter_wait_total_ms, stats.limiter_wait_p95_ms) == (600.0, 300.0)
    assert orchestrator.run_stats(user_id="bob").job_runs == 0
