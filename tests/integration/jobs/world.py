"""A job test's world: a throw-away PostgreSQL database, a private Redis database and queue,
worker processes started (and killed) by the test, and bucketed sources to snapshot."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from redis import Redis

from snapshot_adapters import build_orchestrator
from snapshot_adapters.jobs import CeleryJobQueue, JobStates
from snapshot_adapters.jobs.app import create_app, worker_argv
from snapshot_adapters.settings import Settings
from snapshot_core import Orchestrator
from snapshot_core.domain import SnapshotRun, SourceStatus

from ...contract.samples import make_buckets, make_source
from .servers import REDIS_URL

__all__ = ["JobWorld", "job_world", "wait_until"]

ROOT = Path(__file__).resolve().parents[3]

# Short enough for a test to wait out, and checked like production settings: the lease
# outlasts the 1 s call deadline by the margin, the visibility timeout outlasts the lease.
BASE_ENV = {
    "SNAPSHOT_LLM": "fake",
    "SNAPSHOT_LLM_TIMEOUT": "1",
    "SNAPSHOT_SAVE_WAIT_SECONDS": "1",
    "SNAPSHOT_LEASE_SECONDS": "12",
    "SNAPSHOT_VISIBILITY_TIMEOUT": "14",
    "SNAPSHOT_MIN_ESTIMATES": "25",
    "PYTHONUNBUFFERED": "1",  # a killed worker's log is complete
}


def wait_until(done: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g} s: {what}")
        time.sleep(0.2)


@contextmanager
def _redis_database() -> Iterator[str]:
    """A Redis database number of our own (reserved in db 0), emptied before and after."""
    admin = Redis.from_url(f"{REDIS_URL}/0")
    for number in range(1, 16):
        key = f"snapshot-test:db:{number}"
        if admin.set(key, "1", nx=True, ex=900):
            url = f"{REDIS_URL}/{number}"
            Redis.from_url(url).flushdb()
            try:
                yield url
            finally:
                Redis.from_url(url).flushdb()
                admin.delete(key)
            return
    raise RuntimeError("no free Redis database for the test (1..15 all reserved)")


class JobWorld:
    def __init__(self, database_url: str, broker_url: str, redis_url: str, tmp: Path) -> None:
        self.env = {
            **BASE_ENV,
            "SNAPSHOT_DATABASE_URL": database_url,
            "SNAPSHOT_BROKER_URL": broker_url,
            "SNAPSHOT_REDIS_URL": redis_url,
            "SNAPSHOT_TEST_QUEUE": f"snapshots-{uuid.uuid4().hex[:8]}",
        }
        self.redis = Redis.from_url(redis_url)
        self.tmp = tmp
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def settings(self, **values: Any) -> Settings:
        names = {k.removeprefix("SNAPSHOT_").lower(): v for k, v in self.env.items()}
        names = {k: v for k, v in names.items() if not k.startswith(("test_", "pythonunb"))}
        return Settings(**{**names, **values})

    def orchestrator(self) -> Orchestrator:
        return build_orchestrator(self.settings())

    def queue(self) -> CeleryJobQueue:
        app = create_app(self.settings())
        app.conf.task_default_queue = self.env["SNAPSHOT_TEST_QUEUE"]
        return CeleryJobQueue(app, JobStates(self.redis))

    def seed(self, count: int, user_id: str = "alice") -> list[str]:
        """``count`` bucketed sources (40 estimates each), written straight to storage."""
        ids = [f"src-{uuid.uuid4().hex[:12]}" for _ in range(count)]
        buckets = make_buckets("template")
        uow_factory = self.orchestrator().uow_factory
        with uow_factory() as uow:
            for source_id in ids:
                uow.sources.add(
                    make_source(source_id, user_id, SourceStatus.BUCKETED, estimate_count=40)
                )
                uow.buckets.save(buckets.model_copy(update={"source_id": source_id}))
            uow.commit()
        return ids

    def start_worker(self, concurrency: int = 8, pool: str = "threads", **env: str) -> None:
        log = self.tmp / f"worker-{len(self.workers)}.log"
        # `snapshot worker`'s own arguments, with the test app, queue and a unique name.
        command = [
            sys.executable, "-m", "celery", "-A", "tests.integration.jobs.worker_app",
            *worker_argv(concurrency, pool),
            "-Q", env.get("SNAPSHOT_TEST_QUEUE", self.env["SNAPSHOT_TEST_QUEUE"]),
            "-n", f"w{len(self.workers)}-{uuid.uuid4().hex[:6]}@%h",
        ]  # fmt: skip
        with open(log, "wb") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **self.env, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.workers.append(process)
        self.logs.append(log)

    def log_text(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in self.logs)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        # SIGKILL, not a warm shutdown: that waits for jobs held with a countdown, and the
        # world (its Redis database and PostgreSQL database) is thrown away next anyway.
        for process in self.workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        for process in self.workers:
            process.wait(10)

    def runs(self, user_id: str = "alice") -> list[SnapshotRun]:
        return list(self.orchestrator().list_runs(user_id=user_id))

    def statuses(self, user_id: str = "alice") -> dict[str, SourceStatus]:
        return {s.source_id: s.status for s in self.orchestrator().list_sources(user_id=user_id)}

    def all_generated(self, ids: list[str], user_id: str = "alice") -> bool:
        statuses = self.statuses(user_id)
        return all(statuses[i] is SourceStatus.SNAPSHOT_GENERATED for i in ids)


@contextmanager
def job_world(database_url: str, broker_url: str | None, tmp: Path) -> Iterator[JobWorld]:
    with _redis_database() as redis_url:
        world = JobWorld(database_url, broker_url or redis_url, redis_url, tmp)
        try:
            yield world
        except BaseException:
            print(world.log_text()[-6000:])  # the workers' side of a failure, in the report
            raise
        finally:
            world.stop()
