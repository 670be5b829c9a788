"""JobQueue port: snapshots made in the background, by whatever runs the jobs."""

from __future__ import annotations

from typing import Protocol

from ..domain.jobs import Job

__all__ = ["JobQueue"]


class JobQueue(Protocol):
    """Hands snapshot work to workers and reports on it.

    Implementations: ``snapshot_adapters.memory.InProcessJobQueue`` (threads in this process)
    and the Celery one in ``snapshot_adapters.jobs``. Both pass the same contract tests.
    """

    def enqueue(self, *, source_id: str, user_id: str) -> Job:
        """Queue one snapshot of the source and return its job.

        A source that already has a queued, running or retrying job gets that job back, not
        a second one. Nothing is checked against storage here: the worker's claim decides.
        """
        ...

    def get(self, *, job_id: str, user_id: str) -> Job:
        """The job's state now; ``InvalidJobError`` when it is unknown or another user's."""
        ...
