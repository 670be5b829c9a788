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


@pytest.mark.parametrize("pool", ["threads", "prefork"])
def test_a_few_sources_are_snapshotted_once_each_by_a_worker(
    redis_world: JobWorld, pool: str
) -> None:
    ids = redis_world.seed(12)
    # prefork: each child builds its own orchestrator at its first task, after the fork
    redis_world.start_worker(concurrency=4, pool=pool, SNAPSHOT_TEST_FAKE_DELAY="0.2")
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
    log = redis_world.log_text()
    # One INFO line per job, with its outcome; Celery's own two lines are left to DEBUG.
    assert all(f"job {job_id}: succeeded" in log for job_id in job_ids)
    assert "] received" not in log and "] succeeded in" not in log  # Celery's formats


@pytest.mark.slow
@pytest.mark.serial
def test_five_hundred_sources_on_four_workers_make_exactly_five_hundred_calls(
    redis_world: JobWorld,
) -> None:
    ids = redis_world.seed(500)
    for _ in range(4):
        redis_world.start_worker(concurrency=8, SNAPSHOT_TEST_FAKE_DELAY="0.2")
    started = time.monotonic()
    _enqueue_all(redis_world, ids)
    wait_until(lambda: redis_world.all_generated(ids), 150, "500 sources snapshotted")
    elapsed = time.monotonic() - started
    runs = redis_world.runs()
    print(f"500 snapshots on 4 workers x 8 threads, 200 ms model: {elapsed:.1f} s")
    assert len(runs) == 500  # one run per model call, and no more calls than sources
    assert sorted(run.source_id for run in runs) == sorted(ids)
    assert {run.outcome for run in runs} == {RunOutcome.SUCCEEDED}


def _calling(world: JobWorld) -> int:
    return sum(run.outcome is RunOutcome.CALLING for run in world.runs())


@pytest.mark.slow
@pytest.mark.serial
@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_a_worker_killed_mid_call_leaves_every_source_finished_after_the_lease(
    broker: str, request: pytest.FixtureRequest
) -> None:
    world: JobWorld = request.getfixturevalue(f"{broker}_world")
    ids = world.seed(40)
    world.start_worker(concurrency=4, SNAPSHOT_TEST_FAKE_DELAY="0.8")
    _enqueue_all(world, ids)
    wait_until(lambda: _calling(world) >= 2, 30, "calls in flight")
    world.kill(world.workers[0])
    in_flight = _calling(world)
    assert in_flight >= 1
    world.start_worker(concurrency=4, SNAPSHOT_TEST_FAKE_DELAY="0.8")
    # Redis gives the killed worker's jobs back after the visibility timeout (14 s), which
    # outlasts the claims' lease (12 s): the new attempts find them claimable. RabbitMQ gives
    # them back at once (the connection closed): they find the claim live, and come back
    # when the lease has run out.
    wait_until(lambda: world.all_generated(ids), 90, "every source finished")
    runs = world.runs()
    succeeded = [run for run in runs if run.outcome is RunOutcome.SUCCEEDED]
    abandoned = [run for run in runs if run.outcome is RunOutcome.ABANDONED]
    assert sorted(run.source_id for run in succeeded) == sorted(ids)
    assert len(runs) <= len(ids) + in_flight  # every call is a run on record
    assert len(abandoned) == in_flight  # the killed calls: on record as possibly billed
    assert all(run.possibly_billed for run in abandoned)


@pytest.mark.slow
def test_a_job_delivered_again_while_it_runs_makes_no_second_call(redis_world: JobWorld) -> None:
    ids = redis_world.seed(6)
    slow_call = {
        "SNAPSHOT_TEST_FAKE_DELAY": "3",
        "SNAPSHOT_LLM_TIMEOUT": "4",
        "SNAPSHOT_LEASE_SECONDS": "15",
        "SNAPSHOT_VISIBILITY_TIMEOUT": "16",
        "SNAPSHOT_TEST_VISIBILITY": "1",  # Redis redelivers after 1 s, mid-call
    }
    redis_world.start_worker(concurrency=6, **slow_call)
    redis_world.start_worker(concurrency=6, **slow_call)
    _enqueue_all(redis_world, ids)
    wait_until(lambda: redis_world.all_generated(ids), 60, "every source snapshotted")
    time.sleep(3)  # let the redelivered copies run out
    runs = redis_world.runs()
    assert sorted(run.source_id for run in runs) == sorted(ids)  # one call each
    assert "is a duplicate" in redis_world.log_text()  # the broker did deliver twice
