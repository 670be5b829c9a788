"""Celery recipe: snapshots made in the background by `snapshot worker`, from your own code.

Your web app (Django, Flask, FastAPI...) enqueues; workers anywhere make the snapshot with
one model call; the job's state is read back by id. Settings come from the environment:
SNAPSHOT_BROKER_URL (redis:// or amqp://), SNAPSHOT_REDIS_URL (with amqp), and a
PostgreSQL SNAPSHOT_DATABASE_URL shared with the workers (start them with `snapshot worker`).

    python examples/celery_task.py SOURCE_ID USER_ID     # enqueue, wait, print the outcome

Already running Celery for other work? Send the same task by name from your own app:
``your_app.send_task("snapshot.make_snapshot", kwargs={"source_id": s, "user_id": u})``
(on the queue ``snapshots``); ``CeleryJobQueue`` adds the one-job-per-source rule and states.
"""

from __future__ import annotations

import sys
import time

from snapshot_adapters.jobs import CeleryJobQueue
from snapshot_core.domain import Job


def snapshot_in_background(source_id: str, user_id: str, wait_seconds: float = 60) -> Job:
    """Enqueue one snapshot (a source already queued gets its job back) and follow it."""
    queue = CeleryJobQueue.from_settings()
    job = queue.enqueue(source_id=source_id, user_id=user_id)
    deadline = time.monotonic() + wait_seconds
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.5)
        job = queue.get(job_id=job.job_id, user_id=user_id)
    return job


if __name__ == "__main__":
    job = snapshot_in_background(sys.argv[1], sys.argv[2])
    print(job.state, job.snapshot_id or job.error_code or "")
    sys.exit(0 if job.state == "succeeded" else 1)
