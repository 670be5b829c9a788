"""The Celery app, configured from settings, and each worker process's lazily built runtime."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from celery import Celery, signals

from snapshot_core.domain import InvalidSettingsError, redact_url

from .limiter import SharedBudget
from .metrics import QueueMetrics
from .queue import JobStates
from .usage import CallObserver, ObservedModel

if TYPE_CHECKING:
    from redis import Redis

    from snapshot_core import Orchestrator

    from ..settings import Settings

__all__ = [
    "Runtime",
    "create_app",
    "require_shared_storage",
    "runtime_of",
    "transport_options",
    "worker_argv",
]

OrchestratorFactory = Callable[["Settings"], "Orchestrator"]


def _default_orchestrator(settings: Settings) -> Orchestrator:
    from ..container import build_orchestrator

    return build_orchestrator(settings)


# Loggers that write an INFO line per job or per call: Celery's "received" and "succeeded"
# (which say nothing of the job's outcome) and the HTTP client's request line under the
# openai SDK (`httpx2` in the SDK's current releases, `httpx` before).
_PER_JOB_LOGGERS = ("celery.worker.strategy", "celery.app.trace", "httpx2", "httpx")


def _one_line_per_job(sender: Any, **_: object) -> None:
    """A snapshot worker logs one INFO line per job, the task's own with the job's outcome;
    the others (``_PER_JOB_LOGGERS``) show at DEBUG only, their warnings and errors as
    ever. They were three of a job's four lines, and about 4 % of a worker's CPU."""
    if getattr(sender.app, "snapshot_runtime", None) is None or sender.loglevel <= logging.DEBUG:
        return  # another app's worker, or one asked for everything
    for name in _PER_JOB_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


# Sent in each worker's main process before its consumer and tracers read their loggers'
# levels (a prefork child inherits them).
signals.worker_init.connect(_one_line_per_job, weak=False)


def worker_argv(concurrency: int, pool: str) -> list[str]:
    """The Celery worker's arguments for ``snapshot worker``. Without gossip, mingle and
    heartbeat: they serve worker events and revokes shared at start-up, which the jobs do not
    use (states live in Redis, outcomes in storage), and with them each worker would read
    every other worker's heartbeat every 2 s."""
    return [
        "worker",
        f"--concurrency={concurrency}",
        f"--pool={pool}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def require_shared_storage(settings: Settings) -> None:
    """Workers on several processes or machines share one database: refuse SQLite and memory."""
    if settings.database_url.startswith(("sqlite", "memory:")):
        raise InvalidSettingsError(
            [
                f"SNAPSHOT_DATABASE_URL: {redact_url(settings.database_url)} cannot be shared by "
                "workers on several processes or machines; use PostgreSQL "
                "(postgresql+psycopg://...) for `snapshot worker`"
            ]
        )


def broker_url(settings: Settings) -> str:
    url = settings.broker_url
    if not url:
        raise InvalidSettingsError(["SNAPSHOT_BROKER_URL: not set (redis://... or amqp://...)"])
    if not url.startswith(("redis://", "rediss://", "amqp://", "amqps://", "pyamqp://")):
        raise InvalidSettingsError(
            [f"SNAPSHOT_BROKER_URL: {redact_url(url)} is not a redis:// or amqp:// URL"]
        )
    return url


def redis_url(settings: Settings) -> str:
    """Budgets and job states live in Redis: SNAPSHOT_REDIS_URL, else a Redis broker's URL."""
    if settings.redis_url:
        return settings.redis_url
    url = broker_url(settings)
    if url.startswith(("redis://", "rediss://")):
        return url
    raise InvalidSettingsError(
        [
            "SNAPSHOT_REDIS_URL: needed with an amqp:// broker (budgets and job states "
            "are kept in Redis)"
        ]
    )


class Runtime:
    """What tasks use, made on first use inside the worker process (never before prefork
    forks: connections and engines do not survive a fork)."""

    def __init__(self, settings: Settings, orchestrator_factory: OrchestratorFactory) -> None:
        self.settings = settings
        self.observer = CallObserver()
        self.metrics = QueueMetrics()
        self._factory = orchestrator_factory
        self._lock = threading.Lock()
        self._states: JobStates | None = None
        self._budget: SharedBudget | None = None

    def orchestrator(self) -> Orchestrator:
        with self._lock:  # the first tasks of a threads pool arrive together
            return _built_orchestrator(self)

    def redis(self) -> Redis:
        with self._lock:
            return _redis_client(redis_url(self.settings))

    def states(self) -> JobStates:
        with self._lock:  # one per process: its scripts are registered once
            if self._states is None:
                self._states = JobStates(_redis_client(redis_url(self.settings)))
            return self._states

    def budget(self) -> SharedBudget:
        with self._lock:
            if self._budget is None:
                self._budget = SharedBudget(
                    _redis_client(redis_url(self.settings)),
                    rpm=self.settings.rpm,
                    tpm=self.settings.tpm,
                )
            return self._budget

    def lease_seconds(self, orchestrator: Orchestrator) -> float:
        return orchestrator.policy.lease_for(orchestrator.model.deadline_seconds)


@cache
def _built_orchestrator(runtime: Runtime) -> Orchestrator:
    built = runtime._factory(runtime.settings)
    return replace(built, model=ObservedModel(built.model, runtime.observer))


@cache
def _redis_client(url: str) -> Redis:
    from redis import Redis

    return Redis.from_url(url, health_check_interval=30)


def transport_options(visibility_timeout: float) -> dict[str, int]:
    """Redis transport options. kombu sweeps for messages whose worker died only every
    ``unacked_restore_interval`` x ``unacked_restore_throttle`` seconds (10 x 10 by default):
    sweep each tenth of the visibility timeout instead, so a dead worker's jobs come back
    soon after it, not up to 100 s later."""
    return {
        "visibility_timeout": math.ceil(visibility_timeout),
        "unacked_restore_interval": max(1, min(10, math.ceil(visibility_timeout / 10))),
        "unacked_restore_throttle": 1,
    }


def runtime_of(app: Celery) -> Runtime:
    runtime: Runtime = app.snapshot_runtime
    return runtime


def create_app(
    settings: Settings | None = None,
    *,
    orchestrator_factory: OrchestratorFactory | None = None,
) -> Celery:
    """A Celery app for ``settings`` (read from the environment when omitted) with the
    ``snapshot.make_snapshot`` task. ``orchestrator_factory(settings)`` builds the worker's
    orchestrator (default: the container's), once per worker process, at its first task."""
    if settings is None:
        from ..settings import load_settings

        settings = load_settings()
    app = Celery("snapshot", broker=broker_url(settings), set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,  # outcomes live in storage, states in JobStates
        task_acks_late=True,  # acknowledged after the task: a dead worker's job comes back
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a slow call must not hold other jobs hostage
        task_default_queue="snapshots",
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        # Redis only: an unacknowledged job goes to another worker after this. It outlasts
        # the claim's lease (checked in Settings) and every countdown we schedule.
        broker_transport_options=transport_options(settings.visibility_timeout),
    )
    app.snapshot_runtime = Runtime(settings, orchestrator_factory or _default_orchestrator)
    from .tasks import register_tasks

    register_tasks(app)
    return app
