"""`run-all --wait`: a progress bar while the jobs run, then what they made and cost."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from snapshot_core import Orchestrator
    from snapshot_core.domain import Job

    from .queue import CeleryJobQueue

__all__ = ["follow", "summarise"]

POLL_SECONDS = 0.5


def follow(queue: CeleryJobQueue, jobs: Sequence[Job]) -> list[Job]:
    """Poll the jobs until every one is finished, with a progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    pending = {job.job_id: job for job in jobs}
    finished: list[Job] = []
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as progress:
        bar = progress.add_task("snapshots", total=len(jobs))
        while pending:
            for job_id, job in list(pending.items()):
                now = queue.get(job_id=job_id, user_id=job.user_id)
                if now.finished:
                    finished.append(now)
                    del pending[job_id]
                    progress.advance(bar)
            if pending:
                time.sleep(POLL_SECONDS)
    return finished


def summarise(orchestrator: Orchestrator, jobs: Sequence[Job], wall_seconds: float) -> None:
    """A table on stdout: succeeded, failed by code, tokens and cost of these jobs' runs."""
    from rich.console import Console
    from rich.table import Table

    outcomes = Counter(job.error_code or "?" for job in jobs if job.state == "failed")
    sources = {(job.user_id, job.source_id) for job in jobs}
    tokens, cost = 0, Decimal(0)
    for user_id in {user for user, _ in sources}:
        for run in orchestrator.list_runs(user_id=user_id):
            if (user_id, run.source_id) in sources:
                tokens += run.prompt_tokens + run.completion_tokens
                cost += run.cost_usd or 0
    table = Table(title="run-all", show_header=False)
    table.add_row("succeeded", str(sum(job.state == "succeeded" for job in jobs)))
    for code, count in sorted(outcomes.items()):
        table.add_row(f"failed: {code}", str(count))
    table.add_row("tokens", f"{tokens:,}")
    table.add_row("cost (USD)", f"{cost:.4f}")
    table.add_row("wall time", f"{wall_seconds:.1f} s")
    Console().print(table)
