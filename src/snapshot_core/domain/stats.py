"""Run statistics: outcomes by error code, latency percentiles, tokens, cost, and the waits
of runs made by jobs (queue delay, limiter waits)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from .runs import RunOutcome, SnapshotRun

__all__ = ["RunStats", "percentile", "summarize_runs"]


class RunStats(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    runs: int
    succeeded: int
    failed_by_code: dict[str, int]
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    cost_usd: Decimal
    cost_unknown_runs: int
    possibly_billed_runs: int = 0
    """Attempts whose call may have been billed with no finished record of it: still
    `calling` (in flight, or their process died) or `abandoned` by a later attempt."""
    job_runs: int = 0
    """Runs made by jobs (``snapshot worker``): the only ones with the waits below."""
    queue_delay_p50_ms: float | None = None
    queue_delay_p95_ms: float | None = None
    limiter_wait_total_ms: float = 0.0
    """Time jobs were sent back to wait for the shared budget, summed over their runs."""
    limiter_wait_p95_ms: float | None = None


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (a value that occurred); ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize_runs(runs: Sequence[SnapshotRun]) -> RunStats:
    latencies = [run.latency_ms for run in runs if run.finished_at and not run.possibly_billed]
    queue_delays = [run.queue_delay_ms for run in runs if run.queue_delay_ms is not None]
    limiter_waits = [run.limiter_wait_ms for run in runs if run.limiter_wait_ms is not None]
    failures = Counter(
        run.error_code or "unknown" for run in runs if run.outcome is RunOutcome.FAILED
    )
    return RunStats(
        runs=len(runs),
        succeeded=sum(run.outcome is RunOutcome.SUCCEEDED for run in runs),
        failed_by_code=dict(sorted(failures.items())),
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        prompt_tokens=sum(run.prompt_tokens for run in runs),
        completion_tokens=sum(run.completion_tokens for run in runs),
        cached_tokens=sum(run.cached_tokens for run in runs),
        cost_usd=sum((run.cost_usd for run in runs if run.cost_usd is not None), Decimal(0)),
        cost_unknown_runs=sum(
            run.cost_usd is None and run.model is not None and not run.possibly_billed
            for run in runs
        ),
        possibly_billed_runs=sum(run.possibly_billed for run in runs),
        job_runs=len(limiter_waits),
        queue_delay_p50_ms=percentile(queue_delays, 50),
        queue_delay_p95_ms=percentile(queue_delays, 95),
        limiter_wait_total_ms=sum(limiter_waits),
        limiter_wait_p95_ms=percentile(limiter_waits, 95),
    )
