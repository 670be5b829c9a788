"""One contract for every JobQueue: in-process threads, and Celery (real Redis, real worker)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from snapshot_adapters import build_orchestrator
from snapshot_adapters.fake import FakeModel
from snapshot_adapters.memory import InProcessJobQueue, MemoryStore
from snapshot_adapters.settings import Settings
from snapshot_core import Orchestrator
from snapshot_core.domain import InvalidJobError, Job, SourceStatus
from snapshot_core.ports import JobQueue

from .databases import require_postgres, temporary_postgres_database
from .samples import make_buckets, make_source

CALL_SECONDS = 1.0  # long enough for a second enqueue to find the first job unfinished


@dataclass
class QueueUnderTest:
    queue: JobQueue
    orchestrator: Orchestrator

    def source(self, user_id: str, status: SourceStatus = SourceStatus.BUCKETED) -> str:
        source_id = f"src-{uuid.uuid4().hex[:10]}"
        with self.orchestrator.uow_factory() as uow:
            uow.sources.add(make_source(source_id, user_id, status, estimate_count=40))
            uow.buckets.save(make_buckets(source_id))
            uow.commit()
        return source_id

    def finished(self, job: Job) -> Job:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = self.queue.get(job_id=job.job_id, user_id=job.user_id)
            if now.finished:
                return now
            time.sleep(0.1)
        raise AssertionError(f"job {job.job_id} did not finish within 30 s")


@pytest.fixture(scope="module")
def celery_queue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueueUnderTest]:
    from ..integration.jobs.servers import require_redis
    from ..integration.jobs.world import job_world

    require_postgres()
    require_redis()
    with temporary_postgres_database("snapshot_jobs") as url:
        database_url = url.render_as_string(hide_password=False)
        with job_world(database_url, None, tmp_path_factory.mktemp("celery")) as world:
            world.start_worker(concurrency=4, SNAPSHOT_TEST_FAKE_DELAY=str(CALL_SECONDS))
            yield QueueUnderTest(world.queue(), world.orchestrator())


@pytest.fixture(params=["in-process", "celery"])
def under_test(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueueUnderTest]:
    if request.param == "celery":
        yield request.getfixturevalue("celery_queue")
        return
    orchestrator = replace(
        build_orchestrator(Settings(database_url="memory://", llm="fake")),
        uow_factory=MemoryStore(),
        model=FakeModel(CALL_SECONDS),
    )
    queue = InProcessJobQueue(orchestrator.run_snapshot)
    yield QueueUnderTest(queue, orchestrator)
    queue.shutdown()


def test_a_job_succeeds_with_the_id_of_the_snapshot_it_made(under_test: QueueUnderTest) -> None:
    source_id = under_test.source("alice")
    job = under_test.queue.enqueue(source_id=source_id, user_id="alice")
    assert (job.state, job.source_id, job.user_id) == ("queued", source_id, "alice")
    done = under_test.finished(job)
    assert (done.state, done.error_code) == ("succeeded", None)
    assert done.snapshot_id is not None
    snapshot = under_test.orchestrator.get_snapshot(snapshot_id=done.snapshot_id, user_id="alice")
    assert snapshot.meta.source_id == source_id


def test_a_failed_job_carries_the_catalogue_code(under_test: QueueUnderTest) -> None:
    source_id = under_test.source("alice", SourceStatus.UPLOADED)
    done = under_test.finished(under_test.queue.enqueue(source_id=source_id, user_id="alice"))
    assert (done.state, done.error_code, done.snapshot_id) == (
        "failed",
        "source_not_bucketed",
        None,
    )


def test_an_unfinished_source_gets_its_job_back_and_a_finished_one_a_new_job(
    under_test: QueueUnderTest,
) -> None:
    source_id = under_test.source("alice")
    first = under_test.queue.enqueue(source_id=source_id, user_id="alice")
    again = under_test.queue.enqueue(source_id=source_id, user_id="alice")
    assert again.job_id == first.job_id
    under_test.finished(first)
    later = under_test.queue.enqueue(source_id=source_id, user_id="alice")
    assert later.job_id != first.job_id
    # The source has its snapshot: the new job makes no second call. (How it ends differs:
    # Celery reports the existing snapshot as succeeded, in-process source_not_bucketed.)
    assert under_test.finished(later).finished
    runs = under_test.orchestrator.list_runs(user_id="alice", source_id=source_id)
    assert len(runs) == 1


def test_the_same_source_id_of_two_users_makes_two_jobs(under_test: QueueUnderTest) -> None:
    source_id = under_test.source("alice")
    mine = under_test.queue.enqueue(source_id=source_id, user_id="alice")
    theirs = under_test.queue.enqueue(source_id=source_id, user_id="bob")
    assert mine.job_id != theirs.job_id
    assert under_test.finished(theirs).error_code == "invalid_source"  # not bob's source
    assert under_test.finished(mine).state == "succeeded"


def test_another_users_job_reads_like_an_unknown_one(under_test: QueueUnderTest) -> None:
    job = under_test.queue.enqueue(source_id=under_test.source("alice"), user_id="alice")
    with pytest.raises(InvalidJobError) as theirs:
        under_test.queue.get(job_id=job.job_id, user_id="bob")
    with pytest.raises(InvalidJobError) as unknown:
        under_test.queue.get(job_id=uuid.uuid4().hex, user_id="alice")
    assert str(theirs.value) == str(unknown.value) == "Invalid job_id"
    under_test.finished(job)
