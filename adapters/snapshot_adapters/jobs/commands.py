"""`snapshot worker | enqueue | run-all`, registered through the `snapshot.commands` entry point.

``register`` imports nothing heavy: each command imports Celery and the container when it
runs. The global ``--db`` is read from the root context, as the built-in commands honour it.
"""

from __future__ import annotations

import enum
import time
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from snapshot_core import Orchestrator

    from ..settings import Settings
    from .queue import CeleryJobQueue

__all__ = ["register"]


class Pool(enum.StrEnum):
    threads = "threads"
    prefork = "prefork"


UserOption = Annotated[
    str | None,
    typer.Option("--user", "-u", envvar="SNAPSHOT_USER", help="Your user id (or SNAPSHOT_USER)."),
]


def _settings(ctx: typer.Context) -> Settings:
    from ..settings import load_settings

    db = ctx.find_root().params.get("db")
    return load_settings(database_url=db) if db else load_settings()


def _user(user: str | None, settings: Settings) -> str:
    if user is not None and not user.strip():
        raise typer.BadParameter("must not be empty", param_hint="--user")
    user = user or settings.user
    if not user:
        raise typer.BadParameter("missing --user (or set SNAPSHOT_USER)", param_hint="--user")
    return user


def _queue(settings: Settings) -> CeleryJobQueue:
    from .queue import CeleryJobQueue

    return CeleryJobQueue.from_settings(settings)


def _orchestrator(settings: Settings) -> Orchestrator:
    from ..container import build_orchestrator

    return build_orchestrator(settings)


def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, help="Jobs run at once.")
    ] = 8,
    pool: Annotated[
        Pool, typer.Option("--pool", help="threads (the work waits on the model) or prefork.")
    ] = Pool.threads,
) -> None:
    """Run a Celery worker that makes the snapshots others enqueue."""
    from .app import create_app, require_shared_storage, worker_argv

    settings = _settings(ctx)
    require_shared_storage(settings)
    app = create_app(settings)
    app.worker_main(worker_argv(concurrency, pool.value))


def enqueue(
    ctx: typer.Context,
    source_id: Annotated[str, typer.Argument(metavar="SOURCE_ID", help="The source to snapshot.")],
    user: UserOption = None,
) -> None:
    """Queue one snapshot; prints the job id (the same one while the job is unfinished)."""
    settings = _settings(ctx)
    job = _queue(settings).enqueue(source_id=source_id, user_id=_user(user, settings))
    print(job.job_id)


def run_all(
    ctx: typer.Context,
    user: UserOption = None,
    all_users: Annotated[
        bool, typer.Option("--all-users", help="Every user's bucketed sources.")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the jobs to the end, then sum them up.")
    ] = False,
) -> None:
    """Queue a snapshot of every bucketed source; prints one job id per line."""
    from snapshot_core.domain import SourceStatus

    settings = _settings(ctx)
    if all_users and user is not None:
        raise typer.BadParameter("give exactly one of --user U and --all-users")
    user_id = None if all_users else _user(user, settings)  # SNAPSHOT_USER counts as --user
    orchestrator = _orchestrator(settings)
    if user_id is None:
        sources = orchestrator.list_all_sources(status=SourceStatus.BUCKETED)
    else:
        sources = [
            source
            for source in orchestrator.list_sources(user_id=user_id)
            if source.status is SourceStatus.BUCKETED
        ]
    queue = _queue(settings)
    started = time.monotonic()
    jobs = queue.enqueue_many((s.source_id, s.user_id) for s in sources)
    if not wait:
        for job in jobs:
            print(job.job_id)
        return
    from .summary import follow, summarise

    finished = follow(queue, jobs)
    summarise(orchestrator, finished, time.monotonic() - started)


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(enqueue)
    app.command(name="run-all")(run_all)
