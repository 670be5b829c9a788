"""Real workers on Redis: one model call per snapshot at scale, after a kill -9, and when the
broker delivers a job twice."""

from __future__ import annotations

import time

import pytest

from snapshot_core.domain import RunOutcome

from .world import JobWorld, wait_until


def _enqueue_all(world: JobWorld, ids: list[str], user_id: str = "alice") -> list[str]:
    queue = world.queue()
    return [queue.enqueue(source_id=i, user_id=user_id).job_id for i in ids]


def test_a_few_sources_are_snapshotted_once_each_by_a_worker(redis_world: JobWorld) -> None:
    ids = redis_world.seed(12)
    redis_world.start_worker(concurrency=4, SNAPSHOT_TEST_FAKE_DELAY="0.2")
    job_ids = _enqueue_all(redis_world, ids)
    assert len(set(job_ids)) == 12
    wait_until(lambda: redis_world.all_generated(ids), 20, "every source snapshotted")
    runs = redis_world.runs()
    assert sorted(run.source_id for run in runs) == sorted(ids)
    assert {run.outcome for run in runs} == {RunOutcome.SUCCEEDED}
    queue = redis_world.queue()
    wait_until(
        lambda: all(queue.get(job_id=j, user_id="alice").finished for j in job_ids),
        20,
        "every job marked finished",
    )
    assert {queue.get(job_id=j, user_id="alice").state for j in job_ids} == {"succeeded"}
