"""InProcessJobQueue: jobs run on threads, one job per unfinished source, ids are per user."""

from __future__ import annotations

import threading
import time

import pytest

from snapshot_adapters.memory import InProcessJobQueue
from snapshot_core.domain import InvalidJobError, Job, SourceNotBucketedError


class GatedRun:
    """A run_snapshot stand-in that waits for the test to open the gate, and counts calls."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.calls: list[tuple[str, str]] = []

    def __call__(self, *, source_id: str, user_id: str) -> str:
        self.calls.append((source_id, user_id))
        self.gate.wait(5)
        if source_id == "unbucketed":
            raise SourceNotBucketedError()
        return f"snap-{source_id}"


def wait_finished(queue: InProcessJobQueue, job_id: str, user_id: str) -> Job:
    for _ in range(500):
        job = queue.get(job_id=job_id, user_id=user_id)
        if job.finished:
            return job
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} did not finish")


def test_a_job_succeeds_with_the_snapshot_id() -> None:
    run = GatedRun()
    queue = InProcessJobQueue(run)
    job = queue.enqueue(source_id="s1", user_id="u1")
    assert job.state == "queued" and not job.finished
    run.gate.set()
    done = wait_finished(queue, job.job_id, "u1")
    assert (done.state, done.snapshot_id, done.error_code) == ("succeeded", "snap-s1", None)
    assert run.calls == [("s1", "u1")]


def test_a_failed_job_carries_the_catalogue_code() -> None:
    run = GatedRun()
    run.gate.set()
    queue = InProcessJobQueue(run)
    job = queue.enqueue(source_id="unbucketed", user_id="u1")
    done = wait_finished(queue, job.job_id, "u1")
    assert (done.state, done.error_code) == ("failed", "source_not_bucketed")
    assert done.snapshot_id is None


def test_enqueueing_an_unfinished_source_again_returns_the_same_job() -> None:
    run = GatedRun()
    queue = InProcessJobQueue(run)
    first = queue.enqueue(source_id="s1", user_id="u1")
    again = queue.enqueue(source_id="s1", user_id="u1")
    other_user = queue.enqueue(source_id="s1", user_id="u2")
    assert again.job_id == first.job_id
    assert other_user.job_id != first.job_id
    run.gate.set()
    wait_finished(queue, first.job_id, "u1")
    wait_finished(queue, other_user.job_id, "u2")
    assert sorted(run.calls) == [("s1", "u1"), ("s1", "u2")]
    # once finished, enqueueing the source again makes a new job
    assert queue.enqueue(source_id="s1", user_id="u1").job_id != first.job_id
    queue.shutdown()


def test_another_users_job_reads_like_an_unknown_one() -> None:
    run = GatedRun()
    run.gate.set()
    queue = InProcessJobQueue(run)
    job = queue.enqueue(source_id="s1", user_id="u1")
    with pytest.raises(InvalidJobError) as theirs:
        queue.get(job_id=job.job_id, user_id="u2")
    with pytest.raises(InvalidJobError) as unknown:
        queue.get(job_id="no-such-job", user_id="u1")
    assert str(theirs.value) == str(unknown.value) == "Invalid job_id"
    queue.shutdown()
