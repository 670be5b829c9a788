"""CeleryJobQueue, the JobQueue port on Celery (the jobs' states are JobStates, in Redis)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from snapshot_core.domain import Job, QueueUnavailableError

from .states import OPEN_JOB_SECONDS, JobStates

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["OPEN_JOB_SECONDS", "TASK_NAME", "CeleryJobQueue", "JobStates"]

TASK_NAME = "snapshot.make_snapshot"


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
        with _reachable():
            job_id, created = self._states.open(source_id=source_id, user_id=user_id)
            if created:
                try:
                    self._app.send_task(
                        TASK_NAME,
                        kwargs={"source_id": source_id, "user_id": user_id, "attempt": 1},
                        task_id=job_id,
                    )
                except Exception:
                    self._states.forget(job_id, source_id=source_id, user_id=user_id)
                    raise
                # Just made: queued when sent, as the states say (no round trip to read it).
                return Job(job_id=job_id, source_id=source_id, user_id=user_id, state="queued")
            return self._states.job(job_id, user_id)

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
