"""JobStates on a real Redis: the hold a delivery takes and lets go, and updates by a task
that names the job's owner instead of reading the job first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from snapshot_adapters.jobs import JobStates

from .servers import require_redis
from .world import _redis_database


@pytest.fixture
def states() -> Iterator[JobStates]:
    require_redis()
    with _redis_database() as url:
        yield JobStates(Redis.from_url(url))


def test_a_hold_is_let_go_only_by_the_delivery_that_took_it(states: JobStates) -> None:
    token, _ = states.hold("job-1", 30)
    assert token is not None
    other, left = states.hold("job-1", 30)
    assert other is None and 29 < left <= 30  # a duplicate delivery waits for the hold
    states.release("job-1", "not-the-token")
    assert states.hold("job-1", 30)[0] is None  # still held
    states.release("job-1", token)
    assert states.hold("job-1", 30)[0] is not None  # free again


def test_an_update_naming_the_owner_frees_the_source_like_one_that_reads_it(
    states: JobStates,
) -> None:
    job_id, created = states.open(source_id="src-1", user_id="alice")
    assert created
    assert states.update(job_id, owner=("alice", "src-1"), state="running") == 0
    assert states.open(source_id="src-1", user_id="alice") == (job_id, False)
    states.update(job_id, owner=("alice", "src-1"), state="succeeded", snapshot_id="snap-1")
    assert states.job(job_id, "alice").snapshot_id == "snap-1"
    again, created = states.open(source_id="src-1", user_id="alice")
    assert created and again != job_id  # a finished job no longer holds its source
    assert states.update("no-such-job", owner=("alice", "src-1"), state="running") == -1
