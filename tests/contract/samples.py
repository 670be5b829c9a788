"""Sample domain objects for storage tests: sources, estimate rows, buckets, snapshots, runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from snapshot_adapters.fake import fake_narrative, synthetic_estimates
from snapshot_core.domain import (
    DEFAULT_BAND_SCHEME,
    EstimateBuckets,
    EstimateRow,
    RunOutcome,
    SnapshotNarrative,
    SnapshotResult,
    SnapshotRun,
    Source,
    SourceStatus,
    assemble_snapshot,
    build_agent_input,
    build_buckets,
    tally_estimates,
)

__all__ = [
    "T0",
    "failing_rows",
    "make_buckets",
    "make_run",
    "make_snapshot",
    "make_source",
    "rows",
]

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def make_source(
    source_id: str = "src-1",
    user_id: str = "alice",
    status: SourceStatus = SourceStatus.UPLOADED,
    created_at: datetime = T0,
    **changes: object,
) -> Source:
    return Source(
        source_id=source_id,
        user_id=user_id,
        name=f"{source_id} export",
        status=status,
        created_at=created_at,
        **changes,  # type: ignore[arg-type]
    )


def rows(count: int = 40, seed: int = 1) -> list[EstimateRow]:
    return list(synthetic_estimates(count, seed=seed))


def make_buckets(source_id: str = "src-1", count: int = 40) -> EstimateBuckets:
    return build_buckets(source_id, tally_estimates(rows(count)), T0, DEFAULT_BAND_SCHEME)


def make_snapshot(snapshot_id: str = "snap-1", source_id: str = "src-1") -> SnapshotResult:
    buckets = make_buckets(source_id)
    agent_input = build_agent_input(buckets)
    reply = SnapshotNarrative.model_validate(fake_narrative(agent_input))
    narrative = reply.filed(agent_input.topic_of)  # as validate_reply files a model's reply
    return assemble_snapshot(snapshot_id, buckets, narrative, "fake-narrator-1", T0)


def make_run(
    run_id: str = "run-1",
    source_id: str = "src-1",
    user_id: str = "alice",
    attempt: int = 1,
    snapshot_id: str | None = "snap-1",
    **changes: object,
) -> SnapshotRun:
    succeeded = snapshot_id is not None
    fields: dict[str, object] = {
        "run_id": run_id,
        "source_id": source_id,
        "user_id": user_id,
        "attempt": attempt,
        "started_at": T0,
        "finished_at": T0 + timedelta(milliseconds=1234),
        "outcome": RunOutcome.SUCCEEDED if succeeded else RunOutcome.FAILED,
        "error_code": None if succeeded else "llm_timeout",
        "snapshot_id": snapshot_id,
        "model": "fake-narrator-1",
        "prompt_tokens": 321,
        "completion_tokens": 90,
        "cached_tokens": 64,
        "cost_usd": Decimal("0.0012345"),
        "latency_ms": 12.5,
        "request_sha256": "ab" * 32,
    }
    fields.update(changes)
    return SnapshotRun.model_validate(fields)


def failing_rows(good: int, error: Exception) -> Iterator[EstimateRow]:
    """``good`` rows, then ``error``: a file parser failing half-way through."""
    yield from rows(good)
    raise error
