"""InProcessJobQueue: background snapshots on a thread pool in this process (no broker)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from snapshot_core.domain import InvalidJobError, Job, SnapshotError

__all__ = ["InProcessJobQueue"]

log = logging.getLogger(__name__)

RunSnapshot = Callable[..., str]
"""``Orchestrator.run_snapshot``: called as ``run(source_id=..., user_id=...)``."""


class InProcessJobQueue:
    """A ``JobQueue`` whose workers are threads of this process.

    For a single process (a small web service, tests, a notebook): jobs are lost when the
    process ends, and the storage claim still guarantees one model call per snapshot. Across
    processes or machines use ``snapshot_adapters.jobs`` (Celery).
    """

    def __init__(self, run: RunSnapshot, *, max_workers: int = 4) -> None:
        self._run = run
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="snapshot-job")
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._open: dict[tuple[str, str], str] = {}  # (user, source) -> its unfinished job

    def enqueue(self, *, source_id: str, user_id: str) -> Job:
        with self._lock:
            existing = self._open.get((user_id, source_id))
            if existing is not None:
                return self._jobs[existing]
            job = Job(job_id=uuid.uuid4().hex, source_id=source_id, user_id=user_id, state="queued")
            self._jobs[job.job_id] = job
            self._open[(user_id, source_id)] = job.job_id
        self._pool.submit(self._work, job.job_id)
        return job

    def get(self, *, job_id: str, user_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.user_id != user_id:
            raise InvalidJobError()
        return job

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking jobs; with ``wait``, return when the running ones have finished."""
        self._pool.shutdown(wait=wait)

    def _work(self, job_id: str) -> None:
        job = self._update(job_id, state="running")
        try:
            snapshot_id = self._run(source_id=job.source_id, user_id=job.user_id)
        except SnapshotError as error:
            self._update(job_id, state="failed", error_code=error.code, finished=True)
        except Exception:  # a bug must not kill the worker thread silently
            log.exception("snapshot job %s failed unexpectedly", job_id)
            self._update(job_id, state="failed", finished=True)
        else:
            self._update(job_id, state="succeeded", snapshot_id=snapshot_id, finished=True)

    def _update(self, job_id: str, *, finished: bool = False, **changes: object) -> Job:
        with self._lock:
            job = replace(self._jobs[job_id], **changes)  # type: ignore[arg-type]
            self._jobs[job_id] = job
            if finished:
                self._open.pop((job.user_id, job.source_id), None)
            return job
