"""JobStates on a real Redis: the hold a delivery takes and lets go, and updates by a task
that names the job's owner instead of reading the job first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from snapshot_adapters.jobs import JobStates
from snapshot_adapters.jobs.states import Begun

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


def _begin(
    states: JobStates, job_id: str, owner: tuple[str, str], *, delivery: int = 0, mark: bool = True
) -> Begun:
    return states.begin(job_id, delivery=delivery, owner=owner, hold_seconds=30, mark_running=mark)


def test_begin_holds_and_marks_running_in_one_step_and_drops_stale_copies(
    states: JobStates,
) -> None:
    job_id, _ = states.open(source_id="src-1", user_id="alice")
    owner = ("alice", "src-1")
    stale = _begin(states, job_id, owner, delivery=1)
    assert stale.outcome == "stale" and stale.token is None
    assert states.read(job_id)["state"] == "queued"  # a stale copy changes nothing
    probe, _ = states.hold(job_id, 30)
    assert probe is not None  # nor does it hold the job
    states.release(job_id, probe)

    begun = _begin(states, job_id, owner)
    assert begun.outcome == "held" and begun.token is not None
    assert begun.state["state"] == "queued"  # the state as the delivery found it
    assert states.read(job_id)["state"] == "running"
    duplicate = _begin(states, job_id, owner)
    assert duplicate.outcome == "duplicate" and 29 < duplicate.held_for <= 30

    # The last update lets go of the hold and frees the source in the same step.
    states.update(job_id, owner=owner, release=begun.token, state="succeeded", snapshot_id="s")
    assert states.hold(job_id, 30)[0] is not None
    assert states.open(source_id="src-1", user_id="alice")[1]
    finished = _begin(states, job_id, owner)
    assert finished.outcome == "stale"


def test_begin_without_marking_leaves_the_state_and_a_job_without_state_is_held(
    states: JobStates,
) -> None:
    job_id, _ = states.open(source_id="src-2", user_id="alice")
    owner = ("alice", "src-2")
    begun = _begin(states, job_id, owner, mark=False)
    assert begun.outcome == "held" and states.read(job_id)["state"] == "queued"
    by_hand = _begin(states, "sent-by-hand", owner)
    assert by_hand.outcome == "held" and by_hand.state == {} and states.read("sent-by-hand") == {}


def test_open_many_opens_each_source_once_in_one_batch(states: JobStates) -> None:
    existing, _ = states.open(source_id="src-0", user_id="alice")
    opened = states.open_many(
        [("src-1", "alice"), ("src-0", "alice"), ("src-1", "alice"), ("src-1", "bob")]
    )
    (first, made_first), (again, made_again), (twice, made_twice), (bobs, made_bobs) = opened
    assert made_first and made_bobs and not made_again and not made_twice
    assert again == existing  # a job already open is handed back
    assert twice == first  # a source named twice gets the job its first mention made
    assert bobs not in (first, existing)  # another user's source is another job
    assert states.open_many([]) == []
    assert states.job(first, "alice").state == "queued"


class _Producer:
    def __enter__(self) -> _Producer:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class _Broker:
    """A Celery app's sending side that records what it sent and fails after ``fail_after``."""

    def __init__(self, fail_after: int, error: BaseException | None = None) -> None:
        self.sent: list[str] = []
        self.fail_after = fail_after
        self.error = error or ConnectionError("broker went away")

    def producer_or_acquire(self) -> _Producer:
        return _Producer()

    def send_task(self, name: str, *, kwargs: dict[str, object], task_id: str, **_: object) -> None:
        if len(self.sent) >= self.fail_after:
            raise self.error
        self.sent.append(task_id)


def test_enqueue_many_forgets_the_jobs_the_broker_did_not_take(states: JobStates) -> None:
    from snapshot_adapters.jobs import CeleryJobQueue

    broker = _Broker(fail_after=2)
    queue = CeleryJobQueue(broker, states)  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        queue.enqueue_many([("src-1", "alice"), ("src-2", "alice"), ("src-3", "alice")])
    assert len(broker.sent) == 2
    # The two sent are still open; the third was forgotten, so it is made anew later.
    assert states.open(source_id="src-1", user_id="alice") == (broker.sent[0], False)
    assert states.open(source_id="src-2", user_id="alice") == (broker.sent[1], False)
    third, created = states.open(source_id="src-3", user_id="alice")
    assert created and third not in broker.sent
    broker.fail_after = 10
    jobs = queue.enqueue_many([("src-4", "alice"), ("src-1", "alice")])
    assert [job.job_id for job in jobs] == [broker.sent[2], broker.sent[0]]
    assert [job.state for job in jobs] == ["queued", "queued"]


def test_an_interrupt_while_sending_forgets_every_job_not_sent(states: JobStates) -> None:
    """Ctrl-C during `run-all`: the states of the whole batch were opened first; those whose
    message was not sent must not hold their sources as queued."""
    from snapshot_adapters.jobs import CeleryJobQueue

    broker = _Broker(fail_after=3, error=KeyboardInterrupt())
    queue = CeleryJobQueue(broker, states)  # type: ignore[arg-type]
    sources = [(f"src-{n}", "alice") for n in range(6)]
    with pytest.raises(KeyboardInterrupt):
        queue.enqueue_many(sources)
    reopened = [states.open(source_id=source, user_id=user) for source, user in sources]
    assert reopened[:3] == [(job_id, False) for job_id in broker.sent]
    assert all(created for _, created in reopened[3:])  # made anew, not stuck as queued


def test_a_failed_read_of_an_open_job_forgets_the_jobs_not_sent(
    states: JobStates, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    from snapshot_adapters.jobs import CeleryJobQueue
    from snapshot_core.domain import QueueUnavailableError

    states.open(source_id="src-open", user_id="alice")

    def unreachable(job_id: str, user_id: str) -> None:
        raise RedisConnectionError("Redis went away")

    monkeypatch.setattr(states, "job", unreachable)
    broker = _Broker(fail_after=10)
    queue = CeleryJobQueue(broker, states)  # type: ignore[arg-type]
    with pytest.raises(QueueUnavailableError):
        queue.enqueue_many([("src-1", "alice"), ("src-open", "alice"), ("src-2", "alice")])
    assert len(broker.sent) == 1
    assert states.open(source_id="src-1", user_id="alice") == (broker.sent[0], False)
    assert states.open(source_id="src-2", user_id="alice")[1]  # made anew, not left queued
