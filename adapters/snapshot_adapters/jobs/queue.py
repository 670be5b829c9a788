"""CeleryJobQueue, the JobQueue port on Celery (the jobs' states are JobStates, in Redis)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from snapshot_core.domain import Job, QueueUnavailableError

from .states import OPEN_JOB_SECONDS, JobStates

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["OPEN_JOB_SECONDS", "TASK_NAME", "CeleryJobQueue", "JobStates"]

TASK_NAME = "snapshot.make_snapshot"
_BATCH = 500  # sources whose states are opened in one round trip


class CeleryJobQueue:
    """A ``JobQueue`` whose workers are Celery workers (``snapshot worker``), anywhere.

    ``enqueue`` sends one ``snapshot.make_snapshot`` message; a source whose job is not
    finished gets that job back. States live in Redis (``SNAPSHOT_REDIS_URL``), outcomes in
    storage. Build it with ``CeleryJobQueue.from_settings(settings)``.
    """

    def __init__(self, app: Celery, states: JobStates) -> None:
        self._app = app
        self._states = states

    @classmethod
    def from_settings(cls, settings: Any = None) -> CeleryJobQueue:
        from .app import create_app, runtime_of

        app = create_app(settings)
        return cls(app, runtime_of(app).states())

    def enqueue(self, *, source_id: str, user_id: str) -> Job:
        return self.enqueue_many([(source_id, user_id)])[0]

    def enqueue_many(self, pairs: Iterable[tuple[str, str]]) -> list[Job]:
        """``enqueue`` for each (source_id, user_id), in order: the jobs' states in one Redis
        round trip and the messages through one broker connection per batch (what
        `snapshot run-all` does for thousands of sources). A source named twice, or with a
        job already queued or running, gets that job back. If sending fails or is interrupted,
        the jobs not sent are forgotten, so enqueueing again makes them anew."""
        pairs, jobs = list(pairs), []
        with _reachable():
            for start in range(0, len(pairs), _BATCH):
                batch = pairs[start : start + _BATCH]
                opened = self._states.open_many(batch)
                jobs.extend(self._send(batch, opened))
        return jobs

    def _send(self, batch: list[tuple[str, str]], opened: list[tuple[str, bool]]) -> list[Job]:
        jobs: list[Job] = []
        try:
            with self._app.producer_or_acquire() as producer:
                for (source_id, user_id), (job_id, created) in zip(batch, opened, strict=True):
                    if created:
                        self._app.send_task(
                            TASK_NAME,
                            kwargs={"source_id": source_id, "user_id": user_id, "attempt": 1},
                            task_id=job_id,
                            producer=producer,
                        )
                        # Queued when sent, as the states say (no round trip to read it).
                        job = Job(
                            job_id=job_id, source_id=source_id, user_id=user_id, state="queued"
                        )
                    else:
                        job = self._states.job(job_id, user_id)
                    jobs.append(job)
        except BaseException:
            # The broker or Redis failing, or Ctrl-C: a job made but not sent would hold its
            # source as queued for OPEN_JOB_SECONDS, so each is forgotten.
            self._states.forget_all(batch[len(jobs) :], opened[len(jobs) :])
            raise
        return jobs

    def get(self, *, job_id: str, user_id: str) -> Job:
        with _reachable():
            return self._states.job(job_id, user_id)


@contextmanager
def _reachable() -> Iterator[None]:
    """Connection failures of Redis or the broker as ``QueueUnavailableError``: its message
    names no URL (a URL may hold a password), only what failed."""
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError, TimeoutError

    try:
        yield
    except (ConnectionError, TimeoutError, OperationalError) as error:
        raise QueueUnavailableError(type(error).__name__) from None
